// This suite's Usher instances (the shared launcher, serving this suite's vendored clerk-js by
// default) and its Backend API helpers.
import { startUsher as launch } from '../../lib/usher.mjs';
import { bapi as client } from '../../lib/bapi.mjs';
import { emailsTo, nextEmailedCode } from '../../lib/mail.mjs';
import { VENDOR_DIR } from './paths.js';

export { randomAlnum, freePorts } from '../../lib/usher.mjs';

/**
 * ../../lib/usher.mjs's startUsher; `clerkJsDir` defaults to this suite's vendor/node_modules
 * (null: none), and USHER_BROWSER_KEEP=1 keeps the data directories.
 */
export function startUsher({ clerkJsDir, ...o }) {
  return launch({
    ...o,
    clerkJsDir: clerkJsDir === null ? undefined : (clerkJsDir ?? VENDOR_DIR),
    keep: process.env.USHER_BROWSER_KEEP === '1',
  });
}

/** Backend API calls with the instance's secret key, and the mail it sent. */
export function bapi(inst) {
  const api = client(inst);
  return {
    ...api,
    emails: (address) => emailsTo(api, address),
    /** The first one-time code emailed to `address` whose email is not in `seen`. */
    waitForOtp: (address, { timeoutMs = 8000, seen = new Set() } = {}) =>
      nextEmailedCode(api, address, { timeoutMs, seen, everyMs: 250 }),
  };
}
