// The flow both test files run, one per Usher instance: sign up through <SignUp/>, the
// server-rendered page and the API route see the user, a navigation after the 60-second session
// token has expired still renders signed in (through the handshake), and sign-out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bapi } from '../../lib/bapi.mjs';
import { config, SKIP_WITHOUT_USHER, uniqueEmail, decodeJwt, launchBrowser, session, signUp, openProtected, renderedUserId } from './flows.js';

export function nextjsFlow(instanceName, { emailSuffix = '', codeFor }) {
  const inst = config()?.[instanceName];
  const email = uniqueEmail(`nextjs-${instanceName.slice(0, 4)}`, emailSuffix);
  const state = {};
  let browser;
  let s;
  const opts = (timeout) => ({ skip: SKIP_WITHOUT_USHER, timeout });
  const needs = (t, ...keys) => {
    const missing = keys.filter((k) => !state[k]);
    if (missing.length) t.skip(`an earlier step failed (no ${missing.join(', ')})`);
    return missing.length > 0;
  };

  before(async () => {
    if (!inst) return;
    browser = await launchBrowser();
    s = await session(browser, instanceName);
  });
  after(async () => {
    await browser?.close();
  });

  test(`${instanceName} 1. <SignUp/> on /sign-up, then the server-rendered /protected shows the user`, opts(120_000), async () => {
    const api = bapi(inst);
    await s.step('sign-up-page', () => s.page.goto(`${inst.appUrl}/sign-up`));
    await s.step('sign-up', () => signUp(s.page, email, (address) => codeFor(api, address)));
    await s.step('redirected-to-protected', () => s.page.waitForURL((u) => new URL(u).pathname === '/protected', { timeout: 30_000 }));
    const users = await api.get(`/v1/users?email_address=${encodeURIComponent(email)}`);
    assert.equal(users.length, 1, `one user with ${email}: ${JSON.stringify(users).slice(0, 300)}`);
    state.userId = users[0].id;
    const res = await s.step('protected-rendered', () => openProtected(s.page, inst.appUrl));
    assert.equal(res.status, 200, `GET /protected: ${res.status} ${res.url}`);
    assert.equal(new URL(res.url).pathname, '/protected', `no bounce: ${JSON.stringify(res.chain)}`);
    assert.equal(renderedUserId(res.html), state.userId, 'the server rendered the signed-in user (auth())');
    assert.ok(res.html.includes(email), 'the server rendered the email address (currentUser())');
    state.sessionId = /id="session-id">(sess_[A-Za-z0-9]+)</.exec(res.html)?.[1];
    assert.ok(state.sessionId, 'the server rendered the session id');
    assert.ok((await s.context.cookies(inst.appUrl)).some((c) => c.name === '__session'), '__session cookie set');
  });

  test(`${instanceName} 2. the API route's auth() sees the user`, opts(30_000), async (t) => {
    if (needs(t, 'userId')) return;
    const res = await s.context.request.get(`${inst.appUrl}/api/me`);
    assert.equal(res.status(), 200, await res.text());
    assert.deepEqual(await res.json(), { userId: state.userId, sessionId: state.sessionId });
  });

  test(`${instanceName} 3. after the session token expires, a navigation still renders signed in`, opts(120_000), async (t) => {
    if (needs(t, 'userId')) return;
    // No page may run clerk-js meanwhile: it would refresh __session before it expires.
    await s.page.goto('about:blank');
    state.token = (await s.context.cookies(inst.appUrl)).find((c) => c.name === '__session')?.value;
    assert.ok(state.token, '__session cookie present');
    const { exp } = decodeJwt(state.token);
    // @clerk/backend allows 5 s of clock skew.
    const waitMs = exp * 1000 + 6500 - Date.now();
    s.log(`waiting ${Math.round(waitMs / 1000)} s for the session token (exp ${exp}) to expire`);
    await new Promise((r) => setTimeout(r, Math.max(0, waitMs)));
    const res = await s.step('protected-after-expiry', () => openProtected(s.page, inst.appUrl));
    s.log(`chain: ${JSON.stringify(res.chain)}`);
    assert.ok(
      res.chain.some((c) => new URL(c.url).pathname === '/__clerk/v1/client/handshake'),
      `the navigation went through the handshake: ${JSON.stringify(res.chain)}`,
    );
    assert.ok(!res.chain.some((c) => new URL(c.url).pathname.startsWith('/sign-in')), `no bounce through /sign-in: ${JSON.stringify(res.chain)}`);
    assert.equal(new URL(res.url).pathname, '/protected');
    assert.equal(renderedUserId(res.html), state.userId, 'the server rendered the signed-in user after the handshake');
    const fresh = (await s.context.cookies(inst.appUrl)).find((c) => c.name === '__session');
    assert.ok(fresh && fresh.value !== state.token, 'the handshake set a fresh __session');
    assert.ok(decodeJwt(fresh.value).exp > exp, 'a later expiry');
    const api = await s.context.request.get(`${inst.appUrl}/api/me`);
    assert.equal(api.status(), 200, await api.text());
    assert.equal((await api.json()).userId, state.userId);
    state.refreshed = true;
  });

  test(`${instanceName} 4. <SignOutButton/> ends the session; /protected then goes to /sign-in`, opts(60_000), async (t) => {
    if (needs(t, 'userId')) return;
    if (new URL(s.page.url()).pathname !== '/protected') await s.step('protected-before-sign-out', () => openProtected(s.page, inst.appUrl));
    await s.step('sign-out', async () => {
      await s.page.locator('#sign-out').click({ timeout: 20_000 });
      await s.page.waitForURL((u) => new URL(u).pathname.startsWith('/sign-in'), { timeout: 20_000 });
    });
    const sess = await bapi(inst).get(`/v1/sessions/${state.sessionId}`);
    assert.equal(sess.status, 'ended', `BAPI session: ${JSON.stringify(sess).slice(0, 300)}`);
    const res = await s.step('protected-signed-out', () => openProtected(s.page, inst.appUrl));
    assert.ok(new URL(res.url).pathname.startsWith('/sign-in'), `signed out /protected went to /sign-in: ${res.url}`);
    assert.equal(renderedUserId(res.html), null);
    const api = await s.context.request.get(`${inst.appUrl}/api/me`);
    assert.equal(api.status(), 401, await api.text());
  });
}
