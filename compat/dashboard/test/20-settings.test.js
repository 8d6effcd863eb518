// An admin renames the application on the settings page: the Frontend API's environment shows
// the new name, and unmodified clerk-js 6's <SignIn/> (the test application's /sign-in page, its
// bundles served by Usher) says "Sign in to <new name>" where it said the old one.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { addOperator, eventually, launchBrowser, openFlow, usher } from '../lib/harness.js';

const browser = await launchBrowser();
after(() => browser.close());

const environment = async () => (await fetch(`${usher.frontend}/v1/environment`)).json();

/** One load of <SignIn/>: its header names `name` (waited for: clerk-js fetches the environment). */
async function signInHeaderNames(page, name) {
  await page.goto(`${usher.app}/sign-in`);
  await page.getByText(`Sign in to ${name}`, { exact: true }).waitFor({ state: 'visible', timeout: 30_000 });
}

test('the application renamed on the settings page reaches the Frontend API and clerk-js', async () => {
  const op = await addOperator('admin');
  const f = await openFlow(browser, '20-settings');
  const { page, step, visit } = f;
  const oldName = (await environment()).display_config?.application_name;
  assert.ok(oldName, 'the environment names the application');
  const name = `Acme ${Date.now()}`;
  try {
    await step('sign-in-component-before', () => signInHeaderNames(page, oldName));
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
    await eventually('the environment to show the new name', async () => (await environment()).display_config?.application_name === name);
    await step('sign-in-component-after', async () => {
      await signInHeaderNames(page, name);
      assert.equal(await page.getByText(`Sign in to ${oldName}`, { exact: true }).count(), 0, 'the old name is gone');
      assert.equal(await page.getByText(oldName).count(), 0, `no "${oldName}" left on the page`);
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
