// Forced organization selection (instances (F) and (F5), started with --organizations true
// --force-organization-selection true): a password sign-in through <SignIn/> leaves a pending
// session with the `choose-organization` task; the task screen <SignIn/> routes to offers to create
// an organization (a user without one) or to choose one (a member); once done the session is
// active and the token getToken() mints carries the organization in `o`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowArtifacts, newContext, step, waitReady } from '../lib/browser.js';
import { backendClient, fileBrowser, organizationJoinedBy } from '../lib/scenario.js';
import {
  config, SKIP_WITHOUT_USHER, uniqueEmail, PASSWORD, decodeJwt, open, signInWithPassword,
} from '../lib/flows.js';

const art = flowArtifacts('60-choose-organization');

const browser = fileBrowser();

/** What clerk-js holds about the session while the task is pending. */
async function pendingState(page) {
  await page.waitForFunction(() => window.Clerk?.session?.status === 'pending', null, { timeout: 20_000 });
  return page.evaluate(() => ({
    status: Clerk.session.status,
    task: Clerk.session.currentTask?.key ?? null,
    isSignedIn: Clerk.isSignedIn,
    signedInSessions: Clerk.client.signedInSessions.length,
  }));
}

/** After the task: the active session, its organization and the claims of a fresh token. */
async function activeState(page) {
  await page.waitForFunction(() => window.Clerk?.session?.status === 'active', null, { timeout: 20_000 });
  await waitReady(page);
  const got = await page.evaluate(async () => ({
    status: Clerk.session.status,
    tasks: Clerk.session.tasks ?? null,
    organizationId: Clerk.organization?.id ?? null,
    isSignedIn: Clerk.isSignedIn,
    token: await Clerk.session.getToken({ skipCache: true }),
  }));
  return { ...got, claims: decodeJwt(got.token) };
}

const cases = [
  { which: 'forced', label: 'clerk-js 6', member: false },
  { which: 'forced5', label: 'clerk-js 5', member: true },
];

for (const { which, label, member } of cases) {
  const how = member ? 'chooses their organization' : 'creates an organization';
  test(`${label}: a forced instance's sign-in is pending until the user ${how} in the task screen`, { skip: SKIP_WITHOUT_USHER, timeout: 150_000 }, async () => {
    const inst = config()[which];
    const clerk = backendClient(inst);
    const email = uniqueEmail(`task-${which}`);
    const user = await clerk.users.createUser({ emailAddress: [email], password: PASSWORD });
    let org = null;
    if (member) {
      org = await organizationJoinedBy(clerk, user.id, `Chosen ${Date.now().toString(36)}`, 'task-owner');
    }
    const { context, exchanges } = await newContext(browser, art);
    const page = await context.newPage();
    const ctx = { page, art, exchanges };
    const tag = `${inst.clerkJs}-task`;
    try {
      await step(`${tag}-sign-in-page`, ctx, () => open(page, inst, '/sign-in'));
      await step(`${tag}-sign-in`, ctx, () => signInWithPassword(page, inst, email, PASSWORD));
      const pending = await step(`${tag}-pending`, ctx, () => pendingState(page));
      assert.equal(pending.status, 'pending');
      assert.equal(pending.task, 'choose-organization');
      assert.equal(pending.isSignedIn, false, 'a pending session is not signed in for clerk-js');
      assert.equal(pending.signedInSessions, 1, 'but it counts among the signed-in sessions');

      if (member) {
        // The choose screen lists the membership: picking it activates it.
        const choice = page.getByText(org.name, { exact: true }).first();
        await step(`${tag}-choose-screen`, ctx, () => choice.waitFor({ state: 'visible', timeout: 20_000 }));
        await step(`${tag}-chosen`, ctx, () => choice.click());
      } else {
        const name = page.locator('input[name=name]');
        await step(`${tag}-create-screen`, ctx, () => name.waitFor({ state: 'visible', timeout: 20_000 }));
        await name.fill('Task Co');
        const created = page.waitForResponse(
          (r) => r.request().method() === 'POST' && /\/v1\/organizations$/.test(new URL(r.url()).pathname),
          { timeout: 15_000 },
        );
        await step(`${tag}-create-submitted`, ctx, () => page.locator('.cl-formButtonPrimary').first().click());
        // The page may navigate on before the body can be read: the organization is read back
        // through the Backend API, as the user's one membership, its admin.
        assert.equal((await created).status(), 200);
        const { data } = await clerk.users.getOrganizationMembershipList({ userId: user.id });
        assert.equal(data.length, 1);
        assert.equal(data[0].organization.name, 'Task Co');
        assert.equal(data[0].role, 'org:admin');
        org = data[0].organization;
      }

      const active = await step(`${tag}-active`, ctx, () => activeState(page));
      assert.equal(active.status, 'active');
      assert.equal(active.tasks, null);
      assert.equal(active.isSignedIn, true);
      assert.equal(active.organizationId, org.id);
      assert.equal(active.claims.sts, 'active', JSON.stringify(active.claims));
      assert.equal(active.claims.o?.id, org.id, JSON.stringify(active.claims));
      assert.equal(active.claims.sub, user.id);

      const session = await clerk.sessions.getSession(active.claims.sid);
      assert.equal(session.status, 'active');
      assert.equal(session.lastActiveOrganizationId, org.id);
    } finally {
      await context.close();
    }
  });
}
