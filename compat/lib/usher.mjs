// The one way every suite starts Usher: `usher serve` on free loopback ports with a throw-away
// data directory (or a given one), waiting for /healthz, then the instance's keys read with
// `usher keys --json`. Plain Node, no npm packages: it resolves the same from every suite.
import { spawn, execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { USHER_BIN } from './paths.mjs';

const execFileP = promisify(execFile);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value, or throws after `timeoutMs` naming `what`. */
export async function waitFor(what, check, timeoutMs = 30_000, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function randomAlnum(n) {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(crypto.randomBytes(n), (b) => chars[b % chars.length]).join('');
}

/** A production secret key: seeding one makes the instance a production one. */
export const liveSecretKey = () => `sk_live_${randomAlnum(40)}`;

/** `n` distinct free TCP ports on 127.0.0.1 (all held open together, so they differ). */
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

export async function healthy(url) {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** The caller's environment without its USHER_* settings (they would make the instance not fresh), plus `extra`. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('USHER_')) env[k] = v;
  return { ...env, ...extra };
}

/**
 * `signal` (SIGTERM), then SIGKILL after `graceMs`; resolves once the process is gone. `group`:
 * signal the child's whole process group (a `detached` child and what it started).
 */
export async function stopProcess(child, { graceMs = 5000, signal = 'SIGTERM', group = false } = {}) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  const kill = (sig) => (group ? process.kill(-child.pid, sig) : child.kill(sig));
  kill(signal);
  const timer = setTimeout(() => kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/** The last `lines` lines of a log file ('' when there is none). */
export function logTail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts one `usher serve` and reads its keys.
 *
 * @param {object} o
 * @param {string} [o.name]            label for logs and the temp directory
 * @param {'production'|'development'} [o.environment]  --environment (omitted: the server's default)
 * @param {string|Function} [o.frontendHost]    --frontend-host; a function of `{ apiAddr, frontendAddr }`
 *                                     for a value naming the listeners (e.g. the frontend's own address)
 * @param {string|Function} [o.allowedOrigins]  --allowed-origins, likewise
 * @param {string} [o.secretKey]       --secret-key
 * @param {string} [o.clerkJsDir]      --clerk-js-dir
 * @param {string} [o.databaseUrl]     --database-url, for serve and keys (default: SQLite in the data dir)
 * @param {string[]} [o.args]          further `serve` flags
 * @param {object} [o.env]             the child's environment (default: cleanEnv())
 * @param {string} [o.dataDir]         an existing data directory, kept on stop (default: a fresh temp one)
 * @param {number[]} [o.ports]         [api, frontend] to bind (default: free ones, retried if taken meanwhile)
 * @param {string} [o.logFile]         server output, appended (default: usher.log in the temp directory)
 * @param {boolean} [o.keep]           keep the temp directory on stop
 * @param {string[]} [o.requireKeys]   `usher keys --json` fields that must be there
 * @param {number} [o.stopGraceMs]     how long stop() waits after SIGTERM before SIGKILL
 */
export async function startUsher({
  name = 'usher',
  environment,
  frontendHost,
  allowedOrigins,
  secretKey,
  clerkJsDir,
  databaseUrl,
  args: extraArgs = [],
  env = cleanEnv(),
  dataDir,
  ports,
  logFile,
  keep = false,
  requireKeys = ['secret_key', 'publishable_key', 'jwt_public_key_pem'],
  stopGraceMs = 5000,
} = {}) {
  if (!fs.existsSync(USHER_BIN)) throw new Error(`no usher binary at ${USHER_BIN} (cargo build --release -p usher)`);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `usher-${name}-`));
  dataDir ??= path.join(workDir, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  logFile ??= path.join(workDir, 'usher.log');
  const dbArgs = databaseUrl ? ['--database-url', databaseUrl] : [];
  const out = fs.openSync(logFile, 'a');
  let outOpen = true;
  // Only what startUsher made: a given data directory or log file lives elsewhere and stays.
  const release = () => {
    if (outOpen) fs.closeSync(out);
    outOpen = false;
    if (!keep) fs.rmSync(workDir, { recursive: true, force: true });
  };
  let child = null;
  let apiAddr;
  let frontendAddr;
  try {
    // A port picked here can be taken before the server binds it: retry with others.
    for (let attempt = 1; attempt <= (ports ? 1 : 3) && !child; attempt++) {
      const [a, f] = ports ?? (await freePorts(2));
      apiAddr = `127.0.0.1:${a}`;
      frontendAddr = `127.0.0.1:${f}`;
      const args = ['serve', '--data-dir', dataDir, ...dbArgs, '--api-addr', apiAddr, '--frontend-addr', frontendAddr];
      if (environment) args.push('--environment', environment);
      const value = (v) => (typeof v === 'function' ? v({ apiAddr, frontendAddr }) : v);
      if (allowedOrigins) args.push('--allowed-origins', value(allowedOrigins));
      if (frontendHost) args.push('--frontend-host', value(frontendHost));
      if (clerkJsDir) args.push('--clerk-js-dir', clerkJsDir);
      if (secretKey) args.push('--secret-key', secretKey);
      args.push(...extraArgs);
      fs.writeSync(out, `\n# ${new Date().toISOString()} ${USHER_BIN} ${args.join(' ')}\n`);
      const proc = spawn(USHER_BIN, args, { env, stdio: ['ignore', out, out] });
      let exited = false;
      proc.on('exit', () => (exited = true));
      const deadline = Date.now() + 30_000;
      let up = false;
      while (Date.now() < deadline && !exited && !(up = await healthy(`http://${apiAddr}/healthz`))) await sleep(100);
      if (exited) continue; // a port taken meanwhile, or a bad flag: the log tells
      if (!up) {
        proc.kill('SIGKILL');
        throw new Error(`usher (${name}) did not answer http://${apiAddr}/healthz within 30 s; last lines of ${logFile}:\n${logTail(logFile)}`);
      }
      child = proc;
    }
    if (!child) throw new Error(`usher (${name}) exited during start-up; last lines of ${logFile}:\n${logTail(logFile)}`);
    const { stdout } = await execFileP(USHER_BIN, ['keys', '--data-dir', dataDir, ...dbArgs, '--json'], { env });
    const keys = JSON.parse(stdout);
    for (const k of requireKeys) if (!keys[k]) throw new Error(`usher keys --json gave no ${k}: ${stdout}`);
    const proc = child;
    return {
      name,
      environment,
      workDir,
      dataDir,
      logFile,
      keys,
      apiUrl: `http://${apiAddr}`,
      frontendUrl: `http://${frontendAddr}`,
      apiPort: Number(apiAddr.split(':')[1]),
      frontendPort: Number(frontendAddr.split(':')[1]),
      reportedFrontendApiUrl: keys.frontend_api_url,
      secretKey: keys.secret_key,
      publishableKey: keys.publishable_key,
      jwtKey: keys.jwt_public_key_pem,
      instanceId: keys.instance_id,
      pid: proc.pid,
      process: proc,
      /** kill -9: no chance to finish anything; the data directory stays. */
      async kill() {
        await stopProcess(proc, { signal: 'SIGKILL' });
        release();
      },
      async stop() {
        await stopProcess(proc, { graceMs: stopGraceMs });
        release();
      },
    };
  } catch (err) {
    child?.kill('SIGKILL');
    release();
    throw err;
  }
}
