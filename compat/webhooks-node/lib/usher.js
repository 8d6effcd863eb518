// Starts, stops and kills a real `usher serve` on loopback for the webhook suites.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const USHER_BIN = process.env.USHER_BIN || join(ROOT, 'target/release/usher');

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value, or throws after `timeoutMs` with `what`. */
export async function waitFor(what, check, timeoutMs = 30_000, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

// Every USHER_* variable of the caller's environment is dropped, so runs are reproducible.
function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('USHER_')) env[k] = v;
  return { ...env, USHER_LOG: 'warn', ...extra };
}

/**
 * An Usher server with its own data directory. `start()` may be called again after `kill()`
 * or `stop()`: the same data directory and ports are reused, as after a real crash.
 */
export class Usher {
  constructor(env = {}) {
    this.env = env;
    this.dataDir = mkdtempSync(join(tmpdir(), 'usher-webhooks-'));
    this.proc = null;
    this.log = '';
    this.starts = 0;
  }

  async start() {
    if (!this.apiPort) {
      this.apiPort = await freePort();
      this.frontendPort = await freePort();
    }
    this.apiUrl = `http://127.0.0.1:${this.apiPort}`;
    const proc = spawn(
      USHER_BIN,
      [
        'serve',
        '--data-dir', this.dataDir,
        '--api-addr', `127.0.0.1:${this.apiPort}`,
        '--frontend-addr', `127.0.0.1:${this.frontendPort}`,
      ],
      { env: cleanEnv(this.env), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.proc = proc;
    this.starts += 1;
    proc.stdout.on('data', (d) => { this.log += d; });
    proc.stderr.on('data', (d) => { this.log += d; });
    let exited = null;
    proc.on('exit', (code, signal) => { exited = { code, signal }; });
    await waitFor(`usher to answer on ${this.apiUrl}`, async () => {
      if (exited) throw new Error(`usher exited during start-up (${JSON.stringify(exited)}):\n${this.log.slice(-3000)}`);
      try {
        return (await fetch(`${this.apiUrl}/healthz`)).ok;
      } catch {
        return false;
      }
    });
    if (!this.secretKey) {
      const keys = JSON.parse(
        execFileSync(USHER_BIN, ['keys', '--json', '--data-dir', this.dataDir], { env: cleanEnv(this.env) }).toString(),
      );
      this.secretKey = keys.secret_key;
      this.instanceId = keys.instance_id;
    }
    return this;
  }

  /** kill -9: no chance to finish anything. */
  async kill() {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  }

  async stop() {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(t);
  }

  async dispose() {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** A Backend API call; throws with the body on a non-2xx answer. */
  async api(method, path, body) {
    const res = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.secretKey}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text);
  }

  /** Runs the `usher` CLI against this server's data directory and parses its --json output. */
  cli(...args) {
    const out = execFileSync(USHER_BIN, [...args, '--json', '--data-dir', this.dataDir], { env: cleanEnv(this.env) });
    return JSON.parse(out.toString());
  }
}
