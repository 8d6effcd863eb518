// Two browsers: the second signs in (confirming the new device with an emailed code), the first
// sees it among its active devices and signs it out; the second is then signed out.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  emailIds, flowArtifacts, launchBrowser, newContext, nextCode, passwordStep, signUp, step, uniqueEmail,
} from '../lib/harness.js';

const OTHER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0';
const browser = await launchBrowser();
after(() => browser.close());

test("see another device's session and sign it out", async () => {
  const art = flowArtifacts('30-devices');
  const first = await newContext(browser);
  const second = await newContext(browser, { userAgent: OTHER_UA });
  const a = await first.newPage();
  const b = await second.newPage();
  const email = uniqueEmail('margaret');
  await signUp(art, a, email, 'Margaret');

  const seen = await emailIds(email);
  await step(art, b, 'second-device-confirm', async () => {
    await passwordStep(b, email);
    await b.waitForURL('**/sign-in/factor-two');
    await b.getByRole('heading', { level: 1, name: "Confirm it's you" }).waitFor();
  });
  const code = await nextCode(email, seen);
  await step(art, b, 'second-device-signed-in', async () => {
    await b.getByLabel('Code from the email').fill(code);
    await b.getByRole('button', { name: 'Continue' }).click();
    await b.waitForURL('**/user');
  });

  await step(art, a, 'devices-listed', async () => {
    await a.goto('/user');
    const devices = a.locator('section[aria-labelledby=devices] li');
    assert.equal(await devices.count(), 2);
    await devices.filter({ has: a.locator('.badge', { hasText: 'This device' }) }).waitFor();
    const other = devices.filter({ hasText: 'Firefox on Windows' });
    await other.waitFor();
    assert.match(await other.innerText(), /IP address: 127\.0\.0\.1/);
    assert.match(await other.innerText(), /Last active: \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    assert.match(await other.innerText(), /Firefox\/140\.0/);
  });
  await step(art, a, 'other-device-signed-out', async () => {
    await a.getByRole('button', { name: 'Sign out this device' }).click();
    await a.waitForURL('**/user?notice=device_signed_out#devices');
    await a.getByRole('status').filter({ hasText: 'That device has been signed out.' }).waitFor();
    assert.equal(await a.locator('section[aria-labelledby=devices] li').count(), 1);
  });
  await step(art, b, 'second-device-is-signed-out', async () => {
    await b.goto('/user');
    await b.waitForURL('**/sign-in?redirect_url=%2Fuser');
    await b.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  });
  await first.close();
  await second.close();
});
