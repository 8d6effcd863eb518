// Production instance with passkeys on: Chromium's virtual authenticator (CDP WebAuthn, a
// platform authenticator with resident keys and user verification) registers a passkey from
// <UserProfile/>'s security page; after signing out, <SignIn/> signs the same user in with it
// (autofill's conditional request, or "Use passkey"). Passkeys are turned off again afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, flowArtifacts, newContext, step } from '../lib/browser.js';
import { bapi } from '../lib/usher.js';
import {
  config, SKIP_WITHOUT_USHER, uniqueEmail, PASSWORD, open, signInWithPassword, waitSignedIn, signOutJS,
} from '../lib/flows.js';

const inst = config()?.production;
const art = flowArtifacts('96-passkeys');
const email = uniqueEmail('browser-passkey');
const state = {};
let browser;
let context;
let exchanges;
let page;
let cdp;
let authenticatorId;

const setPasskeys = (on) => bapi(inst).call('PATCH', '/v1/instance/settings', { passkeys_enabled: on });

/** Polls `fn` until it answers truthy (a loaded machine gets time), or fails. */
async function eventually(fn, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  if (!inst) return;
  await setPasskeys(true);
  browser = await launchBrowser();
  ({ context, exchanges } = await newContext(browser, art));
  // clerk-js offers no passkeys to a browser driven by automation (`navigator.webdriver`).
  await context.addInitScript(() => Object.defineProperty(navigator, 'webdriver', { get: () => false }));
  page = await context.newPage();
  cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  }));
});

// The authenticator answers a page's conditional (autofill) request by itself: while signing out
// it must not, or the sign-in page signs the user straight back in before the check.
const presence = (enabled) =>
  cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled });

after(async () => {
  await browser?.close();
  if (inst) await setPasskeys(false);
});

test('96a. a passkey is added from <UserProfile/>', { skip: SKIP_WITHOUT_USHER, timeout: 90_000 }, async () => {
  const ctx = { page, art, exchanges };
  const user = await bapi(inst).post('/v1/users', { email_address: [email], password: PASSWORD });
  state.userId = user.id;
  await step('sign-in-page', ctx, () => open(page, inst, '/sign-in'));
  await step('sign-in-password', ctx, () => signInWithPassword(page, inst, email, PASSWORD));
  await step('signed-in', ctx, () => waitSignedIn(page));
  await step('profile-page', ctx, () => open(page, inst, '/profile'));
  await step('security-page', ctx, () => page.getByText('Security').first().click({ timeout: 15_000 }));
  await step('add-passkey', ctx, () => page.getByText(/Add a passkey/i).first().click({ timeout: 15_000 }));
  const passkeys = await step('passkey-registered', ctx, () =>
    eventually(async () => {
      const u = await bapi(inst).get(`/v1/users/${user.id}`);
      return u.passkeys.length ? u.passkeys : null;
    }, 'the passkey on the user'),
  );
  assert.equal(passkeys.length, 1);
  assert.equal(passkeys[0].object, 'passkey');
  state.passkeyId = passkeys[0].id;
});

test('96b. <SignIn/> signs the user in with the passkey (autofill, or "Use passkey")', { skip: SKIP_WITHOUT_USHER, timeout: 90_000 }, async (t) => {
  if (!state.passkeyId) {
    t.skip('no passkey was registered');
    return;
  }
  const ctx = { page, art, exchanges };
  await presence(false);
  await signOutJS(page, inst);
  await presence(true);
  // A fresh sign-in page, whose conditional request meets the authenticator present again.
  await page.reload({ waitUntil: 'load' });
  // With autofill on, the authenticator (presence simulated) answers the page's conditional
  // request by itself; otherwise the button starts the same sign-in.
  await step('use-passkey', ctx, async () => {
    const button = page.getByText(/Use passkey/i).first();
    if (await button.isVisible().catch(() => false)) await button.click({ timeout: 5_000 }).catch(() => {});
  });
  const ids = await step('passkey-signed-in', ctx, () => waitSignedIn(page));
  assert.equal(ids.userId, state.userId);
  const attempt = exchanges.filter((e) => e.path.includes('/attempt_first_factor')).at(-1);
  assert.ok(attempt && attempt.status === 200, `attempt_first_factor: ${JSON.stringify(attempt)}`);
  const u = await bapi(inst).get(`/v1/users/${state.userId}`);
  assert.ok(u.passkeys[0].last_used_at, 'last_used_at set by the sign-in');
});
