// Redirect URLs and the waitlist through @clerk/backend: clerkClient.redirectUrls.* (create,
// get, list, delete, with Clerk's errors for a duplicate and a URL that is not one) and
// clerkClient.waitlistEntries.* (create, createBulk, list with its filters, invite, reject,
// delete), as the SDK's RedirectUrl and WaitlistEntry resources.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clerk, expectApiError, tag } from '../lib/usher.js';

const client = clerk();

describe('redirect URLs', () => {
  it('registers, reads, lists and deletes a redirect URL', async () => {
    const url = `${tag('app')}://oauth-callback`;
    const made = await client.redirectUrls.createRedirectUrl({ url });
    assert.match(made.id, /^ru_/);
    assert.equal(made.url, url);
    assert.equal(typeof made.createdAt, 'number');
    assert.equal(made.updatedAt, made.createdAt);

    await expectApiError(client.redirectUrls.createRedirectUrl({ url }), { status: 400, code: 'duplicate_record' });
    await expectApiError(client.redirectUrls.createRedirectUrl({ url: 'javascript:alert(1)' }), {
      status: 422,
      code: 'form_param_format_invalid',
      paramName: 'url',
    });

    const got = await client.redirectUrls.getRedirectUrl(made.id);
    assert.deepEqual(got, made);
    const list = await client.redirectUrls.getRedirectUrlList();
    assert.ok(list.totalCount >= 1);
    assert.ok(list.data.some((r) => r.id === made.id && r.url === url));

    const deleted = await client.redirectUrls.deleteRedirectUrl(made.id);
    assert.equal(deleted.id, made.id);
    await expectApiError(client.redirectUrls.getRedirectUrl(made.id), { status: 404, code: 'resource_not_found' });
  });
});

describe('waitlist entries', () => {
  it('adds, lists, invites, rejects and deletes entries', async () => {
    const t = tag('wl');
    const email = `${t}-a@example.com`;
    const entry = await client.waitlistEntries.create({ emailAddress: email, notify: false });
    assert.match(entry.id, /^wle_/);
    assert.equal(entry.emailAddress, email);
    assert.equal(entry.status, 'pending');
    assert.equal(entry.isLocked, false);
    assert.equal(entry.invitation, null);
    const again = await client.waitlistEntries.create({ emailAddress: email.toUpperCase() });
    assert.equal(again.id, entry.id);

    const bulk = await client.waitlistEntries.createBulk([
      { emailAddress: `${t}-b@example.com` },
      { emailAddress: `${t}-c@example.com`, notify: false },
    ]);
    assert.equal(bulk.length, 2);
    const [b, c] = bulk;

    const listed = await client.waitlistEntries.list({ query: t, orderBy: '+email_address' });
    assert.equal(listed.totalCount, 3);
    assert.deepEqual(
      listed.data.map((e) => e.emailAddress),
      [email, `${t}-b@example.com`, `${t}-c@example.com`],
    );

    const invited = await client.waitlistEntries.invite(entry.id);
    assert.equal(invited.status, 'invited');
    assert.equal(invited.invitation.status, 'pending');
    assert.equal(invited.invitation.emailAddress, email);
    await expectApiError(client.waitlistEntries.invite(entry.id), { status: 409, code: 'waitlist_entry_not_actionable' });
    const pending = await client.waitlistEntries.list({ query: t, status: 'pending' });
    assert.deepEqual(pending.data.map((e) => e.id).sort(), [b.id, c.id].sort());

    const rejected = await client.waitlistEntries.reject(b.id);
    assert.equal(rejected.status, 'rejected');
    await expectApiError(client.waitlistEntries.delete(b.id), { status: 409, code: 'waitlist_entry_not_actionable' });
    const deleted = await client.waitlistEntries.delete(c.id);
    assert.equal(deleted.id, c.id);
    assert.equal(deleted.deleted, true);
    await expectApiError(client.waitlistEntries.delete(c.id), { status: 404, code: 'resource_not_found' });
  });
});
