#!/usr/bin/env bash
# The Next.js suite, as scripts/suites runs it after the release build:
#   USHER_BIN=target/release/usher compat/nextjs/ci.sh
# 1. npm ci (next, @clerk/nextjs, react, playwright-core), and the browser bundles @clerk/clerk-js
#    and @clerk/ui that Usher serves to the app (../browser/fetch-vendor.sh into vendor/);
# 2. run.mjs: `next build` once, a production and a development Usher with the app under
#    `next start` in front of each, the flows in headless Chromium, then stops them all.
# Screenshots and logs: ${USHER_ARTIFACTS_DIR:-target/test-logs/nextjs}. Exits non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")"
. ../lib/ci.sh nextjs
need_usher
need_chromium
npm_ci
../browser/fetch-vendor.sh "$PWD/vendor" || { echo "nextjs: could not fetch @clerk/clerk-js / @clerk/ui" >&2; exit 1; }
echo "==> nextjs: @clerk/nextjs (App Router, next start) in headless Chromium against Usher"
bounded 900 node run.mjs
