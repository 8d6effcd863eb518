#!/usr/bin/env node
// The launcher: for a development and a production instance, starts a `usher serve` with its
// defaults (the frontend host is the Frontend API listener's own 127.0.0.1:<port>, an ordinary
// host; only the ports, the data directory and, for production, the allowed origin are set) and
// the example app in front of it with its one documented command (`npm start` in
// examples/express, configured from `usher keys`), runs the test files with their addresses in
// USHER_EXAMPLE_CONFIG (JSON), then stops everything.
//
//   node run.mjs                              # every test file
//   node run.mjs node --test test/development.test.js
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startUsher, liveSecretKey, freePorts, stopProcess } from '../lib/usher.mjs';
import { REPO_ROOT, USHER_BIN, artifactsDir } from '../lib/paths.mjs';
import { runSuite } from '../lib/runner.mjs';

const SUITE_DIR = path.dirname(fileURLToPath(import.meta.url));
const EXAMPLE_DIR = path.join(REPO_ROOT, 'examples', 'express');
// Its own artifacts directory (the test files' helpers read it from the environment).
const ARTIFACTS_DIR = artifactsDir('example');
process.env.USHER_ARTIFACTS_DIR = ARTIFACTS_DIR;

/** `npm start` in examples/express, in a process group of its own so that stopping it stops node too. */
async function startExample(name, port, env, cleanup) {
  const out = fs.openSync(path.join(ARTIFACTS_DIR, `app-${name}.log`), 'a');
  const child = spawn('npm', ['start'], {
    cwd: EXAMPLE_DIR,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', out, out],
    detached: true,
  });
  let exited = false;
  child.on('exit', () => (exited = true));
  cleanup(async () => {
    await stopProcess(child, { group: true });
    fs.closeSync(out);
  });
  const deadline = Date.now() + 120_000; // the first start fetches the browser bundles
  while (Date.now() < deadline && !exited) {
    const res = await fetch(`http://127.0.0.1:${port}/api/me`).catch(() => null);
    if (res?.status === 401) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the example app (${name}) did not start; see ${ARTIFACTS_DIR}/app-${name}.log`);
}

await runSuite({
  label: 'example-suite',
  suiteDir: SUITE_DIR,
  artifactsDir: ARTIFACTS_DIR,
  configVar: 'USHER_EXAMPLE_CONFIG',
  concurrency: 2,
  async start({ say, cleanup }) {
    async function instance(name, environment) {
      const [port] = await freePorts(1);
      const appUrl = `http://localhost:${port}`;
      const usher = await startUsher({
        name,
        environment,
        allowedOrigins: appUrl,
        ...(environment === 'production' ? { secretKey: liveSecretKey() } : {}),
        logFile: path.join(ARTIFACTS_DIR, `usher-${name}.log`),
        keep: process.env.USHER_BROWSER_KEEP === '1',
      });
      cleanup(() => usher.stop());
      await startExample(name, port, {
        CLERK_PUBLISHABLE_KEY: usher.publishableKey,
        CLERK_SECRET_KEY: usher.secretKey,
        CLERK_API_URL: usher.apiUrl,
        USHER_FRONTEND_API_URL: usher.reportedFrontendApiUrl,
      }, cleanup);
      say(`${name}: example ${appUrl} → usher frontend ${usher.reportedFrontendApiUrl}, api ${usher.apiUrl}, ${usher.publishableKey}`);
      return { appUrl, apiUrl: usher.apiUrl, secretKey: usher.secretKey, publishableKey: usher.publishableKey, jwtKey: usher.jwtKey, environment };
    }
    say(`usher ${USHER_BIN}; artifacts in ${ARTIFACTS_DIR}`);
    // One after the other: the first `npm start` fetches the browser bundles for both.
    const development = await instance('development', 'development');
    const production = await instance('production', 'production');
    return { development, production };
  },
});
