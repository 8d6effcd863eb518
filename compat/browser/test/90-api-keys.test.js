// API keys in clerk-js 6's <APIKeys/> (production instance): a signed-in user opens the component,
// adds a key (clerk-js sends POST /api_keys through the /__clerk proxy with the session token as
// the bearer), sees the secret once, finds the key listed, and revokes it; the Backend API
// verifies the secret before the revocation and refuses it after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowArtifacts, step } from '../lib/browser.js';
import { backendClient, fileBrowser, newUser, signedInPage } from '../lib/scenario.js';
import { config, SKIP_WITHOUT_USHER, open } from '../lib/flows.js';

const art = flowArtifacts('90-api-keys');

const browser = fileBrowser();

const apiKeysPath = (r) => /\/api_keys(\/[^/]+\/revoke)?$/.test(new URL(r.url()).pathname);

test('clerk-js 6: <APIKeys/> adds a key, shows its secret once, lists and revokes it', { skip: SKIP_WITHOUT_USHER, timeout: 120_000 }, async () => {
  const inst = config().production;
  const clerk = backendClient(inst);
  const { email, user } = await newUser(clerk, 'api-keys');
  const name = `laptop ${Date.now().toString(36)}`;

  const { context, page, ctx } = await signedInPage(browser, art, inst, email, 'api-keys');
  try {

    await step('api-keys-mounted', ctx, async () => {
      await open(page, inst, '/blank');
      const listed = page.waitForResponse((r) => apiKeysPath(r) && r.request().method() === 'GET', { timeout: 20_000 });
      await page.evaluate(() => window.Clerk.mountAPIKeys(document.getElementById('app')));
      const r = await listed;
      assert.equal(r.status(), 200, await r.text());
      assert.equal(r.request().headers().authorization?.startsWith('Bearer '), true);
      assert.deepEqual(await r.json(), { data: [], total_count: 0 });
    });

    let created;
    await step('api-keys-create', ctx, async () => {
      await page.getByRole('button', { name: 'Add new key' }).first().click();
      const field = page.locator('input[name="name"]');
      await field.waitFor({ timeout: 15_000 });
      await field.fill(name);
      const posted = page.waitForResponse((r) => apiKeysPath(r) && r.request().method() === 'POST', { timeout: 15_000 });
      await page.getByRole('button', { name: 'Create key' }).first().click();
      const r = await posted;
      assert.equal(r.status(), 201, await r.text());
      created = await r.json();
      assert.equal(created.subject, user.id);
      assert.equal(created.created_by, user.id);
      assert.match(created.secret, /^ak_/);
    });

    await step('api-keys-secret-shown-once', ctx, async () => {
      await page.getByText(`Copy your "${name}" API Key now`).first().waitFor({ timeout: 15_000 });
      await page.getByRole('button', { name: 'Copy & Close' }).first().click();
      await page.getByText(name).first().waitFor({ timeout: 15_000 });
    });
    assert.equal((await clerk.apiKeys.verify(created.secret)).id, created.id);

    await step('api-keys-revoke', ctx, async () => {
      const row = page.locator('tr', { hasText: name }).first();
      await row.locator('.cl-menuButtonEllipsis, .cl-menuButton, button').last().click();
      await page.getByRole('menuitem', { name: 'Revoke key' }).first().click();
      const confirm = page.locator('input[name="apiKeyRevokeConfirmation"], input[type="text"]').last();
      await confirm.waitFor({ timeout: 15_000 });
      await confirm.fill('Revoke');
      const revoked = page.waitForResponse((r) => apiKeysPath(r) && /\/revoke$/.test(new URL(r.url()).pathname), { timeout: 15_000 });
      await page.getByRole('button', { name: 'Revoke key' }).last().click();
      const r = await revoked;
      assert.equal(r.status(), 200, await r.text());
      assert.equal((await r.json()).revoked, true);
    });
    await assert.rejects(clerk.apiKeys.verify(created.secret), (e) => e.status === 404);
  } finally {
    await context.close();
  }
});
