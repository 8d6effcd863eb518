// Organization invitations through @clerk/backend's clerkClient.organizations.*: the
// OrganizationInvitation resources it builds and the errors it throws.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clerk, createUser, expectApiError, tag } from '../lib/usher.js';

const client = clerk();

describe('organization invitations', () => {
  it('creates, reads, lists and revokes', async () => {
    const admin = await createUser(client);
    const org = await client.organizations.createOrganization({ name: `Org ${tag()}`, createdBy: admin.id });
    const email = `${tag('inv')}@example.com`;
    const inv = await client.organizations.createOrganizationInvitation({
      organizationId: org.id,
      inviterUserId: admin.id,
      emailAddress: email,
      role: 'org:member',
      publicMetadata: { team: 'red' },
    });
    assert.match(inv.id, /^orginv_/);
    assert.equal(inv.emailAddress, email);
    assert.equal(inv.role, 'org:member');
    assert.equal(inv.organizationId, org.id);
    assert.equal(inv.status, 'pending');
    assert.deepEqual(inv.publicMetadata, { team: 'red' });
    assert.equal(typeof inv.expiresAt, 'number');

    const got = await client.organizations.getOrganizationInvitation({ organizationId: org.id, invitationId: inv.id });
    assert.equal(got.id, inv.id);

    const list = await client.organizations.getOrganizationInvitationList({ organizationId: org.id, status: ['pending'] });
    assert.equal(list.totalCount, 1);
    assert.equal(list.data[0].id, inv.id);

    const bulk = await client.organizations.createOrganizationInvitationBulk(org.id, [
      { emailAddress: `${tag('b1')}@example.com`, role: 'org:member' },
      { emailAddress: `${tag('b2')}@example.com`, role: 'org:admin' },
    ]);
    assert.equal(bulk.data.length, 2);

    const revoked = await client.organizations.revokeOrganizationInvitation({
      organizationId: org.id,
      invitationId: inv.id,
      requestingUserId: admin.id,
    });
    assert.equal(revoked.status, 'revoked');
    await expectApiError(
      client.organizations.revokeOrganizationInvitation({ organizationId: org.id, invitationId: inv.id }),
      { status: 400, code: 'organization_invitation_not_pending' },
    );
  });

  it('refuses a member, a malformed address, an unknown role and a second pending invitation', async () => {
    const admin = await createUser(client);
    const org = await client.organizations.createOrganization({ name: `Org ${tag()}`, createdBy: admin.id });
    const create = (emailAddress, role = 'org:member') =>
      client.organizations.createOrganizationInvitation({ organizationId: org.id, emailAddress, role });
    await expectApiError(create(admin.emailAddresses[0].emailAddress), { status: 400, code: 'already_a_member_in_organization' });
    await expectApiError(create('not-an-address'), { status: 422, code: 'form_param_format_invalid' });
    await expectApiError(create(`${tag('r')}@example.com`, 'org:owner'), { status: 422, code: 'form_param_value_invalid' });
    const email = `${tag('d')}@example.com`;
    await create(email);
    await expectApiError(create(email), { status: 400, code: 'duplicate_record' });
  });
});
