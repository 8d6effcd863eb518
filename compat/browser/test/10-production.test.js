// Production instance (pk_live_, relative proxyUrl /__clerk): one user through sign-up, the
// UserButton, a protected route, session-token refresh, the handshake, sign-out and sign-in,
// all with Clerk's unmodified clerk-js 6 and @clerk/ui in headless Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyToken } from '@clerk/backend';
import { flowArtifacts, step, waitReady } from '../lib/browser.js';
import { needsOf, pageForTests } from '../lib/scenario.js';
import { bapi } from '../lib/usher.js';
import {
  config, SKIP_WITHOUT_USHER, uniqueEmail, PASSWORD, decodeJwt, open, fillSignUp, typeOtp,
  waitForOtpInput, waitSignedIn, getProtected, signInWithPassword,
} from '../lib/flows.js';

const inst = config()?.production;
const art = flowArtifacts('10-production');
const email = uniqueEmail('browser-prod');
const state = {}; // userId, sessionId, oldToken, ...
let context;
let exchanges;
let page;

const needs = needsOf(state);

pageForTests(inst, art, (opened) => ({ context, exchanges, page } = opened));

test('1. <SignUp/>: email + password, then the emailed code; the session is active and the email verified', { skip: SKIP_WITHOUT_USHER, timeout: 90_000 }, async () => {
  const ctx = { page, art, exchanges };
  const api = bapi(inst);
  await step('sign-up-page', ctx, () => open(page, inst, '/sign-up'));
  await step('sign-up-form-filled', ctx, () => fillSignUp(page, email, PASSWORD));
  await step('email-code-requested', ctx, () => waitForOtpInput(page));
  const { code, email: sent } = await step('email-code-read-from-bapi', ctx, () => api.waitForOtp(email));
  assert.match(code, /^\d{6}$/);
  assert.equal(sent.to_email_address, email);
  await step('email-code-typed', ctx, () => typeOtp(page, code));
  const ids = await step('signed-up', ctx, () => waitSignedIn(page));
  Object.assign(state, ids);
  const user = await api.get(`/v1/users/${ids.userId}`);
  const addr = user.email_addresses.find((e) => e.email_address === email);
  assert.ok(addr, `BAPI user has ${email}: ${JSON.stringify(user.email_addresses)}`);
  assert.equal(addr.verification?.status, 'verified');
  assert.equal(user.password_enabled, true);
});

test('2. <UserButton/> shows the signed-in user', { skip: SKIP_WITHOUT_USHER, timeout: 60_000 }, async (t) => {
  if (needs('userId')(t)) return;
  const ctx = { page, art, exchanges };
  await step('user-button-open', ctx, async () => {
    if (new URL(page.url()).pathname !== '/user') await open(page, inst, '/user');
    await page.locator('.cl-userButtonTrigger').click({ timeout: 15_000 });
    await page.locator('.cl-userButtonPopoverCard').waitFor({ state: 'visible', timeout: 10_000 });
    await assert.doesNotReject(page.getByText(email).first().waitFor({ state: 'visible', timeout: 5000 }), `${email} is shown`);
  });
  await page.keyboard.press('Escape');
});

test('3. /protected: @clerk/backend authenticateRequest accepts the browser cookies', { skip: SKIP_WITHOUT_USHER, timeout: 60_000 }, async (t) => {
  if (needs('userId')(t)) return;
  const p2 = await context.newPage();
  const ctx = { page: p2, art, exchanges };
  const res = await step('protected-signed-in', ctx, () => getProtected(p2, inst));
  await p2.close();
  assert.equal(res.status, 200, `GET /protected: ${JSON.stringify(res)}`);
  assert.equal(res.body.userId, state.userId);
  assert.equal(res.body.sessionId, state.sessionId);
});

test('4. the session token is refreshed past its 60-second lifetime', { skip: SKIP_WITHOUT_USHER, timeout: 120_000 }, async (t) => {
  if (needs('userId')(t)) return;
  const ctx = { page, art, exchanges };
  if (new URL(page.url()).pathname !== '/user') await step('user-page', ctx, () => open(page, inst, '/user'));
  const tokenRequests = [];
  const onRequest = (r) => {
    if (/\/v1\/client\/sessions\/[^/]+\/tokens/.test(new URL(r.url()).pathname)) tokenRequests.push(r.url());
  };
  page.on('request', onRequest);
  const t1 = await page.evaluate(() => Clerk.session.getToken());
  assert.ok(t1, 'getToken() gave a token');
  const c1 = decodeJwt(t1);
  assert.equal(c1.sub, state.userId);
  assert.equal(c1.sid, state.sessionId);
  assert.ok(c1.exp - c1.iat <= 60, `lifetime ${c1.exp - c1.iat} s`);
  // (azp is checked by /protected through authenticateRequest's authorizedParties.)
  const first = await verifyToken(t1, { jwtKey: inst.jwtKey });
  assert.equal(first.sub, state.userId);
  // verifyToken allows 5 s of clock skew: wait until the first token is well past that.
  const waitMs = c1.exp * 1000 + 6500 - Date.now();
  art.log(`waiting ${Math.round(waitMs / 1000)} s for the first token (exp ${c1.exp}) to expire`);
  await new Promise((r) => setTimeout(r, Math.max(0, waitMs)));
  const t2 = await step('token-refreshed', ctx, () => page.evaluate(() => Clerk.session.getToken()));
  page.off('request', onRequest);
  assert.ok(t2, 'getToken() gave a token after the wait');
  assert.notEqual(t2, t1, 'a new token');
  const c2 = decodeJwt(t2);
  assert.ok(c2.exp > c1.exp, `later exp: ${c2.exp} > ${c1.exp}`);
  assert.equal(c2.sid, state.sessionId);
  assert.ok(tokenRequests.length > 0, 'clerk-js asked the FAPI for a new token (/tokens)');
  const second = await verifyToken(t2, { jwtKey: inst.jwtKey });
  assert.equal(second.sub, state.userId);
  const err = await verifyToken(t1, { jwtKey: inst.jwtKey }).then(() => null, (e) => e);
  assert.ok(err, 'the first token is refused now');
  assert.equal(err.reason, 'token-expired');
  state.oldToken = t1;
});

test('5. handshake: an expired __session cookie makes /protected go through FAPI and come back signed in', { skip: SKIP_WITHOUT_USHER, timeout: 60_000 }, async (t) => {
  if (needs('userId', 'oldToken')(t)) return;
  // No page may run clerk-js meanwhile: it would write a fresh __session at once.
  await page.goto('about:blank');
  const cookies = await context.cookies(inst.appUrl);
  art.log(`cookies before: ${cookies.map((c) => `${c.name}${c.httpOnly ? '(HttpOnly)' : ''}`).join(' ')}`);
  const sessions = cookies.filter((c) => c.name === '__session' || c.name.startsWith('__session_'));
  assert.ok(sessions.length > 0, `clerk-js wrote a __session cookie: ${cookies.map((c) => c.name).join(' ')}`);
  await context.addCookies(sessions.map((c) => ({ ...c, value: state.oldToken })));
  const p2 = await context.newPage();
  const ctx = { page: p2, art, exchanges };
  const res = await step('protected-after-handshake', ctx, () => getProtected(p2, inst));
  art.log(`handshake chain: ${JSON.stringify(res.chain)}`);
  await p2.close();
  assert.equal(res.status, 200, `GET /protected with an expired token: ${JSON.stringify(res, null, 1)}`);
  assert.equal(res.body.userId, state.userId);
  assert.ok(
    res.chain.some((c) => new URL(c.url).pathname === '/__clerk/v1/client/handshake'),
    `the navigation went through /__clerk/v1/client/handshake: ${JSON.stringify(res.chain)}`,
  );
  assert.equal(res.chain[0].status, 307, 'the app answered the handshake redirect');
  const after = (await context.cookies(inst.appUrl)).find((c) => c.name === '__session');
  assert.ok(after && after.value !== state.oldToken, 'a fresh __session cookie was set by the handshake');
  await verifyToken(after.value, { jwtKey: inst.jwtKey });
});

test('6. sign-out from <UserButton/> ends the session; /protected then says signed out', { skip: SKIP_WITHOUT_USHER, timeout: 60_000 }, async (t) => {
  if (needs('userId')(t)) return;
  const ctx = { page, art, exchanges };
  await step('user-page-before-sign-out', ctx, () => open(page, inst, '/user'));
  await step('user-button-sign-out', ctx, async () => {
    await page.locator('.cl-userButtonTrigger').click({ timeout: 15_000 });
    await page.locator('.cl-userButtonPopoverActionButton__signOut').click({ timeout: 10_000 });
    await page.waitForURL((u) => new URL(u).pathname === '/sign-in', { timeout: 15_000 });
    await waitReady(page);
    assert.equal(await page.evaluate(() => window.Clerk.user ?? null), null, 'no user in clerk-js');
  });
  const session = await bapi(inst).get(`/v1/sessions/${state.sessionId}`);
  assert.equal(session.status, 'ended', `BAPI session status: ${JSON.stringify(session)}`);
  const p2 = await context.newPage();
  const res = await step('protected-signed-out', { page: p2, art, exchanges }, () => getProtected(p2, inst));
  await p2.close();
  assert.equal(res.status, 401, `GET /protected after sign-out: ${JSON.stringify(res)}`);
  assert.equal(res.body.status, 'signed-out');
  state.signedOut = true;
});

test('7. <SignIn/>: identifier, then password', { skip: SKIP_WITHOUT_USHER, timeout: 60_000 }, async (t) => {
  if (needs('userId')(t)) return;
  const ctx = { page, art, exchanges };
  if (!state.signedOut) await page.evaluate(() => window.Clerk?.signOut?.()).catch(() => {});
  await step('sign-in-page', ctx, () => open(page, inst, '/sign-in'));
  await step('sign-in-password', ctx, () => signInWithPassword(page, inst, email, PASSWORD));
  const ids = await step('signed-in', ctx, () => waitSignedIn(page));
  assert.equal(ids.userId, state.userId);
  assert.notEqual(ids.sessionId, state.sessionId, 'a new session');
  const p2 = await context.newPage();
  const res = await step('protected-after-sign-in', { page: p2, art, exchanges }, () => getProtected(p2, inst));
  await p2.close();
  assert.equal(res.status, 200, JSON.stringify(res));
  assert.equal(res.body.sessionId, ids.sessionId);
});
