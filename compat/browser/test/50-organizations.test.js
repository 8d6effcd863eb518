// Organizations in clerk-js 6 and clerk-js 5 (each against its own production instance, both
// started with --organizations true): a user who is an admin of one organization and a member of
// another, both made through @clerk/backend, signs in; `Clerk.setActive({organization})` makes each
// the active one in turn (Clerk.organization, the memberships in Clerk.user, and the `o` claim of
// the token getToken() mints), then the personal account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowArtifacts, step } from '../lib/browser.js';
import { backendClient, fileBrowser, organizationJoinedBy, signedInPage } from '../lib/scenario.js';
import {
  config, SKIP_WITHOUT_USHER, uniqueEmail, PASSWORD, decodeJwt, open,
} from '../lib/flows.js';

const art = flowArtifacts('50-organizations');

const browser = fileBrowser();

/** Two organizations for a new user through @clerk/backend: admin of one, member of the other. */
async function twoOrganizations(inst, email) {
  const clerk = backendClient(inst);
  const user = await clerk.users.createUser({ emailAddress: [email], password: PASSWORD });
  const suffix = Date.now().toString(36);
  const own = await clerk.organizations.createOrganization({ name: `Own ${suffix}`, createdBy: user.id });
  const joined = await organizationJoinedBy(clerk, user.id, `Joined ${suffix}`, 'org-owner');
  return { user, own, joined };
}

/**
 * `Clerk.setActive({organization})` (an id, or null for the personal account), then what clerk-js
 * holds: the active organization, the memberships, and the claims of a token getToken() minted.
 */
async function activate(page, organization) {
  const got = await page.evaluate(async (org) => {
    await window.Clerk.setActive({ organization: org });
    const token = await window.Clerk.session.getToken();
    const memberships = window.Clerk.user.organizationMemberships;
    return {
      organizationId: window.Clerk.organization?.id ?? null,
      lastActiveOrganizationId: window.Clerk.session.lastActiveOrganizationId ?? null,
      memberships: memberships.map((m) => ({ id: m.organization.id, role: m.role, permissions: m.permissions })),
      token,
    };
  }, organization);
  return { ...got, claims: decodeJwt(got.token) };
}

for (const which of ['production', 'clerk5']) {
  const label = which === 'clerk5' ? 'clerk-js 5' : 'clerk-js 6';
  test(`${label}: setActive({organization}) switches between two organizations and back to the personal account`, { skip: SKIP_WITHOUT_USHER, timeout: 120_000 }, async () => {
    const inst = config()[which];
    const email = uniqueEmail(`orgs-${which}`);
    const { user, own, joined } = await twoOrganizations(inst, email);
    const { context, page, ctx, ids } = await signedInPage(browser, art, inst, email, `${inst.clerkJs}-orgs`);
    try {
      assert.equal(ids.userId, user.id);

      const mine = await page.evaluate(() => window.Clerk.user.organizationMemberships.map((m) => m.organization.id).sort());
      assert.deepEqual(mine, [own.id, joined.id].sort(), 'Clerk.user holds both memberships from the client');

      const asAdmin = await step(`${inst.clerkJs}-orgs-activate-own`, ctx, () => activate(page, own.id));
      assert.equal(asAdmin.organizationId, own.id);
      assert.equal(asAdmin.lastActiveOrganizationId, own.id);
      assert.equal(asAdmin.memberships.length, 2);
      const adminMembership = asAdmin.memberships.find((m) => m.id === own.id);
      assert.equal(adminMembership.role, 'org:admin');
      assert.ok(adminMembership.permissions.includes('org:sys_memberships:manage'), JSON.stringify(adminMembership));
      assert.equal(asAdmin.claims.sid, ids.sessionId);
      assert.equal(asAdmin.claims.o?.id, own.id, JSON.stringify(asAdmin.claims));
      assert.equal(asAdmin.claims.o?.rol, 'admin');
      assert.equal(asAdmin.claims.o?.slg, own.slug);

      const asMember = await step(`${inst.clerkJs}-orgs-activate-joined`, ctx, () => activate(page, joined.id));
      assert.equal(asMember.organizationId, joined.id);
      assert.equal(asMember.memberships.length, 2);
      assert.equal(asMember.memberships.find((m) => m.id === joined.id).role, 'org:member');
      assert.equal(asMember.claims.o?.id, joined.id, JSON.stringify(asMember.claims));
      assert.equal(asMember.claims.o?.rol, 'member');

      const personal = await step(`${inst.clerkJs}-orgs-personal-account`, ctx, () => activate(page, null));
      assert.equal(personal.organizationId, null);
      assert.equal(personal.lastActiveOrganizationId, null);
      assert.equal(personal.memberships.length, 2);
      assert.equal(personal.claims.o, undefined, JSON.stringify(personal.claims));
      assert.equal(personal.claims.sub, user.id);

      // The server keeps the choice: an organization chosen survives a reload.
      await activate(page, joined.id);
      await step(`${inst.clerkJs}-orgs-reload`, ctx, () => open(page, inst, '/blank'));
      const reloaded = await page.evaluate(() => ({
        organizationId: window.Clerk.organization?.id ?? null,
        memberships: window.Clerk.user.organizationMemberships.length,
      }));
      assert.deepEqual(reloaded, { organizationId: joined.id, memberships: 2 });
    } finally {
      await context.close();
    }
  });
}
