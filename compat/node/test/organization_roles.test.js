// Organization roles and permissions through @clerk/backend's organizationRoles and
// organizationPermissions APIs: create, read, list (query, order, paging), update, assign and
// remove permissions, delete, and Clerk's errors for built-in and duplicate keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { assertRecentMs, clerk, expectApiError, tag } from '../lib/usher.js';

const client = clerk();
const roles = client.organizationRoles;
const perms = client.organizationPermissions;

const feature = () => tag('f').toLowerCase().replace(/[^a-z0-9_]/g, '_');

describe('organizationPermissions', () => {
  it('creates, reads, lists, updates and deletes a permission', async () => {
    const f = feature();
    const p = await perms.createOrganizationPermission({
      name: 'Read invoices',
      key: `org:${f}:read`,
      description: 'May read invoices',
    });
    assert.ok(p.id.startsWith('perm_'));
    assert.equal(p.key, `org:${f}:read`);
    assert.equal(p.description, 'May read invoices');
    assertRecentMs(p.createdAt, 'createdAt');

    assert.equal((await perms.getOrganizationPermission(p.id)).name, 'Read invoices');

    const listed = await perms.getOrganizationPermissionList({ query: f, orderBy: 'key', limit: 5 });
    assert.equal(listed.totalCount, 1);
    assert.equal(listed.data[0].id, p.id);

    const all = await perms.getOrganizationPermissionList({ limit: 500 });
    assert.ok(all.data.some((x) => x.key === 'org:sys_memberships:manage'));

    const updated = await perms.updateOrganizationPermission({
      permissionId: p.id,
      name: 'Read all invoices',
    });
    assert.equal(updated.name, 'Read all invoices');
    assert.equal(updated.key, p.key);

    await expectApiError(
      perms.createOrganizationPermission({ name: 'Again', key: p.key }),
      { status: 400, code: 'duplicate_record' },
    );
    await expectApiError(
      perms.createOrganizationPermission({ name: 'Sys', key: 'org:sys_profile:manage' }),
      { status: 422, code: 'form_param_value_invalid', paramName: 'key' },
    );

    const deleted = await perms.deleteOrganizationPermission(p.id);
    assert.equal(deleted.id, p.id);
    assert.equal(deleted.deleted, true);
    await expectApiError(perms.getOrganizationPermission(p.id), { status: 404, code: 'resource_not_found' });
  });

  it('refuses to change or delete a system permission', async () => {
    const sys = (await perms.getOrganizationPermissionList({ query: 'org:sys_profile:delete' })).data[0];
    assert.equal(sys.key, 'org:sys_profile:delete');
    await expectApiError(perms.updateOrganizationPermission({ permissionId: sys.id, name: 'x' }), {
      status: 403,
    });
    await expectApiError(perms.deleteOrganizationPermission(sys.id), { status: 403 });
  });
});

describe('organizationRoles', () => {
  it('creates a role with permissions, assigns and removes one, updates and deletes it', async () => {
    const f = feature();
    const read = await perms.createOrganizationPermission({ name: 'Read', key: `org:${f}:read` });
    const write = await perms.createOrganizationPermission({ name: 'Write', key: `org:${f}:write` });

    const role = await roles.createOrganizationRole({
      name: 'Billing',
      key: `org:${f}`,
      description: 'Pays the bills',
      permissions: [read.id],
      includeInInitialRoleSet: true,
    });
    assert.ok(role.id.startsWith('role_'));
    assert.equal(role.key, `org:${f}`);
    assert.equal(role.description, 'Pays the bills');
    assert.equal(role.isCreatorEligible, false);
    assert.deepEqual(role.permissions.map((p) => p.key), [read.key]);

    assert.equal((await roles.getOrganizationRole(role.id)).name, 'Billing');

    const withWrite = await roles.assignPermissionToOrganizationRole({
      organizationRoleId: role.id,
      permissionId: write.id,
    });
    assert.deepEqual(withWrite.permissions.map((p) => p.key).sort(), [read.key, write.key].sort());
    await expectApiError(
      roles.assignPermissionToOrganizationRole({ organizationRoleId: role.id, permissionId: write.id }),
      { status: 409, code: 'duplicate_record' },
    );
    const withoutRead = await roles.removePermissionFromOrganizationRole({
      organizationRoleId: role.id,
      permissionId: read.id,
    });
    assert.deepEqual(withoutRead.permissions.map((p) => p.key), [write.key]);

    const updated = await roles.updateOrganizationRole({
      organizationRoleId: role.id,
      name: 'Billing team',
      description: null,
      permissions: [read.id, write.id],
    });
    assert.equal(updated.name, 'Billing team');
    assert.equal(updated.description, null);
    assert.equal(updated.permissions.length, 2);

    const listed = await roles.getOrganizationRoleList({ query: f, orderBy: '-created_at' });
    assert.equal(listed.totalCount, 1);
    assert.equal(listed.data[0].id, role.id);

    await expectApiError(roles.createOrganizationRole({ name: 'Again', key: `org:${f}` }), {
      status: 400,
      code: 'duplicate_record',
    });

    const deleted = await roles.deleteOrganizationRole(role.id);
    assert.equal(deleted.id, role.id);
    assert.equal(deleted.deleted, true);
    await expectApiError(roles.getOrganizationRole(role.id), { status: 404, code: 'resource_not_found' });
  });

  it('lists the system roles and refuses to change them', async () => {
    const list = await roles.getOrganizationRoleList({ query: 'org:admin' });
    const admin = list.data.find((r) => r.key === 'org:admin');
    assert.ok(admin, JSON.stringify(list));
    assert.equal(admin.isCreatorEligible, true);
    assert.ok(admin.permissions.some((p) => p.key === 'org:sys_memberships:manage'));
    await expectApiError(roles.updateOrganizationRole({ organizationRoleId: admin.id, name: 'Boss' }), {
      status: 403,
    });
    await expectApiError(roles.deleteOrganizationRole(admin.id), { status: 403 });
  });
});
