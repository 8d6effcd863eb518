// Email links in clerk-js 6 on (W), whose --frontend-url is the app's /__clerk proxy (so the link
// opens through the app's origin, with its cookies), with email links on and
// `email_link_require_same_client` set: <SignIn/> for a user without a password sends the link
// (clerk-js starts with it); the link, read from the Backend API's GET /v1/emails, opened in a
// second tab of the same browser verifies the sign-in: that tab goes on signed in, and the first
// tab, which polls the sign-in, shows "Signed in on other tab" (as clerk-js does when the link was
// opened by the same browser) and, loaded again, shares the session. A link opened in another browser (a
// context of its own) lands on the client-mismatch outcome and signs nobody in; with the rule
// off, the same link opened there again verifies, and the asking tab completes the sign-in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, flowArtifacts, newContext, step, waitReady } from '../lib/browser.js';
import { bapi } from '../lib/usher.js';
import { config, SKIP_WITHOUT_USHER, uniqueEmail, open, submit, waitSignedIn } from '../lib/flows.js';

const inst = config()?.ways;
const art = flowArtifacts('97-email-links');
let browser;

before(async () => {
  if (!inst) return;
  await bapi(inst).call('PATCH', '/v1/instance/settings', { email_link_enabled: true, email_link_require_same_client: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** The link in the newest email to `address` not among `seen`, polled for. */
async function emailedLink(address, seen, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const list = await bapi(inst).emails(address);
    for (const e of list.data || []) {
      if (seen.has(e.id)) continue;
      const m = /https?:\/\/[^\s"'<>]+\/v1\/verify\?token=[^\s"'<>&]+/.exec(e.body_plain || e.body || '');
      if (m) return m[0];
    }
    if (Date.now() > until) throw new Error(`no email link to ${address} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** <SignIn/> with the address, then its email-link method: the card that waits for the link. */
async function askForLink(page, ctx, email, label) {
  await step(`${label}-sign-in-page`, ctx, () => open(page, inst, '/sign-in'));
  await step(`${label}-identifier`, ctx, async () => {
    const id = page.locator('input[name=identifier]');
    await id.waitFor({ state: 'visible', timeout: 15_000 });
    await id.fill(email);
    await submit(page, id, /\/v1\/client\/sign_ins$/);
  });
  await step(`${label}-email-link-method`, ctx, async () => {
    const waiting = page.getByText(/verification link/i).first();
    const code = page.locator('input[autocomplete=one-time-code]').first();
    await waiting.or(code).waitFor({ state: 'visible', timeout: 15_000 });
    if (await waiting.isVisible()) return;
    await page.getByText(/Use another method/i).first().click({ timeout: 10_000 });
    await page.getByText(/Email link to/i).first().click({ timeout: 10_000 });
    await waiting.waitFor({ state: 'visible', timeout: 15_000 });
  });
  const prepared = ctx.exchanges.filter((e) => /\/prepare_first_factor(\?|$)/.test(e.path) && e.form?.strategy === 'email_link');
  assert.ok(prepared.length && prepared.at(-1).status === 200, `prepare_first_factor with email_link: ${JSON.stringify(prepared.at(-1))}`);
}

test('clerk-js 6: the email link opened in a second tab of the same browser signs the browser in there', { skip: SKIP_WITHOUT_USHER, timeout: 120_000 }, async () => {
  const email = uniqueEmail('browser-link');
  const user = await bapi(inst).post('/v1/users', { email_address: [email], skip_password_requirement: true });
  const { context, exchanges } = await newContext(browser, art);
  const page = await context.newPage();
  const ctx = { page, art, exchanges };
  try {
    await askForLink(page, ctx, email, 'tab1');
    const link = await emailedLink(email, new Set());
    assert.ok(link.startsWith(`${inst.appUrl}/__clerk/v1/verify?`), `the link opens through the app: ${link}`);
    const tab2 = await context.newPage();
    const ctx2 = { ...ctx, page: tab2 };
    await step('tab2-link-opened', ctx2, async () => {
      await tab2.goto(link);
      assert.match(tab2.url(), /__clerk_status=verified/, tab2.url());
    });
    // The tab the link opened in carries on signed in; the first tab, polling, sees the sign-in
    // verified from the same browser and says so (clerk-js's "Signed in on other tab").
    const ids = await step('tab2-signed-in', ctx2, () => waitSignedIn(tab2, 30_000));
    assert.equal(ids.userId, user.id);
    await step('tab1-signed-in-on-other-tab', ctx, () =>
      page.getByText(/Signed in on other tab/i).first().waitFor({ state: 'visible', timeout: 30_000 }));
    // (A page without <SignIn/>, which would send a signed-in browser on.)
    await step('tab1-shares-the-session', ctx, async () => {
      await open(page, inst, '/blank');
      assert.equal(await page.evaluate(() => window.Clerk.user?.id), user.id, 'the first tab shares the session');
    });
  } finally {
    await context.close();
  }
});

test('clerk-js 6: the email link opened in another browser answers client_mismatch, and once allowed, signs the asking tab in', { skip: SKIP_WITHOUT_USHER, timeout: 120_000 }, async () => {
  const email = uniqueEmail('browser-link-other');
  const user = await bapi(inst).post('/v1/users', { email_address: [email], skip_password_requirement: true });
  const asking = await newContext(browser, art);
  const other = await newContext(browser, art);
  const page = await asking.context.newPage();
  const elsewhere = await other.context.newPage();
  const ctx = { page, art, exchanges: asking.exchanges };
  try {
    await askForLink(page, ctx, email, 'asking');
    const link = await emailedLink(email, new Set());
    await step('elsewhere-link-opened', { page: elsewhere, art, exchanges: other.exchanges }, async () => {
      await elsewhere.goto(link);
      await waitReady(elsewhere);
      assert.match(elsewhere.url(), /__clerk_status=client_mismatch/, elsewhere.url());
      await elsewhere.getByText(/Verification link is invalid for this device/i).first().waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await elsewhere.evaluate(() => window.Clerk.user ?? null), null, 'nobody signed in there');
    });
    // The asking browser still waits: its sign-in was not completed by the other one.
    const signIn = await page.evaluate(() => window.Clerk.client.signIn.reload().then((s) => s.status));
    assert.equal(signIn, 'needs_first_factor');
    assert.equal(await page.evaluate(() => window.Clerk.user ?? null), null);

    // Without the same-browser rule the same link, opened in the other browser again, verifies
    // the sign-in there, and the asking tab, polling, completes it and is signed in.
    await bapi(inst).call('PATCH', '/v1/instance/settings', { email_link_require_same_client: false });
    await step('elsewhere-link-reopened', { page: elsewhere, art, exchanges: other.exchanges }, async () => {
      await elsewhere.goto(link);
      assert.match(elsewhere.url(), /__clerk_status=verified/, elsewhere.url());
      await waitReady(elsewhere);
      assert.equal(await elsewhere.evaluate(() => window.Clerk.user ?? null), null, 'the other browser is not signed in');
    });
    const ids = await step('asking-signed-in', ctx, () => waitSignedIn(page, 30_000));
    assert.equal(ids.userId, user.id);
  } finally {
    await asking.context.close();
    await other.context.close();
  }
});
