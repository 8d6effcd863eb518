// What every portal flow needs: the running Usher (from ci.sh's environment), headless Debian
// Chromium through playwright-core with JavaScript turned off, numbered screenshots per flow,
// codes read back through the Backend API's /v1/emails, and RFC 6238 codes.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const SUITE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = path.resolve(SUITE_DIR, '../..');
export const ARTIFACTS_DIR = path.resolve(REPO_ROOT, process.env.USHER_ARTIFACTS_DIR || 'target/test-logs/portal');
const CHROMIUM = process.env.USHER_CHROMIUM || '/usr/bin/chromium';

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite through compat/portal/ci.sh`);
  return v;
}

/** The portal (Usher's frontend listener), the Backend API and its secret key. */
export const usher = {
  portal: need('PORTAL_URL'),
  api: need('PORTAL_API_URL'),
  secretKey: need('PORTAL_SECRET_KEY'),
};

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Playwright gives every launch() a fresh, empty temporary --user-data-dir of its own. */
export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
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
  const dir = path.join(ARTIFACTS_DIR, flow);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  return {
    dir,
    async shot(page, name) {
      n += 1;
      const file = path.join(dir, `${String(n).padStart(2, '0')}-${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
      await page.screenshot({ path: file, fullPage: true, timeout: 10_000 }).catch(() => {});
      return file;
    },
  };
}

/** Runs one step; a failure leaves a FAILED screenshot and names the page it happened on. */
export async function step(art, page, name, fn) {
  try {
    const out = await fn();
    await art.shot(page, name);
    return out;
  } catch (err) {
    const file = await art.shot(page, `FAILED-${name}`);
    let body = '';
    try {
      body = (await page.locator('main').innerText({ timeout: 2000 })).slice(0, 1500);
    } catch {
      /* no page */
    }
    const wrapped = new Error(`[${name}] ${err.message}\nat ${page.url()}\nscreenshot: ${file}\npage text:\n${body}`);
    wrapped.stack = wrapped.message;
    throw wrapped;
  }
}

export async function bapi(method, p, body) {
  const res = await fetch(new URL(p, usher.api), {
    method,
    headers: {
      Authorization: `Bearer ${usher.secretKey}`,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`BAPI ${method} ${p} → ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** Ids of the emails sent to `address` so far (to wait for the next one). */
export async function emailIds(address) {
  const listed = await bapi('GET', `/v1/emails?email_address=${encodeURIComponent(address)}`);
  return new Set((listed.data || []).map((e) => e.id));
}

/** The code of the first email to `address` not in `seen`, polled for a few seconds. */
export async function nextCode(address, seen, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = await bapi('GET', `/v1/emails?email_address=${encodeURIComponent(address)}`);
    const fresh = (listed.data || []).find((e) => !seen.has(e.id) && e.data?.otp_code);
    if (fresh) return fresh.data.otp_code;
    if (Date.now() > deadline) throw new Error(`no new code emailed to ${address}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    const i = alphabet.indexOf(c);
    if (i < 0) throw new Error(`not base32: ${s}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 (SHA-1, 6 digits, 30 s) for the step `offset` steps from now. */
export function totp(secret, offset = 0) {
  const step = Math.floor(Date.now() / 1000 / 30) + offset;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const o = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[o] & 0x7f) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3];
  return String(bin % 1_000_000).padStart(6, '0');
}

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
