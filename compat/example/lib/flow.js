// One user through examples/express in headless Chromium: sign-up with <SignUp/>, the protected
// API route by cookie fetch, the server-rendered protected page by navigation, session-token
// refresh past its 60-second lifetime (in clerk-js, and through the handshake for a navigation
// carrying the expired token), and sign-out from <UserButton/>. Registered once per instance by
// development.test.js and production.test.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { createClerkClient, verifyToken } from '@clerk/backend';
import { launchBrowser, flowArtifacts, newContext, step } from '../../browser/lib/browser.js';
import { bapi } from '../../browser/lib/usher.js';
import { uniqueEmail, PASSWORD, decodeJwt, fillSignUp, typeOtp, waitForOtpInput } from '../../browser/lib/flows.js';

const HANDSHAKE = '/__clerk/v1/client/handshake';

function config() {
  const raw = process.env.USHER_EXAMPLE_CONFIG;
  return raw ? JSON.parse(raw) : null;
}

/** Waits for the example page's script to finish (it marks <body data-ready>). */
async function waitPage(page) {
  await page.waitForFunction(() => document.body?.dataset.ready === 'true', null, { timeout: 30_000 });
}

/** A top-level navigation; returns the final status and URL, and every document response on the way. */
async function navigate(page, url) {
  const chain = [];
  const onResponse = (r) => {
    if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) {
      chain.push({ status: r.status(), url: r.url() });
    }
  };
  page.on('response', onResponse);
  try {
    const res = await page.goto(url);
    const handshakes = chain.filter((c) => new URL(c.url).pathname === HANDSHAKE).length;
    return { status: res.status(), url: page.url(), chain, handshakes, text: await res.text() };
  } finally {
    page.off('response', onResponse);
  }
}

/** fetch() from the page, as the example's own script does: same origin, cookies included. */
function apiMe(page) {
  return page.evaluate(async () => {
    const res = await fetch('/api/me');
    return { status: res.status, body: await res.json() };
  });
}

export function exampleFlow(environment) {
  const inst = config()?.[environment];
  const skip = inst ? false : 'run through compat/example/run.mjs (it starts Usher and the example)';
  const dev = environment === 'development';
  const art = flowArtifacts(`example-${environment}`);
  const email = uniqueEmail(`example-${environment}`, dev ? '+clerk_test' : '');
  const state = {};
  let browser;
  let context;
  let exchanges;
  let page;
  const fapi = [];
  const tokenRequests = () => fapi.filter((r) => /\/sessions\/[^/]+\/tokens$/.test(r.path)).length;

  const needs = (...keys) => (t) => {
    const missing = keys.filter((k) => !state[k]);
    if (missing.length) t.skip(`an earlier step failed (no ${missing.join(', ')})`);
    return missing.length > 0;
  };

  /**
   * /dashboard on a new page of the browser (step `name`): it opens signed in as the user, after
   * `handshakes` handshakes. Returns the navigation (its text and redirect chain).
   */
  async function dashboardSignedIn(name, handshakes) {
    const p2 = await context.newPage();
    const nav = await step(name, { page: p2, art, exchanges }, () => navigate(p2, `${inst.appUrl}/dashboard`));
    await p2.close();
    art.log(`chain: ${JSON.stringify(nav.chain)}`);
    assert.equal(nav.status, 200, JSON.stringify(nav));
    assert.equal(new URL(nav.url).pathname, '/dashboard');
    assert.match(nav.text, new RegExp(`data-user-id="${state.userId}"`));
    assert.equal(nav.handshakes, handshakes, JSON.stringify(nav.chain));
    return nav;
  }

  before(async () => {
    if (!inst) return;
    browser = await launchBrowser(chromium);
    ({ context, exchanges } = await newContext(browser, art));
    context.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/__clerk/v1/')) fapi.push({ method: r.method(), path: u.pathname });
    });
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
  });

  test(`${environment}: <SignUp/> then the home page calls the protected API with its cookies`, { skip, timeout: 90_000 }, async () => {
    const ctx = { page, art, exchanges };
    const first = await step('sign-up-page', ctx, async () => {
      const nav = await navigate(page, `${inst.appUrl}/sign-up`);
      await waitPage(page);
      return nav;
    });
    art.log(`first navigation: ${JSON.stringify(first.chain)}`);
    assert.equal(first.status, 200, JSON.stringify(first));
    assert.ok(first.handshakes <= 1, `at most one handshake: ${JSON.stringify(first.chain)}`);
    await step('sign-up-form-filled', ctx, () => fillSignUp(page, email, PASSWORD));
    await step('email-code-requested', ctx, () => waitForOtpInput(page));
    const code = dev ? '424242' : (await step('email-code-read', ctx, () => bapi(inst).waitForOtp(email))).code;
    await step('email-code-typed', ctx, () => typeOtp(page, code));
    const home = await step('home-signed-in', ctx, async () => {
      await page.waitForURL((u) => new URL(u).pathname === '/', { timeout: 20_000 });
      await waitPage(page);
      return page.evaluate(() => ({
        userId: window.Clerk.user?.id,
        sessionId: window.Clerk.session?.id,
        api: document.getElementById('api').textContent,
      }));
    });
    assert.match(home.userId ?? '', /^user_/, JSON.stringify(home));
    assert.equal(home.api, `GET /api/me → 200 ${JSON.stringify({ userId: home.userId, sessionId: home.sessionId })}`);
    Object.assign(state, { userId: home.userId, sessionId: home.sessionId });
    // Cookie mode: the publishable key names an ordinary host, so clerk-js makes no dev browser.
    assert.deepEqual(fapi.filter((r) => r.path === '/__clerk/v1/dev_browser'), []);
    const cookies = (await context.cookies(inst.appUrl)).map((c) => c.name);
    assert.ok(cookies.includes('__client'), cookies.join(' '));
    state.firstToken = await page.evaluate(() => window.Clerk.session.getToken());
    state.tokenRequests = tokenRequests();
    assert.equal(decodeJwt(state.firstToken).sid, state.sessionId);
  });

  test(`${environment}: /api/me answers the user by cookie fetch`, { skip, timeout: 30_000 }, async (t) => {
    if (needs('userId')(t)) return;
    const res = await step('api-me-signed-in', { page, art, exchanges }, () => apiMe(page));
    assert.equal(res.status, 200, JSON.stringify(res));
    assert.deepEqual(res.body, { userId: state.userId, sessionId: state.sessionId });
  });

  test(`${environment}: @clerk/backend's authenticateRequest accepts the browser's cookies, for a fetch and a navigation`, { skip, timeout: 30_000 }, async (t) => {
    if (needs('userId')(t)) return;
    const clerk = createClerkClient({
      secretKey: inst.secretKey,
      publishableKey: inst.publishableKey,
      apiUrl: inst.apiUrl,
      jwtKey: inst.jwtKey,
      telemetry: { disabled: true },
    });
    const cookie = (await context.cookies(inst.appUrl)).map((c) => `${c.name}=${c.value}`).join('; ');
    for (const dest of ['empty', 'document']) {
      const request = new Request(`${inst.appUrl}/dashboard`, {
        headers: { cookie, 'sec-fetch-dest': dest, accept: dest === 'document' ? 'text/html' : '*/*' },
      });
      const auth = await clerk.authenticateRequest(request, { proxyUrl: `${inst.appUrl}/__clerk`, authorizedParties: [inst.appUrl] });
      assert.equal(auth.status, 'signed-in', `${dest}: ${auth.reason} ${auth.message}`);
      assert.equal(auth.toAuth().userId, state.userId);
    }
  });

  test(`${environment}: the server-rendered /dashboard opens signed in, with no handshake`, { skip, timeout: 30_000 }, async (t) => {
    if (needs('userId')(t)) return;
    const nav = await dashboardSignedIn('dashboard', 0);
    assert.ok(nav.text.includes(email), 'the page shows the email address from the Backend API');
  });

  if (dev) {
    test('development: a browser with a __client cookie but no dev-browser cookie gets one from the handshake', { skip, timeout: 30_000 }, async (t) => {
      if (needs('userId')(t)) return;
      await context.clearCookies({ name: /^__clerk_db_jwt/ });
      await dashboardSignedIn('dashboard-dev-browser-missing', 1);
      const names = (await context.cookies(inst.appUrl)).map((c) => c.name);
      assert.ok(names.includes('__clerk_db_jwt'), names.join(' '));
      const res = await apiMe(page);
      assert.equal(res.status, 200, JSON.stringify(res));
    });
  }

  test(`${environment}: past the token's 60 s, clerk-js refreshes it and a navigation with the expired one comes back through the handshake`, { skip, timeout: 120_000 }, async (t) => {
    if (needs('userId', 'firstToken')(t)) return;
    const ctx = { page, art, exchanges };
    const old = decodeJwt(state.firstToken);
    assert.ok(old.exp - old.iat <= 60, `lifetime ${old.exp - old.iat} s`);
    // verifyToken allows 5 s of clock skew: wait until the first token is well past that.
    const waitMs = old.exp * 1000 + 6500 - Date.now();
    art.log(`waiting ${Math.round(waitMs / 1000)} s for the first token to expire`);
    await new Promise((r) => setTimeout(r, Math.max(0, waitMs)));
    const expired = await verifyToken(state.firstToken, { jwtKey: inst.jwtKey }).then(() => null, (e) => e);
    assert.equal(expired?.reason, 'token-expired');

    const fresh = await step('token-refreshed', ctx, () => page.evaluate(() => window.Clerk.session.getToken()));
    assert.notEqual(fresh, state.firstToken);
    assert.ok(decodeJwt(fresh).exp > old.exp);
    // (clerk-js's own poller may have asked before getToken() did.)
    assert.ok(tokenRequests() > state.tokenRequests, 'clerk-js asked the Frontend API for a new token');
    assert.equal((await verifyToken(fresh, { jwtKey: inst.jwtKey })).sub, state.userId);
    const res = await apiMe(page);
    assert.equal(res.status, 200, JSON.stringify(res));

    // No page may run clerk-js meanwhile: it would write a fresh __session at once.
    await page.goto('about:blank');
    const sessions = (await context.cookies(inst.appUrl)).filter((c) => c.name === '__session' || c.name.startsWith('__session_'));
    assert.ok(sessions.length > 0);
    await context.addCookies(sessions.map((c) => ({ ...c, value: state.firstToken })));
    await dashboardSignedIn('dashboard-after-handshake', 1);
    const after = (await context.cookies(inst.appUrl)).find((c) => c.name === '__session');
    assert.ok(after && after.value !== state.firstToken, 'the handshake set a fresh __session');
    state.refreshed = true;
  });

  test(`${environment}: sign-out from <UserButton/>; /api/me then answers 401 and /dashboard sends to /sign-in`, { skip, timeout: 60_000 }, async (t) => {
    if (needs('userId')(t)) return;
    const ctx = { page, art, exchanges };
    await step('home-before-sign-out', ctx, async () => {
      await page.goto(`${inst.appUrl}/`);
      await waitPage(page);
    });
    await step('user-button-sign-out', ctx, async () => {
      await page.locator('.cl-userButtonTrigger').click({ timeout: 15_000 });
      await page.locator('.cl-userButtonPopoverActionButton__signOut').click({ timeout: 10_000 });
      await page.waitForFunction(() => document.body?.dataset.ready === 'true' && !window.Clerk?.user, null, { timeout: 20_000 });
    });
    const session = await bapi(inst).get(`/v1/sessions/${state.sessionId}`);
    assert.equal(session.status, 'ended', JSON.stringify(session));
    const res = await apiMe(page);
    assert.equal(res.status, 401, JSON.stringify(res));
    const p2 = await context.newPage();
    const nav = await step('dashboard-signed-out', { page: p2, art, exchanges }, () => navigate(p2, `${inst.appUrl}/dashboard`));
    await p2.close();
    art.log(`chain: ${JSON.stringify(nav.chain)}`);
    assert.equal(new URL(nav.url).pathname, '/sign-in', JSON.stringify(nav.chain));
    assert.ok(nav.handshakes <= 1, JSON.stringify(nav.chain));
  });
}
