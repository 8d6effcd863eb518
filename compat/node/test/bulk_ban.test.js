// POST /v1/users/ban and /v1/users/unban (Clerk's bulk ban). @clerk/backend 3.25.0 has no method
// for them (UsersApi has banUser/unbanUser only), so the requests are sent with fetch and the
// secret key, as an app calling the Backend API directly would; the results are then read back
// through the SDK.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clerk, createUser, createUserWithSession, usherApi } from '../lib/usher.js';

const client = clerk();

/** `POST /v1/users/{action}` with the secret key: `{ status, json }`. */
const bulk = (action, body) => usherApi('POST', `/v1/users/${action}`, body);

describe('bulk ban / unban', () => {
  it('bans several users and revokes their sessions; unban lifts it', async () => {
    const { user: a, session } = await createUserWithSession(client);
    const b = await createUser(client);
    const bystander = await createUser(client);

    const banned = await bulk('ban', { user_ids: [a.id, b.id] });
    assert.equal(banned.status, 200);
    assert.deepEqual(
      banned.json.map((u) => [u.object, u.id, u.banned]),
      [
        ['user', a.id, true],
        ['user', b.id, true],
      ],
    );
    assert.equal((await client.users.getUser(a.id)).banned, true);
    assert.equal((await client.users.getUser(b.id)).banned, true);
    assert.equal((await client.users.getUser(bystander.id)).banned, false);
    assert.equal((await client.sessions.getSession(session.id)).status, 'revoked');

    const unbanned = await bulk('unban', { user_ids: [a.id, b.id] });
    assert.equal(unbanned.status, 200);
    assert.ok(unbanned.json.every((u) => u.banned === false));
    assert.equal((await client.users.getUser(a.id)).banned, false);
  });

  it('an unknown id bans nobody', async () => {
    const a = await createUser(client);
    const r = await bulk('ban', { user_ids: [a.id, 'user_2unknown000000000000000000'] });
    assert.equal(r.status, 404);
    assert.equal(r.json.errors[0].code, 'resource_not_found');
    assert.equal((await client.users.getUser(a.id)).banned, false);
  });

  it('refuses an empty, oversized or missing user_ids with Clerk errors', async () => {
    for (const [body, code] of [
      [{}, 'form_param_missing'],
      [{ user_ids: [] }, 'form_param_value_invalid'],
      [{ user_ids: Array.from({ length: 51 }, (_, i) => `user_${i}`) }, 'form_param_value_invalid'],
      [{ user_ids: 'user_1' }, 'form_param_format_invalid'],
    ]) {
      const r = await bulk('ban', body);
      assert.equal(r.status, 422, JSON.stringify(body));
      assert.equal(r.json.errors[0].code, code);
      assert.equal(r.json.errors[0].meta.param_name, 'user_ids');
      assert.equal(typeof r.json.clerk_trace_id, 'string');
    }
  });
});
