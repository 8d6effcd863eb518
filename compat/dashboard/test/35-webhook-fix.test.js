// A failing webhook endpoint fixed from its page: its URL pointed at a working loopback
// receiver, then its queue replayed since before the events: the receiver gets every one.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { addOperator, bapi, closedPortUrl, eventually, launchBrowser, openFlow } from '../lib/harness.js';

const browser = await launchBrowser();
after(() => browser.close());

/** A receiver answering 204 that keeps the (type, data.id) of every event it gets. */
async function receiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        const e = JSON.parse(body);
        got.push({ type: e.type, id: e.data?.id });
      } catch {
        got.push({ type: 'unreadable', id: null });
      }
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/hooks`, got, close: () => new Promise((r) => server.close(r)) };
}

const deliveries = async (ep) => (await bapi('GET', `/v1/webhooks/endpoints/${ep}/deliveries`)).data;

test('a failing endpoint is pointed at a working receiver and its queue replayed', async () => {
  const op = await addOperator('admin');
  // Subscribed to an event no other scenario causes: only this test's events reach it.
  const ep = (await bapi('POST', '/v1/webhooks/endpoints', { url: await closedPortUrl(), events: ['organization.created'] })).id;
  const since = new Date(Date.now() - 60_000).toISOString();
  const orgs = [];
  for (let i = 0; i < 3; i++) orgs.push((await bapi('POST', '/v1/organizations', { name: `Replay ${i} ${Date.now()}` })).id);
  // The endpoint delivers in order and backs off after a failure: the first event fails, the
  // others wait behind it.
  await eventually('every event queued, the first one failed', async () => {
    const d = await deliveries(ep);
    return d.length === orgs.length && d.some((x) => x.attempts > 0);
  });
  const hook = await receiver();
  const f = await openFlow(browser, '35-webhook-fix');
  const { page, step, visit } = f;
  try {
    await f.signIn(op);
    await step('fix-url', async () => {
      await page.goto(`/dashboard/webhooks/${ep}`);
      await visit('failing');
      await page.locator('input[name=url]').fill(hook.url);
      await page.getByRole('button', { name: 'Save URL' }).click();
      await page.waitForURL(/done=url$/);
      await visit('fixed');
      assert.equal((await bapi('GET', `/v1/webhooks/endpoints/${ep}`)).url, hook.url);
    });
    await step('replay', async () => {
      await page.getByLabel('Since').fill(since);
      await page.getByRole('button', { name: 'Replay', exact: true }).click();
      await page.waitForURL(/done=replay$/);
      await visit('replayed');
      await eventually('every event at the receiver', () =>
        orgs.every((id) => hook.got.some((e) => e.type === 'organization.created' && e.id === id)),
      );
      assert.deepEqual(new Set(hook.got.map((e) => e.type)), new Set(['organization.created']));
    });
  } finally {
    await f.close();
    await hook.close();
  }
});
