// Organization domains in clerk-js 6's <OrganizationProfile/> (production instance, started with
// --organization-domains true): an organization's admin adds a domain under "Verified domains",
// enters an address at it, types the code Usher emailed there, and the domain is verified (as
// clerk-js and the Backend API then read it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowArtifacts, step } from '../lib/browser.js';
import { backendClient, fileBrowser, newUser, signedInPage } from '../lib/scenario.js';
import { config, SKIP_WITHOUT_USHER, open, submit, typeOtp } from '../lib/flows.js';
import { bapi } from '../../lib/bapi.mjs';
import { nextEmailedCode } from '../../lib/mail.mjs';

const art = flowArtifacts('80-organization-domains');

const browser = fileBrowser();

test('clerk-js 6: <OrganizationProfile/> adds a domain and verifies it with the emailed code', { skip: SKIP_WITHOUT_USHER, timeout: 120_000 }, async () => {
  const inst = config().production;
  const clerk = backendClient(inst);
  const { email, user } = await newUser(clerk, 'org-domains');
  const suffix = Date.now().toString(36);
  const org = await clerk.organizations.createOrganization({ name: `Domains ${suffix}`, createdBy: user.id });
  const domain = `domains-${suffix}.test`;
  const affiliate = `admin@${domain}`;

  const { context, page, ctx } = await signedInPage(browser, art, inst, email, 'domains');
  try {
    await step('domains-profile', ctx, async () => {
      await open(page, inst, '/blank');
      await page.evaluate(async (id) => {
        await window.Clerk.setActive({ organization: id });
        window.Clerk.mountOrganizationProfile(document.getElementById('app'), { routing: 'hash' });
      }, org.id);
      await page.getByText('Verified domains').first().waitFor({ timeout: 15_000 });
    });

    await step('domains-add', ctx, async () => {
      await page.getByRole('button', { name: 'Add domain' }).first().click();
      const name = page.locator('input[name="name"]');
      await name.waitFor({ timeout: 15_000 });
      await name.fill(domain);
      const r = await submit(page, name, /\/v1\/organizations\/[^/]+\/domains$/);
      assert.equal(r.status(), 200, await r.text());
    });

    await step('domains-affiliation-address', ctx, async () => {
      const address = page.locator('input[name="affiliationEmailAddress"]');
      await address.waitFor({ timeout: 15_000 });
      await address.fill('admin');
      const r = await submit(page, address, /\/prepare_affiliation_verification$/);
      assert.equal(r.status(), 200, await r.text());
      const body = await r.json();
      assert.equal(body.response.affiliation_email_address, affiliate);
      assert.equal(body.response.affiliation_verification.status, 'unverified');
    });

    const { code } = await nextEmailedCode(bapi(inst), affiliate);

    await step('domains-code', ctx, async () => {
      const attempted = page.waitForResponse((r) => /\/attempt_affiliation_verification$/.test(new URL(r.url()).pathname), { timeout: 15_000 });
      await typeOtp(page, code);
      const r = await attempted;
      assert.equal(r.status(), 200, await r.text());
      const body = await r.json();
      assert.equal(body.response.affiliation_verification.status, 'verified');
      assert.equal(body.response.affiliation_verification.strategy, 'email_code');
      // The UI then closes the form: its next step reads the domain from useFetch's cache, a
      // copy taken before the code was checked (the same with Clerk's own server).
      await page.getByRole('button', { name: 'Add domain' }).first().waitFor({ timeout: 15_000 });
    });
    await step('domains-listed-verified', ctx, async () => {
      await open(page, inst, '/blank');
      await page.evaluate(() => window.Clerk.mountOrganizationProfile(document.getElementById('app'), { routing: 'hash' }));
      await page.getByText(domain).first().waitFor({ timeout: 15_000 });
      assert.equal(await page.getByText('Unverified').count(), 0, 'the domain is listed as verified');
    });

    const seen = await page.evaluate(async () => {
      const { data } = await window.Clerk.organization.getDomains();
      return data.map((d) => ({ name: d.name, status: d.verification?.status, strategy: d.verification?.strategy }));
    });
    assert.deepEqual(seen, [{ name: domain, status: 'verified', strategy: 'email_code' }]);
    const listed = await bapi(inst).get(`/v1/organizations/${org.id}/domains?verified=true`);
    assert.equal(listed.total_count, 1, JSON.stringify(listed));
    assert.equal(listed.data[0].name, domain);
  } finally {
    await context.close();
  }
});
