// Production instance with passkeys on: Chromium's virtual authenticator (CDP WebAuthn, a
// platform authenticator with resident keys and user verification) registers a passkey from
// <UserProfile/>'s security page; after signing out, <SignIn/> signs the same user in with it
// (autofill's conditional request, or "Use passkey"). Passkeys are turned off again afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, flowArtifacts, step } from '../lib/browser.js';
import { passkeyContext, addPasskeyFromProfile, signInAgainWithPasskey } from '../lib/passkeys.js';
import { bapi } from '../lib/usher.js';
import {
  config, SKIP_WITHOUT_USHER, uniqueEmail, PASSWORD, open, signInWithPassword, waitSignedIn,
} from '../lib/flows.js';

const inst = config()?.production;
const art = flowArtifacts('96-passkeys');
const email = uniqueEmail('browser-passkey');
const state = {};
let browser;
let exchanges;
let page;
let presence;

const setPasskeys = (on) => bapi(inst).call('PATCH', '/v1/instance/settings', { passkeys_enabled: on });

before(async () => {
  if (!inst) return;
  await setPasskeys(true);
  browser = await launchBrowser();
  ({ exchanges, page, presence } = await passkeyContext(browser, art));
});

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
  const passkeys = await addPasskeyFromProfile(page, inst, user.id, ctx, 'passkey');
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
  const ids = await signInAgainWithPasskey(page, inst, presence, ctx, 'passkey');
  assert.equal(ids.userId, state.userId);
  const attempt = exchanges.filter((e) => e.path.includes('/attempt_first_factor')).at(-1);
  assert.ok(attempt && attempt.status === 200, `attempt_first_factor: ${JSON.stringify(attempt)}`);
  const u = await bapi(inst).get(`/v1/users/${state.userId}`);
  assert.ok(u.passkeys[0].last_used_at, 'last_used_at set by the sign-in');
});
