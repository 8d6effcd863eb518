// Users through @clerk/backend: create, read, list with filters and paging,
// update, verify password, ban / lock, delete, and the errors Clerk returns.
import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';

import {
  PASSWORD,
  assertRecentMs,
  assertResource,
  clerk,
  createUser,
  expectApiError,
  tag,
  uniqueEmail,
} from '../lib/usher.js';

const client = clerk();

describe('users.createUser / getUser', () => {
  it('returns a fully populated User for every field sent', async () => {
    const email = uniqueEmail('create');
    const username = tag('u_');
    const externalId = tag('ext-');
    const user = await client.users.createUser({
      emailAddress: [email],
      password: PASSWORD,
      username,
      firstName: 'Ada',
      lastName: 'Lovelace',
      externalId,
      publicMetadata: { role: 'admin', someKey: { nestedCamel: 1 } },
      privateMetadata: { stripeCustomerId: 'cus_123', deepObject: { innerKey: [1, 2] } },
      unsafeMetadata: { theme: 'dark' },
    });

    assertResource(user, 'user');
    assert.match(user.id, /^user_[A-Za-z0-9]+$/);
    assert.equal(user.username, username);
    assert.equal(user.firstName, 'Ada');
    assert.equal(user.lastName, 'Lovelace');
    assert.equal(user.externalId, externalId);
    assert.equal(user.passwordEnabled, true);
    assert.equal(user.banned, false);
    assert.equal(user.locked, false);
    assert.equal(user.twoFactorEnabled, false);
    assert.equal(user.totpEnabled, false);
    assert.equal(user.backupCodeEnabled, false);
    assertRecentMs(user.createdAt, 'created_at');
    assertRecentMs(user.updatedAt, 'updated_at');
    assert.ok(user.updatedAt >= user.createdAt);

    assert.equal(user.emailAddresses.length, 1);
    const [address] = user.emailAddresses;
    assert.equal(address.emailAddress, email);
    assert.match(address.id, /^idn_/);
    assert.equal(user.primaryEmailAddressId, address.id);
    assert.equal(user.primaryEmailAddress?.emailAddress, email);
    assert.ok(Array.isArray(address.linkedTo), 'email_addresses[].linked_to must be an array');
    // Clerk marks addresses created through the Backend API as verified.
    assert.equal(address.verification?.status, 'verified');
    assert.equal(address.raw, undefined);

    // The Backend API returns all three metadata kinds, nested camelCase intact.
    assert.deepEqual(user.publicMetadata, { role: 'admin', someKey: { nestedCamel: 1 } });
    assert.deepEqual(user.privateMetadata, { stripeCustomerId: 'cus_123', deepObject: { innerKey: [1, 2] } });
    assert.deepEqual(user.unsafeMetadata, { theme: 'dark' });

    // Nullable fields Clerk always sends are present.
    for (const key of [
      'primary_phone_number_id',
      'primary_web3_wallet_id',
      'last_sign_in_at',
      'lockout_expires_in_seconds',
      'verification_attempts_remaining',
      'last_active_at',
      'legal_accepted_at',
    ]) {
      assert.ok(key in user.raw, `user.${key} must be present (null allowed)`);
    }
    assert.equal(user.raw.lockout_expires_in_seconds, null);
    for (const key of ['phone_numbers', 'web3_wallets', 'external_accounts', 'passkeys', 'saml_accounts', 'enterprise_accounts']) {
      assert.ok(Array.isArray(user.raw[key]), `user.${key} must be an array`);
    }

    const fetched = await client.users.getUser(user.id);
    assertResource(fetched, 'user');
    assert.equal(fetched.id, user.id);
    assert.equal(fetched.username, username);
    assert.equal(fetched.emailAddresses[0].emailAddress, email);
    assert.equal(fetched.createdAt, user.createdAt);
    assert.deepEqual(fetched.publicMetadata, user.publicMetadata);
    assert.deepEqual(fetched.privateMetadata, user.privateMetadata, 'private_metadata is returned by the Backend API');
    assert.deepEqual(fetched.unsafeMetadata, user.unsafeMetadata);
  });

  it('honours created_at given as RFC 3339', async () => {
    const createdAt = new Date('2021-03-04T05:06:07.000Z');
    const user = await createUser(client, { createdAt });
    assert.equal(user.createdAt, createdAt.getTime());
    assert.equal((await client.users.getUser(user.id)).createdAt, createdAt.getTime());
  });

  it('creates a user without a password when skipPasswordRequirement is true', async () => {
    const user = await client.users.createUser({ emailAddress: [uniqueEmail('nopw')], skipPasswordRequirement: true });
    assertResource(user, 'user');
    assert.equal(user.passwordEnabled, false);
  });

  it('requires a password otherwise (422 form_param_missing, param password)', async () => {
    await expectApiError(client.users.createUser({ emailAddress: [uniqueEmail('missingpw')] }), {
      status: 422,
      code: 'form_param_missing',
      paramName: 'password',
    });
  });

  it('rejects a password shorter than 8 characters unless skipPasswordChecks', async () => {
    await expectApiError(client.users.createUser({ emailAddress: [uniqueEmail('shortpw')], password: 'short' }), {
      status: 422,
      paramName: 'password',
    });
    const user = await client.users.createUser({
      emailAddress: [uniqueEmail('shortok')],
      password: 'short',
      skipPasswordChecks: true,
    });
    assert.equal(user.passwordEnabled, true);
    assert.deepEqual(await client.users.verifyPassword({ userId: user.id, password: 'short' }), { verified: true });
  });

  it('rejects a taken email address (422 form_identifier_exists, param email_address)', async () => {
    const email = uniqueEmail('dup');
    await createUser(client, { emailAddress: [email] });
    await expectApiError(createUser(client, { emailAddress: [email] }), {
      status: 422,
      code: 'form_identifier_exists',
      paramName: 'email_address',
    });
  });

  it('treats email addresses case-insensitively when checking that they are taken', async () => {
    const email = uniqueEmail('Case');
    await createUser(client, { emailAddress: [email] });
    await expectApiError(createUser(client, { emailAddress: [email.toUpperCase()] }), {
      status: 422,
      code: 'form_identifier_exists',
      paramName: 'email_address',
    });
  });

  it('rejects a taken username (422 form_identifier_exists, param username)', async () => {
    const username = tag('dupu_');
    await createUser(client, { username });
    await expectApiError(createUser(client, { username }), {
      status: 422,
      code: 'form_identifier_exists',
      paramName: 'username',
    });
  });

  it('rejects a malformed email address (422 form_param_format_invalid)', async () => {
    await expectApiError(createUser(client, { emailAddress: ['not-an-email'] }), {
      status: 422,
      code: 'form_param_format_invalid',
      paramName: 'email_address',
    });
  });

  it('rejects an unknown body field (422 form_param_unknown)', async () => {
    // The SDK snake_cases top-level keys: bogusField is sent as bogus_field.
    await expectApiError(createUser(client, { bogusField: 'x' }), {
      status: 422,
      code: 'form_param_unknown',
      paramName: 'bogus_field',
    });
  });

  // Digests of PASSWORD, made with bcrypt (cost 4) and argon2 (m=8192, t=1, p=1).
  for (const [hasher, digest] of [
    ['bcrypt', '$2b$04$abcdefghijklmnopqrstuuDrSx8q46NQlocgVrMyZx8k6yoIkEcZ6'],
    ['argon2id', '$argon2id$v=19$m=8192,t=1,p=1$dXNoZXItY29tcGF0LXNhbHQ$K/ueJfCUaMXqyi9bUMh4ghdFUXZoU2BBchKYkRP4JOE'],
    ['argon2i', '$argon2i$v=19$m=8192,t=1,p=1$dXNoZXItY29tcGF0LXNhbHQ$/ehOzH/VXZxoRFIJjT4IpHlC/DDwsWI7nEgfCHjNcFI'],
  ]) {
    it(`imports a ${hasher} password digest`, async () => {
      const user = await client.users.createUser({
        emailAddress: [uniqueEmail(hasher)],
        passwordDigest: digest,
        passwordHasher: hasher,
      });
      assert.equal(user.passwordEnabled, true);
      assert.deepEqual(await client.users.verifyPassword({ userId: user.id, password: PASSWORD }), { verified: true });
      await expectApiError(client.users.verifyPassword({ userId: user.id, password: 'wrong-password-1' }), { status: 422 });
    });
  }

  it('makes the first of several email addresses primary; each finds the user', async () => {
    const emails = [uniqueEmail('first'), uniqueEmail('second')];
    const user = await createUser(client, { emailAddress: emails });
    assert.deepEqual(user.emailAddresses.map((e) => e.emailAddress), emails);
    assert.equal(user.primaryEmailAddress?.emailAddress, emails[0]);
    for (const email of emails) {
      const res = await client.users.getUserList({ emailAddress: [email] });
      assert.deepEqual(res.data.map((u) => u.id), [user.id]);
      assert.equal(res.totalCount, 1);
    }
  });

  it('stores phone numbers, makes the first primary, and filters by phone_number', async () => {
    const phone = `+1415555${String(Math.floor(Math.random() * 10000)).padStart(4, '0')}`;
    const user = await createUser(client, { phoneNumber: [phone] });
    assert.equal(user.phoneNumbers.length, 1);
    const [number] = user.phoneNumbers;
    assert.equal(number.phoneNumber, phone);
    assert.match(number.id, /^idn_/);
    assert.equal(user.primaryPhoneNumberId, number.id);
    assert.ok(Array.isArray(number.linkedTo), 'phone_numbers[].linked_to must be an array');
    assert.equal(number.verification?.status, 'verified');
    const res = await client.users.getUserList({ phoneNumber: [phone] });
    assert.deepEqual(res.data.map((u) => u.id), [user.id]);
    assert.equal(res.totalCount, 1);
    await expectApiError(createUser(client, { phoneNumber: [phone] }), {
      status: 422,
      code: 'form_identifier_exists',
      paramName: 'phone_number',
    });
  });

  it('getUser on an unknown id is 404 resource_not_found', async () => {
    await expectApiError(client.users.getUser('user_2zzzzzzzzzzzzzzzzzzzzzzzzzz'), {
      status: 404,
      code: 'resource_not_found',
    });
  });
});

describe('users.getUserList / getCount', () => {
  const marker = tag('list');
  const emails = ['c', 'a', 'b'].map((letter) => `${marker}-${letter}@example.com`);
  let users; // in creation order: c, a, b

  before(async () => {
    users = [];
    // Distinct created_at values make the ordering deterministic.
    for (const [i, email] of emails.entries()) {
      users.push(
        await createUser(client, {
          emailAddress: [email],
          username: `${marker}_${i}`,
          externalId: `${marker}-ext-${i}`,
          firstName: ['Carol', 'Alice', 'Bob'][i],
          createdAt: new Date(Date.UTC(2022, 0, 1 + i)),
        }),
      );
    }
  });

  const ids = (list) => list.map((u) => u.id);

  it('filters by repeated email_address and reports the matching totalCount', async () => {
    const res = await client.users.getUserList({ emailAddress: [emails[0], emails[2]] });
    assert.ok(Array.isArray(res.data), 'data must be an array');
    assert.equal(res.totalCount, 2);
    assert.deepEqual(new Set(ids(res.data)), new Set([users[0].id, users[2].id]));
    for (const u of res.data) assertResource(u, 'user');
  });

  it('filters by query, with -created_at as the default order', async () => {
    const res = await client.users.getUserList({ query: marker });
    assert.equal(res.totalCount, 3);
    assert.deepEqual(ids(res.data), [users[2].id, users[1].id, users[0].id]);
  });

  it('orders by +created_at and -created_at', async () => {
    const asc = await client.users.getUserList({ query: marker, orderBy: '+created_at' });
    assert.deepEqual(ids(asc.data), ids(users));
    const desc = await client.users.getUserList({ query: marker, orderBy: '-created_at' });
    assert.deepEqual(ids(desc.data), ids(users).reverse());
  });

  it('orders by email_address and first_name', async () => {
    const byEmail = await client.users.getUserList({ query: marker, orderBy: '+email_address' });
    assert.deepEqual(ids(byEmail.data), [users[1].id, users[2].id, users[0].id]); // a, b, c
    const byFirstNameDesc = await client.users.getUserList({ query: marker, orderBy: '-first_name' });
    assert.deepEqual(ids(byFirstNameDesc.data), [users[0].id, users[2].id, users[1].id]); // Carol, Bob, Alice
  });

  it('orders by username', async () => {
    const desc = await client.users.getUserList({ query: marker, orderBy: '-username' });
    assert.deepEqual(ids(desc.data), ids(users).reverse()); // usernames end in _0, _1, _2
  });

  it('last_active_at_since leaves out users with no activity', async () => {
    const res = await client.users.getUserList({ query: marker, last_active_at_since: Date.now() - 86_400_000 });
    assert.deepEqual(res.data, []);
  });

  it('pages with limit and offset while totalCount stays the full count', async () => {
    const page1 = await client.users.getUserList({ query: marker, orderBy: '+created_at', limit: 2, offset: 0 });
    assert.deepEqual(ids(page1.data), [users[0].id, users[1].id]);
    assert.equal(page1.totalCount, 3);
    const page2 = await client.users.getUserList({ query: marker, orderBy: '+created_at', limit: 2, offset: 2 });
    assert.deepEqual(ids(page2.data), [users[2].id]);
    assert.equal(page2.totalCount, 3);
    const page3 = await client.users.getUserList({ query: marker, orderBy: '+created_at', limit: 2, offset: 4 });
    assert.deepEqual(page3.data, []);
    assert.equal(page3.totalCount, 3);
  });

  it('filters by username, external_id and user_id', async () => {
    const byUsername = await client.users.getUserList({ username: [`${marker}_1`] });
    assert.deepEqual(ids(byUsername.data), [users[1].id]);
    assert.equal(byUsername.totalCount, 1);
    const byExternal = await client.users.getUserList({ externalId: [`${marker}-ext-0`, `${marker}-ext-2`] });
    assert.deepEqual(new Set(ids(byExternal.data)), new Set([users[0].id, users[2].id]));
    assert.equal(byExternal.totalCount, 2);
    const byId = await client.users.getUserList({ userId: [users[1].id, users[2].id] });
    assert.deepEqual(new Set(ids(byId.data)), new Set([users[1].id, users[2].id]));
    assert.equal(byId.totalCount, 2);
  });

  it('returns an empty page and zero count when nothing matches', async () => {
    const res = await client.users.getUserList({ emailAddress: [`${tag('none')}@example.com`] });
    assert.deepEqual(res.data, []);
    assert.equal(res.totalCount, 0);
  });

  it('getCount returns a number and honours filters', async () => {
    assert.equal(await client.users.getCount({ query: marker }), 3);
    assert.equal(await client.users.getCount({ emailAddress: [emails[1]] }), 1);
    const all = await client.users.getCount();
    assert.equal(typeof all, 'number');
    assert.ok(all >= 3);
  });

  it('filters banned users', async () => {
    const m = tag('banned');
    const a = await createUser(client, { emailAddress: [`${m}-a@example.com`] });
    const b = await createUser(client, { emailAddress: [`${m}-b@example.com`] });
    await client.users.banUser(b.id);
    const banned = await client.users.getUserList({ query: m, banned: true });
    assert.deepEqual(ids(banned.data), [b.id]);
    const everyone = await client.users.getUserList({ query: m });
    assert.deepEqual(new Set(ids(everyone.data)), new Set([a.id, b.id]));
  });

  it('rejects a limit above 500 with 400', async () => {
    await expectApiError(client.users.getUserList({ limit: 501 }), { status: 400 });
  });
});

describe('users.updateUser', () => {
  it('updates profile fields and returns the new state', async () => {
    const user = await createUser(client, { firstName: 'Old', lastName: 'Name' });
    const username = tag('upd_');
    const externalId = tag('ext-');
    const updated = await client.users.updateUser(user.id, {
      firstName: 'New',
      lastName: 'Person',
      username,
      externalId,
    });
    assertResource(updated, 'user');
    assert.equal(updated.firstName, 'New');
    assert.equal(updated.lastName, 'Person');
    assert.equal(updated.username, username);
    assert.equal(updated.externalId, externalId);
    assert.ok(updated.updatedAt >= user.updatedAt);
    assert.equal(updated.createdAt, user.createdAt);

    const fetched = await client.users.getUser(user.id);
    assert.equal(fetched.firstName, 'New');
    assert.equal(fetched.username, username);
  });

  it('changes the password', async () => {
    const user = await createUser(client);
    await client.users.updateUser(user.id, { password: 'another-long-password-9' });
    assert.deepEqual(await client.users.verifyPassword({ userId: user.id, password: 'another-long-password-9' }), {
      verified: true,
    });
    await expectApiError(client.users.verifyPassword({ userId: user.id, password: PASSWORD }), { status: 422 });
  });

  it('rejects taking another user\'s username', async () => {
    const taken = tag('taken_');
    await createUser(client, { username: taken });
    const other = await createUser(client);
    await expectApiError(client.users.updateUser(other.id, { username: taken }), {
      status: 422,
      code: 'form_identifier_exists',
      paramName: 'username',
    });
  });

  it('is 404 for an unknown user', async () => {
    await expectApiError(client.users.updateUser('user_2zzzzzzzzzzzzzzzzzzzzzzzzzz', { firstName: 'x' }), {
      status: 404,
      code: 'resource_not_found',
    });
  });
});

describe('users.verifyPassword', () => {
  it('returns {verified:true} for the right password and 422 for a wrong one', async () => {
    const user = await createUser(client);
    assert.deepEqual(await client.users.verifyPassword({ userId: user.id, password: PASSWORD }), { verified: true });
    await expectApiError(client.users.verifyPassword({ userId: user.id, password: 'not-the-password' }), {
      status: 422,
    });
  });

  it('is 400 for a user without a password, 404 for an unknown user', async () => {
    const user = await client.users.createUser({ emailAddress: [uniqueEmail('nopw')], skipPasswordRequirement: true });
    await expectApiError(client.users.verifyPassword({ userId: user.id, password: 'whatever-password' }), {
      status: 400,
    });
    await expectApiError(
      client.users.verifyPassword({ userId: 'user_2zzzzzzzzzzzzzzzzzzzzzzzzzz', password: 'whatever-password' }),
      { status: 404, code: 'resource_not_found' },
    );
  });
});

describe('breached and compromised passwords', () => {
  it('rejects a common breached password (422 form_password_pwned) unless skipPasswordChecks', async () => {
    await expectApiError(client.users.createUser({ emailAddress: [uniqueEmail('pwned')], password: 'Password123' }), {
      status: 422,
      code: 'form_password_pwned',
      paramName: 'password',
    });
    const user = await client.users.createUser({
      emailAddress: [uniqueEmail('pwnedok')],
      password: 'Password123',
      skipPasswordChecks: true,
    });
    await expectApiError(client.users.updateUser(user.id, { password: 'qwerty123' }), {
      status: 422,
      code: 'form_password_pwned',
      paramName: 'password',
    });
  });

  it('setPasswordCompromised / unsetPasswordCompromised return the User; revokeAllSessions revokes', async () => {
    const user = await createUser(client);
    const session = await client.sessions.createSession({ userId: user.id });
    const marked = await client.users.setPasswordCompromised(user.id);
    assertResource(marked, 'user');
    assert.equal(marked.id, user.id);
    assert.equal((await client.sessions.getSession(session.id)).status, 'active');
    const cleared = await client.users.unsetPasswordCompromised(user.id);
    assertResource(cleared, 'user');
    assert.equal(cleared.id, user.id);
    await client.users.setPasswordCompromised(user.id, { revokeAllSessions: true });
    assert.equal((await client.sessions.getSession(session.id)).status, 'revoked');
    await expectApiError(client.users.setPasswordCompromised('user_2zzzzzzzzzzzzzzzzzzzzzzzzzz'), {
      status: 404,
      code: 'resource_not_found',
    });
  });
});

describe('ban / unban / lock / unlock', () => {
  it('bans and unbans', async () => {
    const user = await createUser(client);
    const banned = await client.users.banUser(user.id);
    assertResource(banned, 'user');
    assert.equal(banned.id, user.id);
    assert.equal(banned.banned, true);
    assert.equal((await client.users.getUser(user.id)).banned, true);
    const unbanned = await client.users.unbanUser(user.id);
    assert.equal(unbanned.banned, false);
    assert.equal((await client.users.getUser(user.id)).banned, false);
  });

  it('locks and unlocks', async () => {
    const user = await createUser(client);
    const locked = await client.users.lockUser(user.id);
    assertResource(locked, 'user');
    assert.equal(locked.locked, true);
    const remaining = locked.raw.lockout_expires_in_seconds;
    assert.ok(remaining === null || (Number.isInteger(remaining) && remaining > 0), `lockout_expires_in_seconds: ${remaining}`);
    assert.equal((await client.users.getUser(user.id)).locked, true);
    const unlocked = await client.users.unlockUser(user.id);
    assert.equal(unlocked.locked, false);
    assert.equal(unlocked.raw.lockout_expires_in_seconds, null);
    assert.equal((await client.users.getUser(user.id)).locked, false);
  });

  it('is 404 for an unknown user', async () => {
    await expectApiError(client.users.banUser('user_2zzzzzzzzzzzzzzzzzzzzzzzzzz'), { status: 404, code: 'resource_not_found' });
    await expectApiError(client.users.lockUser('user_2zzzzzzzzzzzzzzzzzzzzzzzzzz'), { status: 404, code: 'resource_not_found' });
  });
});

describe('users.deleteUser', () => {
  it('returns a DeletedObject and the user is gone', async () => {
    const email = uniqueEmail('delete');
    const user = await createUser(client, { emailAddress: [email] });
    const deleted = await client.users.deleteUser(user.id);
    assert.notEqual(typeof deleted, 'string');
    assert.equal(deleted.object, 'user');
    assert.equal(deleted.id, user.id);
    assert.equal(deleted.deleted, true);
    assert.equal(deleted.raw, undefined, 'a DeletedObject, not a User');

    await expectApiError(client.users.getUser(user.id), { status: 404, code: 'resource_not_found' });
    const list = await client.users.getUserList({ emailAddress: [email] });
    assert.deepEqual(list.data, []);
    assert.equal(list.totalCount, 0);
    await expectApiError(client.users.deleteUser(user.id), { status: 404, code: 'resource_not_found' });
  });

  it('frees the email address for a new user', async () => {
    const email = uniqueEmail('reuse');
    const first = await createUser(client, { emailAddress: [email] });
    await client.users.deleteUser(first.id);
    const second = await createUser(client, { emailAddress: [email] });
    assert.notEqual(second.id, first.id);
    assert.equal(second.emailAddresses[0].emailAddress, email);
  });
});
