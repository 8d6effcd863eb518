// Email addresses and phone numbers through @clerk/backend: emailAddresses.* and phoneNumbers.*
// end to end (create, get, update, delete), with Clerk's errors for a taken identifier and for
// the user's last identification; the user read back through the SDK.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clerk, createUser, expectApiError, tag, uniqueEmail } from '../lib/usher.js';

const client = clerk();

/** A fresh number in a range no test-mode rule touches (+1 415 7xx xxxx). */
function uniqueNumber() {
  const n = Math.floor(Math.random() * 10_000_000)
    .toString()
    .padStart(7, '0');
  return `+1415${n}`;
}

describe('emailAddresses', () => {
  it('creates, reads, verifies, makes primary and deletes an address', async () => {
    const user = await createUser(client);
    const address = uniqueEmail('second');
    const created = await client.emailAddresses.createEmailAddress({
      userId: user.id,
      emailAddress: address,
    });
    assert.match(created.id, /^idn_/);
    assert.equal(created.emailAddress, address);
    assert.equal(created.verification, null, 'no verification until one is made');

    const got = await client.emailAddresses.getEmailAddress(created.id);
    assert.equal(got.id, created.id);

    const updated = await client.emailAddresses.updateEmailAddress(created.id, {
      verified: true,
      primary: true,
    });
    assert.equal(updated.verification.status, 'verified');
    const reread = await client.users.getUser(user.id);
    assert.equal(reread.primaryEmailAddressId, created.id);
    assert.equal(reread.emailAddresses.length, 2);

    const deleted = await client.emailAddresses.deleteEmailAddress(created.id);
    assert.equal(deleted.id, created.id);
    assert.equal(deleted.deleted, true);
    const after = await client.users.getUser(user.id);
    assert.equal(after.emailAddresses.length, 1);
    assert.equal(after.primaryEmailAddressId, after.emailAddresses[0].id, 'the primary passed on');
    await expectApiError(client.emailAddresses.getEmailAddress(created.id), {
      status: 404,
      code: 'resource_not_found',
    });
  });

  it('refuses an address another user has, and the last identification', async () => {
    const owner = await createUser(client);
    const other = await createUser(client);
    await expectApiError(
      client.emailAddresses.createEmailAddress({
        userId: other.id,
        emailAddress: owner.emailAddresses[0].emailAddress.toUpperCase(),
      }),
      { status: 422, code: 'form_identifier_exists', paramName: 'email_address' },
    );
    await expectApiError(client.emailAddresses.deleteEmailAddress(owner.emailAddresses[0].id), {
      status: 400,
      code: 'identification_deletion_failed',
    });
    await expectApiError(
      client.emailAddresses.createEmailAddress({ userId: owner.id, emailAddress: `not-an-address-${tag()}` }),
      { status: 422, code: 'form_param_format_invalid' },
    );
  });
});

describe('phoneNumbers', () => {
  it('creates, reads, reserves for a second factor and deletes a number', async () => {
    const user = await createUser(client);
    const number = uniqueNumber();
    const created = await client.phoneNumbers.createPhoneNumber({
      userId: user.id,
      phoneNumber: number,
      verified: true,
    });
    assert.match(created.id, /^idn_/);
    assert.equal(created.phoneNumber, number);
    assert.equal(created.verification.status, 'verified');
    assert.equal(created.reservedForSecondFactor, false);
    assert.equal((await client.users.getUser(user.id)).primaryPhoneNumberId, created.id);

    const got = await client.phoneNumbers.getPhoneNumber(created.id);
    assert.equal(got.phoneNumber, number);

    const updated = await client.phoneNumbers.updatePhoneNumber(created.id, {
      reservedForSecondFactor: true,
    });
    assert.equal(updated.reservedForSecondFactor, true);
    assert.equal(updated.defaultSecondFactor, true);
    // A number kept for a second factor turns two-factor sign-in on (phone_code).
    assert.equal((await client.users.getUser(user.id)).twoFactorEnabled, true);

    const other = await createUser(client);
    await expectApiError(client.phoneNumbers.createPhoneNumber({ userId: other.id, phoneNumber: number }), {
      status: 422,
      code: 'form_identifier_exists',
      paramName: 'phone_number',
    });

    const deleted = await client.phoneNumbers.deletePhoneNumber(created.id);
    assert.equal(deleted.deleted, true);
    const after = await client.users.getUser(user.id);
    assert.equal(after.phoneNumbers.length, 0);
    assert.equal(after.twoFactorEnabled, false);
    await expectApiError(client.phoneNumbers.getPhoneNumber(created.id), { status: 404, code: 'resource_not_found' });
  });
});
