// The mail Usher sent, read back through the Backend API's /v1/emails (what the server keeps of
// every message it delivered), and the one-time codes in it.
import { sleep } from './usher.mjs';

/** The emails sent to `address` so far, newest first (`api`: a client from bapi.mjs). */
export async function emailsTo(api, address) {
  return api.get(`/v1/emails?email_address=${encodeURIComponent(address)}`);
}

/** Ids of the emails sent to `address` so far, to wait for the next one. */
export async function emailIds(api, address) {
  return new Set(((await emailsTo(api, address)).data || []).map((e) => e.id));
}

/**
 * The first email to `address` with a one-time code whose id is not in `seen`, polled until
 * `timeoutMs`; its id joins `seen`. Returns `{ code, email }`.
 */
export async function nextEmailedCode(api, address, { seen = new Set(), timeoutMs = 8000, everyMs = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = await emailsTo(api, address);
    const fresh = (listed.data || []).find((e) => e?.data?.otp_code && !seen.has(e.id));
    if (fresh) {
      seen.add(fresh.id);
      return { code: fresh.data.otp_code, email: fresh };
    }
    if (Date.now() > deadline) {
      throw new Error(`no new one-time code for ${address} in /v1/emails after ${timeoutMs} ms: ${JSON.stringify(listed).slice(0, 600)}`);
    }
    await sleep(everyMs);
  }
}
