// Images in clerk-js 6's prebuilt UI (production instance): an organization's admin uploads a
// logo in <OrganizationProfile/> and a user a profile image in <UserProfile/>; clerk-js sends
// them as it sends them to Clerk (multipart `file`), Usher stores them, and the page shows the
// image Usher serves back (loaded by the browser, the same bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowArtifacts, step } from '../lib/browser.js';
import { backendClient, fileBrowser, newUser, signedInPage } from '../lib/scenario.js';
import { config, SKIP_WITHOUT_USHER, open } from '../lib/flows.js';

const art = flowArtifacts('85-images');

// A real 2×2 PNG, so the browser decodes it.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);

const browser = fileBrowser();

/** Whether an <img> showing `url` has loaded it (decoded, not broken). */
async function imageShown(page, url) {
  const img = page.locator(`img[src="${url}"]`).first();
  await img.waitFor({ timeout: 15_000 });
  return img.evaluate((el) => el.complete && el.naturalWidth > 0);
}

test('clerk-js 6: <OrganizationProfile/> uploads a logo and <UserProfile/> a profile image', { skip: SKIP_WITHOUT_USHER, timeout: 120_000 }, async () => {
  const inst = config().production;
  const clerk = backendClient(inst);
  const { email, user } = await newUser(clerk, 'images');
  const org = await clerk.organizations.createOrganization({ name: `Images ${Date.now().toString(36)}`, createdBy: user.id });

  const { context, page, ctx } = await signedInPage(browser, art, inst, email, 'images');
  try {

    let logoUrl;
    await step('images-logo', ctx, async () => {
      await open(page, inst, '/blank');
      await page.evaluate(async (id) => {
        await window.Clerk.setActive({ organization: id });
        window.Clerk.mountOrganizationProfile(document.getElementById('app'), { routing: 'hash' });
      }, org.id);
      await page.getByRole('button', { name: 'Update profile' }).first().click();
      const uploaded = page.waitForResponse((r) => /\/v1\/organizations\/[^/]+\/logo$/.test(new URL(r.url()).pathname), { timeout: 15_000 });
      await page.locator('input[type="file"]').first().setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
      const r = await uploaded;
      assert.equal(r.status(), 200, await r.text());
      const body = await r.json();
      assert.equal(body.response.has_image, true);
      logoUrl = body.response.image_url;
      assert.match(logoUrl, /\/v1\/images\/img_/);
    });
    await step('images-logo-shown', ctx, async () => {
      const read = await clerk.organizations.getOrganization({ organizationId: org.id });
      assert.equal(read.imageUrl, logoUrl);
      assert.ok(await imageShown(page, logoUrl), 'the page shows the logo Usher serves');
    });

    let avatarUrl;
    await step('images-avatar', ctx, async () => {
      await open(page, inst, '/blank');
      await page.evaluate(() => window.Clerk.mountUserProfile(document.getElementById('app'), { routing: 'hash' }));
      await page.getByRole('button', { name: 'Update profile' }).first().click();
      const uploaded = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/v1/me/profile_image'), { timeout: 15_000 });
      await page.locator('input[type="file"]').first().setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: PNG });
      const r = await uploaded;
      assert.equal(r.status(), 200, await r.text());
      const body = await r.json();
      assert.equal(body.response.object, 'image');
      avatarUrl = body.response.public_url;
    });
    await step('images-avatar-shown', ctx, async () => {
      const read = await clerk.users.getUser(user.id);
      assert.equal(read.hasImage, true);
      assert.equal(read.imageUrl, avatarUrl);
      assert.ok(await imageShown(page, avatarUrl), 'the page shows the profile image Usher serves');
    });
  } finally {
    await context.close();
  }
});
