// Phone numbers in clerk-js 6's prebuilt UI (production instance, phone numbers enabled for the
// file's duration through the Backend API): <SignIn/> with a phone number and the texted code
// (read back from the Backend API's GET /v1/sms_messages), and <UserProfile/> adding a phone
// number and verifying it (the Frontend API's /v1/me/phone_numbers routes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, flowArtifacts, newContext, step } from '../lib/browser.js';
import { bapi } from '../lib/usher.js';
import {
  config, SKIP_WITHOUT_USHER, uniqueEmail, PASSWORD, open, signInWithPassword, waitSignedIn,
  typeOtp, waitForOtpInput,
} from '../lib/flows.js';

const art = flowArtifacts('95-phone');
let browser;

/** A fresh UK mobile number in Ofcom's drama range (+44 7700 900000–900999). */
const ukNumber = () => `+447700900${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;

/** The code of the newest text to `number` not in `seen`, waiting for it. */
async function textedCode(inst, number, seen = new Set(), timeoutMs = 8000) {
  const api = bapi(inst);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const list = await api.get(`/v1/sms_messages?phone_number=${encodeURIComponent(number)}`);
    const fresh = (list.data || []).find((m) => !seen.has(m.id));
    if (fresh) return fresh.data.otp_code;
    if (Date.now() > until) throw new Error(`no text to ${number} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const settings = (inst, body) => bapi(inst).call('PATCH', '/v1/instance/settings', body);

before(async () => {
  if (!config()) return;
  await settings(config().production, { phone_numbers_enabled: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (config()) await settings(config().production, { phone_numbers_enabled: null });
});

test('clerk-js 6: <SignIn/> with a phone number and the texted code', { skip: SKIP_WITHOUT_USHER, timeout: 120_000 }, async () => {
  const inst = config().production;
  const number = ukNumber();
  const user = await bapi(inst).post('/v1/users', {
    email_address: [uniqueEmail('phone-sign-in')],
    phone_number: [number],
    skip_password_requirement: true,
  });
  const { context, exchanges } = await newContext(browser, art);
  const page = await context.newPage();
  const ctx = { page, art, exchanges };
  try {
    await step('phone-sign-in-page', ctx, () => open(page, inst, '/sign-in'));
    await step('phone-identifier', ctx, async () => {
      const env = await page.evaluate(() => window.Clerk.__unstable__environment?.userSettings?.attributes?.phone_number?.enabled);
      art.log(`phone_number enabled in the environment clerk-js holds: ${env}`);
      const id = page.locator('input[name=identifier]');
      await id.waitFor({ state: 'visible', timeout: 15_000 });
      const created = page.waitForResponse(
        (r) => r.request().method() === 'POST' && /\/v1\/client\/sign_ins$/.test(new URL(r.url()).pathname),
        { timeout: 15_000 },
      );
      await id.fill(number);
      await id.press('Enter');
      const r = await created;
      const si = (await r.json()).response;
      assert.equal(si.status, 'needs_first_factor', JSON.stringify(si));
      assert.ok(si.supported_first_factors.some((f) => f.strategy === 'phone_code' && f.safe_identifier === number), JSON.stringify(si));
    });
    await step('phone-code-asked', ctx, () => waitForOtpInput(page));
    const code = await textedCode(inst, number);
    await step('phone-code-typed', ctx, () => typeOtp(page, code));
    const ids = await step('phone-signed-in', ctx, () => waitSignedIn(page));
    assert.equal(ids.userId, user.id);
  } finally {
    await context.close();
  }
});

test('clerk-js 6: <UserProfile/> adds a phone number and verifies it with the texted code', { skip: SKIP_WITHOUT_USHER, timeout: 120_000 }, async () => {
  const inst = config().production;
  const email = uniqueEmail('phone-profile');
  const user = await bapi(inst).post('/v1/users', { email_address: [email], password: PASSWORD });
  // The phone field starts on the United States (+1): the national part is typed.
  const national = `415555${String(Math.floor(Math.random() * 10000)).padStart(4, '0')}`;
  const number = `+1${national}`;
  const { context, exchanges } = await newContext(browser, art);
  const page = await context.newPage();
  const ctx = { page, art, exchanges };
  try {
    await step('profile-sign-in-page', ctx, () => open(page, inst, '/sign-in'));
    await step('profile-sign-in', ctx, () => signInWithPassword(page, inst, email, PASSWORD));
    await step('profile-signed-in', ctx, () => waitSignedIn(page));
    await step('profile-open', ctx, () => open(page, inst, '/profile'));
    await step('profile-add-phone', ctx, async () => {
      await page.getByText(/Add (a )?phone number/i).first().click({ timeout: 15_000 });
      const input = page.locator('input[name=phoneNumber]');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      const added = page.waitForResponse(
        (r) => r.request().method() === 'POST' && /\/v1\/me\/phone_numbers\/?$/.test(new URL(r.url()).pathname),
        { timeout: 15_000 },
      );
      await input.fill(national);
      await input.press('Enter');
      const r = await added;
      assert.equal(r.status(), 200, await r.text());
    });
    await step('profile-phone-code-asked', ctx, () => waitForOtpInput(page));
    const code = await textedCode(inst, number);
    await step('profile-phone-code-typed', ctx, async () => {
      const verified = page.waitForResponse(
        (r) => r.request().method() === 'POST' && /\/attempt_verification$/.test(new URL(r.url()).pathname),
        { timeout: 15_000 },
      );
      await typeOtp(page, code);
      const r = await verified;
      assert.equal(r.status(), 200, await r.text());
    });
    const u = await bapi(inst).get(`/v1/users/${user.id}`);
    const phone = u.phone_numbers.find((p) => p.phone_number === number);
    assert.ok(phone, JSON.stringify(u.phone_numbers));
    assert.equal(phone.verification.status, 'verified');
  } finally {
    await context.close();
  }
});
