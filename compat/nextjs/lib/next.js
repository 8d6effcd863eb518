// `next build` and `next start` for the app in this folder, as child processes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SUITE_DIR } from './paths.js';
import { stopProcess } from '../../lib/usher.mjs';

const NEXT = path.join(SUITE_DIR, 'node_modules', 'next', 'dist', 'bin', 'next');

/** Variables that shape the build: NEXT_PUBLIC_* values are compiled into the bundles. */
export const BUILD_ENV = {
  NEXT_TELEMETRY_DISABLED: '1',
  CLERK_TELEMETRY_DISABLED: '1',
  NEXT_PUBLIC_CLERK_PROXY_URL: '/__clerk',
  NEXT_PUBLIC_CLERK_SIGN_IN_URL: '/sign-in',
  NEXT_PUBLIC_CLERK_SIGN_UP_URL: '/sign-up',
};

function baseEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('CLERK_') || k.startsWith('NEXT_PUBLIC_CLERK_')) delete env[k];
  return env;
}

export async function nextBuild(logFile, timeoutMs = 240_000) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [NEXT, 'build'], { cwd: SUITE_DIR, env: { ...baseEnv(), ...BUILD_ENV }, stdio: ['ignore', out, out] });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise((r) => child.on('exit', (c, s) => r(c ?? s)));
  clearTimeout(timer);
  fs.closeSync(out);
  if (code !== 0) {
    const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
    throw new Error(`next build failed (${code}):\n${tail}`);
  }
}

/** `next start` on localhost:port (loopback) with the given run-time variables; resolves once it answers. */
export async function nextStart({ port, env, logFile }) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [NEXT, 'start', '-H', 'localhost', '-p', String(port)], {
    cwd: SUITE_DIR,
    env: { ...baseEnv(), ...BUILD_ENV, ...env },
    stdio: ['ignore', out, out],
  });
  let exited = false;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`next start exited; see ${logFile}`);
    try {
      await fetch(`http://127.0.0.1:${port}/favicon.ico`, { signal: AbortSignal.timeout(2000), redirect: 'manual' });
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`next start did not answer within 60 s; see ${logFile}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    pid: child.pid,
    async stop() {
      await stopProcess(child);
      fs.closeSync(out);
    },
  };
}
