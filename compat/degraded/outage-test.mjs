// Degraded mode against a real PostgreSQL outage (ci.sh gives this program a cluster of its own):
// node A serves 100 browser clients signed in through the Frontend API with cookies, node B
// (same database) revokes a few of their sessions, then PostgreSQL is stopped for
// DEGRADED_OUTAGE_SECS while every client refreshes every few seconds. The clients must keep
// getting valid tokens (checked against the JWKS read before), the revoked sessions must never
// get one, sign-ins and writes must fail fast with Clerk's 503; once PostgreSQL is back,
// normal service returns and nothing written before the outage is lost.
import { execSync } from 'node:child_process';
import crypto from 'node:crypto';
import { startUsher, liveSecretKey, logTail, sleep, waitFor } from '../lib/usher.mjs';
import { bapi, jsonOrText } from '../lib/bapi.mjs';
import { cookieHeader, keepCookies } from '../lib/cookies.mjs';

const ORIGIN = 'http://localhost:3000';
const OUTAGE_SECS = Number(process.env.DEGRADED_OUTAGE_SECS || 120);
const CLIENTS = Number(process.env.DEGRADED_CLIENTS || 100);
const REVOKED = 5;
const REFRESH_EVERY_MS = 3000;
const DB_TIMEOUT_MS = 1000;
const { DEGRADED_DATABASE_URL: databaseUrl, DEGRADED_PG_CTL: pgCtl, DEGRADED_PG_OPTS: pgOpts } = process.env;
if (!databaseUrl || !pgCtl) throw new Error('run through compat/degraded/ci.sh (it starts the PostgreSQL cluster)');
const QUERY = '__clerk_api_version=2025-11-10&_clerk_js_version=6.40.0';

let passed = 0;
let failed = 0;
function check(ok, what) {
  if (ok) passed++;
  else {
    failed++;
    console.error(`FAIL: ${what}`);
  }
  return ok;
}

/** A browser: its own cookie jar and its own address (X-Forwarded-For through a trusted proxy). */
class Browser {
  constructor(node, n) {
    this.node = node;
    this.ip = `203.0.113.${n}`;
    this.jar = new Map();
  }
  async post(path, form = {}) {
    const headers = {
      Origin: ORIGIN,
      'X-Forwarded-For': this.ip,
      'Content-Type': 'application/x-www-form-urlencoded',
    };
    if (this.jar.size) headers.Cookie = cookieHeader(this.jar);
    const started = Date.now();
    const res = await fetch(`${this.node.frontendUrl}${path}?${QUERY}`, {
      method: 'POST',
      headers,
      body: new URLSearchParams(form).toString(),
      // Sign-ins wait on password hashing, slow on a busy machine; a refresh answers in ms.
      signal: AbortSignal.timeout(120_000),
    });
    keepCookies(this.jar, res);
    const body = jsonOrText(await res.text());
    return { status: res.status, body, ms: Date.now() - started };
  }
  signIn(email, password) {
    return this.post('/v1/client/sign_ins', { identifier: email, strategy: 'password', password });
  }
  refresh() {
    return this.post(`/v1/client/sessions/${this.sessionId}/tokens`);
  }
}

const b64json = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

/** The JWT's claims when its RS256 signature verifies under one of `jwks`' keys; else null. */
function verify(jwt, jwks) {
  const [h, p, sig] = String(jwt).split('.');
  if (!sig) return null;
  const header = b64json(h);
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk || header.alg !== 'RS256') return null;
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  const ok = crypto.verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(sig, 'base64url'));
  return ok ? b64json(p) : null;
}

async function readyz(node) {
  try {
    const res = await fetch(`${node.apiUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
    return (await res.json()).status;
  } catch {
    return 'no answer';
  }
}

/** Runs `f` over `items`, `width` at a time. */
async function pool(items, width, f) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i], i);
      }
    }),
  );
  return out;
}

const suiteStarted = Date.now();
const flags = [
  '--client-trust', 'false',
  '--trusted-proxies', '127.0.0.1',
  '--degraded-mode-db-timeout-ms', String(DB_TIMEOUT_MS),
  '--hasher-workers', '2',
];
const common = {
  environment: 'production',
  allowedOrigins: ORIGIN,
  frontendHost: 'clerk.localhost:3000',
  databaseUrl,
};
const secretKey = liveSecretKey();
const a = await startUsher({ ...common, name: 'degraded-a', secretKey, args: flags });
const b = await startUsher({ ...common, name: 'degraded-b', secretKey, args: flags });
const revokedEver = new Set();
let refreshedRevoked = 0;
try {
  const api = bapi(a);
  // 1. Users, and one browser each signed in on node A.
  const password = 'Degraded-mode-lantern-4471';
  const browsers = await pool([...Array(CLIENTS).keys()], 2, async (i) => {
    const email = `degraded-${i}@example.com`;
    const user = await api.post('/v1/users', { email_address: [email], password });
    const br = new Browser(a, i + 1);
    const r = await br.signIn(email, password);
    if (r.status !== 200 || r.body?.response?.status !== 'complete') {
      throw new Error(`sign-in ${i}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    }
    br.sessionId = r.body.response.created_session_id;
    br.userId = user.id;
    return br;
  });
  check(browsers.length === CLIENTS, `${CLIENTS} clients signed in`);
  const jwks = await (await fetch(`${a.frontendUrl}/.well-known/jwks.json`)).json();
  check(jwks.keys?.length > 0, 'JWKS read before the outage');

  const tokenOk = (br, r) => {
    const claims = r.status === 200 ? verify(r.body?.jwt, jwks) : null;
    return Boolean(claims && claims.sid === br.sessionId && claims.sub === br.userId && claims.exp * 1000 > Date.now());
  };

  // 2. Every client refreshes once on A while the database answers (as clerk-js does every
  // minute): node A now holds each session.
  const first = await pool(browsers, 10, (br) => br.refresh());
  check(first.every((r, i) => tokenOk(browsers[i], r)), 'every client refreshed before the outage');

  // 3. A few sessions revoked on node B; node A learns it from the database's events.
  const revoked = browsers.slice(0, REVOKED);
  for (const br of revoked) {
    await bapi(b).post(`/v1/sessions/${br.sessionId}/revoke`);
    revokedEver.add(br.sessionId);
  }
  await sleep(4000);
  const live = browsers.slice(REVOKED);
  const witness = live[0];

  // 4. PostgreSQL stops.
  console.log(`degraded: stopping PostgreSQL for ${OUTAGE_SECS} s`);
  execSync(`${pgCtl} -m fast -w stop`, { stdio: 'inherit' });
  const outageStarted = Date.now();
  await waitFor('node A to enter degraded mode', async () => (await readyz(a)) === 'degraded', 30_000, 250);
  console.log(`degraded: node A degraded ${Date.now() - outageStarted} ms after the stop`);

  // Sign-ins and writes fail fast with Clerk's 503.
  const newcomer = new Browser(a, 200);
  const signIn = await newcomer.signIn('degraded-0@example.com', password);
  console.log(`degraded: a sign-in during the outage answered ${signIn.status} in ${signIn.ms} ms`);
  check(signIn.status === 503, `sign-in during the outage: 503 (got ${signIn.status})`);
  check(signIn.body?.errors?.[0]?.code === 'service_unavailable', 'sign-in refusal is Clerk-shaped (service_unavailable)');
  const write = await fetch(`${a.apiUrl}/v1/users`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${a.secretKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email_address: ['during-outage@example.com'], skip_password_requirement: true }),
  });
  check(write.status === 503, `a Backend API write during the outage: 503 (got ${write.status})`);

  // 5. Every client refreshes every few seconds for the whole outage.
  let rounds = 0;
  let served = 0;
  let refused = 0;
  while (Date.now() - outageStarted < OUTAGE_SECS * 1000) {
    const roundStarted = Date.now();
    const results = await pool(browsers, 20, (br) => br.refresh());
    results.forEach((r, i) => {
      const br = browsers[i];
      if (revokedEver.has(br.sessionId)) {
        if (r.status === 200) refreshedRevoked++;
        check(r.status === 503, `revoked session ${br.sessionId} during the outage: 503 (got ${r.status})`);
      } else if (check(tokenOk(br, r), `client ${i} round ${rounds}: a valid token (got ${r.status} ${JSON.stringify(r.body).slice(0, 200)})`)) {
        served++;
      } else {
        refused++;
      }
    });
    rounds++;
    await sleep(Math.max(0, REFRESH_EVERY_MS - (Date.now() - roundStarted)));
  }
  console.log(`degraded: ${rounds} rounds, ${served} tokens served from memory, ${refused} refused`);
  check(rounds >= 2, 'the clients refreshed through the outage');

  // 6. PostgreSQL returns; node A leaves degraded mode.
  execSync(`${pgCtl} -w -t 60 start -o "${pgOpts}"`, { stdio: 'inherit' });
  const back = Date.now();
  await waitFor('node A to leave degraded mode', async () => (await readyz(a)) === 'ready', 60_000, 250);
  console.log(`degraded: PostgreSQL back; node A ready again after ${Date.now() - back} ms`);

  const after = await pool(browsers, 10, (br) => br.refresh());
  after.forEach((r, i) => {
    const br = browsers[i];
    if (revokedEver.has(br.sessionId)) {
      if (r.status === 200) refreshedRevoked++;
      check(r.status !== 200 && r.status < 500, `revoked session after the outage: refused (got ${r.status})`);
    } else check(tokenOk(br, r), `client ${i} after the outage: a valid token (got ${r.status})`);
  });
  const again = await newcomer.signIn('degraded-0@example.com', password);
  check(again.status === 200 && again.body?.response?.status === 'complete', `sign-in after the outage (got ${again.status})`);
  const user = await api.get(`/v1/users/${witness.userId}`);
  check(user.id === witness.userId && user.email_addresses?.[0]?.email_address, 'a user created before the outage is intact');
  const session = await api.get(`/v1/sessions/${witness.sessionId}`);
  check(session.status === 'active', `a session created before the outage is active (got ${session.status})`);
  for (const br of revoked) {
    const s = await api.get(`/v1/sessions/${br.sessionId}`);
    check(s.status === 'revoked', `a session revoked before the outage stays revoked (got ${s.status})`);
  }
  const metrics = await (await fetch(`${a.apiUrl}/metrics`)).text();
  const value = (name) => Number(metrics.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? NaN);
  check(value('usher_degraded_tokens_total') >= served, 'usher_degraded_tokens_total counts the tokens served from memory');
  check(value('usher_degraded_mode_active') === 0, 'usher_degraded_mode_active is 0 again');
  check(refreshedRevoked === 0, `no revoked session was ever refreshed (${refreshedRevoked})`);
} catch (e) {
  console.error(e);
  failed++;
} finally {
  if (failed > 0) for (const n of [a, b]) console.error(`--- last lines of ${n.name}'s log:\n${logTail(n.logFile, 40)}`);
  await b.stop();
  await a.stop();
}
console.log(`degraded: suite took ${Math.round((Date.now() - suiteStarted) / 1000)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
