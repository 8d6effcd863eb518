#!/usr/bin/env node
// Runs a command against a freshly started Usher, then stops the server: the launcher behind
// compat/harness/start-usher.sh, for the SDK suites (node, python, verify-node, api-coverage).
//
//   node compat/lib/with-usher.mjs COMMAND [ARGS...]
//
// Starts `$USHER_BIN serve` (./usher.mjs) on two free loopback ports with a throw-away data
// directory, reads the instance's keys and runs COMMAND with USHER_API_URL,
// USHER_FRONTEND_API_URL, USHER_SECRET_KEY, USHER_PUBLISHABLE_KEY and USHER_JWT_KEY exported;
// exits with COMMAND's status (printing the end of the server log when it failed).
//
// Inputs: USHER_BIN; USHER_COMPAT_DATABASE_URL (an empty database to run on instead of SQLite);
// USHER_COMPAT_KEEP=1 (keep the data directory and server log). The caller's other USHER_*
// settings reach the server (USHER_SECRET_KEY seeds the instance's key), except a database URL
// or environment, which would make the instance neither fresh nor a development one. With
// USHER_API_URL set no server is started: COMMAND runs against that one (USHER_SECRET_KEY, or
// USHER_DATA_DIR to read the keys from).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { startUsher, logTail } from './usher.mjs';
import { USHER_BIN } from './paths.mjs';

const log = (m) => console.error(`start-usher: ${m}`);
const argv = process.argv.slice(2);
if (argv.length === 0) {
  console.error('usage: compat/harness/start-usher.sh COMMAND [ARGS...]');
  process.exit(64);
}
const databaseUrl = process.env.USHER_COMPAT_DATABASE_URL || undefined;
const serverEnv = { ...process.env };
delete serverEnv.USHER_DATABASE_URL;
delete serverEnv.USHER_ENVIRONMENT;

let server = null;
let child = null;
let stopping = null;
async function stopServer() {
  stopping ??= (async () => {
    if (!server) return;
    await server.stop();
    if (process.env.USHER_COMPAT_KEEP === '1') log(`kept ${server.workDir} (data/ and usher.log)`);
  })();
  return stopping;
}
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(sig, async () => {
    child?.kill('SIGTERM');
    await stopServer();
    process.exit(code);
  });
}

/** Runs COMMAND with `vars` exported; resolves to its exit status. */
function run(vars) {
  const [cmd, ...args] = argv;
  child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, ...vars } });
  return new Promise((resolve) => {
    child.on('error', (err) => {
      log(`${cmd}: ${err.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 0)));
  });
}

function keysOf(dataDir) {
  const args = ['keys', '--data-dir', dataDir, ...(databaseUrl ? ['--database-url', databaseUrl] : []), '--json'];
  return JSON.parse(execFileSync(USHER_BIN, args, { env: serverEnv }).toString());
}

const e = process.env;
if (e.USHER_API_URL) {
  // Reuse a running server.
  const vars = {
    USHER_API_URL: e.USHER_API_URL,
    USHER_SECRET_KEY: e.USHER_SECRET_KEY || '',
    USHER_PUBLISHABLE_KEY: e.USHER_PUBLISHABLE_KEY || '',
    USHER_JWT_KEY: e.USHER_JWT_KEY || '',
    USHER_FRONTEND_API_URL: e.USHER_FRONTEND_API_URL || '',
  };
  if ((!vars.USHER_SECRET_KEY || !vars.USHER_PUBLISHABLE_KEY || !vars.USHER_JWT_KEY) && e.USHER_DATA_DIR && fs.existsSync(USHER_BIN)) {
    const keys = keysOf(e.USHER_DATA_DIR);
    vars.USHER_SECRET_KEY ||= keys.secret_key || '';
    vars.USHER_PUBLISHABLE_KEY ||= keys.publishable_key || '';
    vars.USHER_JWT_KEY ||= keys.jwt_public_key_pem || '';
    vars.USHER_FRONTEND_API_URL ||= keys.frontend_api_url || '';
  }
  if (!vars.USHER_SECRET_KEY) {
    log('USHER_API_URL is set, so USHER_SECRET_KEY must be set too (or USHER_DATA_DIR, to read it)');
    process.exit(64);
  }
  log(`using the running server at ${vars.USHER_API_URL}`);
  process.exit(await run(vars));
}

if (!fs.existsSync(USHER_BIN)) {
  log(`no usher binary at ${USHER_BIN} (build it with: cargo build --release -p usher, or set USHER_BIN)`);
  process.exit(69);
}
try {
  server = await startUsher({ name: 'compat', env: serverEnv, databaseUrl, keep: process.env.USHER_COMPAT_KEEP === '1' });
} catch (err) {
  log(err.message);
  process.exit(70);
}
const reported = server.keys.api_url;
if (reported && reported.replace(/\/$/, '') !== server.apiUrl) {
  log(`note: 'usher keys' reports api_url=${reported}, the server listens on ${server.apiUrl}`);
}
// The address we bound is authoritative for the tests.
const vars = {
  USHER_API_URL: server.apiUrl,
  USHER_FRONTEND_API_URL: server.reportedFrontendApiUrl || server.frontendUrl,
  USHER_SECRET_KEY: server.secretKey,
  USHER_PUBLISHABLE_KEY: server.publishableKey,
  USHER_JWT_KEY: server.jwtKey,
  // What the server wrote, for suites that check what it never logs (API key secrets).
  USHER_LOG_FILE: server.logFile,
};
log(`Usher is up: api ${vars.USHER_API_URL}, frontend ${vars.USHER_FRONTEND_API_URL} (pid ${server.pid})`);
const status = await run(vars);
if (status !== 0) {
  log('last lines of the server log:');
  console.error(logTail(server.logFile, 40));
}
await stopServer();
process.exit(status);
