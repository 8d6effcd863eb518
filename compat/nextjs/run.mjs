#!/usr/bin/env node
// The launcher: `next build` once, then a production and a development Usher, each with the same
// built app under `next start` in front of it, then the test files (node --test) with their
// addresses and keys in USHER_NEXTJS_CONFIG (JSON); everything is stopped at the end.
//
//   node run.mjs                                  # every test file
//   node run.mjs node --test test/10-production.test.js
//
//   (P) --environment production  --secret-key sk_live_<40 alnum> --frontend-host clerk.localhost:<P>
//   (D) --environment development --frontend-host clerk.localhost:<D>   (an ordinary host: pk_test_)
// both with --allowed-origins http://localhost:<port> and --clerk-js-dir vendor/node_modules.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startUsher, randomAlnum } from '../browser/lib/usher.js';
import { nextBuild, nextStart } from './lib/next.js';
import { ARTIFACTS_DIR, SUITE_DIR, USHER_BIN, VENDOR_DIR } from './lib/paths.js';

fs.rmSync(ARTIFACTS_DIR, { recursive: true, force: true });
fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
const say = (m) => console.error(`nextjs-suite: ${m}`);
const cleanups = [];
async function stopAll() {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await c();
    } catch (err) {
      say(`cleanup: ${err}`);
    }
  }
}

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function instance(name, environment, built) {
  const port = await freePort();
  const appUrl = `http://localhost:${port}`;
  const usher = await startUsher({
    name,
    environment,
    frontendHost: `clerk.localhost:${port}`,
    allowedOrigins: appUrl,
    secretKey: environment === 'production' ? `sk_live_${randomAlnum(40)}` : undefined,
    logFile: path.join(ARTIFACTS_DIR, `usher-${name}.log`),
    clerkJsDir: VENDOR_DIR,
  });
  cleanups.push(() => usher.stop());
  await built;
  // The app's run-time configuration: exactly what the README's Next.js recipe sets.
  const env = {
    CLERK_SECRET_KEY: usher.secretKey,
    CLERK_PUBLISHABLE_KEY: usher.publishableKey,
    CLERK_API_URL: usher.apiUrl,
    CLERK_FAPI_URL: usher.frontendUrl,
    CLERK_JWT_KEY: usher.jwtKey,
  };
  const app = await nextStart({ port, env, logFile: path.join(ARTIFACTS_DIR, `next-${name}.log`) });
  cleanups.push(() => app.stop());
  say(`${name}: app ${appUrl} (pid ${app.pid}) → usher frontend ${usher.frontendUrl}, api ${usher.apiUrl} (pid ${usher.pid}), ${usher.publishableKey}`);
  return { appUrl, apiUrl: usher.apiUrl, secretKey: usher.secretKey, publishableKey: usher.publishableKey, jwtKey: usher.jwtKey, environment };
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
  const started = Date.now();
  const built = nextBuild(path.join(ARTIFACTS_DIR, 'next-build.log')).then(() => say(`next build: ${Math.round((Date.now() - started) / 1000)} s`));
  built.catch(() => {});
  const [production, development] = await Promise.all([
    instance('production', 'production', built),
    instance('development', 'development', built),
  ]);
  const argv = process.argv.slice(2);
  const [cmd, ...args] = argv.length ? argv : [process.execPath, '--test', '--test-reporter=spec', '--test-concurrency=4', 'test/'];
  child = spawn(cmd, args, {
    cwd: SUITE_DIR,
    stdio: 'inherit',
    env: { ...process.env, USHER_NEXTJS_CONFIG: JSON.stringify({ production, development }) },
  });
  status = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
} catch (err) {
  say(`${err.stack || err}`);
  status = 1;
} finally {
  await stopAll();
}
process.exit(status);
