// A real `usher serve` on loopback for the webhook suites (through the shared launcher,
// ../../lib/usher.mjs) that can be killed and started again on the same data and ports.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startUsher, cleanEnv } from '../../lib/usher.mjs';
import { bapi } from '../../lib/bapi.mjs';
import { USHER_BIN } from '../../lib/paths.mjs';

export { sleep, waitFor } from '../../lib/usher.mjs';
export { USHER_BIN };

/**
 * An Usher server with its own data directory. `start()` may be called again after `kill()`
 * or `stop()`: the same data directory and ports are reused, as after a real crash. Every
 * USHER_* variable of the caller's environment is dropped, so runs are reproducible; `env` adds
 * the test's own.
 */
export class Usher {
  constructor(env = {}) {
    this.env = cleanEnv({ USHER_LOG: 'warn', ...env });
    this.workDir = mkdtempSync(join(tmpdir(), 'usher-webhooks-'));
    this.dataDir = join(this.workDir, 'data');
    mkdirSync(this.dataDir);
    this.logFile = join(this.workDir, 'usher.log');
    this.server = null;
    this.starts = 0;
  }

  /** Everything the server printed, over all its starts. */
  get log() {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  async start() {
    this.server = await startUsher({
      name: 'webhooks',
      env: this.env,
      dataDir: this.dataDir,
      logFile: this.logFile,
      ports: this.apiPort ? [this.apiPort, this.frontendPort] : undefined,
      requireKeys: ['secret_key'],
      stopGraceMs: 10_000,
    });
    this.starts += 1;
    ({ apiPort: this.apiPort, frontendPort: this.frontendPort, apiUrl: this.apiUrl } = this.server);
    this.secretKey ??= this.server.secretKey;
    this.instanceId ??= this.server.instanceId;
    this.client = bapi({ apiUrl: this.apiUrl, secretKey: this.secretKey, headers: { 'Content-Type': 'application/json' } });
    return this;
  }

  /** kill -9: no chance to finish anything. */
  async kill() {
    await this.server?.kill();
  }

  async stop() {
    await this.server?.stop();
  }

  async dispose() {
    await this.stop();
    rmSync(this.workDir, { recursive: true, force: true });
  }

  /** A Backend API call; throws with the body on a non-2xx answer. */
  api(method, path, body) {
    return this.client.call(method, path, body);
  }

  /** Runs the `usher` CLI against this server's data directory and parses its --json output. */
  cli(...args) {
    const out = execFileSync(USHER_BIN, [...args, '--json', '--data-dir', this.dataDir], { env: this.env });
    return JSON.parse(out.toString());
  }
}
