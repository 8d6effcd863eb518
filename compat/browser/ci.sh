#!/usr/bin/env bash
# The browser suite, as scripts/suites runs it after the release build:
#   USHER_BIN=target/release/usher compat/browser/ci.sh
# 1. installs what is missing: Debian's chromium (apt-get) when /usr/bin/chromium is absent,
#    node_modules (npm ci: playwright-core, @clerk/backend, oidc-provider), and the browser bundles
#    @clerk/clerk-js 6 + @clerk/ui and @clerk/clerk-js 5 (npm pack into vendor/, see fetch-vendor.sh);
# 2. run.mjs starts the Usher instances it lists (production, development, clerk-js 5, …) with an app server in front of each,
#    runs every test file with node --test, and stops them all;
# 3. every Frontend API response the proxies recorded is validated against Clerk's OpenAPI spec
#    (../fapi-spec/validate-log.mjs).
# Screenshots, proxy and server logs: ${USHER_ARTIFACTS_DIR:-target/test-logs/browser}.
# Exits non-zero when anything fails.
set -uo pipefail
cd "$(dirname "$0")"
. ../lib/ci.sh browser
need_usher
need_chromium
npm_ci
./fetch-vendor.sh || { echo "browser: could not fetch @clerk/clerk-js / @clerk/ui" >&2; exit 1; }
echo "==> browser: clerk-js + @clerk/ui in headless Chromium against Usher"
bounded 900 node run.mjs
status=$?
# Every Frontend API response the real clerk-js received, checked against Clerk's spec.
ARTIFACTS="$(cd "$ROOT" && mkdir -p "${USHER_ARTIFACTS_DIR:-target/test-logs/browser}" && cd "${USHER_ARTIFACTS_DIR:-target/test-logs/browser}" && pwd)"
echo "==> browser: the recorded Frontend API responses against Clerk's OpenAPI spec"
{ { [ -d ../fapi-spec/node_modules/ajv ] || npm ci --prefix ../fapi-spec --no-audit --no-fund --loglevel=error; } &&
  node ../fapi-spec/validate-log.mjs "$ARTIFACTS"/proxy-*.jsonl; } || status=1
exit $status
