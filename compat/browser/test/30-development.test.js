// Development instance in dev-browser mode (pk_test_ for happy-hippo-13.clerk.accounts.dev, with
// data-clerk-proxy-url="/__clerk"): clerk-js creates a dev browser (POST /v1/dev_browser) and sends
// __clerk_db_jwt on every request; a +clerk_test address signs up with the fixed code 424242 and
// no email is recorded; a normal password sign-in works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, flowArtifacts, newContext, step } from '../lib/browser.js';
import { bapi } from '../lib/usher.js';
import {
  config, SKIP_WITHOUT_USHER, uniqueEmail, PASSWORD, open, fillSignUp, typeOtp, waitForOtpInput,
  waitSignedIn, signInWithPassword,
  signOutJS,
} from '../lib/flows.js';

const inst = config()?.development;
const art = flowArtifacts('30-development');
const email = uniqueEmail('browser-dev', '+clerk_test');
const state = {};
let browser;
let context;
let exchanges;
let page;
const requests = [];

before(async () => {
  if (!inst) return;
  browser = await launchBrowser();
  ({ context, exchanges } = await newContext(browser, art));
  context.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/__clerk/v1/')) requests.push({ method: r.method(), url: new URL(r.url()) });
  });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
});

test('9a. dev browser: sign-up with a +clerk_test address completes with 424242 and sends no email', { skip: SKIP_WITHOUT_USHER, timeout: 90_000 }, async () => {
  const ctx = { page, art, exchanges };
  assert.match(inst.publishableKey, /^pk_test_/);
  assert.equal(Buffer.from(inst.publishableKey.slice(8), 'base64').toString(), 'happy-hippo-13.clerk.accounts.dev$');
  await step('dev-sign-up-page', ctx, () => open(page, inst, '/sign-up'));
  const devBrowser = requests.find((r) => r.method === 'POST' && r.url.pathname === '/__clerk/v1/dev_browser');
  assert.ok(devBrowser, `clerk-js created a dev browser: ${requests.map((r) => r.method + ' ' + r.url.pathname).join(', ')}`);
  await step('dev-sign-up-form-filled', ctx, () => fillSignUp(page, email, PASSWORD));
  await step('dev-email-code-requested', ctx, () => waitForOtpInput(page));
  await step('dev-test-code-typed', ctx, () => typeOtp(page, '424242'));
  const ids = await step('dev-signed-up', ctx, () => waitSignedIn(page));
  state.userId = ids.userId;
  const after = requests.filter((r) => r.url.pathname !== '/__clerk/v1/dev_browser');
  const without = after.filter((r) => !r.url.searchParams.get('__clerk_db_jwt'));
  assert.deepEqual(without.map((r) => `${r.method} ${r.url.pathname}`), [], 'every FAPI request carries __clerk_db_jwt');
  const cookies = await context.cookies(inst.appUrl);
  assert.ok(cookies.some((c) => c.name.startsWith('__clerk_db_jwt')), 'clerk-js keeps the dev browser in a cookie');
  const emails = await bapi(inst).emails(email);
  assert.equal(emails.total_count, 0, `no email for a +clerk_test address: ${JSON.stringify(emails).slice(0, 400)}`);
  const user = await bapi(inst).get(`/v1/users/${ids.userId}`);
  assert.equal(user.email_addresses[0]?.verification?.status, 'verified');
});

test('9b. dev browser: sign-out, then password sign-in through <SignIn/>', { skip: SKIP_WITHOUT_USHER, timeout: 60_000 }, async (t) => {
  if (!state.userId) return t.skip('sign-up failed');
  const ctx = { page, art, exchanges };
  await step('dev-sign-out', ctx, () => signOutJS(page, inst));
  await step('dev-sign-in-page', ctx, () => open(page, inst, '/sign-in'));
  await step('dev-sign-in-password', ctx, () => signInWithPassword(page, inst, email, PASSWORD));
  const ids = await step('dev-signed-in', ctx, () => waitSignedIn(page));
  assert.equal(ids.userId, state.userId);
  const signIns = requests.filter((r) => r.url.pathname.startsWith('/__clerk/v1/client/sign_ins'));
  assert.ok(signIns.length > 0 && signIns.every((r) => r.url.searchParams.get('__clerk_db_jwt')), 'sign-in requests carry __clerk_db_jwt');
});
