// Headless Chromium (Debian's, through playwright-core) on the Next.js app, artifacts per step,
// and the prebuilt <SignUp/> driven with Clerk's own selectors.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ARTIFACTS_DIR, CHROMIUM } from './paths.js';

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

export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A context whose pages log their console, and whose document navigations and /__clerk/v1/
 * exchanges are kept for failure messages. `step` screenshots each step (and a failing one).
 */
export async function session(browser, flow) {
  const dir = path.join(ARTIFACTS_DIR, flow);
  fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, 'browser.log');
  const log = (line) => fs.appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const trace = [];
  context.on('page', (p) => {
    p.on('console', (m) => log(`console.${m.type()}: ${m.text()}`));
    p.on('pageerror', (e) => log(`pageerror: ${e.stack || e}`));
  });
  context.on('response', (r) => {
    const req = r.request();
    const url = new URL(req.url());
    if (!req.isNavigationRequest() && !url.pathname.startsWith('/__clerk/v1/') && !url.pathname.startsWith('/api/')) return;
    const line = `${req.method()} ${url.pathname}${url.search.slice(0, 200)} → ${r.status()}${r.headers().location ? ' Location: ' + r.headers().location.slice(0, 300) : ''}`;
    trace.push(line);
    log(line);
  });
  const page = await context.newPage();
  let n = 0;
  async function shot(name) {
    n += 1;
    const file = path.join(dir, `${String(n).padStart(2, '0')}-${name}.png`);
    await page.waitForLoadState('load', { timeout: 5000 }).catch(() => {});
    await page.screenshot({ path: file, fullPage: true, timeout: 5000 }).catch((e) => log(`screenshot ${name}: ${e}`));
    return file;
  }
  async function step(name, fn) {
    log(`--- step: ${name}`);
    try {
      const result = await fn();
      await shot(name);
      return result;
    } catch (err) {
      const file = await shot(`FAILED-${name}`);
      const message = `[${name}] ${err.message}\nscreenshot: ${file}\nlast requests:\n  ${trace.slice(-12).join('\n  ')}`;
      log(`FAILED ${message}`);
      const wrapped = new Error(message);
      wrapped.stack = `Error: ${message}`;
      throw wrapped;
    }
  }
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
