// Sign up with an emailed code, sign out, sign in (a wrong password first), and reset a
// forgotten password; every page used without JavaScript.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PASSWORD, emailIds, flowArtifacts, launchBrowser, newContext, nextCode, passwordStep, signOut, signUp, step,
  uniqueEmail, where,
} from '../lib/harness.js';

const NEW_PASSWORD = 'Amber-meadow-compass-7310';
const browser = await launchBrowser();
after(() => browser.close());

test('sign up, verify, sign out, sign in, reset a forgotten password', async () => {
  const art = flowArtifacts('10-account');
  const context = await newContext(browser);
  const page = await context.newPage();
  const email = uniqueEmail('ada');

  await signUp(art, page, email);
  await step(art, page, 'account-page', async () => {
    const main = page.locator('main');
    await main.getByText('Primary').waitFor();
    assert.match(await main.innerText(), new RegExp(email.replace(/[.]/g, '\\.')));
    await page.getByRole('heading', { name: 'Active devices' }).waitFor();
    await main.getByText('This device').waitFor();
    assert.equal(await page.getByLabel('First name').inputValue(), 'Ada');
  });
  const cookies = await context.cookies();
  const client = cookies.find((c) => c.name === '__client');
  assert.ok(client?.httpOnly, 'the client cookie is HttpOnly');

  await signOut(art, page);

  await step(art, page, 'wrong-password', async () => {
    await passwordStep(page, email, 'not-the-password-1');
    const alert = page.locator('#f-password-error');
    await alert.waitFor();
    assert.equal(await alert.getAttribute('role'), 'alert');
    assert.match(await alert.innerText(), /Error: Password is incorrect/);
    assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Email address or username').inputValue(), email);
  });
  await step(art, page, 'signed-in', async () => {
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/user');
  });

  await signOut(art, page);
  const seen = await emailIds(email);
  await step(art, page, 'forgot-password', async () => {
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL('**/sign-in/forgot-password');
    await page.getByLabel('Email address or username').fill(email);
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.waitForURL('**/sign-in/forgot-password/verify');
  });
  const code = await nextCode(email, seen);
  await step(art, page, 'new-password', async () => {
    await page.getByLabel('Code from the email').fill(code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/sign-in/forgot-password/new-password');
    assert.equal(await page.getByLabel('Sign out of all other devices').isChecked(), true);
    await page.getByLabel('New password').fill(NEW_PASSWORD);
  });
  await step(art, page, 'password-reset', async () => {
    await page.getByRole('button', { name: 'Reset password' }).click();
    await page.waitForURL('**/user');
  });
  await signOut(art, page);
  await step(art, page, 'signed-in-with-new-password', async () => {
    await passwordStep(page, email, NEW_PASSWORD);
    await page.waitForURL('**/user');
    assert.equal(where(page), '/user');
  });
  await context.close();
});
