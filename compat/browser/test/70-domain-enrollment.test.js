// Enrollment by verified domain in clerk-js 6 (production instance, --organizations true): an
// organization made through @clerk/backend verifies a domain in automatic_suggestion mode; a user
// created at that domain signs in and finds the suggestion with
// `Clerk.user.getOrganizationSuggestions()`, accepts it (`suggestion.accept()`); the organization's
// admin signs in, makes it the active organization and finds the request with
// `Clerk.organization.getMembershipRequests()`, accepts it (`request.accept()`); the user is then a
// member with the default role, as @clerk/backend reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowArtifacts, step } from '../lib/browser.js';
import { backendClient, fileBrowser, newUser, signedInPage } from '../lib/scenario.js';
import { config, SKIP_WITHOUT_USHER, PASSWORD } from '../lib/flows.js';

const art = flowArtifacts('70-domain-enrollment');

const browser = fileBrowser();

/** Signs `email` in on a fresh page; runs `fn(page)` there. */
async function signedIn(inst, email, label, fn) {
  const { context, page, ctx } = await signedInPage(browser, art, inst, email, label);
  try {
    return await step(`${label}-flow`, ctx, () => fn(page));
  } finally {
    await context.close();
  }
}

test('clerk-js 6: a suggestion accepted by the user, then the request accepted by an admin', { skip: SKIP_WITHOUT_USHER, timeout: 120_000 }, async () => {
  const inst = config().production;
  const clerk = backendClient(inst);
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
  const domainName = `enroll-${suffix}.test`;
  const { email: adminEmail, user: admin } = await newUser(clerk, 'enroll-admin');
  const org = await clerk.organizations.createOrganization({ name: `Enroll ${suffix}`, createdBy: admin.id });
  await clerk.organizations.createOrganizationDomain({
    organizationId: org.id,
    name: domainName,
    enrollmentMode: 'automatic_suggestion',
    verified: true,
  });
  const joinerEmail = `joiner@${domainName}`;
  const joiner = await clerk.users.createUser({ emailAddress: [joinerEmail], password: PASSWORD });

  const asJoiner = await signedIn(inst, joinerEmail, 'enroll-joiner', (page) => page.evaluate(async () => {
    const list = await window.Clerk.user.getOrganizationSuggestions({ status: ['pending', 'accepted'] });
    const s = list.data[0];
    const before = { total: list.total_count ?? list.totalCount, status: s.status, org: s.publicOrganizationData.id, name: s.publicOrganizationData.name };
    const accepted = await s.accept();
    const after = await window.Clerk.user.getOrganizationSuggestions({ status: 'accepted' });
    return { before, acceptedStatus: accepted.status, acceptedTotal: after.total_count ?? after.totalCount };
  }));
  assert.deepEqual(asJoiner.before, { total: 1, status: 'pending', org: org.id, name: org.name });
  assert.equal(asJoiner.acceptedStatus, 'accepted');
  assert.equal(asJoiner.acceptedTotal, 1);

  const asAdmin = await signedIn(inst, adminEmail, 'enroll-admin', (page) => page.evaluate(async (orgId) => {
    await window.Clerk.setActive({ organization: orgId });
    const list = await window.Clerk.organization.getMembershipRequests({ status: 'pending' });
    const r = list.data[0];
    const before = { total: list.total_count ?? list.totalCount, status: r.status, userId: r.publicUserData.userId, organizationId: r.organizationId };
    const accepted = await r.accept();
    const pending = await window.Clerk.organization.getMembershipRequests({ status: 'pending' });
    return { before, acceptedStatus: accepted.status, pendingAfter: pending.total_count ?? pending.totalCount };
  }, org.id));
  assert.deepEqual(asAdmin.before, { total: 1, status: 'pending', userId: joiner.id, organizationId: org.id });
  assert.equal(asAdmin.acceptedStatus, 'accepted');
  assert.equal(asAdmin.pendingAfter, 0);

  const members = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id });
  const joined = members.data.find((m) => m.publicUserData?.userId === joiner.id);
  assert.ok(joined, JSON.stringify(members.data.map((m) => m.publicUserData?.userId)));
  assert.equal(joined.role, 'org:member');
});
