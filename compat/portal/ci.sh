#!/usr/bin/env bash
# The Account Portal suite, as scripts/suites runs it after the release build:
#   USHER_BIN=target/release/usher compat/portal/ci.sh
# 1. installs what is missing: Debian's chromium (apt-get) when /usr/bin/chromium is absent, and
#    node_modules (npm ci: playwright-core);
# 2. run.mjs starts `usher serve` (../lib/usher.mjs) as a production instance (a seeded sk_live_
#    key) whose frontend host is its own frontend listener, allowed as an origin, on free loopback
#    ports, and stops it at the end;
# 3. runs test/*.test.js with node --test: headless Chromium with JavaScript turned off signs up,
#    verifies, signs out and in, enrols TOTP, uses a backup code, resets a password, signs
#    another device out and accepts an organization invitation, through the hosted pages only.
# Screenshots of every step and the server log: ${USHER_ARTIFACTS_DIR:-target/test-logs/portal}.
set -uo pipefail
cd "$(dirname "$0")"
. ../lib/ci.sh portal
use_artifacts
need_usher
need_chromium
npm_ci

run_with_server_log "$ARTIFACTS/usher.log" 600 node run.mjs
