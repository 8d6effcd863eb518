// Headless Chromium (Debian's, through playwright-core) on the Next.js app, artifacts per step,
// and the prebuilt <SignUp/> driven with Clerk's own selectors.
import crypto from 'node:crypto';
import { chromium } from 'playwright-core';
import { launchChromium, flowArtifacts, logPage, runStep } from '../../lib/chromium.mjs';
import { ARTIFACTS_DIR } from './paths.js';

export function config() {
  const raw = process.env.USHER_NEXTJS_CONFIG;
  return raw ? JSON.parse(raw) : null;
}

export const SKIP_WITHOUT_USHER = config() ? false : 'run through compat/nextjs/run.mjs (it starts Usher and the app)';
export const PASSWORD = 'Usher-nextjs-Suite-8431!';

export function uniqueEmail(prefix, suffix = '') {
  return `${prefix}-${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}${suffix}@example.com`;
}

export const decodeJwt = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

export function launchBrowser() {
  return launchChromium(chromium);
}

/**
 * A context whose pages log their console, and whose document navigations and /__clerk/v1/
 * exchanges are kept for failure messages. `step` screenshots each step (and a failing one).
 */
export async function session(browser, flow) {
  const art = flowArtifacts(ARTIFACTS_DIR, flow, { fresh: false });
  const { log } = art;
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const trace = [];
  context.on('page', (p) => logPage(p, art));
  context.on('response', (r) => {
    const req = r.request();
    const url = new URL(req.url());
    if (!req.isNavigationRequest() && !url.pathname.startsWith('/__clerk/v1/') && !url.pathname.startsWith('/api/')) return;
    const line = `${req.method()} ${url.pathname}${url.search.slice(0, 200)} → ${r.status()}${r.headers().location ? ' Location: ' + r.headers().location.slice(0, 300) : ''}`;
    trace.push(line);
    log(line);
  });
  const page = await context.newPage();
  const step = (name, fn) => runStep(name, { page, art, describe: () => `last requests:\n  ${trace.slice(-12).join('\n  ')}` }, fn);
  return { context, page, step, log, trace };
}

async function submit(page, input, pathRe) {
  const response = page.waitForResponse((r) => r.request().method() === 'POST' && pathRe.test(new URL(r.url()).pathname), { timeout: 15_000 });
  await input.press('Enter');
  return response;
}

/** <SignUp/>: email and password, then the emailed code (`codeFor` reads it). */
export async function signUp(page, email, codeFor) {
  const emailInput = page.locator('input[name=emailAddress]');
  await emailInput.waitFor({ state: 'visible', timeout: 30_000 });
  await emailInput.fill(email);
  const pw = page.locator('input[name=password]');
  await pw.fill(PASSWORD);
  await submit(page, pw, /\/v1\/client\/sign_ups$/);
  const otp = page.locator('input[autocomplete=one-time-code]').first();
  await otp.waitFor({ state: 'visible', timeout: 15_000 });
  const code = await codeFor(email);
  await otp.click();
  await page.keyboard.type(code, { delay: 30 });
}

/** The server-rendered /protected: navigates and returns the redirect chain and what it shows. */
export async function openProtected(page, appUrl) {
  const chain = [];
  const onResponse = (r) => {
    if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) chain.push({ status: r.status(), url: r.url() });
  };
  page.on('response', onResponse);
  try {
    const res = await page.goto(`${appUrl}/protected`);
    const html = await res.text();
    return { chain, url: page.url(), status: res.status(), html };
  } finally {
    page.off('response', onResponse);
  }
}

/** The server's own rendering of #user-id in the HTML (not what client-side React shows later). */
export function renderedUserId(html) {
  return /id="user-id">(user_[A-Za-z0-9]+)</.exec(html)?.[1] ?? null;
}
