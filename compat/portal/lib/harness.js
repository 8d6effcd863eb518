// What every portal flow needs: the running Usher (from ci.sh's environment), headless Debian
// Chromium through playwright-core with JavaScript turned off, numbered screenshots per flow,
// codes read back through the Backend API's /v1/emails, and RFC 6238 codes.
import crypto from 'node:crypto';
import { chromium } from 'playwright-core';
import { artifactsDir } from '../../lib/paths.mjs';
import { launchChromium, flowArtifacts as artifacts, runStep } from '../../lib/chromium.mjs';
import { bapi as client } from '../../lib/bapi.mjs';
import { emailIds as sentIds, nextEmailedCode } from '../../lib/mail.mjs';
import { totp as rfc6238 } from '../../lib/totp.mjs';

export const ARTIFACTS_DIR = artifactsDir('portal');

/** The portal (Usher's frontend listener), the Backend API and its secret key, from run.mjs. */
export const usher = (() => {
  const raw = process.env.USHER_PORTAL_CONFIG;
  if (!raw) throw new Error('USHER_PORTAL_CONFIG is not set: run the suite through compat/portal/run.mjs (or ci.sh)');
  return JSON.parse(raw);
})();

const api = client({ apiUrl: usher.api, secretKey: usher.secretKey });

export function launchBrowser() {
  return launchChromium(chromium);
}

/** A browser context with JavaScript off: the pages must work as plain HTML forms. */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    viewport: { width: 1000, height: 900 },
    baseURL: usher.portal,
    ...options,
  });
  context.setDefaultTimeout(15_000);
  return context;
}

/** Numbered full-page screenshots under ARTIFACTS_DIR/<flow>/. */
export function flowArtifacts(flow) {
  return artifacts(ARTIFACTS_DIR, flow);
}

/** Runs one step; a failure leaves a FAILED screenshot and names the page it happened on. */
export function step(art, page, name, fn) {
  const describe = async () => {
    const text = await page.locator('main').innerText({ timeout: 2000 }).catch(() => '');
    return `at ${page.url()}\npage text:\n${text.slice(0, 1500)}`;
  };
  return runStep(name, { page, art, describe }, fn);
}

export const bapi = (method, p, body) => api.call(method, p, body);

/** Ids of the emails sent to `address` so far (to wait for the next one). */
export const emailIds = (address) => sentIds(api, address);

/** The code of the first email to `address` not in `seen`, polled for a few seconds. */
export async function nextCode(address, seen, timeoutMs = 8000) {
  return (await nextEmailedCode(api, address, { seen, timeoutMs, everyMs: 100 })).code;
}

/** RFC 6238 (SHA-1, 6 digits, 30 s) for the step `offset` steps from now. */
export const totp = (secret, offset = 0) => rfc6238(secret, { offset });

export const PASSWORD = 'Quiet-harbor-lantern-4821';

export function uniqueEmail(tag) {
  return `${tag}-${Date.now()}-${crypto.randomBytes(3).toString('hex')}@example.com`;
}

/** The page's path and query, e.g. `/user?notice=signed_out`. */
export function where(page) {
  const u = new URL(page.url());
  return u.pathname + u.search;
}

/** Signs a new user up through /sign-up and the emailed code; ends on /user. */
export async function signUp(art, page, email, firstName = 'Ada') {
  const seen = await emailIds(email);
  await step(art, page, 'sign-up-form', async () => {
    await page.goto('/sign-up');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('First name (optional)').fill(firstName);
  });
  await step(art, page, 'verify-email-address', async () => {
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/sign-up/verify-email-address');
    await page.getByText(`Enter the code we sent to ${email}.`).waitFor();
  });
  const code = await nextCode(email, seen);
  await step(art, page, 'signed-up', async () => {
    await page.getByLabel('Code from the email').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/user');
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
  });
}

export async function signOut(art, page) {
  await step(art, page, 'signed-out', async () => {
    if (!where(page).startsWith('/user')) await page.goto('/user');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL('**/sign-in?notice=signed_out');
    await page.getByRole('status').filter({ hasText: 'You have signed out.' }).waitFor();
  });
}

/** The password step of /sign-in. */
export async function passwordStep(page, email, password = PASSWORD) {
  await page.goto('/sign-in');
  await page.getByLabel('Email address or username').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}
