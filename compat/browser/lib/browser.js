// Headless Debian Chromium through playwright-core, screenshots per step, and a trace of every
// Frontend API exchange the page makes (for failure messages that name the server's answer).
import { launchChromium, flowArtifacts as artifacts, logPage, runStep } from '../../lib/chromium.mjs';
import { ARTIFACTS_DIR } from './paths.js';

export { CHROMIUM_ARGS } from '../../lib/chromium.mjs';

/**
 * Headless Chromium (../../lib/chromium.mjs). A suite with its own node_modules passes its own
 * playwright-core `chromium`; by default this suite's.
 */
export async function launchBrowser(chromium = null) {
  chromium ??= (await import('playwright-core')).chromium;
  return launchChromium(chromium);
}

/** One flow's artifacts: numbered screenshots and a console/FAPI log under ARTIFACTS_DIR/<flow>/. */
export function flowArtifacts(flow) {
  return artifacts(ARTIFACTS_DIR, flow);
}

/**
 * A browser context whose pages log console output and page errors, and whose /__clerk/v1/
 * exchanges are kept (method, path+query, form body, status, response body).
 */
export async function newContext(browser, art, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...options });
  const exchanges = [];
  context.on('page', (page) => logPage(page, art));
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
    // A response whose body could not be read (its page closed as a test ended) has none to show.
    const body = entry.status >= 400 && entry.response !== undefined ? ' ' + JSON.stringify(entry.response).slice(0, 800) : '';
    art.log(`FAPI ${entry.method} ${entry.path} ${entry.form ? JSON.stringify(entry.form) : ''} → ${entry.status}${body}`);
  });
  return { context, exchanges };
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
export function step(name, { page, art, exchanges }, fn) {
  return runStep(name, { page, art, describe: () => (exchanges ? describeExchanges(exchanges) : '') }, fn);
}
