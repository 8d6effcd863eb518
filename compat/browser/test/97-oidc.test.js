// "Continue with" a real OpenID provider on loopback (lib/oidc.js: the certified `oidc-provider`
// package, one account with a verified email, login and consent completing by themselves),
// registered on (W) with `usher oauth add custom --discovery-url http://127.0.0.1:<port>`. In
// clerk-js 6: the provider's button on <SignUp/> creates the user (authorization code with PKCE,
// state and nonce, through the app's /__clerk proxy as the redirect URI); after signing out, the
// button on <SignIn/> signs the same user in; <UserProfile/> lists the external account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { launchBrowser, flowArtifacts, newContext, step, waitReady } from '../lib/browser.js';
import { bapi } from '../lib/usher.js';
import { startOidcProvider } from '../lib/oidc.js';
import { USHER_BIN } from '../lib/paths.js';
import { cleanEnv } from '../../lib/usher.mjs';
import { config, SKIP_WITHOUT_USHER, uniqueEmail, open, waitSignedIn, signOutJS } from '../lib/flows.js';

const inst = config()?.ways;
const art = flowArtifacts('97-oidc');
const PROVIDER = 'Loopback ID';
const email = uniqueEmail('browser-oidc');
const account = { sub: `acct-${Date.now().toString(36)}`, email, given_name: 'Ada', family_name: 'Loopback' };
let idp;
let browser;

before(async () => {
  if (!inst) return;
  idp = await startOidcProvider({ redirectUri: `${inst.appUrl}/__clerk/v1/oauth_callback`, account });
  await promisify(execFile)(USHER_BIN, [
    'oauth', 'add', 'custom', '--data-dir', inst.dataDir,
    '--key', 'loopback', '--name', PROVIDER, '--discovery-url', idp.issuer,
    '--client-id', idp.clientId, '--client-secret', idp.clientSecret,
  ], { env: cleanEnv() });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await idp?.close();
});

/** Clicks "Continue with <PROVIDER>" and waits for the round trip to end signed in on /user. */
async function continueWith(page, ctx, label) {
  await step(`${label}-button`, ctx, () =>
    page.getByRole('button', { name: new RegExp(PROVIDER) }).first().click({ timeout: 15_000 }));
  return step(`${label}-signed-in`, ctx, () => waitSignedIn(page, 30_000));
}

test('clerk-js 6: "Continue with" a loopback OpenID provider signs up, then signs in; <UserProfile/> lists the account', { skip: SKIP_WITHOUT_USHER, timeout: 120_000 }, async () => {
  const { context, exchanges } = await newContext(browser, art);
  const page = await context.newPage();
  const ctx = { page, art, exchanges };
  try {
    await step('sign-up-page', ctx, () => open(page, inst, '/sign-up'));
    const first = await continueWith(page, ctx, 'sign-up');
    const user = await bapi(inst).get(`/v1/users/${first.userId}`);
    assert.equal(user.email_addresses[0]?.email_address, email);
    assert.equal(user.email_addresses[0]?.verification?.status, 'verified', 'the provider vouched for the address');
    assert.equal(user.first_name, account.given_name);
    const ext = user.external_accounts || [];
    assert.equal(ext.length, 1, JSON.stringify(ext));
    assert.equal(ext[0].provider, 'oauth_custom_loopback');
    assert.equal(ext[0].provider_user_id, account.sub);
    assert.ok(exchanges.some((e) => e.path.includes('/v1/client/sign_ups') && e.form?.strategy === 'oauth_custom_loopback'), 'the sign-up started with the provider');

    await step('sign-out', ctx, () => signOutJS(page, inst));
    const second = await continueWith(page, ctx, 'sign-in');
    assert.equal(second.userId, first.userId, 'the same user signs in');
    assert.notEqual(second.sessionId, first.sessionId);
    assert.ok(exchanges.some((e) => e.path.includes('/v1/client/sign_ins') && e.form?.strategy === 'oauth_custom_loopback'), 'the sign-in started with the provider');

    await step('profile-connected-account', ctx, async () => {
      await page.goto(`${inst.appUrl}/profile`);
      await waitReady(page);
      const section = page.locator('.cl-profileSection__connectedAccounts');
      await section.getByText(PROVIDER).first().waitFor({ state: 'visible', timeout: 15_000 });
      await section.getByText(email).first().waitFor({ state: 'visible', timeout: 5_000 });
    });
    const users = await bapi(inst).get(`/v1/users?email_address=${encodeURIComponent(email)}`);
    assert.equal(users.length ?? users.data?.length, 1, 'one user for the address');
  } finally {
    await context.close();
  }
});
