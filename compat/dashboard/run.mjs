#!/usr/bin/env node
// The launcher: one development `usher serve` (loopback webhooks allowed) on a fresh SQLite data
// directory and free loopback ports, with plain-http dashboard cookies; then the test files
// (node --test) with its addresses, key and data directory in USHER_DASHBOARD_CONFIG (JSON), so
// that they can run `usher operators add` against it; then it stops it.
//
//   node run.mjs                              # every test file
//   node run.mjs node --test test/10-users.test.js
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startUsher } from '../lib/usher.mjs';
import { runSuite } from '../lib/runner.mjs';
import { artifactsDir } from '../lib/paths.mjs';

const SUITE_DIR = path.dirname(fileURLToPath(import.meta.url));
const ARTIFACTS_DIR = artifactsDir('dashboard');

await runSuite({
  label: 'dashboard',
  suiteDir: SUITE_DIR,
  artifactsDir: ARTIFACTS_DIR,
  configVar: 'USHER_DASHBOARD_CONFIG',
  concurrency: 2,
  async start({ say, cleanup }) {
    const usher = await startUsher({
      name: 'dashboard',
      environment: 'development',
      args: ['--insecure-cookies'],
      logFile: path.join(ARTIFACTS_DIR, 'usher.log'),
    });
    cleanup(() => usher.stop());
    say(`usher at ${usher.apiUrl} (dashboard), Frontend API ${usher.frontendUrl}; artifacts in ${ARTIFACTS_DIR}`);
    return { api: usher.apiUrl, frontend: usher.frontendUrl, secretKey: usher.secretKey, dataDir: usher.dataDir };
  },
});
