// Machines and M2M tokens through @clerk/backend: the machines API (/v1/machines), the m2m API
// (/m2m_tokens at the API root, authenticated by a machine's secret key), and
// authenticateRequest({ acceptsToken: 'm2m_token' }) for opaque tokens (verified by Usher) and
// JWTs (verified from the instance's public key alone: no request reaches Usher).
import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';

import { clerk, env, expectApiError, rejection, tag } from '../lib/usher.js';

const client = clerk();

/** A client that speaks for a machine: its calls carry the machine's secret key. */
const asMachine = (machineSecretKey, options = {}) => clerk({ machineSecretKey, ...options });

const bearer = (token) =>
  new Request('http://localhost:3000/api/jobs', { headers: { Authorization: `Bearer ${token}` } });

describe('machines', () => {
  it('creates, reads, lists, updates, scopes, rotates and deletes machines', async () => {
    const callee = await client.machines.create({ name: `ledger ${tag()}` });
    assert.match(callee.id, /^mch_[0-9A-Za-z]{27}$/);
    assert.match(callee.secretKey, /^ak_/);
    assert.deepEqual(callee.scopedMachines, []);
    assert.equal(callee.defaultTokenTtl, 3600);

    const caller = await client.machines.create({
      name: `billing ${tag()}`,
      scopedMachines: [callee.id],
      defaultTokenTtl: 600,
    });
    assert.equal(caller.defaultTokenTtl, 600);
    assert.deepEqual(caller.scopedMachines.map((m) => m.id), [callee.id]);
    assert.equal(caller.scopedMachines[0].name, callee.name);

    const got = await client.machines.get(caller.id);
    assert.equal(got.secretKey, undefined, 'the secret key is not in a read');
    assert.equal(got.instanceId, caller.instanceId);

    const list = await client.machines.list({ query: caller.name, orderBy: '-created_at' });
    assert.equal(list.totalCount, 1);
    assert.equal(list.data[0].id, caller.id);
    const paged = await client.machines.list({ limit: 1 });
    assert.equal(paged.data.length, 1);
    assert.ok(paged.totalCount >= 2);

    const renamed = await client.machines.update({ machineId: caller.id, name: `${caller.name} v2`, defaultTokenTtl: 900 });
    assert.equal(renamed.name, `${caller.name} v2`);
    assert.equal(renamed.defaultTokenTtl, 900);

    // The SDK reads any object with `deleted` as a DeletedObject.
    const removed = await client.machines.deleteScope(caller.id, callee.id);
    assert.equal(removed.object, 'machine_scope');
    assert.equal(removed.deleted, true);
    assert.deepEqual((await client.machines.get(caller.id)).scopedMachines, []);
    const scope = await client.machines.createScope(caller.id, callee.id);
    assert.equal(scope.toMachineId, callee.id);
    assert.equal(typeof scope.createdAt, 'number');
    await expectApiError(client.machines.createScope(caller.id, callee.id), { status: 409, code: 'duplicate_record' });

    const { secret } = await client.machines.getSecretKey(caller.id);
    assert.equal(secret, caller.secretKey);
    const rotated = await client.machines.rotateSecretKey({ machineId: caller.id, previousTokenTtl: 0 });
    assert.notEqual(rotated.secret, caller.secretKey);
    assert.equal((await client.machines.getSecretKey(caller.id)).secret, rotated.secret);
    // The old key mints nothing more; the new one does.
    await expectApiError(asMachine(caller.secretKey).m2m.createToken(), { status: 401 });
    const token = await asMachine(rotated.secret).m2m.createToken();
    assert.equal(token.subject, caller.id);

    const deleted = await client.machines.delete(callee.id);
    assert.equal(deleted.id, callee.id);
    await expectApiError(client.machines.get(callee.id), { status: 404, code: 'resource_not_found' });
    await client.machines.delete(caller.id);
  });

  it('refuses bad input with Clerk-shaped errors', async () => {
    await expectApiError(client.machines.create({ name: '' }), { status: 422, paramName: 'name' });
    await expectApiError(client.machines.create({ name: 'x', defaultTokenTtl: 0 }), {
      status: 422,
      code: 'form_param_value_invalid',
      paramName: 'default_token_ttl',
    });
    await expectApiError(client.machines.create({ name: 'x', scopedMachines: ['mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'] }), {
      status: 422,
      paramName: 'scoped_machines',
    });
    const m = await client.machines.create({ name: `bounds ${tag()}` });
    await expectApiError(client.machines.rotateSecretKey({ machineId: m.id, previousTokenTtl: 28_801 }), {
      status: 422,
      paramName: 'previous_token_ttl',
    });
    await expectApiError(client.machines.list({ orderBy: 'updated_at' }), { status: 400, paramName: 'order_by' });
    await client.machines.delete(m.id);
  });
});

describe('m2m tokens', () => {
  let caller;
  let callee;
  before(async () => {
    callee = await client.machines.create({ name: `callee ${tag()}` });
    caller = await client.machines.create({ name: `caller ${tag()}`, scopedMachines: [callee.id] });
  });

  it('creates, lists, verifies and revokes an opaque token', async () => {
    const m2m = asMachine(caller.secretKey).m2m;
    const token = await m2m.createToken({ secondsUntilExpiration: 60, claims: { job: 'nightly' } });
    assert.match(token.id, /^mt_[0-9a-f]{32}$/);
    assert.match(token.token, /^mt_/);
    assert.equal(token.subject, caller.id);
    assert.deepEqual(token.scopes, [callee.id]);
    assert.deepEqual(token.claims, { job: 'nightly' });
    assert.equal(token.expiration, token.createdAt + 60_000);
    assert.equal(token.revoked, false);

    // The machine it may call verifies it with its own key; the instance's key verifies any.
    const byCallee = await asMachine(callee.secretKey).m2m.verify({ token: token.token });
    assert.equal(byCallee.id, token.id);
    assert.equal(byCallee.token, undefined);
    const byInstance = await client.m2m.verify({ token: token.token });
    assert.deepEqual(byInstance.claims, { job: 'nightly' });
    await expectApiError(m2m.verify({ token: token.token }), { status: 404 });

    const list = await m2m.list({ subject: caller.id });
    assert.equal(list.totalCount, 1);
    assert.equal(list.data[0].id, token.id);
    assert.equal((await client.m2m.list({ subject: caller.id })).totalCount, 1);
    await expectApiError(asMachine(callee.secretKey).m2m.list({ subject: caller.id }), { status: 403 });

    const revoked = await m2m.revokeToken({ m2mTokenId: token.id, revocationReason: 'done' });
    assert.equal(revoked.revoked, true);
    assert.equal(revoked.revocationReason, 'done');
    await expectApiError(client.m2m.verify({ token: token.token }), { status: 404 });
    assert.equal((await client.m2m.list({ subject: caller.id })).totalCount, 0);
    assert.equal((await client.m2m.list({ subject: caller.id, revoked: true })).totalCount, 1);
  });

  it('mints only with a machine secret key', async () => {
    await expectApiError(client.m2m.createToken(), { status: 403, code: 'authorization_invalid' });
    await expectApiError(client.m2m.createToken({ machineSecretKey: 'ak_' + 'x'.repeat(40) }), {
      status: 401,
      code: 'machine_secret_key_invalid',
    });
    await expectApiError(asMachine(caller.secretKey).m2m.createToken({ tokenFormat: 'paseto' }), {
      status: 400,
      paramName: 'token_format',
    });
  });

  it('authenticateRequest accepts an opaque token, verified by Usher', async () => {
    const token = await asMachine(caller.secretKey).m2m.createToken({ claims: { job: 'sync' } });
    const withPk = clerk({ publishableKey: env.publishableKey });
    const state = await withPk.authenticateRequest(bearer(token.token), { acceptsToken: 'm2m_token' });
    assert.equal(state.isAuthenticated, true, `reason: ${state.reason} ${state.message}`);
    assert.equal(state.tokenType, 'm2m_token');
    const auth = state.toAuth();
    assert.equal(auth.id, token.id);
    assert.equal(auth.subject, caller.id);
    assert.deepEqual(auth.scopes, [callee.id]);
    assert.deepEqual(auth.claims, { job: 'sync' });

    // The callee, authenticating with its own machine key, accepts it too.
    const asCallee = clerk({ publishableKey: env.publishableKey, machineSecretKey: callee.secretKey });
    const forCallee = await asCallee.authenticateRequest(bearer(token.token), { acceptsToken: 'm2m_token' });
    assert.equal(forCallee.isAuthenticated, true, `reason: ${forCallee.reason} ${forCallee.message}`);

    await client.m2m.revokeToken({ m2mTokenId: token.id });
    const refused = await withPk.authenticateRequest(bearer(token.token), { acceptsToken: 'm2m_token' });
    assert.equal(refused.isAuthenticated, false);
    assert.match(refused.message ?? '', /not found/i);
    // A session-only endpoint does not take it.
    const mismatch = await withPk.authenticateRequest(bearer(token.token));
    assert.equal(mismatch.isAuthenticated, false);
  });

  it('a JWT token is verified from the public key alone, without calling Usher', async () => {
    const jwt = await asMachine(caller.secretKey).m2m.createToken({
      tokenFormat: 'jwt',
      secondsUntilExpiration: 120,
      claims: { tier: 'gold' },
    });
    assert.equal(jwt.token.split('.').length, 3);

    // An API URL where nothing listens: any request to it would fail the verification.
    const offline = clerk({
      apiUrl: 'http://127.0.0.1:9',
      publishableKey: env.publishableKey,
      jwtKey: env.jwtKey,
    });
    const verified = await offline.m2m.verify({ token: jwt.token });
    assert.equal(verified.id, jwt.id);
    assert.equal(verified.subject, caller.id);
    assert.deepEqual(verified.scopes, [callee.id]);
    assert.equal(verified.claims.tier, 'gold');
    assert.equal(verified.expired, false);

    const state = await offline.authenticateRequest(bearer(jwt.token), { acceptsToken: 'm2m_token', jwtKey: env.jwtKey });
    assert.equal(state.isAuthenticated, true, `reason: ${state.reason} ${state.message}`);
    assert.equal(state.tokenType, 'm2m_token');
    const auth = state.toAuth();
    assert.equal(auth.id, jwt.id);
    assert.equal(auth.subject, caller.id);
    assert.deepEqual(auth.scopes, [callee.id]);
    // The same client cannot reach Usher: an opaque token is not verified offline.
    const opaque = await asMachine(caller.secretKey).m2m.createToken();
    const unreachable = await offline.authenticateRequest(bearer(opaque.token), { acceptsToken: 'm2m_token' });
    assert.equal(unreachable.isAuthenticated, false);

    // Through the JWKS too (one fetch of the public keys, then the same local verification).
    const viaJwks = await clerk({ publishableKey: env.publishableKey }).authenticateRequest(bearer(jwt.token), {
      acceptsToken: 'm2m_token',
    });
    assert.equal(viaJwks.isAuthenticated, true, `reason: ${viaJwks.reason} ${viaJwks.message}`);

    // A tampered token is refused.
    const [h, p, s] = jwt.token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url')), tier: 'platinum' })).toString('base64url');
    const bad = await offline.authenticateRequest(bearer(`${h}.${forged}.${s}`), { acceptsToken: 'm2m_token', jwtKey: env.jwtKey });
    assert.equal(bad.isAuthenticated, false);
    await rejection(offline.m2m.verify({ token: `${h}.${forged}.${s}` }));
  });
});
