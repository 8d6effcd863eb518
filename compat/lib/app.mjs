// The test application (the browser suite's, and the dashboard's page for <SignIn/>): a node:http
// server per Usher instance on http://localhost:<port> that
//  - serves the test pages (/sign-in, /sign-up, /user, /profile, the organization components),
//    which load clerk-js 6 and @clerk/ui (or clerk-js 5 alone, its UI built in) from Usher through
//    the proxy and mount one prebuilt component;
//  - reverse-proxies every /__clerk/* request, and every request to the frontend host
//    clerk.localhost:<port>, unchanged to Usher's Frontend API listener (which serves the FAPI
//    under /__clerk/v1/* and the bundles under /__clerk/npm/*), logging each
//    exchange as one JSON line (method, path+query, form body, status, Location, Set-Cookie, body);
//  - answers GET /protected with @clerk/backend's authenticateRequest, through the client the
//    suite configures it with (plain Node here: every suite resolves it, with or without
//    @clerk/backend installed).
import http from 'node:http';
import fs from 'node:fs';

const MAX_LOGGED_BODY = 4000;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'te', 'trailer']);

/**
 * How a page loads Clerk's browser SDK: clerk-js 6 with @clerk/ui's separate bundle, or clerk-js 5,
 * whose bundle carries its UI.
 */
const LOADERS = {
  6: {
    scripts: (pk) => `<script src="/__clerk/npm/@clerk/clerk-js@6/dist/clerk.browser.js" data-clerk-publishable-key="${pk}" data-clerk-proxy-url="/__clerk"></script>
<script src="/__clerk/npm/@clerk/ui@1/dist/ui.browser.js"></script>`,
    options: 'ui: { ClerkUI: window.__internal_ClerkUICtor },',
  },
  5: {
    scripts: (pk) => `<script src="/__clerk/npm/@clerk/clerk-js@5/dist/clerk.browser.js" data-clerk-publishable-key="${pk}" data-clerk-proxy-url="/__clerk"></script>`,
    options: '',
  },
};

function page(title, publishableKey, mountScript, clerkJs = 6) {
  const loader = LOADERS[clerkJs];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>body{font-family:sans-serif;margin:24px} #app{margin-top:16px}</style>
</head>
<body>
<h1 id="title">${title}</h1>
<div id="app"></div>
<pre id="state"></pre>
${loader.scripts(publishableKey)}
<script>
(async () => {
  try {
    await window.Clerk.load({
      ${loader.options}
      telemetry: false,
      signInUrl: '/sign-in',
      signUpUrl: '/sign-up',
      afterSignOutUrl: '/sign-in',
      signInFallbackRedirectUrl: '/user',
      signUpFallbackRedirectUrl: '/user',
    });
    const el = document.getElementById('app');
    ${mountScript}
    document.getElementById('state').textContent = 'user: ' + (Clerk.user ? Clerk.user.id : 'none');
    window.__ready = true;
  } catch (e) {
    window.__loadError = String((e && e.stack) || e);
    document.getElementById('state').textContent = 'load error: ' + window.__loadError;
  }
})();
</script>
</body>
</html>
`;
}

const PAGES = {
  '/sign-in': ['Sign in', "Clerk.mountSignIn(el, { routing: 'hash' });"],
  '/sign-up': ['Sign up', "Clerk.mountSignUp(el, { routing: 'hash' });"],
  '/user': ['User', 'Clerk.mountUserButton(el);'],
  '/profile': ['Profile', "Clerk.mountUserProfile(el, { routing: 'hash' });"],
  // clerk-js loaded, nothing mounted: for driving the JS API.
  '/blank': ['Blank', ''],
  // The organization components; after creating or choosing, back to /blank to read the state.
  '/create-organization': ['Create organization', "Clerk.mountCreateOrganization(el, { routing: 'hash', skipInvitationScreen: true, afterCreateOrganizationUrl: '/blank' });"],
  '/organization-switcher': ['Organization switcher', 'Clerk.mountOrganizationSwitcher(el, { hidePersonal: false });'],
  '/organization-profile': ['Organization profile', "Clerk.mountOrganizationProfile(el, { routing: 'hash' });"],
  '/organization-list': ['Organization list', "Clerk.mountOrganizationList(el, { hidePersonal: false, afterSelectOrganizationUrl: '/blank', afterSelectPersonalUrl: '/blank' });"],
};

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function loggable(buf, contentType) {
  if (!buf || buf.length === 0) return undefined;
  const text = buf.subarray(0, MAX_LOGGED_BODY).toString('utf8');
  if (/json/.test(contentType || '')) {
    try {
      return JSON.parse(buf.toString('utf8'));
    } catch {
      return text;
    }
  }
  if (/x-www-form-urlencoded/.test(contentType || '')) return Object.fromEntries(new URLSearchParams(buf.toString('utf8')));
  return text + (buf.length > MAX_LOGGED_BODY ? `…(${buf.length} bytes)` : '');
}

/** Node's request as a WHATWG Request with the full URL, every header (Cookie included). */
export function toWebRequest(req, origin) {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  return new Request(new URL(req.url, origin), { method: req.method, headers });
}

/**
 * Starts the app server on 127.0.0.1 (and ::1 when available) on a free port, so that the port
 * is known before Usher is started with it. configure() then points it at an Usher instance.
 */
export async function startApp({ name, logFile, clerkJs = 6 }) {
  let cfg = null; // { publishableKey, frontendUrl, clerkClient }
  const log = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : null;
  const entries = [];
  let origin = '';

  function record(entry) {
    entries.push(entry);
    if (entries.length > 5000) entries.shift();
    log?.write(JSON.stringify(entry) + '\n');
  }

  async function proxy(req, res) {
    const started = Date.now();
    const body = await readBody(req);
    const upstream = new URL(cfg.frontendUrl);
    const headers = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const k = req.rawHeaders[i];
      if (HOP_BY_HOP.has(k.toLowerCase())) continue;
      headers[k] = headers[k] === undefined ? req.rawHeaders[i + 1] : `${headers[k]}, ${req.rawHeaders[i + 1]}`;
    }
    const isBundle = req.url.startsWith('/__clerk/npm/');
    const entry = {
      t: new Date(started).toISOString(),
      app: name,
      method: req.method,
      url: req.url,
      origin: req.headers.origin,
      referer: req.headers.referer,
      secFetchSite: req.headers['sec-fetch-site'],
      cookie: req.headers.cookie ? req.headers.cookie.split(/;\s*/).map((c) => c.split('=')[0]) : [],
      body: loggable(body, req.headers['content-type']),
    };
    const up = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (upRes) => {
        const out = [];
        for (let i = 0; i < upRes.rawHeaders.length; i += 2) {
          if (HOP_BY_HOP.has(upRes.rawHeaders[i].toLowerCase())) continue;
          out.push(upRes.rawHeaders[i], upRes.rawHeaders[i + 1]);
        }
        res.writeHead(upRes.statusCode, upRes.statusMessage, out);
        const chunks = [];
        upRes.on('data', (c) => {
          if (!isBundle) chunks.push(c);
          res.write(c);
        });
        upRes.on('end', () => {
          res.end();
          entry.status = upRes.statusCode;
          entry.ms = Date.now() - started;
          if (upRes.headers.location) entry.location = upRes.headers.location;
          if (upRes.headers['set-cookie']) entry.setCookie = upRes.headers['set-cookie'];
          if (!isBundle) entry.response = loggable(Buffer.concat(chunks), upRes.headers['content-type']);
          if (isBundle && upRes.statusCode === 200) return; // the bundle and its chunks: only failures
          record(entry);
        });
      },
    );
    up.on('error', (err) => {
      entry.status = 502;
      entry.error = String(err);
      record(entry);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy error: ${err}`);
    });
    up.end(body);
  }

  async function protectedRoute(req, res) {
    const request = toWebRequest(req, origin);
    let state;
    try {
      state = await cfg.clerkClient.authenticateRequest(request, {
        proxyUrl: `${origin}/__clerk`,
        authorizedParties: [origin],
      });
    } catch (err) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: String((err && err.stack) || err) }));
      return;
    }
    const headers = [];
    state.headers?.forEach((v, k) => {
      if (k.toLowerCase() === 'set-cookie') return;
      headers.push(k, v);
    });
    for (const c of state.headers?.getSetCookie?.() || []) headers.push('Set-Cookie', c);
    headers.push('Cache-Control', 'no-store');
    const summary = { app: name, t: new Date().toISOString(), method: req.method, url: req.url, route: 'protected', authStatus: state.status, reason: state.reason, message: state.message };
    if (state.status === 'signed-in') {
      const auth = state.toAuth();
      summary.userId = auth.userId;
      record(summary);
      res.writeHead(200, [...headers, 'Content-Type', 'application/json']);
      res.end(JSON.stringify({ status: 'signed-in', userId: auth.userId, sessionId: auth.sessionId }));
    } else if (state.status === 'handshake') {
      summary.location = state.headers?.get('location');
      record(summary);
      res.writeHead(307, headers);
      res.end();
    } else {
      record(summary);
      res.writeHead(401, [...headers, 'Content-Type', 'application/json']);
      res.end(JSON.stringify({ status: state.status, reason: state.reason, message: state.message }));
    }
  }

  async function handle(req, res) {
    const pathname = new URL(req.url, 'http://x').pathname;
    // The instance's frontend host (clerk.localhost:<port>, which resolves to loopback) is the
    // Frontend API itself, as its DNS name would be in production: the absolute URLs Usher
    // writes (uploaded images) point there.
    const frontendHost = /^clerk\.localhost(:\d+)?$/.test(req.headers.host || '');
    if (frontendHost || pathname === '/__clerk' || pathname.startsWith('/__clerk/')) {
      if (!cfg) {
        res.writeHead(503).end('not configured');
        return;
      }
      return proxy(req, res);
    }
    if (pathname === '/protected') {
      if (!cfg?.clerkClient) {
        res.writeHead(503).end('not configured');
        return;
      }
      return protectedRoute(req, res);
    }
    if (PAGES[pathname] && cfg) {
      const [title, mount] = PAGES[pathname];
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page(`${title} (${name})`, cfg.publishableKey, mount, clerkJs));
      return;
    }
    if (pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (pathname === '/static') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>static</title><h1 id="title">static page</h1><button id="b" onclick="this.textContent=\'clicked\'">click me</button>');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }

  const servers = [];
  const onRequest = (req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String((err && err.stack) || err));
    });
  };
  const v4 = http.createServer(onRequest);
  await new Promise((resolve, reject) => v4.once('error', reject).listen(0, '127.0.0.1', resolve));
  servers.push(v4);
  const port = v4.address().port;
  // "localhost" may resolve to ::1 first in the browser: answer there too when possible.
  const v6 = http.createServer(onRequest);
  await new Promise((resolve) => {
    v6.once('error', () => resolve());
    v6.listen(port, '::1', () => {
      servers.push(v6);
      resolve();
    });
  });
  origin = `http://localhost:${port}`;

  return {
    name,
    port,
    origin,
    entries,
    /** Points the app at an Usher instance; `clerkClient` (@clerk/backend's) serves /protected. */
    configure({ publishableKey, frontendUrl, clerkClient = null }) {
      cfg = { publishableKey, frontendUrl, clerkClient };
    },
    async close() {
      for (const s of servers) {
        s.closeAllConnections?.();
        await new Promise((r) => s.close(() => r()));
      }
      await new Promise((r) => (log ? log.end(r) : r()));
    },
  };
}
