// A support operator reads the user, webhook and settings pages without any write button, and a
// POST forged with their own valid CSRF token is refused with 403, changing nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { addOperator, bapi, launchBrowser, openFlow, uniqueEmail } from '../lib/harness.js';

const browser = await launchBrowser();
after(() => browser.close());

test('support sees no write buttons and a forged POST is refused', async () => {
  const op = await addOperator('support');
  const user = await bapi('POST', '/v1/users', { email_address: [uniqueEmail('sup')], skip_password_requirement: true });
  const ep = (await bapi('POST', '/v1/webhooks/endpoints', { url: 'http://127.0.0.1:9/hooks' })).id;
  const f = await openFlow(browser, '40-support');
  const { page, step, visit } = f;
  try {
    await f.signIn(op);
    await step('user', async () => {
      await page.goto(`/dashboard/users/${user.id}`);
      await visit('user');
      assert.equal(await page.locator('a[href*="confirm?action=ban"]').count(), 0);
      assert.equal(await page.getByRole('link', { name: 'Edit metadata' }).count(), 0);
    });
    await step('webhook', async () => {
      await page.goto(`/dashboard/webhooks/${ep}`);
      await visit('webhook');
      for (const name of ['Send test event', 'Rotate secret', 'Pause', 'Save URL']) {
        assert.equal(await page.getByRole('button', { name }).count(), 0, name);
      }
    });
    await step('settings', async () => {
      await page.goto('/dashboard/settings');
      await visit('settings');
      assert.equal(await page.getByRole('button', { name: 'Save' }).count(), 0);
    });
    await step('forged-post', async () => {
      const token = await page.locator('input[name=csrf_token]').first().getAttribute('value');
      assert.ok(token, 'the page carries the session CSRF token (sign-out form)');
      const res = await page.request.post(`/dashboard/users/${user.id}/act`, {
        form: { csrf_token: token, action: 'ban' },
        headers: { Origin: new URL(page.url()).origin },
      });
      assert.equal(res.status(), 403);
      assert.equal((await bapi('GET', `/v1/users/${user.id}`)).banned, false);
    });
  } finally {
    await f.close();
  }
});
