// Organizations and memberships through @clerk/backend's clerkClient.organizations.* and
// users.getOrganizationMembershipList: the resources it builds and the errors it throws.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clerk, createUser, expectApiError, tag } from '../lib/usher.js';

const client = clerk();

async function newOrg(params = {}) {
  return client.organizations.createOrganization({ name: `Org ${tag()}`, ...params });
}

describe('organizations', () => {
  it('creates, reads by id and slug, lists, updates and deletes', async () => {
    const owner = await createUser(client, { firstName: 'Olive' });
    const slug = tag('acme');
    const org = await client.organizations.createOrganization({
      name: 'Acme Corp',
      slug,
      createdBy: owner.id,
      maxAllowedMemberships: 10,
      publicMetadata: { plan: 'pro' },
      privateMetadata: { crm: 1 },
    });
    assert.match(org.constructor.name, /^_?Organization$/);
    assert.match(org.id, /^org_/);
    assert.equal(org.name, 'Acme Corp');
    assert.equal(org.slug, slug);
    assert.equal(org.maxAllowedMemberships, 10);
    assert.equal(org.adminDeleteEnabled, true);
    assert.equal(org.hasImage, false);
    assert.equal(typeof org.imageUrl, 'string');
    assert.equal(org.createdBy, owner.id);
    assert.deepEqual(org.publicMetadata, { plan: 'pro' });
    assert.deepEqual(org.privateMetadata, { crm: 1 });
    assert.equal(org.membersCount, 1);
    assert.equal(typeof org.createdAt, 'number');

    const byId = await client.organizations.getOrganization({ organizationId: org.id, includeMembersCount: true });
    assert.equal(byId.id, org.id);
    assert.equal(byId.membersCount, 1);
    const bySlug = await client.organizations.getOrganization({ slug });
    assert.equal(bySlug.id, org.id);

    const list = await client.organizations.getOrganizationList({ query: slug, limit: 5 });
    assert.equal(list.totalCount, 1);
    assert.equal(list.data[0].id, org.id);
    assert.match(list.data[0].constructor.name, /^_?Organization$/);

    const updated = await client.organizations.updateOrganization(org.id, { name: 'Acme Inc', adminDeleteEnabled: false });
    assert.equal(updated.name, 'Acme Inc');
    assert.equal(updated.adminDeleteEnabled, false);

    const merged = await client.organizations.updateOrganizationMetadata(org.id, {
      publicMetadata: { plan: null, seats: 3 },
    });
    assert.deepEqual(merged.publicMetadata, { seats: 3 });
    assert.deepEqual(merged.privateMetadata, { crm: 1 });

    const deleted = await client.organizations.deleteOrganization(org.id);
    assert.equal(deleted.id, org.id);
    assert.equal(deleted.deleted, true);
    await expectApiError(client.organizations.getOrganization({ organizationId: org.id }), {
      status: 404,
      code: 'resource_not_found',
    });
  });

  it('refuses a taken slug and an invalid one', async () => {
    const slug = tag('taken');
    await newOrg({ slug });
    await expectApiError(newOrg({ slug }), { status: 422, code: 'form_identifier_exists', paramName: 'slug' });
    await expectApiError(newOrg({ slug: 'not a slug' }), {
      status: 422,
      code: 'form_param_format_invalid',
      paramName: 'slug',
    });
    await expectApiError(client.organizations.createOrganization({}), {
      status: 422,
      code: 'form_param_missing',
      paramName: 'name',
    });
  });
});

describe('organization memberships', () => {
  it('adds, lists, updates, merges metadata and removes members', async () => {
    const owner = await createUser(client, { firstName: 'Ann' });
    const member = await createUser(client, { firstName: 'Ben' });
    const org = await newOrg({ createdBy: owner.id });

    const m = await client.organizations.createOrganizationMembership({
      organizationId: org.id,
      userId: member.id,
      role: 'org:member',
    });
    assert.match(m.constructor.name, /^_?OrganizationMembership$/);
    assert.match(m.id, /^orgmem_/);
    assert.equal(m.role, 'org:member');
    assert.ok(Array.isArray(m.permissions));
    assert.equal(m.organization.id, org.id);
    assert.equal(m.publicUserData.userId, member.id);
    assert.equal(m.publicUserData.identifier, member.emailAddresses[0].emailAddress);

    await expectApiError(
      client.organizations.createOrganizationMembership({ organizationId: org.id, userId: member.id, role: 'org:member' }),
      { status: 400, code: 'already_a_member_in_organization' },
    );

    const list = await client.organizations.getOrganizationMembershipList({
      organizationId: org.id,
      limit: 10,
      offset: 0,
      orderBy: '-created_at',
    });
    assert.equal(list.totalCount, 2);
    assert.deepEqual(
      list.data.map((x) => x.publicUserData.userId),
      [member.id, owner.id],
    );

    const promoted = await client.organizations.updateOrganizationMembership({
      organizationId: org.id,
      userId: member.id,
      role: 'org:admin',
    });
    assert.equal(promoted.role, 'org:admin');

    const meta = await client.organizations.updateOrganizationMembershipMetadata({
      organizationId: org.id,
      userId: member.id,
      publicMetadata: { team: 'red' },
      privateMetadata: { note: 'x' },
    });
    assert.deepEqual(meta.publicMetadata, { team: 'red' });
    assert.deepEqual(meta.privateMetadata, { note: 'x' });

    const ofMember = await client.users.getOrganizationMembershipList({ userId: member.id, limit: 3 });
    assert.equal(ofMember.totalCount, 1);
    assert.equal(ofMember.data[0].organization.id, org.id);

    const removed = await client.organizations.deleteOrganizationMembership({ organizationId: org.id, userId: owner.id });
    assert.equal(removed.publicUserData.userId, owner.id);
    await expectApiError(
      client.organizations.deleteOrganizationMembership({ organizationId: org.id, userId: owner.id }),
      { status: 404, code: 'resource_not_found' },
    );
  });

  it('keeps the last admin and the membership limit', async () => {
    const owner = await createUser(client);
    const other = await createUser(client);
    const org = await newOrg({ createdBy: owner.id, maxAllowedMemberships: 1 });
    await expectApiError(
      client.organizations.updateOrganizationMembership({ organizationId: org.id, userId: owner.id, role: 'org:member' }),
      { status: 403, code: 'organization_minimum_permissions_needed' },
    );
    await expectApiError(
      client.organizations.deleteOrganizationMembership({ organizationId: org.id, userId: owner.id }),
      { status: 403, code: 'organization_minimum_permissions_needed' },
    );
    await expectApiError(
      client.organizations.createOrganizationMembership({ organizationId: org.id, userId: other.id, role: 'org:member' }),
      { status: 403, code: 'organization_membership_quota_exceeded' },
    );
    await expectApiError(
      client.organizations.createOrganizationMembership({ organizationId: org.id, userId: other.id, role: 'org:owner' }),
      { status: 422, code: 'form_param_value_invalid', paramName: 'role' },
    );
  });
});
