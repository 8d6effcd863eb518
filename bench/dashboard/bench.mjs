// The dashboard bench's driver (bench/dashboard/run starts the nodes and imports the users).
//
//   node bench.mjs --api URL --secret-key KEY --operator op.json --users N --samples S --seed S
//                  --label NAME --out result.json
//     signs the operator in (password, then a TOTP code from its secret), then times, one request
//     at a time on one keep-alive connection, SAMPLES requests of each: the Backend API's
//     `GET /v1/users?query=<email>` (the reference), the dashboard's search by email address,
//     phone number, name and id, and a user's page. Each answer is checked: 200, and the user
//     searched for is on it. A request's time is from sending it to its whole body read.
//   node bench.mjs --summary --out summary.json --commit C --profile P result.json…
//     prints the results side by side with each median's ratio to the reference's.
import fs from 'node:fs';
import path from 'node:path';
import { totp } from '../../compat/lib/totp.mjs';

const argv = process.argv.slice(2);
const flags = {};
const files = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i].startsWith('--')) {
    const k = argv[i].slice(2);
    if (k === 'summary') flags.summary = true;
    else flags[k] = argv[++i];
  } else files.push(argv[i]);
}

const QUERIES = [
  ['reference', 'Backend API GET /v1/users?query=<email>'],
  ['email', 'dashboard search by email address'],
  ['phone', 'dashboard search by phone number'],
  ['name', 'dashboard search by name'],
  ['id', 'dashboard search by user id'],
  ['common', 'dashboard search by a common text'],
  ['page', "dashboard user's page"],
];

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const ms = (x) => `${x.toFixed(1)} ms`;

if (flags.summary) summary();
else await measure();

function summary() {
  const runs = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
  const lines = [];
  const say = (s) => {
    lines.push(s);
    console.log(s);
  };
  say(`==> dashboard on ${runs[0].users} users (${flags.profile} build, one request at a time; median / p90, and the median's ratio to the reference's)`);
  for (const run of runs) {
    say(`    ${run.label}`);
    const ref = run.figures.reference.median_ms;
    for (const [k, label] of QUERIES) {
      const f = run.figures[k];
      const ratio = k === 'reference' ? 'reference' : `× ${(f.median_ms / ref).toFixed(2)}`;
      say(`      ${label.padEnd(42)} ${ms(f.median_ms).padStart(9)} / ${ms(f.p90_ms).padStart(9)}   ${ratio}`);
    }
  }
  fs.mkdirSync(path.dirname(flags.out), { recursive: true });
  fs.writeFileSync(flags.out, `${JSON.stringify({ commit: flags.commit, profile: flags.profile, runs }, null, 2)}\n`);
  console.log(`==> written to ${path.relative(process.cwd(), flags.out) || flags.out}`);
}

/** A deterministic stream of user numbers below `n`. */
function picker(seed, n) {
  let x = (BigInt(seed) * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
  return () => {
    x = (x * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    return Number((x >> 33n) % BigInt(n));
  };
}

async function measure() {
  const api = flags.api;
  const users = Number(flags.users);
  const samples = Number(flags.samples);
  const op = JSON.parse(fs.readFileSync(flags.operator, 'utf8'));
  const origin = new URL(api).origin;
  const cookie = await signIn(api, origin, op);
  const bapi = { authorization: `Bearer ${flags['secret-key']}` };
  const dash = { cookie };

  const timed = async (url, headers, check) => {
    const t0 = process.hrtime.bigint();
    const res = await fetch(url, { headers, redirect: 'manual' });
    const body = await res.text();
    const t = Number(process.hrtime.bigint() - t0) / 1e6;
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.slice(0, 300)}`);
    if (!check(body)) throw new Error(`${url}: the user searched for is not on the answer`);
    return t;
  };

  // The users the samples look for, with their ids (read once through the Backend API).
  const next = picker(flags.seed, users);
  const targets = [];
  for (let i = 0; i < samples; i++) {
    const n = next();
    const pad = String(n).padStart(6, '0');
    const email = `bench${pad}@example.com`;
    const res = await fetch(`${api}/v1/users?email_address=${encodeURIComponent(email)}`, { headers: bapi });
    const found = await res.json();
    if (!Array.isArray(found) || found.length !== 1) throw new Error(`user ${email} not found: ${JSON.stringify(found).slice(0, 300)}`);
    targets.push({ email, phone: `+14152${pad}`, name: `Ada${pad}`, id: found[0].id });
  }
  const search = (q) => `${api}/dashboard/users?query=${encodeURIComponent(q)}`;
  const has = (id) => (body) => body.includes(`/dashboard/users/${id}"`);
  const requests = {
    reference: (t) => [`${api}/v1/users?query=${encodeURIComponent(t.email)}`, bapi, (b) => b.includes(`"${t.id}"`)],
    email: (t) => [search(t.email), dash, has(t.id)],
    phone: (t) => [search(t.phone), dash, has(t.id)],
    name: (t) => [search(t.name), dash, has(t.id)],
    id: (t) => [search(t.id), dash, has(t.id)],
    common: () => [search('lovelace'), dash, (b) => b.includes('/dashboard/users/user_')],
    page: (t) => [`${api}/dashboard/users/${t.id}`, dash, (b) => b.includes(t.email)],
  };
  // One warm-up request of each, then the samples interleaved query by query, so a drift of
  // the machine weighs on every figure alike.
  for (const k of Object.keys(requests)) await timed(...requests[k](targets[0]));
  const times = Object.fromEntries(Object.keys(requests).map((k) => [k, []]));
  for (const t of targets) {
    for (const k of Object.keys(requests)) times[k].push(await timed(...requests[k](t)));
  }
  const figures = {};
  for (const [k, xs] of Object.entries(times)) {
    const sorted = [...xs].sort((a, b) => a - b);
    figures[k] = { median_ms: quantile(sorted, 0.5), p90_ms: quantile(sorted, 0.9), max_ms: sorted[sorted.length - 1], samples: xs.length };
  }
  fs.writeFileSync(flags.out, JSON.stringify({ label: flags.label, users, samples, figures }));
  console.log(`    ${flags.label}: reference ${ms(figures.reference.median_ms)}, search by email ${ms(figures.email.median_ms)}, user's page ${ms(figures.page.median_ms)} (medians)`);
}

/** The operator's session cookie: the password step, then the code step, as a browser posts them. */
async function signIn(api, origin, op) {
  const form = (o) => new URLSearchParams(o).toString();
  const headers = { 'content-type': 'application/x-www-form-urlencoded', origin };
  const cookieOf = (res) => {
    const line = res.headers.getSetCookie().find((c) => c.startsWith('__usher_dashboard='));
    if (!line) throw new Error(`no session cookie (${res.status})`);
    return line.split(';')[0];
  };
  const first = await fetch(`${api}/dashboard/sign-in`, { method: 'POST', headers, body: form({ email: op.email, password: op.password }), redirect: 'manual' });
  if (first.status !== 303 && first.status !== 302) throw new Error(`sign-in: ${first.status} ${(await first.text()).slice(0, 300)}`);
  const pending = cookieOf(first);
  const second = await fetch(`${api}/dashboard/sign-in/code`, {
    method: 'POST',
    headers: { ...headers, cookie: pending },
    body: form({ code: totp(op.totp_secret) }),
    redirect: 'manual',
  });
  if (second.status !== 303 && second.status !== 302) throw new Error(`code: ${second.status} ${(await second.text()).slice(0, 300)}`);
  return cookieOf(second);
}
