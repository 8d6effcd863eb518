// Role sets through @clerk/backend's roleSets API: create, read by key and id, list, update, add
// roles, replace a role (members move), replace a set (organizations move), and Clerk's errors.
// No set here is `initial`, so organizations the other tests create are tied to none.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clerk, expectApiError, tag } from '../lib/usher.js';

const client = clerk();
const sets = client.roleSets;

const word = () => tag('s').toLowerCase().replace(/[^a-z0-9_]/g, '_');

describe('roleSets', () => {
  it('creates, reads, lists, updates and extends a role set', async () => {
    const w = word();
    const support = await client.organizationRoles.createOrganizationRole({ name: 'Support', key: `org:${w}` });
    const key = `role_set:${w}`;
    const set = await sets.createRoleSet({
      name: 'Support teams',
      key,
      defaultRoleKey: 'org:member',
      creatorRoleKey: 'org:admin',
      roles: ['org:admin', 'org:member'],
    });
    assert.ok(set.id.startsWith('rs_'));
    assert.equal(set.key, key);
    assert.equal(set.type, 'custom');
    assert.deepEqual(
      set.roles.map((r) => r.key),
      ['org:admin', 'org:member'],
    );
    assert.equal(set.defaultRole.key, 'org:member');
    assert.equal(set.creatorRole.key, 'org:admin');

    assert.equal((await sets.getRoleSet(set.id)).key, key);
    assert.equal((await sets.getRoleSet(key)).id, set.id);
    const listed = await sets.getRoleSetList({ query: w, orderBy: '-created_at' });
    assert.equal(listed.totalCount, 1);

    const renamed = await sets.updateRoleSet({ roleSetKeyOrId: key, name: 'Support' });
    assert.equal(renamed.name, 'Support');
    const added = await sets.addRolesToRoleSet({ roleSetKeyOrId: key, roleKeys: [support.key] });
    assert.deepEqual(
      added.roles.map((r) => r.key),
      ['org:admin', 'org:member', support.key],
    );

    await expectApiError(
      sets.createRoleSet({ name: 'Again', key, defaultRoleKey: 'org:admin', creatorRoleKey: 'org:admin', roles: ['org:admin'] }),
      { status: 400, code: 'duplicate_record' },
    );
    await expectApiError(sets.getRoleSet(`role_set:${w}_none`), { status: 404, code: 'resource_not_found' });
  });

  it('limits an organization to its set and moves members and organizations on replacement', async () => {
    const w = word();
    const support = await client.organizationRoles.createOrganizationRole({ name: 'Support', key: `org:${w}` });
    const from = await sets.createRoleSet({
      name: 'From',
      key: `role_set:${w}_from`,
      defaultRoleKey: 'org:member',
      creatorRoleKey: 'org:admin',
      roles: ['org:admin', 'org:member', support.key],
    });
    const to = await sets.createRoleSet({
      name: 'To',
      key: `role_set:${w}_to`,
      defaultRoleKey: 'org:member',
      creatorRoleKey: 'org:admin',
      roles: ['org:admin', 'org:member'],
    });
    const org = await client.organizations.createOrganization({ name: `Sets ${w}`, roleSetKey: from.key });
    const user = await client.users.createUser({ emailAddress: [`${w}@example.com`], skipPasswordRequirement: true });
    await expectApiError(
      client.organizations.createOrganizationMembership({ organizationId: org.id, userId: user.id, role: 'org:elsewhere' }),
      { status: 422 },
    );
    await client.organizations.createOrganizationMembership({ organizationId: org.id, userId: user.id, role: support.key });

    const replaced = await sets.replaceRoleInRoleSet({ roleSetKeyOrId: from.key, roleKey: support.key, toRoleKey: 'org:member' });
    assert.deepEqual(
      replaced.roles.map((r) => r.key),
      ['org:admin', 'org:member'],
    );
    const roleOf = async () =>
      (await client.organizations.getOrganizationMembershipList({ organizationId: org.id })).data.find(
        (m) => m.publicUserData.userId === user.id,
      ).role;
    assert.equal(await roleOf(), 'org:member');

    const gone = await sets.replaceRoleSet({ roleSetKeyOrId: from.key, destRoleSetKey: to.key });
    assert.equal(gone.deleted, true);
    await expectApiError(sets.getRoleSet(from.id), { status: 404, code: 'resource_not_found' });
    const moved = await client.organizations.getOrganization({ organizationId: org.id });
    // @clerk/backend's Organization has no roleSetKey field: read the JSON it keeps.
    assert.equal(moved.raw.role_set_key, to.key);
  });
});
