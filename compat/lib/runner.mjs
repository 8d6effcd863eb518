// The frame of a suite's launcher (run.mjs): start the servers, run a command (by default the
// suite's test directory with node --test) with their addresses and keys in one environment
// variable (JSON), then stop everything in reverse order, also on SIGINT/SIGTERM, and exit with
// the command's status.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * @param {object} o
 * @param {string} o.label          prefix of the launcher's own messages
 * @param {string} o.suiteDir       where the command runs
 * @param {string} [o.artifactsDir] emptied first
 * @param {string} o.configVar      the variable carrying the JSON config
 * @param {number} [o.concurrency]  node --test's --test-concurrency for the default command
 * @param {(ctx: {say, cleanup}) => Promise<object>} o.start  starts the servers (registering
 *        each one's stop with `cleanup`) and returns the config
 */
export async function runSuite({ label, suiteDir, artifactsDir, configVar, concurrency = 4, start }) {
  if (artifactsDir) {
    fs.mkdirSync(artifactsDir, { recursive: true });
    for (const f of fs.readdirSync(artifactsDir)) fs.rmSync(path.join(artifactsDir, f), { recursive: true, force: true });
  }
  const say = (m) => console.error(`${label}: ${m}`);
  const cleanups = [];
  const cleanup = (fn) => cleanups.push(fn);
  async function stopAll() {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        say(`cleanup: ${err}`);
      }
    }
  }
  let status = 1;
  let child = null;
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, async () => {
      child?.kill(sig);
      await stopAll();
      process.exit(130);
    });
  }
  try {
    const config = await start({ say, cleanup });
    const argv = process.argv.slice(2);
    const [cmd, ...args] = argv.length
      ? argv
      : [process.execPath, '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, 'test/'];
    child = spawn(cmd, args, { cwd: suiteDir, stdio: 'inherit', env: { ...process.env, [configVar]: JSON.stringify(config) } });
    status = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  } catch (err) {
    say(`${err.stack || err}`);
    status = 1;
  } finally {
    await stopAll();
  }
  process.exit(status);
}
