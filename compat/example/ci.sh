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
ROOT="$(cd ../.. && pwd)"
export USHER_BIN="${USHER_BIN:-$ROOT/target/release/usher}"

if [ ! -x "$USHER_BIN" ]; then
  echo "example: no usher binary at $USHER_BIN (cargo build --release -p usher)" >&2
  exit 69
fi
if [ ! -x /usr/bin/chromium ] && [ -z "${USHER_CHROMIUM:-}" ]; then
  echo "==> example: apt-get install chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  { $SUDO apt-get install -y --no-install-recommends chromium >/dev/null ||
    { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends chromium >/dev/null; }; } ||
    { echo "example: could not install chromium" >&2; exit 1; }
fi
npm ci --no-audit --no-fund --loglevel=error || { echo "example: npm ci failed" >&2; exit 1; }
(cd "$ROOT/examples/express" && npm ci --no-audit --no-fund --loglevel=error) ||
  { echo "example: npm ci in examples/express failed" >&2; exit 1; }
echo "==> example: examples/express (clerk-js + @clerk/ui, @clerk/express) in headless Chromium against Usher"
timeout 420 node run.mjs
