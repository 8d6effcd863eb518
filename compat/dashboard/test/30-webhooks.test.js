// A webhook endpoint nothing listens on is listed as failing; its page queues a delivery again
// and sends a test event, both seen in its history.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { addOperator, bapi, closedPortUrl, eventually, launchBrowser, openFlow, uniqueEmail } from '../lib/harness.js';

const browser = await launchBrowser();
after(() => browser.close());

const deliveries = async (ep) => (await bapi('GET', `/v1/webhooks/endpoints/${ep}/deliveries`)).data;

test('a failing endpoint is listed, a delivery retried and a test event sent', async () => {
  const op = await addOperator('admin');
  // Subscribed to an event no other scenario causes (they run beside this one on the same
  // server), so this endpoint's history holds only what this test sends it.
  const ep = (await bapi('POST', '/v1/webhooks/endpoints', { url: await closedPortUrl(), events: ['user.deleted'] })).id;
  const user = await bapi('POST', '/v1/users', { email_address: [uniqueEmail('hook')], skip_password_requirement: true });
  await bapi('DELETE', `/v1/users/${user.id}`);
  await eventually('a failed attempt', async () => (await deliveries(ep)).some((d) => d.attempts > 0));
  const f = await openFlow(browser, '30-webhooks');
  const { page, step, visit } = f;
  try {
    await f.signIn(op);
    await step('list', async () => {
      await page.goto('/dashboard/webhooks');
      await visit('list');
      await page.locator(`a[href="/dashboard/webhooks/${ep}"]`).first().click();
      await page.waitForURL(`**/dashboard/webhooks/${ep}`);
      await visit('endpoint');
    });
    await step('retry', async () => {
      const before = (await deliveries(ep))[0];
      await page.getByRole('button', { name: 'Retry' }).first().click();
      await page.waitForURL(/done=retry/);
      await visit('retried');
      // Queued again with a fresh schedule (`created_at` is when it was last queued); the
      // endpoint's own back-off decides when it is next attempted.
      const again = (await deliveries(ep)).find((x) => x.message_id === before.message_id);
      assert.ok(again.created_at > before.created_at, JSON.stringify({ before, again }));
    });
    await step('test-event', async () => {
      await page.getByRole('button', { name: 'Send test event' }).click();
      await page.waitForURL(/done=test/);
      await visit('test-event');
      const all = await eventually('the test event in the history', async () => {
        const d = await deliveries(ep);
        return d.length === 2 && d;
      });
      // The example event is a `user.created`, whatever the endpoint subscribes to.
      assert.deepEqual(all.map((d) => d.event_type).sort(), ['user.created', 'user.deleted']);
    });
  } finally {
    await f.close();
  }
});
