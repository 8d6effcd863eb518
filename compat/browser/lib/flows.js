// Shared pieces of the browser flows: the configuration from run.mjs, unique identities, and the
// prebuilt-UI interactions (sign-up, sign-in, UserButton) driven with Clerk's own selectors.
import crypto from 'node:crypto';
import { jsonOrText } from '../../lib/bapi.mjs';
import { waitReady } from './browser.js';
import { bapi } from './usher.js';

/** What run.mjs started, or null when the file runs on its own. */
export function config() {
  const raw = process.env.USHER_BROWSER_CONFIG;
  return raw ? JSON.parse(raw) : null;
}

export const SKIP_WITHOUT_USHER = config() ? false : 'run through compat/browser/run.mjs (it starts Usher)';

export function uniqueEmail(prefix, suffix = '') {
  return `${prefix}-${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}${suffix}@example.com`;
}

export const PASSWORD = 'Usher-browser-Suite-8431!';

export const decodeJwt = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

const PRIMARY = '.cl-formButtonPrimary';
const OTP = 'input[autocomplete=one-time-code]';

export async function clickPrimary(page) {
  await page.locator(PRIMARY).first().click();
}

/** Types a one-time code into the first OTP box (the UI spreads it over all six). */
export async function typeOtp(page, code) {
  const first = page.locator(OTP).first();
  await first.waitFor({ state: 'visible', timeout: 15_000 });
  await first.click();
  await page.keyboard.type(code, { delay: 30 });
}

export async function waitForOtpInput(page, timeout = 15_000) {
  await page.locator(OTP).first().waitFor({ state: 'visible', timeout });
}

/** Opens a test page and waits for Clerk.load. */
export async function open(page, inst, route) {
  await page.goto(`${inst.appUrl}${route}`);
  await waitReady(page);
}

/**
 * Submits a form by pressing Enter in `input` and waits for clerk-js's POST to a FAPI path matching
 * `pathRe`. (Enter rather than a click on Continue: the password hint that appears while typing
 * moves the button, and a click computed before that shift can miss it.)
 */
export async function submit(page, input, pathRe, timeout = 15_000) {
  const response = page.waitForResponse(
    (r) => r.request().method() === 'POST' && pathRe.test(new URL(r.url()).pathname),
    { timeout },
  );
  await input.press('Enter');
  return response.catch((err) => {
    throw new Error(`pressing Enter in ${input} sent no POST matching ${pathRe}: ${err.message}`);
  });
}

/** The <SignUp/> form: email address and password, then submit (POST /v1/client/sign_ups). */
export async function fillSignUp(page, email, password) {
  await page.locator('input[name=emailAddress]').waitFor({ state: 'visible', timeout: 15_000 });
  await page.locator('input[name=emailAddress]').fill(email);
  const pw = page.locator('input[name=password]');
  await pw.fill(password);
  return submit(page, pw, /\/v1\/client\/sign_ups$/);
}

/**
 * The <SignIn/> form: identifier, submit, then password, submit. When the server asks to trust
 * this browser first (a password sign-in from a new device, for a user without a second factor:
 * `needs_client_trust` to clerk-js 6; `needs_second_factor` with `client_trust_state: "new"` and an
 * `email_code` second factor to clerk-js 5), the emailed code is read from the Backend API and
 * typed in. Returns the sign-in as answered after the password and whether client trust was asked.
 */
export async function signInWithPassword(page, inst, email, password) {
  const id = page.locator('input[name=identifier]');
  await id.waitFor({ state: 'visible', timeout: 15_000 });
  await id.fill(email);
  await submit(page, id, /\/v1\/client\/sign_ins$/);
  const pw = page.locator('input[name=password]');
  await pw.waitFor({ state: 'visible', timeout: 15_000 });
  await pw.fill(password);
  const api = bapi(inst);
  const before = new Set(((await api.emails(email)).data || []).map((e) => e.id));
  const res = await submit(page, pw, /\/v1\/client\/sign_ins\/[^/]+\/attempt_first_factor$/);
  const signIn = (await res.json().catch(() => null))?.response;
  const status = signIn?.status;
  const clientTrust = status === 'needs_client_trust' || (status === 'needs_second_factor' && signIn?.client_trust_state === 'new');
  if (!clientTrust) return { status, signIn, clientTrust: false };
  await waitForOtpInput(page);
  // +clerk_test addresses take the fixed test code on development instances and get no email.
  const code = /\+clerk_test@/.test(email) && inst.environment === 'development'
    ? '424242'
    : (await api.waitForOtp(email, { seen: before })).code;
  await typeOtp(page, code);
  return { status, signIn, clientTrust: true };
}

/** After a completed sign-in/up the UI navigates to /user; returns Clerk.user.id there. */
export async function waitSignedIn(page, timeout = 20_000) {
  await page.waitForURL((u) => new URL(u).pathname === '/user', { timeout });
  await waitReady(page);
  await page.waitForFunction(() => window.Clerk?.user?.id && window.Clerk?.session?.status === 'active', null, { timeout });
  return page.evaluate(() => ({ userId: Clerk.user.id, sessionId: Clerk.session.id }));
}

/** A page-visible error from the prebuilt UI (field error or card alert). */
export function uiError(page) {
  return page.locator('.cl-formFieldErrorText, .cl-alert, [role=alert]').first();
}

/** Navigates to /protected and returns the final status, JSON body and the document chain. */
export async function getProtected(page, inst) {
  const chain = [];
  const onResponse = (r) => {
    if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) {
      chain.push({ status: r.status(), url: r.url(), location: r.headers().location });
    }
  };
  page.on('response', onResponse);
  try {
    const res = await page.goto(`${inst.appUrl}/protected`);
    const body = jsonOrText(await res.text());
    return { status: res.status(), body, chain, url: page.url() };
  } finally {
    page.off('response', onResponse);
  }
}

/**
 * Signs out through clerk-js's JS API (which then navigates to /sign-in itself), waits for the
 * sign-in page to load, and checks nobody is signed in.
 */
export async function signOutJS(page, inst) {
  await page.evaluate(() => window.Clerk.signOut({ redirectUrl: '/sign-in' })).catch((err) => {
    if (!/context was destroyed|navigation/i.test(String(err))) throw err;
  });
  const onSignIn = (u) => new URL(u).pathname === '/sign-in';
  try {
    await page.waitForURL(onSignIn, { timeout: 10_000 });
  } catch {
    await page.goto(`${inst.appUrl}/sign-in`);
  }
  await waitReady(page);
  const user = await page.evaluate(() => window.Clerk.user ?? null);
  if (user) throw new Error(`still signed in after Clerk.signOut(): ${JSON.stringify(user.id)}`);
}
