// GET /v1/usher/diagnostics (an Usher extension behind `usher doctor`). @clerk/backend has no
// method for it, so it is read with fetch and the secret key, as an operator's script would,
// after traffic made through the SDK: the token refreshes show up as a route with its
// percentiles, and every check is judged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clerk, createUserWithSession, env, usherApi } from '../lib/usher.js';

const client = clerk();

/** `GET /v1/usher/diagnostics` with `key`: `{ status, json }`. */
const diagnostics = (key = env.secretKey) => usherApi('GET', '/v1/usher/diagnostics', undefined, { key });

describe('diagnostics', () => {
  it('needs the secret key', async () => {
    const { status, json: body } = await diagnostics('sk_test_not_this_instances_key_0000000000');
    assert.equal(status, 401);
    assert.equal(body.errors[0].code, 'clerk_key_invalid');
  });

  it('judges every check and times the routes the SDK called', async () => {
    const { session } = await createUserWithSession(client);
    for (let i = 0; i < 5; i++) {
      const { jwt } = await client.sessions.getToken(session.id);
      assert.ok(jwt.split('.').length === 3);
    }
    const { status, json: body } = await diagnostics();
    assert.equal(status, 200);
    assert.equal(body.object, 'usher_diagnostics');
    assert.deepEqual(
      body.checks.map((c) => c.name),
      [
        'latency',
        'database_round_trip',
        'database_health',
        'hasher_queue',
        'webhook_queue',
        'smtp',
        'redis',
        'clock_skew',
        'signing_key',
        'secret_keys',
      ],
    );
    for (const c of body.checks) {
      assert.ok(['ok', 'warning', 'critical'].includes(c.level), JSON.stringify(c));
      assert.equal(c.cause === null, c.level === 'ok', JSON.stringify(c));
    }
    const worst = ['critical', 'warning'].find((l) => body.checks.some((c) => c.level === l));
    assert.equal(body.verdict, worst ?? 'ok');
    const tokens = body.measurements.routes.find(
      (r) => r.route === 'POST /v1/sessions/{session_id}/tokens',
    );
    assert.ok(tokens, JSON.stringify(body.measurements.routes));
    assert.ok(tokens.samples >= 5);
    assert.ok(tokens.p50_ms > 0 && tokens.p50_ms <= tokens.p95_ms && tokens.p95_ms <= tokens.p99_ms);
    assert.equal(body.measurements.database.round_trip_ms.pings, 5);
    assert.ok(typeof body.measurements.keys.signing_key.kid === 'string');
  });
});
