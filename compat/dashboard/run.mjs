#!/usr/bin/env node
// The launcher: one development `usher serve` (loopback webhooks allowed) on a fresh SQLite data
// directory and free loopback ports, with plain-http dashboard cookies, serving clerk-js 6 and
// @clerk/ui from vendor/ (../browser/fetch-vendor.sh) to the test application (../lib/app.mjs) in
// front of it, whose /sign-in page mounts <SignIn/>; then the test files (node --test) with the
// addresses, key and data directory in USHER_DASHBOARD_CONFIG (JSON), so that they can run
// `usher operators add` against it; then it stops them.
//
//   node run.mjs                              # every test file
//   node run.mjs node --test test/10-users.test.js
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApp } from '../lib/app.mjs';
import { startUsher } from '../lib/usher.mjs';
import { runSuite } from '../lib/runner.mjs';
import { artifactsDir } from '../lib/paths.mjs';

const SUITE_DIR = path.dirname(fileURLToPath(import.meta.url));
const ARTIFACTS_DIR = artifactsDir('dashboard');
const VENDOR_DIR = path.join(SUITE_DIR, 'vendor', 'node_modules');

await runSuite({
  label: 'dashboard',
  suiteDir: SUITE_DIR,
  artifactsDir: ARTIFACTS_DIR,
  configVar: 'USHER_DASHBOARD_CONFIG',
  concurrency: 2,
  async start({ say, cleanup }) {
    const app = await startApp({ name: 'dashboard', logFile: path.join(ARTIFACTS_DIR, 'proxy.jsonl') });
    cleanup(() => app.close());
    const usher = await startUsher({
      name: 'dashboard',
      environment: 'development',
      allowedOrigins: app.origin,
      clerkJsDir: VENDOR_DIR,
      args: ['--insecure-cookies'],
      logFile: path.join(ARTIFACTS_DIR, 'usher.log'),
    });
    cleanup(() => usher.stop());
    app.configure(usher);
    say(`usher at ${usher.apiUrl} (dashboard), Frontend API ${usher.frontendUrl}, app ${app.origin}; artifacts in ${ARTIFACTS_DIR}`);
    return { api: usher.apiUrl, frontend: usher.frontendUrl, app: app.origin, secretKey: usher.secretKey, dataDir: usher.dataDir };
  },
});
