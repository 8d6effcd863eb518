// Passkeys: registered through the Frontend API as clerk-js does it (a software authenticator
// answers the creation options with a `none` attestation), listed on the user as
// @clerk/backend reads it, and deleted with `users.deleteUserPasskey`.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';

import { clerk, createUser, env, expectApiError, usherApi } from '../lib/usher.js';

const client = clerk();
const ORIGIN = 'http://localhost:3000';

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (data) => createHash('sha256').update(data).digest();

// Just enough CBOR for an attestation object and a COSE key.
function head(major, n) {
  const m = major << 5;
  if (n < 24) return Buffer.from([m | n]);
  if (n < 0x100) return Buffer.from([m | 24, n]);
  const b = Buffer.alloc(3);
  b[0] = m | 25;
  b.writeUInt16BE(n, 1);
  return b;
}
const int = (i) => (i >= 0 ? head(0, i) : head(1, -1 - i));
const bytes = (b) => Buffer.concat([head(2, b.length), Buffer.from(b)]);
const text = (s) => Buffer.concat([head(3, Buffer.byteLength(s)), Buffer.from(s)]);
const map = (pairs) => Buffer.concat([head(5, pairs.length), ...pairs.flat()]);

/** The registration JSON clerk-js posts for the creation options `nonce`. */
function register(nonce) {
  const options = JSON.parse(nonce);
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const id = randomBytes(16);
  const cose = map([
    [int(1), int(2)],
    [int(3), int(-7)],
    [int(-1), int(1)],
    [int(-2), bytes(Buffer.from(jwk.x, 'base64url'))],
    [int(-3), bytes(Buffer.from(jwk.y, 'base64url'))],
  ]);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(id.length);
  const counter = Buffer.alloc(4);
  const authData = Buffer.concat([
    sha256(options.rp.id), Buffer.from([0x45]), counter, Buffer.alloc(16), len, id, cose,
  ]);
  const attestation = map([
    [text('fmt'), text('none')],
    [text('attStmt'), map([])],
    [text('authData'), bytes(authData)],
  ]);
  const clientData = JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin: ORIGIN });
  return JSON.stringify({
    type: 'public-key',
    id: b64url(id),
    rawId: b64url(id),
    authenticatorAttachment: 'platform',
    response: { clientDataJSON: b64url(clientData), attestationObject: b64url(attestation), transports: ['internal'] },
  });
}

/** A dev browser on ORIGIN, signed in as `userId` with a sign-in token's ticket. */
async function signedInBrowser(userId) {
  const base = env.frontendApiUrl;
  const dev = await fetch(`${base}/v1/dev_browser`, { method: 'POST', headers: { origin: ORIGIN } });
  const devToken = dev.ok ? (await dev.json()).token : null;
  const t = await client.signInTokens.createSignInToken({ userId, expiresInSeconds: 600 });
  let cookie = '';
  let sessionId = null;
  const call = async (method, path, form) => {
    const url = new URL(`${base}${path}`);
    if (devToken) url.searchParams.set('__clerk_db_jwt', devToken);
    if (sessionId) url.searchParams.set('_clerk_session_id', sessionId);
    const res = await fetch(url, {
      method,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, ...(cookie ? { cookie } : {}) },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const set = res.headers.getSetCookie?.() ?? [];
    const jar = new Map(cookie ? cookie.split('; ').map((c) => c.split(/=(.*)/s).slice(0, 2)) : []);
    for (const line of set) {
      const [pair] = line.split(';');
      const [k, v] = pair.split(/=(.*)/s);
      jar.set(k, v);
    }
    cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    return { status: res.status, body: await res.json() };
  };
  const r = await call('POST', '/v1/client/sign_ins', { strategy: 'ticket', ticket: t.token });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  sessionId = r.body.response.created_session_id;
  assert.ok(sessionId);
  return call;
}

describe('passkeys', () => {
  before(async () => {
    const res = await usherApi('PATCH', '/v1/instance/settings', { passkeys_enabled: true });
    assert.equal(res.status, 200, JSON.stringify(res.json));
  });

  it('lists a registered passkey on the user and deletes it with deleteUserPasskey', async () => {
    const user = await createUser(client);
    const call = await signedInBrowser(user.id);
    const created = await call('POST', '/v1/me/passkeys');
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const pending = created.body.response;
    const verified = await call('POST', `/v1/me/passkeys/${pending.id}/attempt_verification`, {
      strategy: 'passkey',
      public_key_credential: register(pending.verification.nonce),
    });
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    assert.equal(verified.body.response.verification.status, 'verified');

    // @clerk/backend's User maps no passkeys: the user's JSON as the SDK received it.
    const read = (await client.users.getUser(user.id)).raw;
    assert.equal(read.passkeys.length, 1);
    assert.equal(read.passkeys[0].id, pending.id);
    assert.equal(read.passkeys[0].object, 'passkey');
    assert.equal(read.passkeys[0].name, 'Passkey');

    const deleted = await client.users.deleteUserPasskey({ userId: user.id, passkeyIdentificationId: pending.id });
    assert.equal(deleted.id, pending.id);
    assert.equal(deleted.deleted, true);
    assert.equal((await client.users.getUser(user.id)).raw.passkeys.length, 0);
    await expectApiError(
      client.users.deleteUserPasskey({ userId: user.id, passkeyIdentificationId: pending.id }),
      { status: 404, code: 'resource_not_found' },
    );
  });
});
