// User metadata through @clerk/backend: PATCH deep merge with null deletes,
// PUT replace, and the deprecated updateUser({publicMetadata}) path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { assertResource, clerk, createUser, expectApiError } from '../lib/usher.js';

const client = clerk();

async function seeded() {
  return createUser(client, {
    publicMetadata: { plan: 'pro', keepMe: 1, someKey: { nestedCamel: 1, toDelete: true } },
    privateMetadata: { secretThing: 'x', deep: { a: 1, b: 2, inner: { x: 1 } } },
    unsafeMetadata: { theme: 'dark' },
  });
}

describe('users.updateUserMetadata (PATCH, deep merge)', () => {
  it('merges nested objects, deletes keys set to null, keeps untouched kinds', async () => {
    const user = await seeded();
    const updated = await client.users.updateUserMetadata(user.id, {
      publicMetadata: { plan: null, someKey: { toDelete: null, addedCamelKey: 'v' }, newTopKey: [1, 2] },
      privateMetadata: { deep: { b: null, c: 3, inner: { y: 2 } } },
    });
    assertResource(updated, 'user');
    const expectedPublic = { keepMe: 1, someKey: { nestedCamel: 1, addedCamelKey: 'v' }, newTopKey: [1, 2] };
    const expectedPrivate = { secretThing: 'x', deep: { a: 1, c: 3, inner: { x: 1, y: 2 } } };
    assert.deepEqual(updated.publicMetadata, expectedPublic);
    assert.deepEqual(updated.privateMetadata, expectedPrivate);
    assert.deepEqual(updated.unsafeMetadata, { theme: 'dark' });

    const fetched = await client.users.getUser(user.id);
    assert.deepEqual(fetched.publicMetadata, expectedPublic);
    assert.deepEqual(fetched.privateMetadata, expectedPrivate);
    assert.deepEqual(fetched.unsafeMetadata, { theme: 'dark' });
  });

  it('replaces arrays and scalars instead of merging them', async () => {
    const user = await createUser(client, { publicMetadata: { list: [1, 2, 3], value: { was: 'object' } } });
    const updated = await client.users.updateUserMetadata(user.id, { publicMetadata: { list: [4], value: 'scalar' } });
    assert.deepEqual(updated.publicMetadata, { list: [4], value: 'scalar' });
  });

  it('updates unsafe metadata too', async () => {
    const user = await seeded();
    const updated = await client.users.updateUserMetadata(user.id, { unsafeMetadata: { theme: null, fontSize: 14 } });
    assert.deepEqual(updated.unsafeMetadata, { fontSize: 14 });
    assert.deepEqual(updated.publicMetadata, user.publicMetadata);
    assert.deepEqual(updated.privateMetadata, user.privateMetadata);
  });

  it('is 404 for an unknown user', async () => {
    await expectApiError(client.users.updateUserMetadata('user_2zzzzzzzzzzzzzzzzzzzzzzzzzz', { publicMetadata: { a: 1 } }), {
      status: 404,
      code: 'resource_not_found',
    });
  });
});

describe('users.replaceUserMetadata (PUT)', () => {
  it('replaces a provided kind in full and leaves omitted kinds alone', async () => {
    const user = await seeded();
    const replaced = await client.users.replaceUserMetadata(user.id, { publicMetadata: { onlyKey: { camelCase: true } } });
    assertResource(replaced, 'user');
    assert.deepEqual(replaced.publicMetadata, { onlyKey: { camelCase: true } });
    assert.deepEqual(replaced.privateMetadata, user.privateMetadata);
    assert.deepEqual(replaced.unsafeMetadata, user.unsafeMetadata);
    assert.deepEqual((await client.users.getUser(user.id)).publicMetadata, { onlyKey: { camelCase: true } });
  });

  it('clears a kind with {}', async () => {
    const user = await seeded();
    const replaced = await client.users.replaceUserMetadata(user.id, { privateMetadata: {} });
    assert.deepEqual(replaced.privateMetadata, {});
    assert.deepEqual(replaced.publicMetadata, user.publicMetadata);
    assert.deepEqual((await client.users.getUser(user.id)).privateMetadata, {});
  });
});

describe('users.updateUser with metadata (deprecated form: PATCH then PUT)', () => {
  it('sets the profile fields and replaces the metadata', async () => {
    const user = await seeded();
    const updated = await client.users.updateUser(user.id, {
      firstName: 'Meta',
      publicMetadata: { replacedBy: 'updateUser' },
    });
    assert.equal(updated.firstName, 'Meta');
    assert.deepEqual(updated.publicMetadata, { replacedBy: 'updateUser' });
    const fetched = await client.users.getUser(user.id);
    assert.equal(fetched.firstName, 'Meta');
    assert.deepEqual(fetched.publicMetadata, { replacedBy: 'updateUser' });
    assert.deepEqual(fetched.privateMetadata, user.privateMetadata);
  });
});
