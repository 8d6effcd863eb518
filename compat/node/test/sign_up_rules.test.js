// Who may sign up, through @clerk/backend's clerkClient.invitations.*: instance invitations
// created (one and in bulk), listed by status and text, and revoked, as the SDK's Invitation
// resources, with Clerk's errors for a duplicate and a second revocation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clerk, expectApiError, tag } from '../lib/usher.js';

const client = clerk();

describe('invitations', () => {
  it('creates, lists and revokes an invitation', async () => {
    const email = `${tag('inv')}@example.com`;
    const inv = await client.invitations.createInvitation({
      emailAddress: email,
      publicMetadata: { plan: 'pro' },
      redirectUrl: 'http://localhost:3000/accept',
      expiresInDays: 7,
    });
    assert.match(inv.id, /^inv_/);
    assert.equal(inv.emailAddress, email);
    assert.equal(inv.status, 'pending');
    assert.equal(inv.revoked, false);
    assert.deepEqual(inv.publicMetadata, { plan: 'pro' });
    assert.match(inv.url, /^http:\/\/localhost:3000\/accept\?__clerk_ticket=[0-9a-f]+&__clerk_status=sign_up$/);
    assert.equal(typeof inv.createdAt, 'number');

    await expectApiError(client.invitations.createInvitation({ emailAddress: email }), {
      status: 400,
      code: 'duplicate_record',
    });
    const again = await client.invitations.createInvitation({ emailAddress: email, ignoreExisting: true, notify: false });
    assert.notEqual(again.id, inv.id);

    const list = await client.invitations.getInvitationList({ query: email, status: 'pending' });
    assert.equal(list.totalCount, 2);
    assert.deepEqual(list.data.map((i) => i.id).sort(), [inv.id, again.id].sort());
    assert.equal(list.data[0].url, null, 'the link is shown only when created');

    const revoked = await client.invitations.revokeInvitation(inv.id);
    assert.equal(revoked.status, 'revoked');
    assert.equal(revoked.revoked, true);
    await expectApiError(client.invitations.revokeInvitation(inv.id), { status: 400 });
    const gone = await client.invitations.getInvitationList({ query: email, status: 'revoked' });
    assert.deepEqual(gone.data.map((i) => i.id), [inv.id]);
  });

  it('creates invitations in bulk, all or none', async () => {
    const a = `${tag('bulk')}@example.com`;
    const b = `${tag('bulk')}@example.com`;
    const made = await client.invitations.createInvitationBulk([
      { emailAddress: a, notify: false },
      { emailAddress: b, notify: false },
    ]);
    assert.deepEqual(made.map((i) => i.emailAddress), [a, b]);
    const c = `${tag('bulk')}@example.com`;
    await expectApiError(
      client.invitations.createInvitationBulk([{ emailAddress: c }, { emailAddress: a }]),
      { status: 400, code: 'duplicate_record' },
    );
    const none = await client.invitations.getInvitationList({ query: c });
    assert.equal(none.totalCount, 0);
  });
});

describe('allowlist and blocklist identifiers', () => {
  it('adds, lists and deletes entries on each list', async () => {
    const email = `${tag('vip')}@example.com`;
    const allowed = await client.allowlistIdentifiers.createAllowlistIdentifier({ identifier: email, notify: false });
    assert.match(allowed.id, /^alid_/);
    assert.equal(allowed.identifier, email);
    assert.equal(allowed.identifierType, 'email_address');
    const allList = await client.allowlistIdentifiers.getAllowlistIdentifierList();
    assert.ok(allList.data.some((e) => e.id === allowed.id));
    assert.equal(allList.totalCount, allList.data.length);
    await expectApiError(client.allowlistIdentifiers.createAllowlistIdentifier({ identifier: email }), {
      status: 400,
      code: 'duplicate_record',
    });

    const domain = `*@${tag('blocked')}.test`;
    const blocked = await client.blocklistIdentifiers.createBlocklistIdentifier({ identifier: domain });
    assert.match(blocked.id, /^blid_/);
    assert.equal(blocked.identifier, domain);
    const blockList = await client.blocklistIdentifiers.getBlocklistIdentifierList();
    assert.ok(blockList.data.some((e) => e.id === blocked.id));

    const del = await client.allowlistIdentifiers.deleteAllowlistIdentifier(allowed.id);
    assert.equal(del.deleted, true);
    await client.blocklistIdentifiers.deleteBlocklistIdentifier(blocked.id);
    await expectApiError(client.blocklistIdentifiers.deleteBlocklistIdentifier(blocked.id), {
      status: 404,
      code: 'resource_not_found',
    });
  });

  it('turns the restrictions on and off', async () => {
    try {
      const on = await client.instance.updateRestrictions({ blocklist: true, blockEmailSubaddresses: true });
      assert.equal(on.blocklist, true);
      assert.equal(on.blockEmailSubaddresses, true);
      assert.equal(on.allowlist, false);
    } finally {
      const off = await client.instance.updateRestrictions({ blocklist: false, blockEmailSubaddresses: false });
      assert.equal(off.blocklist, false);
    }
  });
});
