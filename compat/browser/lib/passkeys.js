// Passkeys in Chromium: a context with a CDP virtual authenticator (WebAuthn domain), a passkey
// added from <UserProfile/>'s security page, and a sign-in again with it after signing out.
import { waitFor } from '../../lib/usher.mjs';
import { newContext, step } from './browser.js';
import { open, signOutJS, waitSignedIn } from './flows.js';
import { bapi } from './usher.js';

/**
 * A context and page with a virtual platform authenticator (CTAP2, internal, resident keys, user
 * verification, presence simulated). `presence(enabled)` turns the simulated presence off and on:
 * while it is on, the authenticator answers a page's conditional (autofill) request by itself.
 * Returns `{ context, exchanges, page, presence }`; the caller closes `context`.
 */
export async function passkeyContext(browser, art) {
  const { context, exchanges } = await newContext(browser, art);
  // clerk-js offers no passkeys to a browser driven by automation (`navigator.webdriver`).
  await context.addInitScript(() => Object.defineProperty(navigator, 'webdriver', { get: () => false }));
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const presence = (enabled) => cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled });
  return { context, exchanges, page, presence };
}

/**
 * On a signed-in page: <UserProfile/>'s security page, "Add a passkey", then the user's passkeys
 * as the Backend API lists them once there is one (steps `<label>-profile`, `-security`, `-add`,
 * `-registered`).
 */
export async function addPasskeyFromProfile(page, inst, userId, ctx, label) {
  await step(`${label}-profile`, ctx, () => open(page, inst, '/profile'));
  await step(`${label}-security`, ctx, () => page.getByText('Security').first().click({ timeout: 15_000 }));
  await step(`${label}-add`, ctx, () => page.getByText(/Add a passkey/i).first().click({ timeout: 15_000 }));
  return step(`${label}-registered`, ctx, () =>
    waitFor('the passkey on the user', async () => {
      const u = await bapi(inst).get(`/v1/users/${userId}`);
      return u.passkeys.length ? u.passkeys : null;
    }, 30_000, 200),
  );
}

/**
 * Signs out with the authenticator away (or the page's conditional request would sign the user
 * straight back in), reloads the sign-in page with it present again, clicks "Use passkey" when
 * <SignIn/> shows it (with autofill on, the authenticator answers by itself), and waits until
 * signed in: waitSignedIn's ids (steps `<label>-use`, `<label>-signed-in-with-passkey`).
 */
export async function signInAgainWithPasskey(page, inst, presence, ctx, label) {
  await presence(false);
  await signOutJS(page, inst);
  await presence(true);
  await page.reload({ waitUntil: 'load' });
  await step(`${label}-use`, ctx, async () => {
    const button = page.getByText(/Use passkey/i).first();
    if (await button.isVisible().catch(() => false)) await button.click({ timeout: 5_000 }).catch(() => {});
  });
  return step(`${label}-signed-in-with-passkey`, ctx, () => waitSignedIn(page, 30_000));
}
