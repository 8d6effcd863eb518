#!/usr/bin/env bash
# The example app's browser test, as scripts/suites runs it after the release build:
#   USHER_BIN=target/release/usher compat/example/ci.sh
# 1. installs what is missing: Debian's chromium when /usr/bin/chromium is absent, this suite's
#    node_modules (npm ci: playwright-core, @clerk/backend) and the example's (npm ci in
#    examples/express: express, @clerk/express);
# 2. run.mjs starts a development and a production `usher serve` with the example in front of each
#    (`npm start`, which fetches the browser bundles on first run), runs test/ in headless
#    Chromium, and stops them all.
# Screenshots and logs: ${USHER_ARTIFACTS_DIR:-target/test-logs/example}.
set -uo pipefail
cd "$(dirname "$0")"
. ../lib/ci.sh example
need_usher
need_chromium
npm_ci
npm_ci --prefix "$ROOT/examples/express"
echo "==> example: examples/express (clerk-js + @clerk/ui, @clerk/express) in headless Chromium against Usher"
bounded 900 node run.mjs
