// RFC 6238 TOTP (HMAC-SHA1, 30-second steps, 6 digits) over the RFC 4648 base32 secret Usher
// hands out, as an authenticator app computes it.
import crypto from 'node:crypto';

export function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = s.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac('sha1', key).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** The 30-second step `ms` falls in. */
export const timeStep = (ms = Date.now()) => Math.floor(ms / 1000 / 30);

/** The code for the step `offset` steps from `now` (0: current, 1: next). */
export function totp(secret, { offset = 0, now = Date.now() } = {}) {
  return hotp(base32Decode(secret), timeStep(now) + offset);
}

/**
 * Codes that a server which refuses a step not newer than the last one used (and accepts ±1
 * step) takes every time: each is for the step after the last one handed out, at most the next
 * step, waiting for the clock when it would be further ahead. Returns `nextCode(secret)`.
 */
export function totpSequence() {
  let lastStep = -1;
  return async function nextCode(secret) {
    for (;;) {
      const now = timeStep();
      const s = Math.max(now, lastStep + 1);
      if (s <= now + 1) {
        lastStep = s;
        return hotp(base32Decode(secret), s);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
}
