#!/usr/bin/env node
// Validates every Frontend API response recorded in proxy logs (the browser suite's
// proxy-*.jsonl: one exchange per line, as the real clerk-js made it) against Clerk's spec.
//
//   node validate-log.mjs target/test-logs/browser/proxy-*.jsonl
//
// Exits non-zero listing every violation with its JSON path. Bundles (/npm/), the handshake
// (a redirect) and the app's own routes are skipped.
import fs from 'node:fs';
import { compileSpec, normalize, report } from './lib/spec.mjs';

const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: node validate-log.mjs PROXY_LOG.jsonl...');
  process.exit(64);
}
const spec = compileSpec();
const failures = [];
let checked = 0;
for (const file of files) {
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line);
    if (!e.method || !e.url?.startsWith('/__clerk/v1/') || e.status === undefined || e.error) continue;
    const { method, path } = normalize(e);
    if (path === '/v1/client/handshake') continue;
    if (typeof e.response === 'string') {
      failures.push({ method, path, status: e.status, at: '$', message: `not JSON: ${e.response.slice(0, 200)}` });
      continue;
    }
    checked++;
    for (const v of spec.validate({ method, path, status: e.status, body: e.response })) failures.push({ method, path, status: e.status, ...v });
  }
}
// One line per distinct violation, with how often it occurred.
const counts = new Map();
for (const f of failures) {
  const key = report([f]);
  counts.set(key, (counts.get(key) || 0) + 1);
}
console.error(`fapi-spec: ${checked} recorded Frontend API responses checked, ${failures.length} violations`);
for (const [line, n] of counts) console.error(n > 1 ? `${line}  (×${n})` : line);
process.exit(failures.length ? 1 : 0);
