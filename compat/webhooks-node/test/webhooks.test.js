// Usher's webhooks as a Clerk application receives them: every delivery must pass the real npm
// `svix` package's `Webhook.verify` and @clerk/backend's `verifyWebhook`, unmodified.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createClerkClient } from '@clerk/backend';

import { Receiver } from '../lib/receiver.js';
import { Usher, sleep, waitFor } from '../lib/usher.js';

// Fast retries so that a flaky receiver recovers within the test; the shape is Svix's.
const FAST = {
  USHER_WEBHOOK_RETRY_SCHEDULE: '0,200ms,200ms,300ms,300ms,500ms,500ms,500ms',
  USHER_WEBHOOK_TIMEOUT: '10s',
};

let n = 0;
const email = (tag) => `${tag}${Date.now().toString(36)}${(n += 1)}@hooks.example.com`;

/** The first receipt of each message, in order (a slow machine may see a message twice). */
const firsts = (rx) => {
  const seen = new Set();
  return rx.deliveries.filter((d) => !seen.has(d.id) && seen.add(d.id));
};

async function setup(t, { events = [], answer, env = {} } = {}) {
  const usher = await new Usher({ ...FAST, ...env }).start();
  const secrets = [];
  const rx = await new Receiver({ secrets: () => secrets, answer }).start();
  const ep = await usher.api('POST', '/v1/webhooks/endpoints', { url: rx.url, events });
  secrets.push(ep.secret);
  const clerk = createClerkClient({ secretKey: usher.secretKey, apiUrl: usher.apiUrl, telemetry: { disabled: true } });
  t.after(async () => {
    await rx.close();
    await usher.dispose();
  });
  return { usher, rx, ep, secrets, clerk };
}

describe('webhooks verify with svix and @clerk/backend', () => {
  test('every delivery is a signed Clerk envelope that both libraries accept', async (t) => {
    const { usher, rx, ep, clerk } = await setup(t);
    assert.match(ep.id, /^ep_/);
    assert.match(ep.secret, /^whsec_/);
    assert.equal(ep.status, 'active');

    const user = await clerk.users.createUser({ emailAddress: [email('env')], skipPasswordRequirement: true });
    await clerk.users.updateUser(user.id, { firstName: 'Ada' });
    const session = await usher.api('POST', '/v1/sessions', { user_id: user.id });
    await clerk.sessions.revokeSession(session.id);
    await clerk.users.deleteUser(user.id);

    await waitFor('five deliveries', () => firsts(rx).length >= 5);
    const kinds = firsts(rx).map((d) => d.clerkEvent?.type);
    assert.deepEqual(kinds, ['user.created', 'user.updated', 'session.created', 'session.revoked', 'user.deleted']);
    for (const d of rx.deliveries) {
      assert.equal(d.method, 'POST');
      assert.equal(d.contentType, 'application/json');
      assert.match(d.id, /^msg_/);
      assert.deepEqual(d.svix, [true], d.svixError);
      assert.deepEqual(d.clerk, [true], d.clerkError);
      const evt = d.clerkEvent;
      assert.equal(evt.object, 'event');
      assert.equal(evt.instance_id, usher.instanceId);
      assert.equal(typeof evt.timestamp, 'number');
      assert.ok(evt.timestamp > 1_600_000_000_000, 'timestamp in milliseconds');
      assert.deepEqual(Object.keys(JSON.parse(d.body)).sort(), [
        'data', 'event_attributes', 'instance_id', 'object', 'timestamp', 'type',
      ]);
      assert.equal(typeof evt.event_attributes.http_request.client_ip, 'string');
      assert.deepEqual(d.event, JSON.parse(d.body), 'svix returns the parsed payload');
    }
    const [created, updated, sessionCreated, revoked, deleted] = firsts(rx).map((d) => d.clerkEvent.data);
    assert.equal(created.id, user.id);
    assert.equal(created.object, 'user');
    assert.equal(updated.first_name, 'Ada');
    assert.equal(sessionCreated.id, session.id);
    assert.equal(sessionCreated.user.id, user.id, 'session events embed the user');
    assert.equal(revoked.status, 'revoked');
    assert.deepEqual(deleted, { object: 'user', id: user.id, deleted: true });
    assert.equal(rx.distinctIds().length, 5);
  });

  test('a flaky receiver ends with every event; the attempts show in the API and the CLI', async (t) => {
    const { usher, rx, ep, clerk } = await setup(t, {
      events: ['user.created'],
      answer: (i) => (i < 3 ? 503 : 200),
    });
    const users = [];
    for (let i = 0; i < 3; i += 1) {
      users.push(await clerk.users.createUser({ emailAddress: [email('flaky')], skipPasswordRequirement: true }));
    }
    await waitFor('three distinct deliveries accepted', () =>
      new Set(rx.deliveries.filter((d) => d.status === 200).map((d) => d.id)).size === 3);
    // The receiver saw the first message four times, then the others in commit order.
    assert.deepEqual(rx.distinctIds().length, 3);
    assert.deepEqual(rx.deliveries.slice(0, 4).map((d) => d.id), Array(4).fill(rx.deliveries[0].id));
    assert.deepEqual(rx.deliveries.slice(3).map((d) => d.clerkEvent.data.id), users.map((u) => u.id));
    assert.ok(rx.deliveries.every((d) => d.svix[0] && d.clerk[0]));

    const first = rx.deliveries[0].id;
    const api = await usher.api('GET', `/v1/webhooks/endpoints/${ep.id}/deliveries?message_id=${first}`);
    const d = api.data[0];
    assert.equal(d.status, 'succeeded');
    assert.equal(d.attempts, 4);
    assert.deepEqual(d.attempt_history.map((a) => a.status), ['succeeded', 'failed', 'failed', 'failed']);
    assert.equal(d.attempt_history[1].response_status_code, 503);
    assert.equal(d.attempt_history[1].response_body_excerpt, 'not now');

    const cli = usher.cli('webhooks', 'deliveries', ep.id, '--message', first);
    assert.equal(cli.total_count, 1);
    assert.deepEqual(cli.data[0].attempt_history.map((a) => a.status), ['succeeded', 'failed', 'failed', 'failed']);
    const all = usher.cli('webhooks', 'deliveries', ep.id, '--status', 'succeeded');
    assert.equal(all.total_count, 3);
  });

  test('a receiver that times out gets the event on a later attempt', async (t) => {
    const { usher, rx, ep, clerk } = await setup(t, {
      events: ['user.created'],
      env: { USHER_WEBHOOK_TIMEOUT: '1s' },
      answer: async (i) => {
        if (i === 0) await sleep(3000); // longer than USHER_WEBHOOK_TIMEOUT
        return 204;
      },
    });
    await clerk.users.createUser({ emailAddress: [email('slow')], skipPasswordRequirement: true });
    const done = await waitFor('a succeeded delivery', async () => {
      const r = await usher.api('GET', `/v1/webhooks/endpoints/${ep.id}/deliveries?status=succeeded`);
      return r.total_count === 1 && r.data[0];
    });
    assert.ok(done.attempts >= 2);
    assert.match(done.attempt_history.at(-1).error, /timed out/);
    assert.ok(rx.deliveries.length >= 2);
    assert.ok(rx.deliveries.every((x) => x.id === rx.deliveries[0].id && x.svix[0] && x.clerk[0]));
  });

  test('a paused endpoint receives everything after resume, in order', async (t) => {
    const { usher, rx, ep, clerk } = await setup(t, { events: ['user.created'] });
    const paused = await usher.api('POST', `/v1/webhooks/endpoints/${ep.id}/pause`);
    assert.equal(paused.status, 'paused');
    const ids = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push((await clerk.users.createUser({ emailAddress: [email('paused')], skipPasswordRequirement: true })).id);
    }
    const queued = await usher.api('GET', `/v1/webhooks/endpoints/${ep.id}/deliveries?status=pending`);
    assert.equal(queued.total_count, 5);
    assert.equal(rx.deliveries.length, 0);
    const metrics = await (await fetch(`${usher.apiUrl}/metrics`)).text();
    assert.match(metrics, new RegExp(`usher_webhook_queue_depth\\{endpoint="${ep.id}"\\} 5`));

    await usher.api('POST', `/v1/webhooks/endpoints/${ep.id}/resume`);
    await waitFor('five deliveries after resume', () => firsts(rx).length >= 5);
    assert.deepEqual(firsts(rx).map((d) => d.clerkEvent.data.id), ids);
    assert.equal(rx.verified().length, rx.deliveries.length);
  });

  test('during a secret rotation both signatures are sent and both secrets verify', async (t) => {
    const { usher, rx, ep, secrets, clerk } = await setup(t, { events: ['user.created'] });
    const rotated = await usher.api('POST', `/v1/webhooks/endpoints/${ep.id}/rotate_secret`);
    assert.match(rotated.secret, /^whsec_/);
    assert.notEqual(rotated.secret, ep.secret);
    secrets.push(rotated.secret); // the receiver now checks with the old and the new secret
    const listed = await usher.api('GET', `/v1/webhooks/endpoints/${ep.id}`);
    assert.equal(listed.secret, null, 'the secret is shown only on creation and rotation');
    await clerk.users.createUser({ emailAddress: [email('rotate')], skipPasswordRequirement: true });
    await waitFor('a delivery', () => rx.deliveries.length >= 1);
    const d = rx.deliveries[0];
    assert.equal(d.headers['svix-signature'].split(' ').length, 2);
    assert.deepEqual(d.svix, [true, true], d.svixError);
    assert.deepEqual(d.clerk, [true, true], d.clerkError);
  });

  test('replay and retry resend the same messages; resync sends every user', async (t) => {
    const { usher, rx, ep, clerk } = await setup(t, { events: ['user.created', 'user.updated'] });
    const since = Date.now();
    const a = await clerk.users.createUser({ emailAddress: [email('replay')], skipPasswordRequirement: true });
    const b = await clerk.users.createUser({ emailAddress: [email('replay')], skipPasswordRequirement: true });
    await waitFor('two deliveries', () => rx.deliveries.length >= 2);
    const firstIds = rx.deliveries.map((d) => d.id);
    assert.equal(new Set(firstIds).size, 2);

    const replay = await usher.api('POST', `/v1/webhooks/endpoints/${ep.id}/replay`, { since });
    assert.equal(replay.queued, 2);
    await waitFor('two replayed deliveries', () => rx.deliveries.length >= 4);
    assert.deepEqual(rx.deliveries.slice(2).map((d) => d.id), firstIds);

    const retry = await usher.api('POST', `/v1/webhooks/messages/${firstIds[0]}/retry`);
    assert.deepEqual(retry.endpoint_ids, [ep.id]);
    await waitFor('the retried delivery', () => rx.deliveries.length >= 5);
    assert.equal(rx.deliveries[4].id, firstIds[0]);

    const resync = await usher.api('POST', `/v1/webhooks/endpoints/${ep.id}/resync`);
    assert.equal(resync.queued, 2);
    await waitFor('two snapshots', () => rx.deliveries.length >= 7);
    const snaps = rx.deliveries.slice(5);
    assert.deepEqual(snaps.map((d) => d.clerkEvent.type), ['user.updated', 'user.updated']);
    assert.deepEqual(snaps.map((d) => d.clerkEvent.data.id).sort(), [a.id, b.id].sort());
    assert.ok(rx.deliveries.every((d) => d.svix[0] && d.clerk[0]));
  });

  test('the CLI manages endpoints beside a running server', async (t) => {
    const usher = await new Usher(FAST).start();
    const secrets = [];
    const rx = await new Receiver({ secrets: () => secrets }).start();
    t.after(async () => {
      await rx.close();
      await usher.dispose();
    });
    const created = usher.cli('webhooks', 'create', '--url', rx.url, '--event', 'user.created');
    assert.match(created.secret, /^whsec_/);
    secrets.push(created.secret);
    const listed = usher.cli('webhooks', 'list');
    assert.equal(listed.length, 1);
    assert.equal(listed[0].id, created.id);
    assert.equal(listed[0].secret, null);
    // The running server delivers to an endpoint the CLI created.
    await usher.api('POST', '/v1/users', { email_address: [email('cli')], skip_password_requirement: true });
    await waitFor('a delivery', () => rx.deliveries.length >= 1);
    assert.ok(rx.verified().length === 1);
    assert.equal(usher.cli('webhooks', 'pause', created.id).status, 'paused');
    assert.equal(usher.cli('webhooks', 'resume', created.id).status, 'active');
    const gone = usher.cli('webhooks', 'delete', created.id);
    assert.equal(gone.deleted, true);
  });
});

