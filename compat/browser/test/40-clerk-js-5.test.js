// clerk-js 5 (its prebuilt UI built into clerk.browser.js, no @clerk/ui) against a production
// instance of its own: sign-up, <UserButton/>, a password sign-in on a second browser (a device
// new to the user, confirmed by the emailed code as clerk-js 5 knows it: a second factor),
// <UserProfile/> listing both devices, and sign-out. The same devices list is checked with
// clerk-js 6 on the production instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowArtifacts, newContext, step, waitReady } from '../lib/browser.js';
import { fileBrowser } from '../lib/scenario.js';
import { bapi } from '../lib/usher.js';
import {
  config, SKIP_WITHOUT_USHER, uniqueEmail, PASSWORD, open, fillSignUp, typeOtp, waitForOtpInput,
  waitSignedIn, signInWithPassword,
} from '../lib/flows.js';

const art = flowArtifacts('40-clerk-js-5');

const browser = fileBrowser();

/** A fresh browser profile (a device of its own) with its own page. */
async function device() {
  const { context, exchanges } = await newContext(browser, art);
  const page = await context.newPage();
  // clerk-js logs what it cannot handle (e.g. "needs_client_trust not supported yet").
  const unsupported = [];
  page.on('console', (m) => /not supported/i.test(m.text()) && unsupported.push(m.text()));
  return { context, exchanges, page, unsupported };
}

async function signUp(inst, dev, email) {
  const ctx = { page: dev.page, art, exchanges: dev.exchanges };
  await step(`${inst.clerkJs}-sign-up-page`, ctx, () => open(dev.page, inst, '/sign-up'));
  await step(`${inst.clerkJs}-sign-up-form`, ctx, () => fillSignUp(dev.page, email, PASSWORD));
  await step(`${inst.clerkJs}-sign-up-code-requested`, ctx, () => waitForOtpInput(dev.page));
  const { code } = await bapi(inst).waitForOtp(email);
  await step(`${inst.clerkJs}-sign-up-code-typed`, ctx, () => typeOtp(dev.page, code));
  return step(`${inst.clerkJs}-signed-up`, ctx, () => waitSignedIn(dev.page));
}

/** A password sign-in on `dev`, a device new to the user: the emailed code confirms it. */
async function signInOnNewDevice(inst, dev, email) {
  const ctx = { page: dev.page, art, exchanges: dev.exchanges };
  await step(`${inst.clerkJs}-sign-in-page`, ctx, () => open(dev.page, inst, '/sign-in'));
  const answered = await step(`${inst.clerkJs}-sign-in-password-and-device-code`, ctx, () => signInWithPassword(dev.page, inst, email, PASSWORD));
  assert.equal(answered.clientTrust, true, `the new device was asked to confirm: ${JSON.stringify(answered.signIn)}`);
  const factors = answered.signIn.supported_second_factors || [];
  assert.ok(factors.some((f) => f.strategy === 'email_code'), `an email_code second factor: ${JSON.stringify(factors)}`);
  const ids = await step(`${inst.clerkJs}-signed-in-on-new-device`, ctx, () => waitSignedIn(dev.page));
  return { ...ids, status: answered.status };
}

/** <UserProfile/>'s security page lists `n` active devices, fetched as a bare array. */
async function devicesListed(inst, dev, n) {
  const ctx = { page: dev.page, art, exchanges: dev.exchanges };
  const listed = dev.page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/v1/me/sessions/active'), { timeout: 20_000 });
  await step(`${inst.clerkJs}-user-profile-security`, ctx, async () => {
    await dev.page.goto(`${inst.appUrl}/profile#/security`);
    await waitReady(dev.page);
  });
  const body = await (await listed).json();
  assert.ok(Array.isArray(body), `GET /v1/me/sessions/active is a bare array: ${JSON.stringify(body).slice(0, 300)}`);
  assert.equal(body.length, n, JSON.stringify(body).slice(0, 500));
  await step(`${inst.clerkJs}-active-devices-shown`, ctx, () =>
    dev.page.waitForFunction((want) => document.querySelectorAll('.cl-activeDevice').length === want, n, { timeout: 15_000 }));
}

for (const which of ['clerk5', 'production']) {
  const label = which === 'clerk5' ? 'clerk-js 5' : 'clerk-js 6';
  test(`${label}: sign-up, a new device confirmed by email code, <UserProfile/> lists both devices, <UserButton/> signs out`, { skip: SKIP_WITHOUT_USHER, timeout: 150_000 }, async () => {
    const inst = config()[which];
    const email = uniqueEmail(`browser-${which}`);
    const home = await device();
    const laptop = await device();
    try {
      const first = await signUp(inst, home, email);
      const second = await signInOnNewDevice(inst, laptop, email);
      assert.equal(second.userId, first.userId);
      assert.notEqual(second.sessionId, first.sessionId);
      // Each major version hears the status it knows.
      assert.equal(second.status, which === 'clerk5' ? 'needs_second_factor' : 'needs_client_trust');

      await devicesListed(inst, laptop, 2);

      const ctx = { page: laptop.page, art, exchanges: laptop.exchanges };
      await step(`${inst.clerkJs}-user-button`, ctx, async () => {
        await open(laptop.page, inst, '/user');
        await laptop.page.locator('.cl-userButtonTrigger').click({ timeout: 15_000 });
        await laptop.page.locator('.cl-userButtonPopoverCard').waitFor({ state: 'visible', timeout: 10_000 });
        await laptop.page.getByText(email).first().waitFor({ state: 'visible', timeout: 5000 });
      });
      await step(`${inst.clerkJs}-user-button-sign-out`, ctx, async () => {
        await laptop.page.locator('.cl-userButtonPopoverActionButton__signOut').click({ timeout: 10_000 });
        await laptop.page.waitForURL((u) => new URL(u).pathname === '/sign-in', { timeout: 15_000 });
        await waitReady(laptop.page);
        assert.equal(await laptop.page.evaluate(() => window.Clerk.user ?? null), null, 'no user in clerk-js');
      });
      const api = bapi(inst);
      assert.equal((await api.get(`/v1/sessions/${second.sessionId}`)).status, 'ended');
      assert.equal((await api.get(`/v1/sessions/${first.sessionId}`)).status, 'active', 'the other device stays signed in');
      assert.deepEqual(laptop.unsupported, [], 'clerk-js understood every answer');
    } finally {
      await home.context.close();
      await laptop.context.close();
    }
  });
}
