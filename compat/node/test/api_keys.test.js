// API keys through @clerk/backend: the apiKeys API end to end (it calls /api_keys at the API
// root), and authenticateRequest accepting an `ak_` bearer beside session tokens.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it, before, after } from 'node:test';

import { clerk, createUser, createUserWithSession, env, expectApiError, tag } from '../lib/usher.js';

const client = clerk();

// Every secret this suite saw: none may appear in the server's log (run with USHER_LOG=debug to
// make the check stricter).
const secrets = [];
after(() => {
  const file = process.env.USHER_LOG_FILE;
  if (!file) return;
  const log = readFileSync(file, 'utf8');
  assert.ok(secrets.length > 0);
  for (const s of secrets) assert.equal(log.includes(s), false, 'an API key secret is in the server log');
});

describe('apiKeys', () => {
  let user;
  before(async () => {
    user = await createUser(client);
  });

  it('creates, reads, lists, updates, reveals, verifies, revokes and deletes a key', async () => {
    const created = await client.apiKeys.create({
      name: `deploys ${tag()}`,
      subject: user.id,
      description: 'CI',
      claims: { team: 'ops' },
      scopes: ['deploy'],
      createdBy: user.id,
      secondsUntilExpiration: 3600,
    });
    assert.match(created.id, /^ak_[0-9a-f]{32}$/);
    assert.match(created.secret, /^ak_/);
    secrets.push(created.secret);
    assert.equal(created.subject, user.id);
    assert.equal(created.type, 'api_key');
    assert.deepEqual(created.claims, { team: 'ops' });
    assert.deepEqual(created.scopes, ['deploy']);
    assert.equal(created.createdBy, user.id);
    assert.equal(created.revoked, false);
    assert.equal(created.expired, false);
    assert.equal(created.expiration, created.createdAt + 3_600_000);

    const got = await client.apiKeys.get(created.id);
    assert.equal(got.id, created.id);
    assert.equal(got.secret, undefined, 'the secret is not in a read');
    assert.equal(got.description, 'CI');

    const list = await client.apiKeys.list({ subject: user.id });
    assert.equal(list.totalCount, 1);
    assert.equal(list.data[0].id, created.id);

    const { secret } = await client.apiKeys.getSecret(created.id);
    assert.equal(secret, created.secret);

    const verified = await client.apiKeys.verify(created.secret);
    assert.equal(verified.id, created.id);
    assert.equal(verified.name, created.name);
    assert.equal(typeof verified.lastUsedAt, 'number');

    const updated = await client.apiKeys.update({
      apiKeyId: created.id,
      subject: user.id,
      scopes: ['deploy', 'read'],
      description: null,
    });
    assert.deepEqual(updated.scopes, ['deploy', 'read']);
    assert.equal(updated.description, null);

    const revoked = await client.apiKeys.revoke({ apiKeyId: created.id, revocationReason: 'rotated' });
    assert.equal(revoked.revoked, true);
    assert.equal(revoked.revocationReason, 'rotated');
    await expectApiError(client.apiKeys.verify(created.secret), { status: 404 });
    assert.equal((await client.apiKeys.list({ subject: user.id })).totalCount, 0);
    assert.equal((await client.apiKeys.list({ subject: user.id, includeInvalid: true })).totalCount, 1);

    const deleted = await client.apiKeys.delete(created.id);
    assert.equal(deleted.id, created.id);
    assert.equal(deleted.deleted, true);
    await expectApiError(client.apiKeys.get(created.id), { status: 404, code: 'resource_not_found' });
  });

  it('refuses bad input with Clerk-shaped errors', async () => {
    await expectApiError(
      client.apiKeys.create({ name: 'no such user', subject: 'user_2xhFjEI5X2qWRvtV13BzSj8H6Dk' }),
      { status: 400, code: 'form_param_value_invalid', paramName: 'subject' },
    );
    await expectApiError(
      client.apiKeys.create({ name: 'bad expiry', subject: user.id, secondsUntilExpiration: -1 }),
      { status: 400, code: 'form_param_value_invalid', paramName: 'seconds_until_expiration' },
    );
    await expectApiError(client.apiKeys.create({ name: 'x', subject: user.id }), {
      status: 400,
      paramName: 'name',
    });
    await expectApiError(client.apiKeys.verify('ak_not_a_real_secret'), { status: 404 });
  });

  it('lists an organization\'s keys, newest first, with paging', async () => {
    const org = await client.organizations.createOrganization({ name: `Keys ${tag()}`, createdBy: user.id });
    const first = await client.apiKeys.create({ name: 'first key', subject: org.id });
    const second = await client.apiKeys.create({ name: 'second key', subject: org.id });
    const page = await client.apiKeys.list({ subject: org.id, limit: 1 });
    assert.equal(page.totalCount, 2);
    assert.deepEqual(page.data.map((k) => k.id), [second.id]);
    const next = await client.apiKeys.list({ subject: org.id, limit: 1, offset: 1 });
    assert.deepEqual(next.data.map((k) => k.id), [first.id]);
  });
});

describe('authenticateRequest with acceptsToken', () => {
  const withPk = clerk({ publishableKey: env.publishableKey });
  const bearer = (token) =>
    new Request('http://localhost:3000/api/things', { headers: { Authorization: `Bearer ${token}` } });
  const accepts = { acceptsToken: ['session_token', 'api_key'], jwtKey: env.jwtKey };

  it('authenticates an ak_ bearer as its user, with its claims and scopes', async () => {
    const { user, session } = await createUserWithSession(client);
    const key = await client.apiKeys.create({
      name: 'machine access',
      subject: user.id,
      claims: { plan: 'pro' },
      scopes: ['read'],
    });
    secrets.push(key.secret);
    const state = await withPk.authenticateRequest(bearer(key.secret), accepts);
    assert.equal(state.isAuthenticated, true, `reason: ${state.reason} ${state.message}`);
    assert.equal(state.tokenType, 'api_key');
    const auth = state.toAuth();
    assert.equal(auth.tokenType, 'api_key');
    assert.equal(auth.id, key.id);
    assert.equal(auth.userId, user.id);
    assert.equal(auth.orgId, null);
    assert.equal(auth.name, 'machine access');
    assert.deepEqual(auth.claims, { plan: 'pro' });
    assert.deepEqual(auth.scopes, ['read']);

    // The same request shape still takes a session token.
    const token = (await client.sessions.getToken(session.id)).jwt;
    const signedIn = await withPk.authenticateRequest(bearer(token), accepts);
    assert.equal(signedIn.isAuthenticated, true);
    assert.equal(signedIn.tokenType, 'session_token');
    assert.equal(signedIn.toAuth().userId, user.id);

    // Revoked: refused at once.
    await client.apiKeys.revoke({ apiKeyId: key.id });
    const refused = await withPk.authenticateRequest(bearer(key.secret), accepts);
    assert.equal(refused.isAuthenticated, false);
    assert.equal(refused.tokenType, 'api_key');
  });

  it('an organization key carries orgId; an unknown key is not authenticated', async () => {
    const owner = await createUser(client);
    const org = await client.organizations.createOrganization({ name: `Org ${tag()}`, createdBy: owner.id });
    const key = await client.apiKeys.create({ name: 'org service', subject: org.id });
    const auth = (await withPk.authenticateRequest(bearer(key.secret), accepts)).toAuth();
    assert.equal(auth.orgId, org.id);
    assert.equal(auth.userId, null);

    const unknown = await withPk.authenticateRequest(bearer('ak_' + 'x'.repeat(40)), accepts);
    assert.equal(unknown.isAuthenticated, false);
    assert.match(unknown.message ?? '', /API key not found/);
  });
});
