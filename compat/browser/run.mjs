#!/usr/bin/env node
// The launcher: starts the three Usher instances the browser suite needs, an app server in front
// of each, runs a command (default: the whole test directory with node --test) with their
// addresses and keys in USHER_BROWSER_CONFIG (JSON), then stops everything.
//
//   node run.mjs                       # every test file
//   node run.mjs node --test test/10-production.test.js
//
//   (P) production:  --environment production --secret-key sk_live_<40 alnum>
//                    --frontend-host clerk.localhost:<APP_PORT> --allowed-origins http://localhost:<APP_PORT>
//   (D) development: --environment development --frontend-host happy-hippo-13.clerk.accounts.dev
//                    --allowed-origins http://localhost:<APP2_PORT>
//   (5) clerk5:      as (P), on its own app port, pages loading clerk-js 5 (its UI built in)
// (P) and (D) with --clerk-js-dir vendor/node_modules (clerk-js 6 + @clerk/ui), (5) with
// vendor/v5/node_modules; all on free loopback ports and temp data dirs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startApp } from './lib/app.js';
import { startUsher, randomAlnum } from './lib/usher.js';
import { ARTIFACTS_DIR, SUITE_DIR, USHER_BIN, VENDOR5_DIR } from './lib/paths.js';

fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
for (const f of fs.readdirSync(ARTIFACTS_DIR)) fs.rmSync(path.join(ARTIFACTS_DIR, f), { recursive: true, force: true });

const say = (m) => console.error(`browser-suite: ${m}`);
const cleanups = [];
let stopping = false;
async function stopAll() {
  if (stopping) return;
  stopping = true;
  for (const c of cleanups.reverse()) {
    try {
      await c();
    } catch (err) {
      say(`cleanup: ${err}`);
    }
  }
}

async function instance(name, environment, extra, clerkJs = 6) {
  const app = await startApp({ name, clerkJs, logFile: path.join(ARTIFACTS_DIR, `proxy-${name}.jsonl`) });
  cleanups.push(() => app.close());
  const usher = await startUsher({
    name,
    environment,
    allowedOrigins: app.origin,
    logFile: path.join(ARTIFACTS_DIR, `usher-${name}.log`),
    ...extra(app),
  });
  cleanups.push(() => usher.stop());
  app.configure(usher);
  say(`${name}: app ${app.origin} → usher frontend ${usher.frontendUrl}, api ${usher.apiUrl} (pid ${usher.pid}), ${usher.publishableKey}`);
  return {
    appUrl: app.origin,
    apiUrl: usher.apiUrl,
    frontendUrl: usher.frontendUrl,
    secretKey: usher.secretKey,
    publishableKey: usher.publishableKey,
    jwtKey: usher.jwtKey,
    environment,
    clerkJs,
  };
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
  say(`usher ${USHER_BIN}; artifacts in ${ARTIFACTS_DIR}`);
  const [production, development, clerk5] = await Promise.all([
    instance('production', 'production', (app) => ({
      frontendHost: `clerk.localhost:${app.port}`,
      secretKey: `sk_live_${randomAlnum(40)}`,
    })),
    instance('development', 'development', () => ({ frontendHost: 'happy-hippo-13.clerk.accounts.dev' })),
    instance('clerk5', 'production', (app) => ({
      frontendHost: `clerk.localhost:${app.port}`,
      secretKey: `sk_live_${randomAlnum(40)}`,
      clerkJsDir: VENDOR5_DIR,
    }), 5),
  ]);
  const config = { production, development, clerk5 };
  const argv = process.argv.slice(2);
  const [cmd, ...args] = argv.length ? argv : [process.execPath, '--test', '--test-reporter=spec', '--test-concurrency=4', 'test/'];
  child = spawn(cmd, args, {
    cwd: SUITE_DIR,
    stdio: 'inherit',
    env: { ...process.env, USHER_BROWSER_CONFIG: JSON.stringify(config) },
  });
  status = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
} catch (err) {
  say(`${err.stack || err}`);
  status = 1;
} finally {
  await stopAll();
}
process.exit(status);
