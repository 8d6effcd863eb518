// clerk-js 5 (its prebuilt UI built into clerk.browser.js) on the ways in clerk-js 6 is shown
// taking elsewhere: on (D5), a development instance with phone numbers on, <SignUp/> with a
// test-mode number (+1 201 555-01xx) and a +clerk_test address (the address is required), each
// confirmed with 424242 on its own card and nothing texted; on (5), passkeys on for the file, a CDP virtual authenticator registers a passkey
// from <UserProfile/>'s security page and, after signing out, <SignIn/> signs the user in with it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, flowArtifacts, newContext, step } from '../lib/browser.js';
import { passkeyContext, addPasskeyFromProfile, signInAgainWithPasskey } from '../lib/passkeys.js';
import { bapi } from '../lib/usher.js';
import {
  config, SKIP_WITHOUT_USHER, uniqueEmail, PASSWORD, open, typeOtp, waitForOtpInput,
  waitSignedIn, signInWithPassword, submit,
} from '../lib/flows.js';

const dev5 = config()?.dev5;
const clerk5 = config()?.clerk5;
const art = flowArtifacts('98-clerk-js-5-ways');
let browser;

const settings = (inst, body) => bapi(inst).call('PATCH', '/v1/instance/settings', body);

before(async () => {
  if (!config()) return;
  await Promise.all([settings(dev5, { phone_numbers_enabled: true }), settings(clerk5, { passkeys_enabled: true })]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (config()) await settings(clerk5, { passkeys_enabled: false });
});

test('clerk-js 5: <SignUp/> with a test-mode phone number on a development instance', { skip: SKIP_WITHOUT_USHER, timeout: 120_000 }, async () => {
  const inst = dev5;
  const email = uniqueEmail('browser5-phone', '+clerk_test');
  const national = `201555${String(100 + Math.floor(Math.random() * 100)).padStart(4, '0')}`;
  const number = `+1${national}`;
  const { context, exchanges } = await newContext(browser, art);
  const page = await context.newPage();
  const ctx = { page, art, exchanges };
  try {
    await step('phone-sign-up-page', ctx, () => open(page, inst, '/sign-up'));
    await step('phone-sign-up-form', ctx, async () => {
      const phone = page.locator('input[name=phoneNumber]');
      await phone.waitFor({ state: 'visible', timeout: 15_000 });
      await phone.fill(national);
      const mail = page.locator('input[name=emailAddress]');
      if (await mail.isVisible()) await mail.fill(email);
      const pw = page.locator('input[name=password]');
      await pw.fill(PASSWORD);
      const r = await submit(page, pw, /\/v1\/client\/sign_ups$/);
      const su = (await r.json()).response;
      assert.equal(su.phone_number, number, JSON.stringify(su));
    });
    // The address, then the number, each confirmed with the test code on its own card.
    for (const [what, heading, strategy] of [['email', /Verify your email/i, 'email_code'], ['phone', /Verify your phone/i, 'phone_code']]) {
      await step(`phone-sign-up-${what}-code`, ctx, async () => {
        await page.getByText(heading).first().waitFor({ state: 'visible', timeout: 15_000 });
        await waitForOtpInput(page);
        // The card has settled once it has focused its first, empty code box (a keystroke sent
        // while the previous card leaves is lost).
        await page.waitForFunction(() => {
          const box = document.querySelector('input[autocomplete=one-time-code]');
          return box && document.activeElement === box && box.value === '';
        }, null, { timeout: 15_000 });
        const attempted = page.waitForResponse((r) => r.request().method() === 'POST' && /\/attempt_verification$/.test(new URL(r.url()).pathname), { timeout: 15_000 });
        await typeOtp(page, '424242');
        const res = await attempted;
        assert.equal(res.status(), 200, await res.text());
        assert.equal(new URLSearchParams(res.request().postData() || '').get('strategy'), strategy);
      });
    }
    const ids = await step('phone-signed-up', ctx, () => waitSignedIn(page, 30_000));
    const user = await bapi(inst).get(`/v1/users/${ids.userId}`);
    const phone = user.phone_numbers.find((p) => p.phone_number === number);
    assert.ok(phone, JSON.stringify(user.phone_numbers));
    assert.equal(phone.verification.status, 'verified');
    const texts = await bapi(inst).get(`/v1/sms_messages?phone_number=${encodeURIComponent(number)}`);
    assert.equal((texts.data || []).length, 0, `nothing texted to a test number: ${JSON.stringify(texts).slice(0, 300)}`);
  } finally {
    await context.close();
  }
});

test('clerk-js 5: a passkey registered in <UserProfile/> signs the user in through <SignIn/>', { skip: SKIP_WITHOUT_USHER, timeout: 150_000 }, async () => {
  const inst = clerk5;
  const email = uniqueEmail('browser5-passkey');
  const user = await bapi(inst).post('/v1/users', { email_address: [email], password: PASSWORD });
  const { context, exchanges, page, presence } = await passkeyContext(browser, art);
  const ctx = { page, art, exchanges };
  try {
    await step('passkey5-sign-in-page', ctx, () => open(page, inst, '/sign-in'));
    await step('passkey5-sign-in-password', ctx, () => signInWithPassword(page, inst, email, PASSWORD));
    await step('passkey5-signed-in', ctx, () => waitSignedIn(page));
    const passkeys = await addPasskeyFromProfile(page, inst, user.id, ctx, 'passkey5');
    assert.equal(passkeys[0].object, 'passkey');

    const ids = await signInAgainWithPasskey(page, inst, presence, ctx, 'passkey5');
    assert.equal(ids.userId, user.id);
    const attempt = exchanges.filter((e) => e.path.includes('/attempt_first_factor')).at(-1);
    assert.equal(attempt?.form?.strategy, 'passkey', JSON.stringify(attempt));
    assert.equal(attempt.status, 200);
    const u = await bapi(inst).get(`/v1/users/${user.id}`);
    assert.ok(u.passkeys[0].last_used_at, 'last_used_at set by the sign-in');
  } finally {
    await context.close();
  }
});
