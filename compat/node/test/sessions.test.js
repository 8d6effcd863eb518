// Sessions through @clerk/backend: create (development instances), get,
// list ({data,totalCount} with paginated=true), revoke, and the rules that
// stop revoked, banned or locked users' sessions from getting tokens.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { assertRecentMs, clerk, createUser, createUserWithSession, decodeJwt, expectApiError } from '../lib/usher.js';

const client = clerk();
const UNKNOWN_SESSION = 'sess_2zzzzzzzzzzzzzzzzzzzzzzzzzz';
const is4xx = (status) => status >= 400 && status < 500;

function assertSession(session, { userId, status = 'active' } = {}) {
  assert.notEqual(typeof session, 'string', 'the SDK returned a string: Content-Type was not exactly application/json');
  assert.match(session.id, /^sess_[A-Za-z0-9]+$/);
  assert.match(session.clientId, /^client_[A-Za-z0-9]+$/);
  if (userId) assert.equal(session.userId, userId);
  assert.equal(session.status, status);
  for (const key of ['lastActiveAt', 'expireAt', 'abandonAt', 'createdAt', 'updatedAt']) {
    assert.ok(Number.isInteger(session[key]), `session.${key} must be integer ms, got ${session[key]}`);
  }
  assertRecentMs(session.createdAt, 'session.created_at');
  assert.ok(session.expireAt > session.createdAt, 'expire_at after created_at');
  assert.ok(session.abandonAt >= session.expireAt, 'abandon_at not before expire_at');
}

describe('sessions.createSession / getSession', () => {
  it('creates an active session for a user and reads it back', async () => {
    const user = await createUser(client);
    const session = await client.sessions.createSession({ userId: user.id });
    assertSession(session, { userId: user.id });
    assert.ok(session.expireAt > Date.now(), 'a new session must not be expired');

    const fetched = await client.sessions.getSession(session.id);
    assertSession(fetched, { userId: user.id });
    assert.equal(fetched.id, session.id);
    assert.equal(fetched.clientId, session.clientId);
    assert.equal(fetched.createdAt, session.createdAt);
  });

  it('is 404 for an unknown user and for an unknown session', async () => {
    await expectApiError(client.sessions.createSession({ userId: 'user_2zzzzzzzzzzzzzzzzzzzzzzzzzz' }), {
      status: is4xx,
    });
    await expectApiError(client.sessions.getSession(UNKNOWN_SESSION), { status: 404, code: 'resource_not_found' });
  });
});

describe('sessions.getSessionList', () => {
  it('lists a user\'s sessions with totalCount, filtered by status', async () => {
    const user = await createUser(client);
    const s1 = await client.sessions.createSession({ userId: user.id });
    const s2 = await client.sessions.createSession({ userId: user.id });
    // A session of someone else must not show up.
    await createUserWithSession(client);

    const all = await client.sessions.getSessionList({ userId: user.id });
    assert.ok(Array.isArray(all.data), 'getSessionList sends paginated=true and needs {data,total_count}');
    assert.equal(all.totalCount, 2);
    assert.deepEqual(new Set(all.data.map((s) => s.id)), new Set([s1.id, s2.id]));
    for (const s of all.data) assertSession(s, { userId: user.id });
    // Newest first by default.
    assert.ok(all.data[0].createdAt >= all.data[1].createdAt);

    await client.sessions.revokeSession(s1.id);

    const active = await client.sessions.getSessionList({ userId: user.id, status: 'active' });
    assert.equal(active.totalCount, 1);
    assert.deepEqual(active.data.map((s) => s.id), [s2.id]);

    const revoked = await client.sessions.getSessionList({ userId: user.id, status: 'revoked' });
    assert.equal(revoked.totalCount, 1);
    assert.deepEqual(revoked.data.map((s) => s.id), [s1.id]);
    assert.equal(revoked.data[0].status, 'revoked');
  });

  it('pages with limit while totalCount stays the full count', async () => {
    const user = await createUser(client);
    for (let i = 0; i < 3; i++) await client.sessions.createSession({ userId: user.id });
    const page = await client.sessions.getSessionList({ userId: user.id, limit: 2 });
    assert.equal(page.data.length, 2);
    assert.equal(page.totalCount, 3);
    const rest = await client.sessions.getSessionList({ userId: user.id, limit: 2, offset: 2 });
    assert.equal(rest.data.length, 1);
    assert.equal(rest.totalCount, 3);
    assert.ok(!page.data.some((s) => s.id === rest.data[0].id));
  });

  it('filters by client_id', async () => {
    const { user, session } = await createUserWithSession(client);
    const byClient = await client.sessions.getSessionList({ clientId: session.clientId });
    assert.ok(byClient.data.some((s) => s.id === session.id));
    for (const s of byClient.data) assert.equal(s.clientId, session.clientId);
    assert.equal(byClient.totalCount, byClient.data.length);
    assert.ok(byClient.data.every((s) => s.userId === user.id));
  });
});

describe('sessions.revokeSession', () => {
  it('revokes, and a revoked session gets no token', async () => {
    const { session } = await createUserWithSession(client);
    const revoked = await client.sessions.revokeSession(session.id);
    assertSession(revoked, { status: 'revoked' });
    assert.equal(revoked.id, session.id);
    assert.equal((await client.sessions.getSession(session.id)).status, 'revoked');
    await expectApiError(client.sessions.getToken(session.id), { status: is4xx });
  });

  it('is 404 for an unknown session', async () => {
    await expectApiError(client.sessions.revokeSession(UNKNOWN_SESSION), { status: 404, code: 'resource_not_found' });
    await expectApiError(client.sessions.getToken(UNKNOWN_SESSION), { status: 404, code: 'resource_not_found' });
  });
});

describe('tokens for banned and locked users', () => {
  it('ban revokes the user\'s sessions and no token is minted', async () => {
    const { user, session } = await createUserWithSession(client);
    assert.ok(decodeJwt((await client.sessions.getToken(session.id)).jwt).payload.sub, 'token before the ban');
    await client.users.banUser(user.id);
    assert.equal((await client.sessions.getSession(session.id)).status, 'revoked');
    const active = await client.sessions.getSessionList({ userId: user.id, status: 'active' });
    assert.equal(active.totalCount, 0);
    await expectApiError(client.sessions.getToken(session.id), { status: is4xx });
    // Unbanning does not bring the revoked session back.
    await client.users.unbanUser(user.id);
    assert.equal((await client.sessions.getSession(session.id)).status, 'revoked');
    await expectApiError(client.sessions.getToken(session.id), { status: is4xx });
  });

  it('a deleted user\'s session gets no token', async () => {
    const { user, session } = await createUserWithSession(client);
    await client.users.deleteUser(user.id);
    await expectApiError(client.sessions.getToken(session.id), { status: is4xx });
  });

  it('a banned user cannot get a new session\'s token either', async () => {
    const user = await createUser(client);
    await client.users.banUser(user.id);
    let session;
    try {
      session = await client.sessions.createSession({ userId: user.id });
    } catch (err) {
      // Refusing to create the session at all is also correct.
      assert.ok(is4xx(err.status), `createSession for a banned user: ${err}`);
      return;
    }
    await expectApiError(client.sessions.getToken(session.id), { status: is4xx });
  });

  it('a locked user\'s session gets no token', async () => {
    const { user, session } = await createUserWithSession(client);
    await client.users.lockUser(user.id);
    await expectApiError(client.sessions.getToken(session.id), { status: is4xx });
  });
});
