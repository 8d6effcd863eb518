#!/usr/bin/env node
// The launcher: one production `usher serve` (a seeded sk_live_ key) whose frontend host is its
// own frontend listener, allowed as an origin, on free loopback ports; then the test files
// (node --test) with its addresses and key in USHER_PORTAL_CONFIG (JSON); then it stops it.
//
//   node run.mjs                              # every test file
//   node run.mjs node --test test/20-totp.test.js
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startUsher, liveSecretKey } from '../lib/usher.mjs';
import { runSuite } from '../lib/runner.mjs';
import { artifactsDir } from '../lib/paths.mjs';

const SUITE_DIR = path.dirname(fileURLToPath(import.meta.url));
const ARTIFACTS_DIR = artifactsDir('portal');

await runSuite({
  label: 'portal',
  suiteDir: SUITE_DIR,
  artifactsDir: ARTIFACTS_DIR,
  configVar: 'USHER_PORTAL_CONFIG',
  concurrency: 3,
  async start({ say, cleanup }) {
    const usher = await startUsher({
      name: 'portal',
      environment: 'production',
      secretKey: liveSecretKey(),
      frontendHost: ({ frontendAddr }) => frontendAddr,
      allowedOrigins: ({ frontendAddr }) => `http://${frontendAddr}`,
      // The account page's Organizations section (test/40-organizations).
      args: ['--organizations', 'true'],
      logFile: path.join(ARTIFACTS_DIR, 'usher.log'),
    });
    cleanup(() => usher.stop());
    say(`usher (production) at ${usher.frontendUrl}, Backend API ${usher.apiUrl}; artifacts in ${ARTIFACTS_DIR}`);
    return { portal: usher.frontendUrl, api: usher.apiUrl, secretKey: usher.secretKey };
  },
});
