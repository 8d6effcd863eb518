#!/usr/bin/env node
// The launcher: starts the three Usher instances the browser suite needs, an app server in front
// of each, runs a command (default: the whole test directory with node --test) with their
// addresses and keys in USHER_BROWSER_CONFIG (JSON), then stops everything.
//
//   node run.mjs                       # every test file
//   node run.mjs node --test test/10-production.test.js
//
//   (P) production:  --environment production --secret-key sk_live_<40 alnum>
//                    --frontend-host clerk.localhost:<APP_PORT> --allowed-origins http://localhost:<APP_PORT>
//   (D) development: --environment development --frontend-host happy-hippo-13.clerk.accounts.dev
//                    --allowed-origins http://localhost:<APP2_PORT>
//   (5) clerk5:      as (P), on its own app port, pages loading clerk-js 5 (its UI built in)
//   (F) forced:      as (P), on its own app port, with --force-organization-selection true
//   (F5) forced5:    as (F) with clerk-js 5
//   (W) ways:        as (P), on its own app port, with --frontend-url <app>/__clerk (the links it
//                    emails and the OAuth redirect URI go through the app's proxy, as with Clerk's
//                    proxyUrl); email links and a loopback OpenID provider are turned on there
//   (R) restricted:  as (P), on its own app port; sign-up restricted there
//   (D5) dev5:       as (D) with clerk-js 5, on its own app port
// (P), (5), (F) and (F5) also serve organizations (--organizations true); (P) organization
// domains too.
// (P) and (D) with --clerk-js-dir vendor/node_modules (clerk-js 6 + @clerk/ui), (5) with
// vendor/v5/node_modules; all on free loopback ports and temp data dirs.
import path from 'node:path';
import { createClerkClient } from '@clerk/backend';
import { startApp } from '../lib/app.mjs';
import { startUsher } from './lib/usher.js';
import { liveSecretKey } from '../lib/usher.mjs';
import { ARTIFACTS_DIR, SUITE_DIR, USHER_BIN, VENDOR5_DIR } from './lib/paths.js';
import { runSuite } from '../lib/runner.mjs';

await runSuite({
  label: 'browser-suite',
  suiteDir: SUITE_DIR,
  artifactsDir: ARTIFACTS_DIR,
  configVar: 'USHER_BROWSER_CONFIG',
  async start({ say, cleanup }) {
    async function instance(name, environment, extra, clerkJs = 6) {
      const app = await startApp({ name, clerkJs, logFile: path.join(ARTIFACTS_DIR, `proxy-${name}.jsonl`) });
      cleanup(() => app.close());
      const usher = await startUsher({
        name,
        environment,
        allowedOrigins: app.origin,
        logFile: path.join(ARTIFACTS_DIR, `usher-${name}.log`),
        ...extra(app),
      });
      cleanup(() => usher.stop());
      const { secretKey, publishableKey, apiUrl, jwtKey } = usher;
      app.configure({ ...usher, clerkClient: createClerkClient({ secretKey, publishableKey, apiUrl, jwtKey }) });
      say(`${name}: app ${app.origin} → usher frontend ${usher.frontendUrl}, api ${usher.apiUrl} (pid ${usher.pid}), ${usher.publishableKey}`);
      return {
        appUrl: app.origin,
        apiUrl: usher.apiUrl,
        frontendUrl: usher.frontendUrl,
        secretKey: usher.secretKey,
        publishableKey: usher.publishableKey,
        jwtKey: usher.jwtKey,
        environment,
        clerkJs,
        dataDir: usher.dataDir,
      };
    }
    say(`usher ${USHER_BIN}; artifacts in ${ARTIFACTS_DIR}`);
    const forcedArgs = ['--organizations', 'true', '--force-organization-selection', 'true'];
    const [production, development, clerk5, forced, forced5, ways, restricted, dev5] = await Promise.all([
      instance('production', 'production', (app) => ({
        frontendHost: `clerk.localhost:${app.port}`,
        secretKey: liveSecretKey(),
        args: ['--organizations', 'true', '--organization-domains', 'true'],
      })),
      instance('development', 'development', () => ({
        frontendHost: 'happy-hippo-13.clerk.accounts.dev',
        args: ['--organizations', 'true'],
      })),
      instance('clerk5', 'production', (app) => ({
        frontendHost: `clerk.localhost:${app.port}`,
        secretKey: liveSecretKey(),
        clerkJsDir: VENDOR5_DIR,
        args: ['--organizations', 'true'],
      }), 5),
      instance('forced', 'production', (app) => ({
        frontendHost: `clerk.localhost:${app.port}`,
        secretKey: liveSecretKey(),
        args: forcedArgs,
      })),
      instance('forced5', 'production', (app) => ({
        frontendHost: `clerk.localhost:${app.port}`,
        secretKey: liveSecretKey(),
        clerkJsDir: VENDOR5_DIR,
        args: forcedArgs,
      }), 5),
      instance('ways', 'production', (app) => ({
        frontendHost: `clerk.localhost:${app.port}`,
        secretKey: liveSecretKey(),
        args: ['--frontend-url', `${app.origin}/__clerk`],
      })),
      instance('restricted', 'production', (app) => ({
        frontendHost: `clerk.localhost:${app.port}`,
        secretKey: liveSecretKey(),
      })),
      instance('dev5', 'development', () => ({
        frontendHost: 'happy-hippo-13.clerk.accounts.dev',
        clerkJsDir: VENDOR5_DIR,
      }), 5),
    ]);
    return { production, development, clerk5, forced, forced5, ways, restricted, dev5 };
  },
});
