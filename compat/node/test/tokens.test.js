// Session tokens minted by the Backend API, checked with @clerk/backend's own
// verifyToken (PEM and JWKS), jwks.getJwks and authenticateRequest.
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { describe, it, before } from 'node:test';

import { verifyToken } from '@clerk/backend';

import {
  assertResource,
  clerk,
  createUserWithSession,
  decodeJwt,
  env,
  expectApiError,
  hostFromPublishableKey,
  rejection,
} from '../lib/usher.js';

const client = clerk();
const is4xx = (status) => status >= 400 && status < 500;

let user;
let session;
let jwt;
let minted; // seconds, when the token was requested

before(async () => {
  ({ user, session } = await createUserWithSession(client));
  minted = Math.floor(Date.now() / 1000);
  const token = await client.sessions.getToken(session.id);
  assertResource(token, 'token');
  jwt = token.jwt;
});

describe('sessions.getToken', () => {
  it('returns an RS256 session JWT with Clerk\'s header', () => {
    const { header } = decodeJwt(jwt);
    assert.equal(header.alg, 'RS256');
    assert.equal(typeof header.kid, 'string');
    assert.ok(header.kid.length > 0);
    assert.equal(header.cat, 'cl_B7d4PD111AAA', 'session token category');
    assert.ok(header.typ === undefined || header.typ === 'JWT', `typ ${header.typ}`);
  });

  it('carries Clerk\'s v2 session claims', () => {
    const { payload } = decodeJwt(jwt);
    assert.equal(payload.sub, user.id);
    assert.equal(payload.sid, session.id);
    assert.equal(payload.sts, 'active');
    assert.equal(payload.v, 2);
    assert.equal(payload.iss, `https://${hostFromPublishableKey(env.publishableKey)}`);
    assert.equal(payload.aud, undefined, 'session tokens carry no aud');
    assert.equal(typeof payload.jti, 'string');
    assert.ok(payload.jti.length > 0);
    assert.ok(Array.isArray(payload.fva) && payload.fva.length === 2, `fva ${JSON.stringify(payload.fva)}`);
    for (const claim of ['iat', 'nbf', 'exp']) {
      assert.ok(Number.isInteger(payload[claim]), `${claim} must be integer seconds`);
    }
    assert.ok(Math.abs(payload.iat - minted) <= 5, `iat ${payload.iat} is seconds near now (${minted})`);
    assert.ok(payload.nbf <= payload.iat);
    assert.equal(payload.exp - payload.iat, 60, 'default lifetime is 60 s');
  });

  it('mints a fresh token (new jti) on each call', async () => {
    const again = (await client.sessions.getToken(session.id)).jwt;
    assert.notEqual(decodeJwt(again).payload.jti, decodeJwt(jwt).payload.jti);
  });

  it('honours expiresInSeconds', async () => {
    for (const seconds of [30, 3600]) {
      const token = await client.sessions.getToken(session.id, undefined, seconds);
      const { payload } = decodeJwt(token.jwt);
      assert.equal(payload.exp - payload.iat, seconds);
      assert.equal(payload.sid, session.id);
    }
  });

  it('rejects expiresInSeconds below 30', async () => {
    await expectApiError(client.sessions.getToken(session.id, undefined, 29), { status: is4xx });
  });
});

describe('jwks.getJwks', () => {
  it('publishes the signing key as an RSA-2048 RS256 JWK', async () => {
    const jwks = await client.jwks.getJwks();
    assert.notEqual(typeof jwks, 'string');
    assert.ok(Array.isArray(jwks.keys) && jwks.keys.length > 0, 'keys must be a non-empty array');
    const { header } = decodeJwt(jwt);
    const key = jwks.keys.find((k) => k.kid === header.kid);
    assert.ok(key, `a JWK with the token's kid ${header.kid}`);
    assert.equal(key.kty, 'RSA');
    assert.equal(key.alg, 'RS256');
    assert.equal(key.use, 'sig');
    assert.equal(key.e, 'AQAB');
    assert.equal(Buffer.from(key.n, 'base64url').length, 256, 'RSA-2048 modulus');
  });

  it('matches the PEM given for CLERK_JWT_KEY', async () => {
    const jwks = await client.jwks.getJwks();
    const kid = decodeJwt(jwt).header.kid;
    const fromJwk = createPublicKey({ key: jwks.keys.find((k) => k.kid === kid), format: 'jwk' });
    const fromPem = createPublicKey(env.jwtKey);
    assert.ok(fromJwk.equals(fromPem), 'the JWKS key and USHER_JWT_KEY are the same key');
  });

  it('needs the secret key', async () => {
    await expectApiError(clerk({ secretKey: 'sk_test_wrongwrongwrongwrongwrongwrongwrong' }).jwks.getJwks(), {
      status: 401,
      code: ['clerk_key_invalid', 'authentication_invalid'],
    });
  });
});

describe('verifyToken', () => {
  it('accepts the token offline with jwtKey (PEM)', async () => {
    const payload = await verifyToken(jwt, { jwtKey: env.jwtKey });
    assert.equal(payload.sub, user.id);
    assert.equal(payload.sid, session.id);
  });

  it('accepts the token through the JWKS with secretKey + apiUrl', async () => {
    const payload = await verifyToken(jwt, { secretKey: env.secretKey, apiUrl: env.apiUrl, skipJwksCache: true });
    assert.equal(payload.sub, user.id);
  });

  it('accepts the issuer option set to https://<frontend host>', async () => {
    const issuer = `https://${hostFromPublishableKey(env.publishableKey)}`;
    const payload = await verifyToken(jwt, { jwtKey: env.jwtKey, issuer });
    assert.equal(payload.iss, issuer);
    const err = await rejection(verifyToken(jwt, { jwtKey: env.jwtKey, issuer: 'https://other.example' }));
    assert.equal(err.reason, 'token-invalid-issuer');
  });

  it('rejects a token whose payload was tampered with', async () => {
    const { header, payload, parts } = decodeJwt(jwt);
    assert.ok(header);
    const forged = Buffer.from(JSON.stringify({ ...payload, sub: 'user_2forgedforgedforgedforged0' })).toString('base64url');
    const tampered = `${parts[0]}.${forged}.${parts[2]}`;
    const viaPem = await rejection(verifyToken(tampered, { jwtKey: env.jwtKey }));
    assert.equal(viaPem.reason, 'token-invalid-signature');
    const viaJwks = await rejection(verifyToken(tampered, { secretKey: env.secretKey, apiUrl: env.apiUrl }));
    assert.equal(viaJwks.reason, 'token-invalid-signature');
  });

  it('rejects a token when authorizedParties is set and the token has no matching azp', async () => {
    // Tokens minted by the Backend API carry no azp; @clerk/backend then fails
    // any authorizedParties check (assertAuthorizedPartiesClaim: !azp).
    const { payload } = decodeJwt(jwt);
    assert.equal(payload.azp, undefined, 'a BAPI-minted token has no azp');
    const err = await rejection(verifyToken(jwt, { jwtKey: env.jwtKey, authorizedParties: ['https://other.example'] }));
    assert.equal(err.reason, 'token-invalid-authorized-parties');
  });

  it('rejects the token against a wrong secret key\'s JWKS', async () => {
    const err = await rejection(
      verifyToken(jwt, { secretKey: 'sk_test_wrongwrongwrongwrongwrongwrongwrong', apiUrl: env.apiUrl }),
    );
    assert.equal(err.reason, 'secret-key-invalid');
  });
});

describe('authenticateRequest', () => {
  it('signs in a request that carries the token as a Bearer header', async () => {
    const withPk = clerk({ publishableKey: env.publishableKey });
    const token = (await client.sessions.getToken(session.id)).jwt;
    const request = new Request('http://localhost:3000/api/me', {
      headers: { Authorization: `Bearer ${token}` },
    });
    const state = await withPk.authenticateRequest(request, { jwtKey: env.jwtKey });
    assert.equal(state.isSignedIn, true, `reason: ${state.reason} ${state.message}`);
    const auth = state.toAuth();
    assert.equal(auth.userId, user.id);
    assert.equal(auth.sessionId, session.id);
    assert.equal(auth.sessionStatus, 'active');
  });

  it('signs out a request whose token was tampered with', async () => {
    const withPk = clerk({ publishableKey: env.publishableKey });
    const { parts, payload } = decodeJwt(jwt);
    const forged = Buffer.from(JSON.stringify({ ...payload, sid: 'sess_2forgedforgedforgedforged0' })).toString('base64url');
    const request = new Request('http://localhost:3000/api/me', {
      headers: { Authorization: `Bearer ${parts[0]}.${forged}.${parts[2]}` },
    });
    const state = await withPk.authenticateRequest(request, { jwtKey: env.jwtKey });
    assert.equal(state.isSignedIn, false);
    assert.equal(state.reason, 'token-invalid-signature');
  });
});
