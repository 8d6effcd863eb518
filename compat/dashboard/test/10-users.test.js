// An admin made with the CLI signs in with password and TOTP, finds a user by email address,
// opens their page, signs one of their two sessions out, edits public metadata (invalid JSON
// refused next to its field, then saved), bans and unbans them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { addOperator, bapi, launchBrowser, openFlow, uniqueEmail } from '../lib/harness.js';

const browser = await launchBrowser();
after(() => browser.close());

test('find a user, sign a session out, edit metadata, ban and unban', async () => {
  const op = await addOperator('admin');
  const email = uniqueEmail('grace');
  const user = await bapi('POST', '/v1/users', { email_address: [email], first_name: 'Grace', skip_password_requirement: true });
  const s1 = await bapi('POST', '/v1/sessions', { user_id: user.id });
  const s2 = await bapi('POST', '/v1/sessions', { user_id: user.id });
  const f = await openFlow(browser, '10-users');
  const { page, step, visit } = f;
  try {
    await f.signIn(op);
    await step('search', async () => {
      await page.getByLabel('Search').fill(email);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/query=/);
      await visit('search');
      await page.getByRole('link', { name: 'Grace' }).click();
      await page.waitForURL(`**/dashboard/users/${user.id}`);
      await visit('user');
      for (const s of [s1, s2]) assert.ok((await page.content()).includes(s.id), s.id);
    });
    await step('sign-out-one', async () => {
      await page.locator(`a[href*="action=sign-out&session_id=${s1.id}"]`).click();
      await visit('confirm-sign-out');
      await page.locator('main form button.danger').click();
      await page.waitForURL(/done=sign-out/);
      await visit('signed-out');
      const got = await bapi('GET', `/v1/sessions/${s1.id}`);
      assert.equal(got.status, 'revoked');
      assert.equal((await bapi('GET', `/v1/sessions/${s2.id}`)).status, 'active');
    });
    await step('metadata', async () => {
      await page.getByRole('link', { name: 'Edit metadata' }).click();
      await page.waitForURL('**/metadata');
      await visit('metadata');
      const field = page.locator('textarea[name=public_metadata]');
      await field.fill('{"plan": ');
      await page.getByRole('button', { name: 'Save metadata' }).click();
      await page.locator('[role=alert]').first().waitFor();
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
      await visit('metadata-refused');
      assert.deepEqual((await bapi('GET', `/v1/users/${user.id}`)).public_metadata, {});
      await field.fill('{"plan": "pro"}');
      await page.getByRole('button', { name: 'Save metadata' }).click();
      await page.waitForURL(`**/dashboard/users/${user.id}**`);
      await visit('metadata-saved');
      assert.deepEqual((await bapi('GET', `/v1/users/${user.id}`)).public_metadata, { plan: 'pro' });
    });
    for (const [action, banned] of [['ban', true], ['unban', false]]) {
      await step(action, async () => {
        await f.confirmAction(action);
        assert.equal((await bapi('GET', `/v1/users/${user.id}`)).banned, banned);
      });
    }
  } finally {
    await f.close();
  }
});
