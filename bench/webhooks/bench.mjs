// Webhook delivery benchmark driver (run by bench/webhooks/run, pinned to its own core).
// Measures, against a running Usher and a local receiver that answers 204 at once:
//   1. the reference: sequential keep-alive POSTs from here to the same receiver (the ceiling
//      for one endpoint, whose deliveries go out one at a time in commit order);
//   2. throughput: EVENTS events queued while the endpoint is paused, then resumed: deliveries/s
//      to one endpoint, and to ENDPOINTS endpoints at once;
//   3. latency: events committed at RATE/s with the endpoint active: commit-to-receipt p50/p99
//      (the event's `timestamp`, taken at commit, against the receiver's clock: same machine).
import http from 'node:http';
import { writeFileSync } from 'node:fs';

const API = process.env.API;
const KEY = process.env.SECRET_KEY;
const EVENTS = Number(process.env.EVENTS || 2000);
const ENDPOINTS = Number(process.env.ENDPOINTS || 4);
const RATE = Number(process.env.RATE || 100);
const LATENCY_SECS = Number(process.env.LATENCY_SECS || 10);
const OUT = process.env.OUT;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function request(url, method, body, headers = {}) {
  return new Promise((ok, fail) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(url, {
      method,
      agent,
      headers: { 'content-type': 'application/json', ...(data ? { 'content-length': data.length } : {}), ...headers },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode >= 300) fail(new Error(`${method} ${url}: ${res.statusCode} ${text}`));
        else ok(text ? JSON.parse(text) : null);
      });
    });
    req.on('error', fail);
    if (data) req.write(data);
    req.end();
  });
}
const api = (method, path, body) => request(`${API}${path}`, method, body, { authorization: `Bearer ${KEY}` });

// ---- the receiver ----
const receipts = new Map(); // endpoint path -> [{at, ts, id}]
const receiver = http.createServer({ keepAlive: true }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = Date.now();
    let ts = null;
    try { ts = JSON.parse(Buffer.concat(chunks)).timestamp; } catch { /* the reference sends {} */ }
    const list = receipts.get(req.url) || [];
    list.push({ at, ts, id: req.headers['svix-id'] });
    receipts.set(req.url, list);
    res.writeHead(204);
    res.end();
  });
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${receiver.address().port}`;
const got = (path) => (receipts.get(path) || []).length;

async function until(what, cond, ms = 60_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

// ---- 1. reference ----
{
  const body = { type: 'reference' };
  const end = Date.now() + 2000;
  let n = 0;
  while (Date.now() < end) {
    await request(`${base}/reference`, 'POST', body);
    n += 1;
  }
  var reference = n / 2;
}

// ---- 2. throughput ----
async function createUsers(n, tag) {
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < n) {
      const i = next++;
      await api('POST', '/v1/users', { email_address: [`${tag}${i}@bench.example.com`], skip_password_requirement: true });
    }
  }));
}

async function throughput(endpoints, tag) {
  const eps = [];
  for (let i = 0; i < endpoints; i += 1) {
    eps.push(await api('POST', '/v1/webhooks/endpoints', { url: `${base}/${tag}/${i}`, events: ['user.created'] }));
  }
  for (const ep of eps) await api('POST', `/v1/webhooks/endpoints/${ep.id}/pause`);
  await createUsers(EVENTS, tag);
  const start = Date.now();
  for (const ep of eps) await api('POST', `/v1/webhooks/endpoints/${ep.id}/resume`);
  const paths = eps.map((_, i) => `/${tag}/${i}`);
  await until(`${EVENTS * endpoints} deliveries`, () => paths.every((p) => got(p) >= EVENTS), 100_000);
  const last = Math.max(...paths.map((p) => receipts.get(p).at(-1).at));
  for (const ep of eps) await api('DELETE', `/v1/webhooks/endpoints/${ep.id}`);
  return (EVENTS * endpoints) / ((last - start) / 1000);
}

const one = await throughput(1, 'one');
const many = await throughput(ENDPOINTS, 'many');

// ---- 3. latency ----
const user = await api('POST', '/v1/users', { email_address: ['latency@bench.example.com'], skip_password_requirement: true });
await api('POST', '/v1/webhooks/endpoints', { url: `${base}/latency`, events: ['user.updated'] });
const total = RATE * LATENCY_SECS;
const t0 = Date.now();
const inflight = [];
for (let i = 0; i < total; i += 1) {
  const due = t0 + (i * 1000) / RATE;
  const wait = due - Date.now();
  if (wait > 0) await sleep(wait);
  inflight.push(api('PATCH', `/v1/users/${user.id}`, { first_name: `n${i}` }));
}
await Promise.all(inflight);
await until(`${total} latency deliveries`, () => got('/latency') >= total);
const lat = receipts.get('/latency').map((r) => r.at - r.ts).sort((a, b) => a - b);
const pct = (p) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))];

const result = {
  bench: 'webhooks',
  reference_sequential_posts_per_s: Math.round(reference),
  deliveries_per_s_one_endpoint: Math.round(one),
  deliveries_per_s_many_endpoints: Math.round(many),
  endpoints: ENDPOINTS,
  events_per_endpoint: EVENTS,
  ratio_one_endpoint_to_reference: Number((one / reference).toFixed(3)),
  latency_rate_per_s: RATE,
  latency_events: lat.length,
  latency_ms: { p50: pct(50), p99: pct(99), max: lat.at(-1) },
};
console.log(`reference: sequential keep-alive POSTs to the receiver      ${result.reference_sequential_posts_per_s}/s`);
console.log(`throughput: 1 endpoint, ${EVENTS} queued events               ${result.deliveries_per_s_one_endpoint} deliveries/s (${(100 * result.ratio_one_endpoint_to_reference).toFixed(0)}% of the reference)`);
console.log(`throughput: ${ENDPOINTS} endpoints, ${EVENTS} queued events each       ${result.deliveries_per_s_many_endpoints} deliveries/s`);
console.log(`latency: ${RATE} events/s for ${LATENCY_SECS} s, commit to receipt        p50 ${result.latency_ms.p50} ms, p99 ${result.latency_ms.p99} ms, max ${result.latency_ms.max} ms`);
if (OUT) writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
receiver.close();
agent.destroy();
process.exit(0);
