// What every dashboard flow needs: the running Usher (from run.mjs's environment), operators made
// with `usher operators add` and signed in with their password and a code computed from their
// TOTP secret, headless Debian Chromium through playwright-core, and `visit`: every page the flow
// reaches is checked with axe-core (no serious or critical violation), screenshotted full-page at
// 1280 and at 375 px into target/dashboard-screenshots/, and must not overflow sideways at 375 px.
//
// axe-core is evaluated through the DevTools protocol (page.evaluate with its source as a string):
// the dashboard's Content-Security-Policy (`script-src 'self'`, no 'unsafe-eval') stays in force
// for the page, and refuses the inline <script> tag that addScriptTag would inject.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { REPO_ROOT, USHER_BIN, artifactsDir } from '../../lib/paths.mjs';
import { launchChromium, flowArtifacts as artifacts, logPage, runStep } from '../../lib/chromium.mjs';
import { bapi as client } from '../../lib/bapi.mjs';
import { totp } from '../../lib/totp.mjs';

const execFileP = promisify(execFile);
const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const ARTIFACTS_DIR = artifactsDir('dashboard');
export const SCREENSHOTS_DIR = path.join(REPO_ROOT, 'target', 'dashboard-screenshots');

/** The Backend API listener (the dashboard's), the Frontend API, the secret key and the data directory. */
export const usher = (() => {
  const raw = process.env.USHER_DASHBOARD_CONFIG;
  if (!raw) throw new Error('USHER_DASHBOARD_CONFIG is not set: run the suite through compat/dashboard/run.mjs (or ci.sh)');
  return JSON.parse(raw);
})();

const api = client({ apiUrl: usher.api, secretKey: usher.secretKey });
export const bapi = (method, p, body) => api.call(method, p, body);

export function launchBrowser() {
  return launchChromium(chromium);
}

export function uniqueEmail(tag) {
  return `${tag}-${Date.now()}-${crypto.randomBytes(3).toString('hex')}@example.com`;
}

/** An operator as `usher operators add EMAIL --role ROLE --json` makes one: { email, password, totp_secret }. */
export async function addOperator(role) {
  const email = uniqueEmail(role);
  const { stdout } = await execFileP(USHER_BIN, ['operators', 'add', email, '--role', role, '--json', '--data-dir', usher.dataDir]);
  const op = JSON.parse(stdout);
  assert.equal(op.email, email);
  assert.ok(op.password && op.totp_secret, stdout);
  return op;
}

/** One flow: a browser context on the dashboard, its numbered artifacts, and its pages' checks. */
export async function openFlow(browser, flow) {
  const art = artifacts(ARTIFACTS_DIR, flow);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: usher.api });
  // Generous: the password step hashes with Argon2id on a machine other suites share.
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  logPage(page, art);
  fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  for (const f of fs.readdirSync(SCREENSHOTS_DIR)) if (f.startsWith(`${flow}-`)) fs.rmSync(path.join(SCREENSHOTS_DIR, f));
  let n = 0;
  const step = (name, fn) =>
    runStep(name, {
      page,
      art,
      describe: async () => `at ${page.url()}\npage text:\n${(await page.locator('main').innerText({ timeout: 2000 }).catch(() => '')).slice(0, 1500)}`,
    }, fn);

  /** The checks every page reached gets: axe-core, screenshots at 1280 and 375 px, no overflow at 375 px. */
  async function visit(name) {
    n += 1;
    const base = `${flow}-${String(n).padStart(2, '0')}-${name}`;
    await page.waitForLoadState('load');
    // A string is evaluated as an expression over the DevTools protocol, which the page's CSP
    // does not govern (an eval() inside the page would be refused: no 'unsafe-eval').
    if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(`${AXE_SOURCE}\n;true`);
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((x) => x.target.join(' ')).slice(0, 5).join(', ')}`);
    });
    assert.deepEqual(violations, [], `axe-core on ${page.url()}`);
    await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${base}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${base}-375.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.ok(width <= 375, `${page.url()} is ${width} px wide at 375 px`);
  }

  /** Signs `op` in: the password, then the code for the current step; ends on the users page. */
  async function signIn(op) {
    await step('sign-in', async () => {
      await page.goto('/dashboard/sign-in');
      await visit('sign-in');
      await page.getByLabel('Email address').fill(op.email);
      await page.getByLabel('Password').fill(op.password);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL('**/dashboard/sign-in/code');
      await visit('sign-in-code');
      await page.locator('input[name=code]').fill(totp(op.totp_secret));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL('**/dashboard/users');
      await visit('users');
    });
  }

  /**
   * On a user's page: the link to `action`'s confirmation page, its danger button, then back on
   * the user's page with `done=<action>` (each page visited).
   */
  async function confirmAction(action) {
    await page.locator(`a[href$="confirm?action=${action}"]`).click();
    await visit(`confirm-${action}`);
    await page.locator('main form button.danger').click();
    await page.waitForURL(new RegExp(`done=${action}$`));
    await visit(action);
  }

  return { art, context, page, step, visit, signIn, confirmAction, close: () => context.close() };
}

/**
 * A device of `userId` signed in through the Frontend API over HTTP, as clerk-js would: a
 * development browser (its `__clerk_db_jwt` stands for the client cookie) signs in with a
 * sign-in token, sending `userAgent`. `refresh()` asks for a session token and returns the
 * HTTP status.
 */
export async function signedInDevice(userId, userAgent = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0') {
  const { token: ticket } = await bapi('POST', '/v1/sign_in_tokens', { user_id: userId });
  const dev = await fetch(`${usher.frontend}/v1/dev_browser`, { method: 'POST' });
  assert.equal(dev.status, 200, 'a development instance hands out a development browser');
  const devToken = (await dev.json()).token;
  const url = (p) => `${usher.frontend}${p}?__clerk_db_jwt=${encodeURIComponent(devToken)}`;
  const res = await fetch(url('/v1/client/sign_ins'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': userAgent },
    body: new URLSearchParams({ strategy: 'ticket', ticket }).toString(),
  });
  const body = await res.json();
  assert.equal(body.response?.status, 'complete', JSON.stringify(body));
  const sessionId = body.response.created_session_id;
  return {
    sessionId,
    async refresh() {
      const r = await fetch(url(`/v1/client/sessions/${sessionId}/tokens`), { method: 'POST', headers: { 'user-agent': userAgent } });
      await r.arrayBuffer();
      return r.status;
    },
  };
}

/** A loopback URL nothing listens on. */
export async function closedPortUrl() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}/hooks`;
}

/** Polls `check` until truthy, or throws after `timeoutMs` naming `what`. */
export async function eventually(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
