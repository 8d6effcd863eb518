// Headless Debian Chromium through the calling suite's own playwright-core (passed in: this
// folder has no node_modules, and every suite pins its own), numbered screenshots per flow, and
// steps that screenshot the page and say what happened when they fail.
import fs from 'node:fs';
import path from 'node:path';
import { CHROMIUM } from './paths.mjs';

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
 * `chromium`: playwright-core's export, imported by the suite. Playwright gives every launch()
 * a fresh, empty temporary --user-data-dir of its own.
 */
export async function launchChromium(chromium) {
  if (!chromium?.launch) throw new Error('launchChromium needs the suite\'s playwright-core `chromium`');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** One flow's artifacts under `root`/<flow>/: numbered screenshots and a browser.log. */
export function flowArtifacts(root, flow, { fresh = true } = {}) {
  const dir = path.join(root, flow);
  if (fresh) fs.rmSync(dir, { recursive: true, force: true });
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

/** Logs a page's console output, page errors and failed requests to the flow's browser.log. */
export function logPage(page, art) {
  page.on('console', (msg) => art.log(`console.${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (err) => art.log(`pageerror: ${err.stack || err}`));
  page.on('requestfailed', (req) => art.log(`requestfailed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`));
}

/**
 * Runs one step of a flow: screenshots the page after it; on failure screenshots it as
 * FAILED-<name> and rethrows with the screenshot's path and `describe()` (what the suite knows
 * of the failure: the requests it saw, the page's text).
 */
export async function runStep(name, { page, art, describe }, fn) {
  art.log?.(`--- step: ${name}`);
  try {
    const result = await fn();
    if (page && !page.isClosed()) await art.shot(page, name);
    return result;
  } catch (err) {
    let shot = '';
    if (page && !page.isClosed()) shot = await art.shot(page, `FAILED-${name}`);
    let more = '';
    try {
      more = describe ? await describe() : '';
    } catch {
      /* the page is gone */
    }
    const message = `[${name}] ${err.message}${shot ? `\nscreenshot: ${shot}` : ''}\n${more}`;
    art.log?.(`FAILED ${message}`);
    // A new error: the reporters print `stack`, which was fixed when the original was made.
    const wrapped = new Error(message);
    wrapped.stack = `Error: ${message}\n${String(err.stack || '').split('\n').filter((l) => /^\s+at /.test(l)).join('\n')}`;
    throw wrapped;
  }
}
