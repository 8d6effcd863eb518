// Restricted sign-up on (R) (`sign_up_mode: restricted` through PATCH /v1/instance/settings),
// in clerk-js 6: <SignUp/> shows a stranger Clerk's "Access restricted" card instead of the form,
// and a sign-up made round it through clerk-js's API is refused (403 sign_up_mode_restricted),
// making no user; an invitation made with @clerk/backend's createInvitation (redirect to the app's
// /sign-up) opens <SignUp/> with its ticket, and the invited address signs up with a password.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClerkClient } from '@clerk/backend';
import { launchBrowser, flowArtifacts, newContext, step, waitReady } from '../lib/browser.js';
import { bapi } from '../lib/usher.js';
import { config, SKIP_WITHOUT_USHER, uniqueEmail, PASSWORD, open, waitSignedIn } from '../lib/flows.js';

const inst = config()?.restricted;
const art = flowArtifacts('97-restricted-sign-up');
let browser;

before(async () => {
  if (!inst) return;
  await bapi(inst).call('PATCH', '/v1/instance/settings', { sign_up_mode: 'restricted' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

test('clerk-js 6: restricted sign-up refuses a stranger in <SignUp/>', { skip: SKIP_WITHOUT_USHER, timeout: 90_000 }, async () => {
  const stranger = uniqueEmail('browser-stranger');
  const { context, exchanges } = await newContext(browser, art);
  const page = await context.newPage();
  const ctx = { page, art, exchanges };
  try {
    await step('stranger-sign-up-page', ctx, () => open(page, inst, '/sign-up'));
    const env = exchanges.find((e) => e.path.includes('/v1/environment') && e.status === 200)?.response;
    assert.equal(env?.user_settings?.sign_up?.mode, 'restricted', 'the environment tells clerk-js');
    // <SignUp/> shows Clerk's restricted-access card instead of the form.
    await step('stranger-refused-card', ctx, async () => {
      await page.getByText(/Access restricted/i).first().waitFor({ state: 'visible', timeout: 15_000 });
      await page.getByText(/Sign ups are currently disabled/i).first().waitFor({ state: 'visible', timeout: 5_000 });
      assert.equal(await page.locator('input[name=emailAddress]').count(), 0, 'no sign-up form');
    });
    // The same refusal from the server, for a stranger who goes round the card with clerk-js's API.
    const refused = await page.evaluate(async ([emailAddress, password]) => {
      try {
        await window.Clerk.client.signUp.create({ emailAddress, password });
        return null;
      } catch (e) {
        return { status: e.status, code: e.errors?.[0]?.code, message: e.errors?.[0]?.longMessage };
      }
    }, [stranger, PASSWORD]);
    assert.deepEqual(refused, {
      status: 403,
      code: 'sign_up_mode_restricted',
      message: 'Sign-ups are restricted to invited users on this application.',
    });
    const users = await bapi(inst).get(`/v1/users?email_address=${encodeURIComponent(stranger)}`);
    assert.equal(users.length ?? users.data?.length, 0, 'no user for the stranger');
  } finally {
    await context.close();
  }
});

test('clerk-js 6: an invitation from @clerk/backend signs the invited address up', { skip: SKIP_WITHOUT_USHER, timeout: 90_000 }, async () => {
  const invited = uniqueEmail('browser-invited');
  const clerk = createClerkClient({ secretKey: inst.secretKey, apiUrl: inst.apiUrl });
  const invitation = await clerk.invitations.createInvitation({ emailAddress: invited, redirectUrl: `${inst.appUrl}/sign-up`, notify: false });
  assert.equal(invitation.status, 'pending');
  const url = new URL(invitation.url);
  assert.equal(url.origin + url.pathname, `${inst.appUrl}/sign-up`, invitation.url);
  assert.ok(url.searchParams.get('__clerk_ticket'), invitation.url);
  const { context, exchanges } = await newContext(browser, art);
  const page = await context.newPage();
  const ctx = { page, art, exchanges };
  try {
    await step('invited-sign-up-page', ctx, async () => {
      await page.goto(invitation.url);
      await waitReady(page);
    });
    const ids = await step('invited-signed-up', ctx, async () => {
      const pw = page.locator('input[name=password]');
      await pw.waitFor({ state: 'visible', timeout: 15_000 });
      await pw.fill(PASSWORD);
      await pw.press('Enter');
      return waitSignedIn(page, 30_000);
    });
    const user = await clerk.users.getUser(ids.userId);
    assert.equal(user.primaryEmailAddress?.emailAddress, invited);
    assert.equal(user.primaryEmailAddress?.verification?.status, 'verified', 'the ticket verified the address');
    const after = await clerk.invitations.getInvitationList({ status: 'accepted' });
    assert.ok(after.data.some((i) => i.id === invitation.id), 'the invitation is accepted');
  } finally {
    await context.close();
  }
});
