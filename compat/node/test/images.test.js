// Organization logos and user profile images through @clerk/backend: the SDK sends the file as a
// Blob or File in FormData; Usher stores it and serves it at the image_url it returns, byte for
// byte, from its Frontend API.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clerk, createUser, expectApiError, tag } from '../lib/usher.js';

const client = clerk();

// A real 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
const SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';

async function served(url) {
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function assertServed(url, bytes, contentType) {
  const s = await served(url);
  assert.equal(s.status, 200, url);
  assert.deepEqual(s.bytes, bytes);
  assert.equal(s.headers.get('content-type'), contentType);
  assert.equal(s.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(s.headers.get('content-security-policy'), "default-src 'none'");
}

describe('images', () => {
  it('uploads, replaces and deletes an organization logo', async () => {
    const owner = await createUser(client);
    const org = await client.organizations.createOrganization({ name: `Logo ${tag()}`, createdBy: owner.id });
    assert.equal(org.hasImage, false);
    const defaultImage = org.imageUrl;

    const withLogo = await client.organizations.updateOrganizationLogo(org.id, {
      file: new Blob([PNG], { type: 'image/png' }),
      uploaderUserId: owner.id,
    });
    assert.match(withLogo.constructor.name, /^_?Organization$/);
    assert.equal(withLogo.hasImage, true);
    assert.match(withLogo.imageUrl, /\/v1\/images\/img_/);
    await assertServed(withLogo.imageUrl, PNG, 'image/png');
    const read = await client.organizations.getOrganization({ organizationId: org.id });
    assert.equal(read.imageUrl, withLogo.imageUrl);

    // A File, as a browser form gives it; the old image is gone with the change.
    const replaced = await client.organizations.updateOrganizationLogo(org.id, {
      file: new File([GIF], 'logo.gif', { type: 'image/gif' }),
    });
    assert.notEqual(replaced.imageUrl, withLogo.imageUrl);
    await assertServed(replaced.imageUrl, GIF, 'image/gif');
    assert.equal((await served(withLogo.imageUrl)).status, 404);

    const cleared = await client.organizations.deleteOrganizationLogo(org.id);
    assert.equal(cleared.hasImage, false);
    assert.equal(cleared.imageUrl, defaultImage);
    assert.equal((await served(replaced.imageUrl)).status, 404);
  });

  it('refuses what is not a PNG, JPEG, GIF or WebP image', async () => {
    const org = await client.organizations.createOrganization({ name: `Bad ${tag()}` });
    await expectApiError(
      client.organizations.updateOrganizationLogo(org.id, { file: new Blob([SVG], { type: 'image/svg+xml' }) }),
      { status: 400, code: 'form_param_format_invalid' },
    );
    // The content type a client claims is not believed.
    await expectApiError(
      client.organizations.updateOrganizationLogo(org.id, { file: new Blob(['plain text'], { type: 'image/png' }) }),
      { status: 400, code: 'form_param_format_invalid' },
    );
    await expectApiError(
      client.organizations.updateOrganizationLogo(org.id, { file: new Blob([], { type: 'image/png' }) }),
      { status: 400, code: 'form_param_format_invalid' },
    );
    const big = Buffer.alloc(10 * 1024 * 1024 + 1);
    PNG.copy(big);
    await expectApiError(
      client.organizations.updateOrganizationLogo(org.id, { file: new Blob([big], { type: 'image/png' }) }),
      { status: 413 },
    );
    await expectApiError(
      client.organizations.updateOrganizationLogo('org_2x9ZzUnknownUnknownUnknown0', {
        file: new Blob([PNG], { type: 'image/png' }),
      }),
      { status: 404, code: 'resource_not_found' },
    );
    const still = await client.organizations.getOrganization({ organizationId: org.id });
    assert.equal(still.hasImage, false);
  });

  it("sets and deletes a user's profile image", async () => {
    const user = await createUser(client);
    assert.equal(user.hasImage, false);
    const updated = await client.users.updateUserProfileImage(user.id, {
      file: new Blob([PNG], { type: 'image/png' }),
    });
    assert.match(updated.constructor.name, /^_?User$/);
    assert.equal(updated.hasImage, true);
    assert.match(updated.imageUrl, /\/v1\/images\/img_/);
    await assertServed(updated.imageUrl, PNG, 'image/png');
    assert.equal((await client.users.getUser(user.id)).imageUrl, updated.imageUrl);

    await expectApiError(
      client.users.updateUserProfileImage(user.id, { file: new Blob([SVG], { type: 'image/svg+xml' }) }),
      { status: 400, code: 'form_param_format_invalid' },
    );

    const cleared = await client.users.deleteUserProfileImage(user.id);
    assert.equal(cleared.hasImage, false);
    assert.equal((await served(updated.imageUrl)).status, 404);
  });
});
