// The harness itself, without Usher: Chromium launches and screenshots a page; the app server's
// proxy passes requests and responses through unchanged; the vendored clerk-js and @clerk/ui
// bundles load in the browser when served the way Usher serves them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startApp } from '../../lib/app.mjs';
import { launchBrowser, flowArtifacts, newContext } from '../lib/browser.js';
import { VENDOR_DIR } from '../lib/paths.js';

let upstream;
let upstreamUrl;
const seen = [];
let app;
let browser;
const art = flowArtifacts('00-harness');

before(async () => {
  // A stand-in for Usher's frontend listener: echoes requests, sets cookies, redirects, and
  // serves the vendored bundles at /__clerk/npm/@clerk/<pkg>@<any>/dist/<file>.
  upstream = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const npm = req.url.match(/^\/__clerk\/npm\/@clerk\/(clerk-js|ui)@[^/]+\/dist\/([^?]+)/);
      if (npm) {
        const file = path.join(VENDOR_DIR, '@clerk', npm[1], 'dist', npm[2]);
        if (!fs.existsSync(file)) return res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'application/javascript' });
        return fs.createReadStream(file).pipe(res);
      }
      if (req.url.startsWith('/__clerk/redirect')) {
        res.writeHead(307, [
          'Location', 'http://localhost:1/elsewhere?x=1',
          'Set-Cookie', 'a=1; Path=/; HttpOnly',
          'Set-Cookie', 'b=2; Path=/; SameSite=Lax',
        ]);
        return res.end();
      }
      if (req.url.startsWith('/__clerk/echo')) {
        res.writeHead(201, [
          'Content-Type', 'application/json',
          'Set-Cookie', '__client=abc; Path=/; HttpOnly',
          'Set-Cookie', '__client_uat=123; Path=/',
          'X-Custom', 'yes',
        ]);
        return res.end(JSON.stringify({ method: req.method, url: req.url, body, cookie: req.headers.cookie, origin: req.headers.origin }));
      }
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'stub', message: 'no FAPI in the harness test' }] }));
    });
  });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;
  app = await startApp({ name: 'harness', logFile: path.join(art.dir, 'proxy.jsonl') });
  app.configure({
    publishableKey: 'pk_live_' + Buffer.from(`clerk.localhost:${app.port}$`).toString('base64').replace(/=+$/, ''),
    secretKey: 'sk_live_harness',
    apiUrl: 'http://127.0.0.1:1',
    frontendUrl: upstreamUrl,
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.close();
  await new Promise((r) => upstream?.close(r));
});

test('the proxy passes method, path+query, Cookie, Origin and body up, and status, every Set-Cookie, Location and body down', async () => {
  const res = await fetch(`${app.origin}/__clerk/echo/v1/x?_method=PATCH&a=1&a=2`, {
    method: 'POST',
    headers: { Cookie: 'k1=v1; k2=v2', Origin: app.origin, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'email_address=a%40b.c&password=p',
  });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('x-custom'), 'yes');
  assert.deepEqual(res.headers.getSetCookie(), ['__client=abc; Path=/; HttpOnly', '__client_uat=123; Path=/']);
  const body = await res.json();
  assert.deepEqual(body, {
    method: 'POST',
    url: '/__clerk/echo/v1/x?_method=PATCH&a=1&a=2',
    body: 'email_address=a%40b.c&password=p',
    cookie: 'k1=v1; k2=v2',
    origin: app.origin,
  });
  assert.equal(seen.at(-1).headers.host, `localhost:${app.port}`, 'Host is passed unchanged');

  const redirect = await fetch(`${app.origin}/__clerk/redirect`, { redirect: 'manual' });
  assert.equal(redirect.status, 307);
  assert.equal(redirect.headers.get('location'), 'http://localhost:1/elsewhere?x=1');
  assert.equal(redirect.headers.getSetCookie().length, 2);

  const logged = fs.readFileSync(path.join(art.dir, 'proxy.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const echo = logged.find((e) => e.url.startsWith('/__clerk/echo'));
  assert.deepEqual(echo.body, { email_address: 'a@b.c', password: 'p' });
  assert.equal(echo.status, 201);
  assert.equal(echo.setCookie.length, 2);
});

test('Chromium launches headless, clicks and screenshots a local page', async () => {
  const { context } = await newContext(browser, art);
  const page = await context.newPage();
  await page.goto(`${app.origin}/static`);
  await page.click('#b');
  assert.equal(await page.textContent('#b'), 'clicked');
  const file = await art.shot(page, 'static-page');
  assert.ok(fs.statSync(file).size > 1000, 'a real PNG');
  await context.close();
});

test('the vendored clerk-js and @clerk/ui bundles load in the page and call the Frontend API through the proxy', async () => {
  const { context } = await newContext(browser, art);
  const page = await context.newPage();
  await page.goto(`${app.origin}/sign-in`);
  await page.waitForFunction(() => window.__ready || window.__loadError, null, { timeout: 30_000 });
  const info = await page.evaluate(() => ({
    clerk: typeof window.Clerk,
    version: window.Clerk?.version,
    ui: typeof window.__internal_ClerkUICtor,
    loadError: window.__loadError,
  }));
  await art.shot(page, 'sign-in-without-fapi');
  assert.equal(info.clerk, 'object');
  assert.equal(info.version, JSON.parse(fs.readFileSync(path.join(VENDOR_DIR, '@clerk/clerk-js/package.json'))).version);
  assert.equal(info.ui, 'function');
  // clerk-js asked the proxy for the environment under /__clerk/v1/.
  assert.ok(seen.some((r) => r.url.startsWith('/__clerk/v1/environment')), 'clerk-js called /__clerk/v1/environment');
  await context.close();
});
