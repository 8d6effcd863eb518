// The failover test: two Usher nodes share one database (PostgreSQL when
// USHER_FAILOVER_DATABASE_URL names one, else one SQLite file). Node A starts alone and begins
// delivering webhooks (so it holds the endpoint's lease); node B joins; sign-ups go to both; then
// A is killed with SIGKILL in the middle of the load. Node B must keep serving every request, no
// sign-up may be half-written (a user exists exactly when its user.created event exists), and B
// must deliver every event, including the ones A had claimed, once A's lease runs out.
//
//   USHER_BIN=target/release/usher node failover-test.mjs
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Receiver } from './lib/receiver.js';
import { Usher, sleep, waitFor } from './lib/usher.js';

const USERS = Number(process.env.USERS || 300);
const DEADLINE = Date.now() + Number(process.env.DEADLINE_S || 110) * 1000;
const log = (...a) => console.log('failover-test:', ...a);

const database = process.env.USHER_FAILOVER_DATABASE_URL
  || `sqlite://${join(mkdtempSync(join(tmpdir(), 'usher-failover-')), 'shared.sqlite')}`;
const secret = `sk_test_Failover${'0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, 30)}`;
const common = { USHER_DATABASE_URL: database, USHER_SECRET_KEY: secret, USHER_WEBHOOK_TIMEOUT: '2s' };

const secrets = [];
const rx = await new Receiver({
  secrets: () => secrets,
  answer: async () => {
    await sleep(10);
    return 200;
  },
}).start();
const a = await new Usher({ ...common, USHER_NODE_ID: 'node-a' }).start();
const b = new Usher({ ...common, USHER_NODE_ID: 'node-b' });
let status = 1;
try {
  assert.equal(a.secretKey, secret);
  const ep = await a.api('POST', '/v1/webhooks/endpoints', { url: rx.url, events: ['user.created'] });
  secrets.push(ep.secret);

  // Sign-ups through A alone until it is delivering, then through both; A dies a third of the
  // way through.
  const outcomes = [];
  let aAlive = true;
  let bUp = false;
  const signUp = async (i) => {
    const node = !bUp || (aAlive && i % 2 === 0) ? a : b;
    const email = `failover${i}@nodes.example.com`;
    try {
      const u = await node.api('POST', '/v1/users', { email_address: [email], skip_password_requirement: true });
      outcomes.push({ i, email, node: node === a ? 'a' : 'b', ok: true, id: u.id });
    } catch (e) {
      outcomes.push({ i, email, node: node === a ? 'a' : 'b', ok: false, error: String(e) });
    }
  };
  let nextUser = 0;
  const workers = Array.from({ length: 6 }, async () => {
    while (nextUser < USERS) {
      const i = nextUser++;
      if (i === Math.floor(USERS / 6)) {
        // A is the only node, so the deliveries arriving now are A's: it holds the lease.
        await waitFor('node A to be delivering', () => rx.deliveries.length > 0, 20_000);
        await b.start();
        assert.equal(b.secretKey, secret, 'a node joining with the seed key can print it');
        bUp = true;
        log(`node B joined with ${rx.deliveries.length} deliveries made by node A`);
      }
      if (i === Math.floor(USERS / 3) && aAlive) {
        await waitFor('node B to join', () => bUp, 30_000);
        aAlive = false;
        await a.kill();
        log(`kill -9 node A after ${outcomes.length} sign-ups and ${rx.deliveries.length} deliveries`);
      }
      await signUp(i);
    }
  });
  await Promise.all(workers);

  // Node B never failed a request.
  const failedOnB = outcomes.filter((o) => o.node === 'b' && !o.ok);
  assert.deepEqual(failedOnB, [], 'every request to the surviving node succeeds');
  const failedOnA = outcomes.filter((o) => !o.ok);
  log(`${outcomes.filter((o) => o.ok).length} sign-ups answered, ${failedOnA.length} lost with node A`);

  // Nothing half-written: every answered sign-up exists; a sign-up cut off with A either exists
  // completely or not at all; and every existing user has its event delivered.
  const users = new Map();
  for (const o of outcomes) {
    const list = await b.api('GET', `/v1/users?email_address=${encodeURIComponent(o.email)}`);
    assert.ok(list.length <= 1);
    if (o.ok) assert.equal(list[0]?.id, o.id, `answered sign-up ${o.email} exists`);
    if (list[0]) users.set(list[0].id, o.email);
  }
  const count = (await b.api('GET', '/v1/users/count')).total_count;
  assert.equal(count, users.size, 'no user exists that the sign-ups did not create');

  await waitFor('node B to deliver every event, including those node A had claimed', () => {
    const delivered = new Set(rx.deliveries.filter((d) => d.status === 200).map((d) => d.clerkEvent?.data?.id));
    return [...users.keys()].every((id) => delivered.has(id));
  }, Math.max(5_000, DEADLINE - Date.now()), 200);
  const verified = rx.deliveries.filter((d) => d.status === 200);
  assert.ok(verified.every((d) => d.svix[0] && d.clerk[0]), 'every delivery verifies with svix and @clerk/backend');
  const deliveredIds = new Set(verified.map((d) => d.clerkEvent.data.id));
  assert.equal(deliveredIds.size, users.size, 'one user.created per user, none for sign-ups that were not written');
  log(`ok: ${users.size} users, every user.created delivered; node A's claim was taken over by node B`);
  status = 0;
} catch (e) {
  console.error('failover-test: FAILED:', e);
  console.error('--- node A\n', a.log.slice(-3000), '\n--- node B\n', b.log.slice(-3000));
} finally {
  await a.dispose();
  await b.dispose();
  await rx.close();
}
process.exit(status);
