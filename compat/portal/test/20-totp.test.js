// Enrol an authenticator app (secret shown as text, then the backup codes, once), sign in with
// an authenticator code, then with a backup code; the same backup code twice is refused.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  flowArtifacts, launchBrowser, newContext, passwordStep, signOut, signUp, step, totp, uniqueEmail,
} from '../lib/harness.js';

const browser = await launchBrowser();
after(() => browser.close());

test('enrol TOTP, sign in with TOTP, use a backup code once', async () => {
  const art = flowArtifacts('20-totp');
  const context = await newContext(browser);
  const page = await context.newPage();
  const email = uniqueEmail('grace');
  await signUp(art, page, email, 'Grace');

  const secret = await step(art, page, 'totp-secret', async () => {
    await page.getByRole('button', { name: 'Add an authenticator app' }).click();
    await page.waitForURL('**/user/totp');
    const secret = (await page.locator('#totp-secret').innerText()).trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const uri = (await page.locator('#totp-uri').innerText()).trim();
    assert.ok(uri.startsWith('otpauth://totp/Usher:'), uri);
    assert.ok(uri.includes(`secret=${secret}`), uri);
    return secret;
  });
  await step(art, page, 'totp-wrong-code', async () => {
    await page.getByLabel('Code from the authenticator app').fill('000000');
    await page.getByRole('button', { name: 'Verify and turn on' }).click();
    await page.locator('#f-code-error[role=alert]').waitFor();
  });
  const codes = await step(art, page, 'backup-codes', async () => {
    await page.getByLabel('Code from the authenticator app').fill(totp(secret));
    await page.getByRole('button', { name: 'Verify and turn on' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your backup codes' }).waitFor();
    const codes = await page.locator('#backup-codes code').allInnerTexts();
    assert.equal(codes.length, 10);
    return codes.map((c) => c.trim());
  });
  await step(art, page, 'two-step-on', async () => {
    await page.getByRole('link', { name: /I have saved them/ }).click();
    await page.waitForURL('**/user');
    await page.getByText('Authenticator app: on.').waitFor();
  });

  await signOut(art, page);
  await step(art, page, 'totp-challenge', async () => {
    await passwordStep(page, email);
    await page.waitForURL('**/sign-in/factor-two');
    await page.getByText('Enter the code from your authenticator app.').waitFor();
    await page.getByRole('link', { name: 'Use a backup code instead' }).waitFor();
  });
  await step(art, page, 'signed-in-with-totp', async () => {
    // The enrolment spent this step's code: the next step's is accepted (±1 step of drift).
    await page.getByLabel('Authentication code').fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/user');
  });

  await signOut(art, page);
  await step(art, page, 'backup-code-challenge', async () => {
    await passwordStep(page, email);
    await page.waitForURL('**/sign-in/factor-two');
    await page.getByRole('link', { name: 'Use a backup code instead' }).click();
    await page.waitForURL('**/sign-in/factor-two?method=backup_code');
  });
  await step(art, page, 'signed-in-with-backup-code', async () => {
    await page.getByLabel('Backup code').fill(codes[0]);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/user');
    await page.getByText('9 unused backup codes.').waitFor();
  });

  await signOut(art, page);
  await step(art, page, 'backup-code-reused', async () => {
    await passwordStep(page, email);
    await page.waitForURL('**/sign-in/factor-two');
    await page.goto('/sign-in/factor-two?method=backup_code');
    await page.getByLabel('Backup code').fill(codes[0]);
    await page.getByRole('button', { name: 'Continue' }).click();
    const err = page.locator('#f-code-error[role=alert]');
    await err.waitFor();
    assert.match(await err.innerText(), /Incorrect code/);
  });
  await context.close();
});
