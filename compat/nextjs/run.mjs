#!/usr/bin/env node
// The launcher: `next build` once, then a production and a development Usher, each with the same
// built app under `next start` in front of it, then the test files (node --test) with their
// addresses and keys in USHER_NEXTJS_CONFIG (JSON); everything is stopped at the end.
//
//   node run.mjs                                  # every test file
//   node run.mjs node --test test/10-production.test.js
//
//   (P) --environment production  --secret-key sk_live_<40 alnum> --frontend-host clerk.localhost:<P>
//   (D) --environment development --frontend-host clerk.localhost:<D>   (an ordinary host: pk_test_)
// both with --allowed-origins http://localhost:<port> and --clerk-js-dir vendor/node_modules.
import path from 'node:path';
import { startUsher, liveSecretKey, freePorts } from '../lib/usher.mjs';
import { runSuite } from '../lib/runner.mjs';
import { nextBuild, nextStart } from './lib/next.js';
import { ARTIFACTS_DIR, SUITE_DIR, USHER_BIN, VENDOR_DIR } from './lib/paths.js';

await runSuite({
  label: 'nextjs-suite',
  suiteDir: SUITE_DIR,
  artifactsDir: ARTIFACTS_DIR,
  configVar: 'USHER_NEXTJS_CONFIG',
  async start({ say, cleanup }) {
    async function instance(name, environment, built) {
      const [port] = await freePorts(1);
      const appUrl = `http://localhost:${port}`;
      const usher = await startUsher({
        name,
        environment,
        frontendHost: `clerk.localhost:${port}`,
        allowedOrigins: appUrl,
        secretKey: environment === 'production' ? liveSecretKey() : undefined,
        logFile: path.join(ARTIFACTS_DIR, `usher-${name}.log`),
        clerkJsDir: VENDOR_DIR,
      });
      cleanup(() => usher.stop());
      await built;
      // The app's run-time configuration: exactly what the README's Next.js recipe sets.
      const env = {
        CLERK_SECRET_KEY: usher.secretKey,
        CLERK_PUBLISHABLE_KEY: usher.publishableKey,
        CLERK_API_URL: usher.apiUrl,
        CLERK_FAPI_URL: usher.frontendUrl,
        CLERK_JWT_KEY: usher.jwtKey,
      };
      const app = await nextStart({ port, env, logFile: path.join(ARTIFACTS_DIR, `next-${name}.log`) });
      cleanup(() => app.stop());
      say(`${name}: app ${appUrl} (pid ${app.pid}) → usher frontend ${usher.frontendUrl}, api ${usher.apiUrl} (pid ${usher.pid}), ${usher.publishableKey}`);
      return { appUrl, apiUrl: usher.apiUrl, secretKey: usher.secretKey, publishableKey: usher.publishableKey, jwtKey: usher.jwtKey, environment };
    }
    say(`usher ${USHER_BIN}; artifacts in ${ARTIFACTS_DIR}`);
    const started = Date.now();
    const built = nextBuild(path.join(ARTIFACTS_DIR, 'next-build.log')).then(() => say(`next build: ${Math.round((Date.now() - started) / 1000)} s`));
    built.catch(() => {});
    const [production, development] = await Promise.all([
      instance('production', 'production', built),
      instance('development', 'development', built),
    ]);
    return { production, development };
  },
});
