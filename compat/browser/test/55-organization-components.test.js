// clerk-js's organization components, driven as a user drives them, with clerk-js 6 (@clerk/ui)
// on the production and on the development instance (dev-browser mode), and with clerk-js 5 (its
// UI built in) on its own production instance: a user who is a member of one organization (made
// through @clerk/backend) signs in, then
//  1. <CreateOrganization/>: names a new organization; it exists with the user as its admin and
//     is the active one;
//  2. <OrganizationSwitcher/>: switches to the other organization and to the personal account
//     (Clerk.organization and the `o` claim of the token getToken() mints follow), and back;
//  3. <OrganizationProfile/>'s members page: invites an address with a role (a second time is
//     refused, the form naming the address); the emailed link's
//     `__clerk_ticket`, opened in a second browser on a page with <SignUp/>, signs the invitee up;
//     the invitee is listed as a member, made an admin, then removed (each read back through
//     @clerk/backend);
//  4. <OrganizationList/>: lists both memberships; choosing one makes it active.
// One sign-in and one browser context per instance; the invitee's context is the second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowArtifacts, newContext, step, waitReady } from '../lib/browser.js';
import { backendClient, fileBrowser, organizationJoinedBy, signedInPage } from '../lib/scenario.js';
import { bapi } from '../lib/usher.js';
import {
  config, SKIP_WITHOUT_USHER, uniqueEmail, PASSWORD, decodeJwt, open, waitSignedIn, uiError,
} from '../lib/flows.js';

const art = flowArtifacts('55-organization-components');

const browser = fileBrowser();

/** What clerk-js holds after a choice: the active organization and the `o` claim of a fresh token. */
async function active(page) {
  const got = await page.evaluate(async () => ({
    organizationId: window.Clerk.organization?.id ?? null,
    token: await window.Clerk.session.getToken(),
  }));
  return { organizationId: got.organizationId, o: decodeJwt(got.token).o };
}

/** Waits until clerk-js's active organization is `id` (null: the personal account). */
async function activeBecomes(page, id, timeout = 15_000) {
  await page.waitForFunction((want) => (window.Clerk?.organization?.id ?? null) === want, id, { timeout });
}

/** Runs `act` and waits for the Frontend API request it sends (`method`, a path matching `re`). */
async function sending(page, method, re, act, timeout = 15_000) {
  const answered = page.waitForResponse(
    (r) => {
      const url = new URL(r.url());
      const sent = url.searchParams.get('_method') || r.request().method();
      return sent === method && re.test(url.pathname);
    },
    { timeout },
  );
  await act();
  const res = await answered;
  // The body is gone once the page navigates away (as <CreateOrganization/> does): null then.
  const text = await res.text().catch(() => null);
  assert.ok(res.status() < 400, `${method} ${res.url()} → ${res.status()}: ${text}`);
  return text === null ? null : JSON.parse(text);
}

/** The emailed invitation's link, once it is in the Backend API's /v1/emails. */
async function invitationLink(inst, address, timeoutMs = 8000) {
  const api = bapi(inst);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mail = ((await api.emails(address)).data || []).find((e) => e.slug === 'organization_invitation');
    if (mail) {
      const link = mail.body_plain.match(/https?:\/\/\S*__clerk_ticket=[^\s&]+\S*/)?.[0];
      assert.ok(link, `a link with __clerk_ticket in the invitation email: ${mail.body_plain}`);
      return new URL(link);
    }
    if (Date.now() > deadline) throw new Error(`no invitation email to ${address}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The suggestions <OrganizationList/> waits for are served (they come with membership requests). */
async function suggestionsServed(page) {
  return page.evaluate(async () => {
    try {
      await window.Clerk.user.getOrganizationSuggestions();
      return true;
    } catch (e) {
      return !(e?.status === 404 || /not found/i.test(String(e?.message)));
    }
  });
}

for (const which of ['production', 'development', 'clerk5']) {
  const label = { production: 'clerk-js 6', development: 'clerk-js 6, development instance', clerk5: 'clerk-js 5' }[which];
  test(`${label}: <CreateOrganization/>, <OrganizationSwitcher/>, <OrganizationProfile/> members and invitations, <OrganizationList/>`, { skip: SKIP_WITHOUT_USHER, timeout: 180_000 }, async (t) => {
    const inst = config()[which];
    const clerk = backendClient(inst);
    // On the development instance a `+clerk_test` address confirms a new device with 424242.
    const email = uniqueEmail(`orgui-${which}`, which === 'development' ? '+clerk_test' : '');
    const user = await clerk.users.createUser({ emailAddress: [email], password: PASSWORD });
    const suffix = Date.now().toString(36);
    const joined = await organizationJoinedBy(clerk, user.id, `Joined ${suffix}`, 'orgui-owner');

    const v = `${inst.clerkJs}${which === 'development' ? '-dev' : ''}`;
    const { context, page, ctx } = await signedInPage(browser, art, inst, email, `${v}-orgui`);
    let invitee;
    try {

      // 1. <CreateOrganization/>: the name typed, the slug derived by the form, submitted.
      const name = `Made Here ${suffix}`;
      await step(`${v}-orgui-create-page`, ctx, () => open(page, inst, '/create-organization'));
      await step(`${v}-orgui-create-submitted`, ctx, async () => {
        await page.locator('input[name=name]').fill(name);
        await sending(page, 'POST', /\/v1\/organizations$/, () => page.locator('.cl-formButtonPrimary').click());
        await page.waitForURL((u) => new URL(u).pathname === '/blank', { timeout: 15_000 });
        await waitReady(page);
      });
      // Found through @clerk/backend: the user's memberships now include one named as typed.
      const mine = await clerk.users.getOrganizationMembershipList({ userId: user.id });
      const created = mine.data.map((m) => m.organization).find((o) => o.name === name);
      assert.ok(created, `an organization named ${name} among ${JSON.stringify(mine.data.map((m) => m.organization.name))}`);
      assert.match(created.slug, /^made-here-/, 'the slug the form derived from the name');
      const createdMembers = await clerk.organizations.getOrganizationMembershipList({ organizationId: created.id });
      assert.deepEqual(createdMembers.data.map((m) => [m.publicUserData.userId, m.role]), [[user.id, 'org:admin']]);
      const afterCreate = await active(page);
      assert.equal(afterCreate.organizationId, created.id, 'the new organization is the active one');
      assert.equal(afterCreate.o?.id, created.id);
      assert.equal(afterCreate.o?.rol, 'admin');

      // 2. <OrganizationSwitcher/>: to the joined organization, to the personal account, back.
      await step(`${v}-orgui-switcher-page`, ctx, () => open(page, inst, '/organization-switcher'));
      const trigger = page.locator('.cl-organizationSwitcherTrigger');
      const choose = async (text) => {
        await trigger.click();
        await page.locator('.cl-organizationSwitcherPreviewButton', { hasText: text }).first().click();
      };
      await step(`${v}-orgui-switch-to-joined`, ctx, async () => {
        await assert.doesNotReject(trigger.filter({ hasText: name }).waitFor({ timeout: 10_000 }));
        await choose(joined.name);
        await activeBecomes(page, joined.id);
      });
      const toJoined = await active(page);
      assert.equal(toJoined.o?.id, joined.id, JSON.stringify(toJoined));
      assert.equal(toJoined.o?.rol, 'member');
      await step(`${v}-orgui-switch-to-personal`, ctx, async () => {
        await trigger.filter({ hasText: joined.name }).waitFor({ timeout: 10_000 });
        await choose('Personal account');
        await activeBecomes(page, null);
      });
      const toPersonal = await active(page);
      assert.equal(toPersonal.o, undefined, JSON.stringify(toPersonal));
      await step(`${v}-orgui-switch-back`, ctx, async () => {
        await choose(name);
        await activeBecomes(page, created.id);
      });
      assert.equal((await active(page)).o?.id, created.id);

      // 3. <OrganizationProfile/>'s members page: an invitation by email with the Member role.
      invitee = uniqueEmail(`orgui-invitee-${which}`);
      await step(`${v}-orgui-members-page`, ctx, async () => {
        await open(page, inst, '/organization-profile#/organization-members');
        await page.locator('.cl-membersPageInviteButton').waitFor({ timeout: 15_000 });
      });
      const inviteForm = async (address) => {
        const input = page.locator('.cl-tagInputContainer input').first();
        // Invite toggles the form; a click while the previous form still folds away can miss.
        for (let tries = 0; !(await input.isVisible()); tries++) {
          if (tries === 3) throw new Error('the invite form did not open');
          await page.locator('.cl-membersPageInviteButton').click();
          await input.waitFor({ state: 'visible', timeout: 3000 }).catch(() => {});
        }
        await input.fill(address);
        await input.press('Enter');
        await page.locator('.cl-selectButton').filter({ hasText: /role/i }).first().click();
        await page.locator('.cl-selectOption', { hasText: /^Member$/ }).first().click();
      };
      const invited = await step(`${v}-orgui-invite`, ctx, async () => {
        await inviteForm(invitee);
        return sending(page, 'POST', /\/invitations\/bulk$/, () => page.locator('.cl-formButtonPrimary').click());
      });
      assert.deepEqual(invited.response.map((i) => [i.email_address, i.role, i.status]), [[invitee, 'org:member', 'pending']]);
      // The same address again: refused, and the form names it (from the error's meta).
      await step(`${v}-orgui-invite-again-refused`, ctx, async () => {
        await page.locator('.cl-formButtonPrimary', { hasText: /finish/i }).click();
        await page.locator('.cl-formButtonPrimary', { hasText: /finish/i }).waitFor({ state: 'detached', timeout: 10_000 });
        await inviteForm(invitee);
        const refused = page.waitForResponse((r) => /\/invitations\/bulk$/.test(new URL(r.url()).pathname));
        await page.locator('.cl-formButtonPrimary').click();
        assert.equal((await refused).status(), 400);
        await uiError(page).filter({ hasText: invitee }).waitFor({ timeout: 10_000 });
      });
      const link = await invitationLink(inst, invitee);
      const ticket = link.searchParams.get('__clerk_ticket');
      assert.ok(ticket, link.href);

      // The invitee opens the link's ticket on the app's sign-up page in a browser of their own.
      const second = await newContext(browser, art);
      try {
        const p2 = await second.context.newPage();
        const ctx2 = { page: p2, art, exchanges: second.exchanges };
        const status = link.searchParams.get('__clerk_status') || 'sign_up';
        await step(`${v}-orgui-invitee-sign-up-page`, ctx2, () => open(p2, inst, `/sign-up?__clerk_ticket=${encodeURIComponent(ticket)}&__clerk_status=${status}`));
        const ids = await step(`${v}-orgui-invitee-signed-up`, ctx2, async () => {
          const pw = p2.locator('input[name=password]');
          await pw.waitFor({ state: 'visible', timeout: 15_000 });
          await pw.fill(PASSWORD);
          await pw.press('Enter');
          return waitSignedIn(p2);
        });
        const inviteeUser = await clerk.users.getUser(ids.userId);
        assert.equal(inviteeUser.primaryEmailAddress?.emailAddress, invitee);
        invitee = { email: invitee, id: ids.userId };
      } finally {
        await second.context.close();
      }
      const membersNow = await clerk.organizations.getOrganizationMembershipList({ organizationId: created.id });
      assert.deepEqual(
        membersNow.data.map((m) => [m.publicUserData.userId, m.role]).sort(),
        [[user.id, 'org:admin'], [invitee.id, 'org:member']].sort(),
      );

      // The first user's members list shows the invitee; the role is changed there, then removed.
      await step(`${v}-orgui-members-listed`, ctx, async () => {
        // A reload (the page is already there, so going to it again would only move the hash).
        await page.reload();
        await waitReady(page);
        await page.locator('.cl-tableRow', { hasText: invitee.email }).waitFor({ timeout: 15_000 });
      });
      const row = page.locator('.cl-tableRow', { hasText: invitee.email });
      await step(`${v}-orgui-role-changed`, ctx, () => sending(page, 'PATCH', new RegExp(`/memberships/${invitee.id}$`), async () => {
        await row.locator('.cl-selectButton').click();
        await page.locator('.cl-selectOption', { hasText: /^Admin$/ }).first().click();
      }));
      const promoted = await clerk.organizations.getOrganizationMembershipList({ organizationId: created.id });
      assert.equal(promoted.data.find((m) => m.publicUserData.userId === invitee.id)?.role, 'org:admin');
      await step(`${v}-orgui-removed`, ctx, async () => {
        await sending(page, 'DELETE', new RegExp(`/memberships/${invitee.id}$`), async () => {
          await row.locator('.cl-menuButtonEllipsis, .cl-menuButton').first().click();
          await page.locator('.cl-menuItem', { hasText: /remove/i }).first().click();
        });
        await row.waitFor({ state: 'detached', timeout: 10_000 });
      });
      const remaining = await clerk.organizations.getOrganizationMembershipList({ organizationId: created.id });
      assert.deepEqual(remaining.data.map((m) => m.publicUserData.userId), [user.id]);

      // 4. <OrganizationList/>: both memberships listed; choosing one activates it.
      await t.test('<OrganizationList/>', async (t4) => {
      await step(`${v}-orgui-list-page`, ctx, () => open(page, inst, '/organization-list'));
      if (!(await suggestionsServed(page))) {
        t4.skip('<OrganizationList/> waits for GET /v1/me/organization_suggestions, which this server does not serve yet');
        return;
      }
      await step(`${v}-orgui-list-chosen`, ctx, async () => {
        const items = page.locator('.cl-organizationListPreviewButton');
        await items.filter({ hasText: name }).waitFor({ timeout: 15_000 });
        await items.filter({ hasText: joined.name }).first().click();
        await page.waitForURL((u) => new URL(u).pathname === '/blank', { timeout: 15_000 });
        await waitReady(page);
      });
      const listed = await active(page);
      assert.equal(listed.organizationId, joined.id);
      assert.equal(listed.o?.id, joined.id);
      });
    } finally {
      await context.close();
    }
  });
}
