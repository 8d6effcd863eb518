// A user's second factors and password through @clerk/backend: disableUserMFA,
// deleteUserTOTP, deleteUserBackupCodes, verifyTOTP and removePassword.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clerk, createUserWithSession, expectApiError } from '../lib/usher.js';

const client = clerk();
const UNKNOWN_USER = 'user_2unknownunknownunknown00';

describe('users second factors', () => {
  it('removes nothing from a user without MFA and answers with its id', async () => {
    const { user } = await createUserWithSession(client);
    assert.deepEqual(await client.users.disableUserMFA(user.id), { user_id: user.id });
    assert.deepEqual(await client.users.deleteUserTOTP(user.id), { user_id: user.id });
    assert.deepEqual(await client.users.deleteUserBackupCodes(user.id), { user_id: user.id });
    const fresh = await client.users.getUser(user.id);
    assert.equal(fresh.twoFactorEnabled, false);
    assert.equal(fresh.updatedAt, user.updatedAt);

    await expectApiError(client.users.verifyTOTP({ userId: user.id, code: '123456' }), {
      status: 400,
      code: 'totp_not_enabled',
    });
  });

  it('refuses unknown users', async () => {
    for (const call of [
      () => client.users.disableUserMFA(UNKNOWN_USER),
      () => client.users.deleteUserTOTP(UNKNOWN_USER),
      () => client.users.deleteUserBackupCodes(UNKNOWN_USER),
      () => client.users.verifyTOTP({ userId: UNKNOWN_USER, code: '123456' }),
      () => client.users.removePassword(UNKNOWN_USER),
    ]) {
      await expectApiError(call(), { status: 404, code: 'resource_not_found' });
    }
  });
});

describe('users.removePassword', () => {
  it('keeps sessions by default and revokes them when asked', async () => {
    const { user, session } = await createUserWithSession(client);
    assert.equal(user.passwordEnabled, true);
    const removed = await client.users.removePassword(user.id);
    assert.equal(removed.id, user.id);
    assert.equal(removed.passwordEnabled, false);
    assert.equal((await client.sessions.getSession(session.id)).status, 'active');
    await expectApiError(client.users.verifyPassword({ userId: user.id, password: 'anything-at-all' }), {
      status: 400,
      code: 'no_password_set',
    });

    const other = await createUserWithSession(client);
    const signedOut = await client.users.removePassword(other.user.id, { signOutOfOtherSessions: true });
    assert.equal(signedOut.passwordEnabled, false);
    assert.equal((await client.sessions.getSession(other.session.id)).status, 'revoked');
    // Without a password the user comes back unchanged.
    const again = await client.users.removePassword(other.user.id);
    assert.equal(again.updatedAt, signedOut.updatedAt);
  });
});
