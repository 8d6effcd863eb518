// Production instance: TOTP enrolment through clerk-js's JS API (createTOTP, verifyTOTP,
// createBackupCode), then sign-in through <SignIn/> with the authenticator code, and with a backup
// code (which works once only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowArtifacts, step, waitReady } from '../lib/browser.js';
import { needsOf, pageForTests } from '../lib/scenario.js';
import { bapi } from '../lib/usher.js';
import { totpSequence } from '../../lib/totp.mjs';
import {
  config, SKIP_WITHOUT_USHER, uniqueEmail, PASSWORD, open, signInWithPassword, waitSignedIn,
  typeOtp, waitForOtpInput, submit, uiError,
  signOutJS,
} from '../lib/flows.js';

const inst = config()?.production;
const art = flowArtifacts('20-totp');
const email = uniqueEmail('browser-totp');
const state = {};
let context;
let exchanges;
let page;

// Usher refuses a code whose 30-second step is not newer than the last one used and accepts
// ±1 step, so each code is for the step after the last one used (the next step at most).
const nextCode = totpSequence();

const needs = needsOf(state);

const signOut = () => signOutJS(page, inst);

pageForTests(inst, art, (opened) => ({ context, exchanges, page } = opened));

test('8a. a user signs in with a password and enrols TOTP and backup codes through clerk-js', { skip: SKIP_WITHOUT_USHER, timeout: 90_000 }, async () => {
  const ctx = { page, art, exchanges };
  const user = await bapi(inst).post('/v1/users', { email_address: [email], password: PASSWORD });
  state.userId = user.id;
  await step('sign-in-page', ctx, () => open(page, inst, '/sign-in'));
  const first = await step('sign-in-password', ctx, () => signInWithPassword(page, inst, email, PASSWORD));
  art.log(`first sign-in: ${JSON.stringify(first)}`);
  const ids = await step('signed-in', ctx, () => waitSignedIn(page));
  assert.equal(ids.userId, user.id);
  const totp = await step('create-totp', ctx, () =>
    page.evaluate(async () => {
      const r = await Clerk.user.createTOTP();
      return { secret: r.secret, uri: r.uri, verified: r.verified };
    }),
  );
  assert.ok(totp.secret, `createTOTP gave a secret: ${JSON.stringify(totp)}`);
  assert.match(totp.uri, /^otpauth:\/\/totp\//);
  assert.equal(new URL(totp.uri).searchParams.get('secret'), totp.secret);
  state.secret = totp.secret;
  const code = await nextCode(totp.secret);
  const verified = await step('verify-totp', ctx, () =>
    page.evaluate(async (code) => {
      const r = await Clerk.user.verifyTOTP({ code });
      return { verified: r.verified };
    }, code),
  );
  assert.equal(verified.verified, true);
  const backup = await step('create-backup-codes', ctx, () =>
    page.evaluate(async () => {
      const r = await Clerk.user.createBackupCode();
      return { codes: r.codes };
    }),
  );
  assert.ok(Array.isArray(backup.codes) && backup.codes.length >= 2, `backup codes: ${JSON.stringify(backup)}`);
  state.backupCodes = backup.codes;
  const flags = await page.evaluate(async () => {
    await Clerk.user.reload();
    return { totp: Clerk.user.totpEnabled, backup: Clerk.user.backupCodeEnabled, twoFactor: Clerk.user.twoFactorEnabled };
  });
  assert.deepEqual(flags, { totp: true, backup: true, twoFactor: true });
  const bu = await bapi(inst).get(`/v1/users/${user.id}`);
  assert.equal(bu.totp_enabled, true);
  assert.equal(bu.two_factor_enabled, true);
});

test('8b. <SignIn/> with password asks for the authenticator code, and the code completes it', { skip: SKIP_WITHOUT_USHER, timeout: 90_000 }, async (t) => {
  if (needs('secret')(t)) return;
  const ctx = { page, art, exchanges };
  await signOut();
  await step('totp-sign-in-page', ctx, () => open(page, inst, '/sign-in'));
  await step('totp-sign-in-password', ctx, () => signInWithPassword(page, inst, email, PASSWORD));
  await step('totp-code-asked', ctx, () => waitForOtpInput(page));
  const code = await nextCode(state.secret);
  await step('totp-code-typed', ctx, () => typeOtp(page, code));
  const ids = await step('totp-signed-in', ctx, () => waitSignedIn(page));
  assert.equal(ids.userId, state.userId);
});

async function backupCodeSignIn(ctx, code, label) {
  await step(`${label}-sign-in-page`, ctx, () => open(page, inst, '/sign-in'));
  await step(`${label}-sign-in-password`, ctx, () => signInWithPassword(page, inst, email, PASSWORD));
  await step(`${label}-second-factor`, ctx, () => waitForOtpInput(page));
  await step(`${label}-other-methods`, ctx, async () => {
    await page.getByText('Use another method').first().click({ timeout: 10_000 });
    await page.getByText('Use a backup code').first().click({ timeout: 10_000 });
  });
  await step(`${label}-backup-code-typed`, ctx, async () => {
    const input = page.locator('input[name=code]');
    await input.fill(code, { timeout: 10_000 });
    await submit(page, input, /\/attempt_second_factor$/);
  });
}

test('8c. <SignIn/> with a backup code instead; the same backup code a second time is refused', { skip: SKIP_WITHOUT_USHER, timeout: 90_000 }, async (t) => {
  if (needs('backupCodes')(t)) return;
  const ctx = { page, art, exchanges };
  const code = state.backupCodes[0];
  await signOut();
  await backupCodeSignIn(ctx, code, 'backup');
  const ids = await step('backup-signed-in', ctx, () => waitSignedIn(page));
  assert.equal(ids.userId, state.userId);

  await signOut();
  await backupCodeSignIn(ctx, code, 'backup-reused');
  await step('backup-reused-refused', ctx, async () => {
    await uiError(page).waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(new URL(page.url()).pathname, '/sign-in');
    assert.equal(await page.evaluate(() => window.Clerk.user ?? null), null);
  });
  const last = exchanges.filter((e) => e.path.includes('/attempt_second_factor')).at(-1);
  assert.ok(last && last.status >= 400 && last.status < 500, `attempt_second_factor refused: ${JSON.stringify(last)}`);
});
