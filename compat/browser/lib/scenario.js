// The opening steps the browser scenarios share: the file's Chromium (launched before its tests
// when run.mjs started Usher, closed after them), @clerk/backend's client for an instance, a user
// and an organization made with it, and a fresh browser context signed in as that user through
// <SignIn/>.
import { before, after } from 'node:test';
import { createClerkClient } from '@clerk/backend';
import { launchBrowser, newContext, step } from './browser.js';
import { config, uniqueEmail, PASSWORD, open, signInWithPassword, waitSignedIn } from './flows.js';

/**
 * The test file's Chromium, registered with node:test's before/after: what `newContext(browser,
 * art)` takes (it calls `browser.newContext(options)`).
 */
export function fileBrowser() {
  let launched = null;
  before(async () => {
    if (config()) launched = await launchBrowser();
  });
  after(async () => {
    await launched?.close();
  });
  return { newContext: (options) => launched.newContext(options) };
}

/**
 * For a file whose ordered tests share one page: before them (when `inst` runs), the file's
 * Chromium with one context and its page, handed to `set({ context, exchanges, page })`; the
 * browser closed after them.
 */
export function pageForTests(inst, art, set) {
  let launched = null;
  before(async () => {
    if (!inst) return;
    launched = await launchBrowser();
    const { context, exchanges } = await newContext(launched, art);
    set({ context, exchanges, page: await context.newPage() });
  });
  after(async () => {
    await launched?.close();
  });
}

/**
 * The guard of a test that goes on from earlier ones: `needs(...keys)(t)` skips `t` and answers
 * true when one of `keys` is not set in `state` (an earlier step failed).
 */
export const needsOf = (state) => (...keys) => (t) => {
  const missing = keys.filter((k) => !state[k]);
  if (missing.length) {
    t.skip(`an earlier step failed (no ${missing.join(', ')})`);
    return true;
  }
  return false;
};

/** @clerk/backend's client for instance `inst` (its secret key and Backend API). */
export function backendClient(inst) {
  return createClerkClient({ secretKey: inst.secretKey, apiUrl: inst.apiUrl });
}

/** A user made through @clerk/backend with a unique address tagged `tag` and the suite's password. */
export async function newUser(clerk, tag) {
  const email = uniqueEmail(tag);
  const user = await clerk.users.createUser({ emailAddress: [email], password: PASSWORD });
  return { email, user };
}

/**
 * An organization named `name`, made through @clerk/backend by a new user tagged `ownerTag` (its
 * admin), with `userId` added as a member (`org:member`).
 */
export async function organizationJoinedBy(clerk, userId, name, ownerTag) {
  const { user: owner } = await newUser(clerk, ownerTag);
  const org = await clerk.organizations.createOrganization({ name, createdBy: owner.id });
  await clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId, role: 'org:member' });
  return org;
}

/**
 * A fresh context and page signed in as `email` through <SignIn/> with the suite's password:
 * steps `<label>-sign-in-page`, `<label>-sign-in`, `<label>-signed-in`. Returns
 * `{ context, exchanges, page, ctx, ids }` (`ctx`: what `step` takes; `ids`: waitSignedIn's
 * user and session ids); the caller closes `context`.
 */
export async function signedInPage(browser, art, inst, email, label) {
  const { context, exchanges } = await newContext(browser, art);
  const page = await context.newPage();
  const ctx = { page, art, exchanges };
  try {
    await step(`${label}-sign-in-page`, ctx, () => open(page, inst, '/sign-in'));
    await step(`${label}-sign-in`, ctx, () => signInWithPassword(page, inst, email, PASSWORD));
    const ids = await step(`${label}-signed-in`, ctx, () => waitSignedIn(page));
    return { context, exchanges, page, ctx, ids };
  } catch (err) {
    await context.close();
    throw err;
  }
}
