// Headless Debian Chromium through playwright-core, screenshots per step, and a trace of every
// Frontend API exchange the page makes (for failure messages that name the server's answer).
import fs from 'node:fs';
import path from 'node:path';
import { ARTIFACTS_DIR, CHROMIUM } from './paths.js';

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

/**
 * Playwright gives every launch() a fresh, empty temporary --user-data-dir of its own. A suite
 * with its own node_modules passes its own playwright-core `chromium`.
 */
export async function launchBrowser(chromium = null) {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  chromium ??= (await import('playwright-core')).chromium;
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/**
 * One flow's artifacts: numbered screenshots and a console/FAPI log under ARTIFACTS_DIR/<flow>/.
 */
export function flowArtifacts(flow) {
  const dir = path.join(ARTIFACTS_DIR, flow);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  const logFile = path.join(dir, 'browser.log');
  const log = (line) => fs.appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
  return {
    dir,
    log,
    async shot(page, name) {
      n += 1;
      const file = path.join(dir, `${String(n).padStart(2, '0')}-${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
      // A screenshot taken while the page navigates can hang until the new document paints:
      // wait for the document first, and try twice with short limits.
      for (let attempt = 1; attempt <= 2; attempt++) {
        await page.waitForLoadState('load', { timeout: 5000 }).catch(() => {});
        try {
          await page.screenshot({ path: file, fullPage: true, timeout: 4000 });
          break;
        } catch (err) {
          log(`screenshot ${name} (attempt ${attempt}) failed: ${String(err).split('\n')[0]}`);
        }
      }
      return file;
    },
  };
}

/**
 * A browser context whose pages log console output and page errors, and whose /__clerk/v1/
 * exchanges are kept (method, path+query, form body, status, response body).
 */
export async function newContext(browser, art, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...options });
  const exchanges = [];
  context.on('page', (page) => attachPageLogging(page, art));
  context.on('response', async (response) => {
    const req = response.request();
    const url = new URL(req.url());
    if (!url.pathname.includes('/v1/')) return;
    const entry = {
      t: Date.now(),
      method: req.method(),
      path: url.pathname + url.search,
      form: req.postData() ? Object.fromEntries(new URLSearchParams(req.postData())) : undefined,
      status: response.status(),
      location: response.headers().location,
    };
    exchanges.push(entry);
    try {
      if (response.status() < 300 || response.status() >= 400) {
        const text = await response.text();
        try {
          entry.response = JSON.parse(text);
        } catch {
          entry.response = text.slice(0, 1000);
        }
      }
    } catch {
      /* redirects and aborted requests have no body */
    }
    art.log(`FAPI ${entry.method} ${entry.path} ${entry.form ? JSON.stringify(entry.form) : ''} → ${entry.status}${entry.status >= 400 ? ' ' + JSON.stringify(entry.response).slice(0, 800) : ''}`);
  });
  return { context, exchanges };
}

function attachPageLogging(page, art) {
  page.on('console', (msg) => art.log(`console.${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (err) => art.log(`pageerror: ${err.stack || err}`));
  page.on('requestfailed', (req) => art.log(`requestfailed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`));
}

/** A short account of the Frontend API exchanges: every failure, then the last few. */
export function describeExchanges(exchanges, last = 6) {
  const fmt = (e) =>
    `  ${e.method} ${e.path}${e.form ? ' form=' + JSON.stringify(e.form) : ''} → ${e.status}${e.location ? ' Location: ' + e.location : ''}${
      e.response !== undefined ? ' ' + JSON.stringify(e.response).slice(0, e.status >= 400 ? 1500 : 200) : ''
    }`;
  const failed = exchanges.filter((e) => e.status >= 400);
  const parts = [];
  if (failed.length) parts.push('failed Frontend API requests:', ...failed.slice(-8).map(fmt));
  parts.push(`last ${Math.min(last, exchanges.length)} Frontend API requests:`, ...exchanges.slice(-last).map(fmt));
  return parts.join('\n');
}

/** Waits until the test page has run Clerk.load (window.__ready), failing with its load error. */
export async function waitReady(page, timeout = 30_000) {
  await page.waitForFunction(() => window.__ready || window.__loadError, null, { timeout });
  const err = await page.evaluate(() => window.__loadError);
  if (err) throw new Error(`Clerk.load failed in the page: ${err}`);
}

/**
 * Runs one step of a flow: on failure, screenshots the page and rethrows with the FAPI trace.
 */
export async function step(name, { page, art, exchanges }, fn) {
  art.log(`--- step: ${name}`);
  try {
    const result = await fn();
    if (page && !page.isClosed()) await art.shot(page, name);
    return result;
  } catch (err) {
    let shot = '';
    if (page && !page.isClosed()) shot = await art.shot(page, `FAILED-${name}`);
    const trace = exchanges ? describeExchanges(exchanges) : '';
    const message = `[${name}] ${err.message}${shot ? `\nscreenshot: ${shot}` : ''}\n${trace}`;
    art.log(`FAILED ${message}`);
    // A new error: the reporters print `stack`, which was fixed when the original was made.
    const wrapped = new Error(message);
    wrapped.stack = `Error: ${message}\n${String(err.stack || '').split('\n').filter((l) => /^\s+at /.test(l)).join('\n')}`;
    throw wrapped;
  }
}
