// Node side of bench/verify: @clerk/backend's verifyToken over the same tokens, networkless
// (jwtKey, as fast as Clerk's SDK gets), one request at a time and with 32 in flight (WebCrypto
// verification is asynchronous), for the given seconds. Prints one JSON line.
//
//   node bench.mjs TOKENS.json SECONDS
import { readFileSync } from 'node:fs';
import { verifyToken } from '@clerk/backend';

const [file, secondsArg] = process.argv.slice(2);
const { pem, tokens } = JSON.parse(readFileSync(file, 'utf8'));
const seconds = Number(secondsArg || 2);
const opts = { jwtKey: pem, authorizedParties: ['https://app.example.com'] };

async function check(t) {
  const r = await verifyToken(t, opts);
  if (!r?.sub) throw new Error("verifyToken returned no payload");
}

async function sequential(ms) {
  const end = performance.now() + ms;
  let n = 0;
  const start = performance.now();
  while (performance.now() < end) {
    for (let k = 0; k < 64; k++) await check(tokens[n++ % tokens.length]);
  }
  return n / ((performance.now() - start) / 1000);
}

async function concurrent(ms, width) {
  const end = performance.now() + ms;
  let n = 0;
  const start = performance.now();
  while (performance.now() < end) {
    const batch = [];
    for (let k = 0; k < width; k++) batch.push(check(tokens[n++ % tokens.length]));
    await Promise.all(batch);
  }
  return n / ((performance.now() - start) / 1000);
}

await sequential(300);
await concurrent(300, 32);
const seq = await sequential(seconds * 1000);
const conc = await concurrent(seconds * 1000, 32);
console.log(JSON.stringify({
  node_sequential_per_sec: Math.round(seq),
  node_concurrent_per_sec: Math.round(conc),
  node_per_sec: Math.round(Math.max(seq, conc)),
  node_version: process.version,
}));
