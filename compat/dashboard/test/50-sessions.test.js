// An admin signs a user out of every device (the confirmation says how many; each device's next
// token refresh through the Frontend API then fails), then locks and unlocks them. The user's
// name and the devices' user agent are markup: shown as text, never run.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { addOperator, bapi, launchBrowser, openFlow, signedInDevice, uniqueEmail } from '../lib/harness.js';

const browser = await launchBrowser();
after(() => browser.close());

test('sign a user out of every device, lock and unlock them', async () => {
  const op = await addOperator('admin');
  const email = uniqueEmail('ada');
  const hostile = '<img src=x onerror="window.__xss=1">Ada';
  const user = await bapi('POST', '/v1/users', { email_address: [email], first_name: hostile, skip_password_requirement: true });
  const agent = '<script>window.__xss=2</script>Firefox';
  const devices = [await signedInDevice(user.id, agent), await signedInDevice(user.id)];
  for (const d of devices) assert.equal(await d.refresh(), 200, 'signed in before');
  const f = await openFlow(browser, '50-sessions');
  const { page, step, visit } = f;
  try {
    await f.signIn(op);
    await step('sign-out-all', async () => {
      await page.goto(`/dashboard/users/${user.id}`);
      await visit('user');
      const text = await page.locator('main').innerText();
      assert.ok(text.includes(hostile), 'the name shown as text');
      assert.ok(text.includes(agent), "a device's user agent shown as text");
      assert.equal(await page.evaluate(() => window.__xss), undefined, 'no markup from the name ran');
      await page.locator('a[href$="confirm?action=sign-out-all"]').click();
      await visit('confirm-sign-out-all');
      assert.match(await page.locator('main').innerText(), /signs out 2 devices/);
      await page.locator('main form button.danger').click();
      await page.waitForURL(/done=sign-out-all$/);
      await visit('signed-out-all');
      for (const d of devices) {
        assert.equal((await bapi('GET', `/v1/sessions/${d.sessionId}`)).status, 'revoked');
        const status = await d.refresh();
        assert.ok(status >= 400 && status < 500, `the next refresh fails with a 4xx (got ${status})`);
      }
    });
    for (const [action, locked] of [['lock', true], ['unlock', false]]) {
      await step(action, async () => {
        await f.confirmAction(action);
        assert.equal((await bapi('GET', `/v1/users/${user.id}`)).locked, locked);
      });
    }
  } finally {
    await f.close();
  }
});
