// One `usher serve` on free loopback ports with a throw-away data directory, and a browser-like
// Frontend API client that records every exchange for the spec check.
import { spawn, execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const execFileP = promisify(execFile);
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const USHER_BIN = path.resolve(REPO_ROOT, process.env.USHER_BIN || 'target/release/usher');
export const APP_ORIGIN = 'http://localhost:3000';
/** What clerk-js 6 sends on every Frontend API call. */
const CLERK_QUERY = { __clerk_api_version: '2025-11-10', _clerk_js_version: '6.40.0' };

async function freePorts(n) {
  const servers = [];
  for (let i = 0; i < n; i++) {
    const s = net.createServer();
    await new Promise((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
  }
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function healthy(url) {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** @param {'production'|'development'} environment */
export async function startUsher(environment) {
  if (!fs.existsSync(USHER_BIN)) throw new Error(`no usher binary at ${USHER_BIN}`);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `usher-fapi-spec-${environment}-`));
  const dataDir = path.join(workDir, 'data');
  fs.mkdirSync(dataDir);
  const logFile = path.join(workDir, 'usher.log');
  const out = fs.openSync(logFile, 'a');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('USHER_')));
  const [a, f] = await freePorts(2);
  const args = ['serve', '--data-dir', dataDir, '--api-addr', `127.0.0.1:${a}`, '--frontend-addr', `127.0.0.1:${f}`,
    '--environment', environment, '--allowed-origins', APP_ORIGIN];
  if (environment === 'production') {
    args.push('--frontend-host', 'clerk.localhost:3000', '--secret-key', `sk_live_${crypto.randomBytes(20).toString('hex')}`);
  } else {
    args.push('--frontend-host', 'happy-hippo-13.clerk.accounts.dev');
  }
  const child = spawn(USHER_BIN, args, { env, stdio: ['ignore', out, out] });
  const deadline = Date.now() + 30_000;
  while (!(await healthy(`http://127.0.0.1:${a}/healthz`))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`usher did not start:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const { stdout } = await execFileP(USHER_BIN, ['keys', '--data-dir', dataDir, '--json'], { env });
  const keys = JSON.parse(stdout);
  return {
    environment,
    apiUrl: `http://127.0.0.1:${a}`,
    frontendUrl: `http://127.0.0.1:${f}`,
    secretKey: keys.secret_key,
    logFile,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(timer);
      }
      fs.closeSync(out);
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** A Backend API call with the instance's secret key. */
export async function bapi(usher, method, p, body) {
  const res = await fetch(new URL(p, usher.apiUrl), {
    method,
    headers: { Authorization: `Bearer ${usher.secretKey}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`BAPI ${method} ${p} → ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/** The newest one-time code emailed to `address` (read back through the Backend API). */
export async function emailedCode(usher, address, seen) {
  const deadline = Date.now() + 8000;
  for (;;) {
    const list = await bapi(usher, 'GET', `/v1/emails?email_address=${encodeURIComponent(address)}`);
    const fresh = (list.data || []).find((e) => e?.data?.otp_code && !seen.has(e.id));
    if (fresh) {
      seen.add(fresh.id);
      return fresh.data.otp_code;
    }
    if (Date.now() > deadline) throw new Error(`no code for ${address}: ${JSON.stringify(list).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A browser tab running clerk-js: form bodies, PATCH/DELETE tunnelled as `POST ?_method=`, an
 * `Origin` on every call, the `__client` cookie kept (or the dev-browser token sent). Every
 * exchange lands in `exchanges` as `{method, url, status, body}`.
 */
export class Browser {
  constructor(usher, exchanges) {
    this.usher = usher;
    this.exchanges = exchanges;
    this.jar = new Map();
    this.devToken = null;
    this.sessionId = null;
  }

  async send(method, p, form) {
    const url = new URL(p, this.usher.frontendUrl);
    const tunnel = method === 'PATCH' || method === 'DELETE' ? method : null;
    if (tunnel) url.searchParams.set('_method', tunnel);
    for (const [k, v] of Object.entries(CLERK_QUERY)) url.searchParams.set(k, v);
    if (p.startsWith('/v1/me') && this.sessionId) url.searchParams.set('_clerk_session_id', this.sessionId);
    if (this.devToken) url.searchParams.set('__clerk_db_jwt', this.devToken);
    const headers = { Origin: APP_ORIGIN };
    if (this.jar.size) headers.Cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const httpMethod = method === 'GET' ? 'GET' : 'POST';
    let body;
    if (httpMethod === 'POST') {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form || {}).toString();
    }
    const res = await fetch(url, { method: httpMethod, headers, body, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(/;\s*/);
      const i = pair.indexOf('=');
      const [name, value] = [pair.slice(0, i), pair.slice(i + 1)];
      if (attrs.some((a) => /^max-age=0$/i.test(a)) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    const text = await res.text();
    let json;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = text;
    }
    const exchange = { method: httpMethod, url: url.pathname + url.search, status: res.status, body: json };
    this.exchanges.push(exchange);
    return exchange;
  }

  get(p) {
    return this.send('GET', p);
  }
  post(p, form) {
    return this.send('POST', p, form);
  }
  patch(p, form) {
    return this.send('PATCH', p, form);
  }
  delete(p, form) {
    return this.send('DELETE', p, form);
  }
}
