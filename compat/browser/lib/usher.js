// Starts one `usher serve` on free loopback ports with a throw-away data directory, reads its
// keys with `usher keys --json`, and offers small Backend API helpers.
import { spawn, execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { USHER_BIN, VENDOR_DIR } from './paths.js';

const execFileP = promisify(execFile);

export function randomAlnum(n) {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.randomBytes(n);
  return Array.from(bytes, (b) => chars[b % chars.length]).join('');
}

export async function freePorts(n) {
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
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Environment for the child: the caller's USHER_* settings would make the instance not fresh. */
function childEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('USHER_')) delete env[k];
  return env;
}

/**
 * @param {object} o
 * @param {string} o.name             label for logs
 * @param {'production'|'development'} o.environment
 * @param {string} [o.frontendHost]   --frontend-host (default: the frontend listener's address)
 * @param {string} o.allowedOrigins   --allowed-origins
 * @param {string} [o.secretKey]      --secret-key
 * @param {string|null} [o.clerkJsDir] --clerk-js-dir (default: this suite's vendor/node_modules; null: none)
 * @param {string} o.logFile          server output
 */
export async function startUsher({ name, environment, frontendHost, allowedOrigins, secretKey, clerkJsDir, logFile }) {
  if (!fs.existsSync(USHER_BIN)) throw new Error(`no usher binary at ${USHER_BIN} (cargo build --release -p usher)`);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `usher-browser-${name}-`));
  const dataDir = path.join(workDir, 'data');
  fs.mkdirSync(dataDir);
  const out = fs.openSync(logFile, 'a');
  let child = null;
  let apiAddr;
  let frontendAddr;
  for (let attempt = 1; attempt <= 3 && !child; attempt++) {
    const [a, f] = await freePorts(2);
    apiAddr = `127.0.0.1:${a}`;
    frontendAddr = `127.0.0.1:${f}`;
    const args = [
      'serve',
      '--data-dir', dataDir,
      '--api-addr', apiAddr,
      '--frontend-addr', frontendAddr,
      '--environment', environment,
      '--allowed-origins', allowedOrigins,
    ];
    if (frontendHost) args.push('--frontend-host', frontendHost);
    if (clerkJsDir !== null) args.push('--clerk-js-dir', clerkJsDir ?? VENDOR_DIR);
    if (secretKey) args.push('--secret-key', secretKey);
    fs.writeSync(out, `\n# ${new Date().toISOString()} ${USHER_BIN} ${args.join(' ')}\n`);
    const proc = spawn(USHER_BIN, args, { env: childEnv(), stdio: ['ignore', out, out] });
    let exited = false;
    proc.on('exit', () => (exited = true));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !exited) {
      if (await healthy(`http://${apiAddr}/healthz`)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (exited) continue; // a port taken meanwhile, or a bad flag: the log tells
    if (!(await healthy(`http://${apiAddr}/healthz`))) {
      proc.kill('SIGKILL');
      throw new Error(`usher (${name}) did not answer /healthz within 30 s; see ${logFile}`);
    }
    child = proc;
  }
  if (!child) {
    const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
    throw new Error(`usher (${name}) exited during start-up; last lines of ${logFile}:\n${tail}`);
  }
  const { stdout } = await execFileP(USHER_BIN, ['keys', '--data-dir', dataDir, '--json'], { env: childEnv() });
  const keys = JSON.parse(stdout);
  for (const k of ['secret_key', 'publishable_key', 'jwt_public_key_pem']) {
    if (!keys[k]) throw new Error(`usher keys --json gave no ${k}: ${stdout}`);
  }
  return {
    name,
    environment,
    dataDir,
    apiUrl: `http://${apiAddr}`,
    frontendUrl: `http://${frontendAddr}`,
    reportedFrontendApiUrl: keys.frontend_api_url,
    secretKey: keys.secret_key,
    publishableKey: keys.publishable_key,
    jwtKey: keys.jwt_public_key_pem,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(timer);
      }
      fs.closeSync(out);
      if (process.env.USHER_BROWSER_KEEP !== '1') fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** Backend API calls with the instance's secret key. */
export function bapi({ apiUrl, secretKey }) {
  async function call(method, p, body) {
    const res = await fetch(new URL(p, apiUrl), {
      method,
      headers: {
        Authorization: `Bearer ${secretKey}`,
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    if (!res.ok) {
      const err = new Error(`BAPI ${method} ${p} → ${res.status}: ${text.slice(0, 500)}`);
      err.status = res.status;
      err.body = json;
      throw err;
    }
    return json;
  }
  return {
    call,
    get: (p) => call('GET', p),
    post: (p, body) => call('POST', p, body),
    emails: (address) => call('GET', `/v1/emails?email_address=${encodeURIComponent(address)}`),
    /** Polls /v1/emails for a one-time code sent to `address` that is not in `seen`. */
    async waitForOtp(address, { timeoutMs = 8000, seen = new Set() } = {}) {
      const deadline = Date.now() + timeoutMs;
      let last;
      for (;;) {
        last = await call('GET', `/v1/emails?email_address=${encodeURIComponent(address)}`);
        const fresh = (last.data || []).find((e) => e?.data?.otp_code && !seen.has(e.id ?? e.data.otp_code));
        if (fresh) return { code: fresh.data.otp_code, email: fresh };
        if (Date.now() > deadline) {
          throw new Error(`no one-time code for ${address} in /v1/emails after ${timeoutMs} ms: ${JSON.stringify(last).slice(0, 600)}`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  };
}
