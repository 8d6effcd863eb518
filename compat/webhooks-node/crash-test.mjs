// The crash test: 1,000 events are queued for a slow receiver, then the real `usher` binary is
// killed with SIGKILL again and again while it delivers, and restarted on the same data. The
// receiver must end with every event (deduplicated by svix-id), each verified with the npm svix
// package and @clerk/backend's verifyWebhook, first received in commit order.
//
//   USHER_BIN=target/release/usher node crash-test.mjs
//   EVENTS=1000 RECEIVER_DELAY_MS=20 DEADLINE_S=150 (the defaults); USHER_CRASH_DATABASE_URL runs it
//   on that database (PostgreSQL) instead of SQLite.
import assert from 'node:assert/strict';

import { Receiver } from './lib/receiver.js';
import { Usher, sleep, waitFor } from './lib/usher.js';

const EVENTS = Number(process.env.EVENTS || 1000);
const DELAY = Number(process.env.RECEIVER_DELAY_MS || 20);
const DEADLINE = Date.now() + Number(process.env.DEADLINE_S || 150) * 1000;

const log = (...a) => console.log('crash-test:', ...a);

const secrets = [];
const rx = await new Receiver({
  secrets: () => secrets,
  answer: async () => {
    await sleep(DELAY); // a slow receiver: deliveries are in flight when the kills come
    return 200;
  },
}).start();
const env = { USHER_NODE_ID: 'crash-test-node', USHER_WEBHOOK_TIMEOUT: '5s' };
if (process.env.USHER_CRASH_DATABASE_URL) env.USHER_DATABASE_URL = process.env.USHER_CRASH_DATABASE_URL;
const usher = await new Usher(env).start();
let status = 1;
try {
  const ep = await usher.api('POST', '/v1/webhooks/endpoints', { url: rx.url, events: ['user.created'] });
  secrets.push(ep.secret);

  // Queue the events while the endpoint is paused, so that all 1,000 wait when delivery starts.
  await usher.api('POST', `/v1/webhooks/endpoints/${ep.id}/pause`);
  const created = [];
  const workers = Array.from({ length: 8 }, async (_, w) => {
    for (let i = w; i < EVENTS; i += 8) {
      const u = await usher.api('POST', '/v1/users', {
        email_address: [`crash${i}@crash.example.com`],
        skip_password_requirement: true,
      });
      created.push(u.id);
    }
  });
  await Promise.all(workers);
  const queued = await usher.api('GET', `/v1/webhooks/endpoints/${ep.id}/deliveries?status=pending&limit=1`);
  assert.equal(queued.total_count, EVENTS, 'every event is queued');
  log(`${EVENTS} events queued; resuming delivery to a receiver that takes ${DELAY} ms per request`);
  await usher.api('POST', `/v1/webhooks/endpoints/${ep.id}/resume`);

  // Kill -9 while delivering, every 50 to 110 deliveries (so the kills land during delivery
  // however fast the machine is), and restart on the same data, until the receiver has it all.
  let kills = 0;
  const received = () => new Set(rx.deliveries.filter((d) => d.status === 200).map((d) => d.id)).size;
  let next = 50 + Math.floor(Math.random() * 60);
  while (received() < EVENTS) {
    if (Date.now() > DEADLINE) throw new Error(`deadline passed with ${received()}/${EVENTS} delivered`);
    if (next < EVENTS - 20 && received() >= next) {
      await usher.kill();
      kills += 1;
      log(`kill -9 #${kills} with ${received()}/${EVENTS} delivered`);
      await usher.start();
      next = received() + 50 + Math.floor(Math.random() * 60);
    }
    await sleep(20);
  }
  await waitFor('the last responses', () => rx.deliveries.every((d) => d.status !== undefined), 10_000);

  // Every event, none missing, none unexpected, each verified by both libraries.
  const ids = rx.distinctIds();
  assert.equal(ids.length, EVENTS, 'every event delivered');
  const bad = rx.deliveries.filter((d) => !(d.svix[0] && d.clerk[0]));
  assert.equal(bad.length, 0, `unverified deliveries: ${bad.map((d) => d.svixError || d.clerkError).join('; ')}`);
  const users = new Set(created);
  const delivered = new Set(rx.deliveries.map((d) => d.clerkEvent.data.id));
  assert.equal(delivered.size, EVENTS);
  assert.ok([...delivered].every((id) => users.has(id)), 'only the created users');

  // First receipts follow commit order (the API lists deliveries newest first, by commit order).
  const listed = [];
  for (let offset = 0; offset < EVENTS; offset += 500) {
    const page = await usher.api('GET', `/v1/webhooks/endpoints/${ep.id}/deliveries?limit=500&offset=${offset}`);
    listed.push(...page.data.map((d) => d.message_id));
  }
  assert.deepEqual(ids, listed.reverse(), 'first receipts in commit order');
  // The server records every success too (a message received just before a kill is sent again).
  await waitFor('the server to record every delivery', async () => {
    const r = await usher.api('GET', `/v1/webhooks/endpoints/${ep.id}/deliveries?status=succeeded&limit=1`);
    return r.total_count === EVENTS;
  }, Math.max(5_000, DEADLINE - Date.now()));
  await waitFor('the last responses', () => rx.deliveries.every((d) => d.status !== undefined), 10_000);

  // One endpoint is delivered to by one worker, one message at a time: a kill re-delivers at
  // most the message that was in flight.
  const duplicates = rx.deliveries.length - EVENTS;
  assert.ok(duplicates <= kills, `${duplicates} re-deliveries for ${kills} kills`);
  log(`ok: ${EVENTS} events delivered across ${kills} kill -9s and ${usher.starts} starts; ` +
    `${duplicates} re-deliveries of in-flight messages (deduplicated by svix-id)`);
  assert.ok(kills >= 3, `only ${kills} kills happened during delivery`);
  status = 0;
} catch (e) {
  console.error('crash-test: FAILED:', e);
  console.error(usher.log.slice(-4000));
} finally {
  await usher.dispose();
  await rx.close();
}
process.exit(status);
