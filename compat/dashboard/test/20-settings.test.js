// An admin changes the application name on the settings page; the Frontend API's environment
// shows the new name.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { addOperator, eventually, launchBrowser, openFlow, usher } from '../lib/harness.js';

const browser = await launchBrowser();
after(() => browser.close());

test('a setting changed on the settings page reaches the Frontend API', async () => {
  const op = await addOperator('admin');
  const f = await openFlow(browser, '20-settings');
  const { page, step, visit } = f;
  const name = `Acme ${Date.now()}`;
  try {
    await f.signIn(op);
    await step('settings', async () => {
      await page.goto('/dashboard/settings');
      await visit('settings');
      const form = page.locator('form:has(input[name=key][value=application_name])');
      await form.locator('[name=value]').fill(name);
      await form.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(/done=saved/);
      await visit('saved');
    });
    await eventually('the environment to show the new name', async () => {
      const env = await (await fetch(`${usher.frontend}/v1/environment`)).json();
      return env.display_config?.application_name === name;
    });
    for (const [path, label] of [['/dashboard/activity', 'activity'], ['/dashboard/security', 'security'], ['/dashboard/keys', 'keys'], ['/dashboard/jwt-templates', 'jwt-templates'], ['/dashboard/audit', 'audit'], ['/dashboard/emails', 'emails'], ['/dashboard/organizations', 'organizations'], ['/dashboard/sessions', 'sessions']]) {
      await step(label, async () => {
        await page.goto(path);
        await visit(label);
      });
    }
    assert.ok(true);
  } finally {
    await f.close();
  }
});
