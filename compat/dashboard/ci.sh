#!/usr/bin/env bash
# The operators' dashboard suite, as scripts/suites runs it after the release build:
#   USHER_BIN=target/release/usher compat/dashboard/ci.sh
# 1. installs what is missing: Debian's chromium (apt-get) when /usr/bin/chromium is absent,
#    node_modules (npm ci: playwright-core, axe-core), and the browser bundles @clerk/clerk-js 6
#    and @clerk/ui (../browser/fetch-vendor.sh into this suite's own vendor/);
# 2. run.mjs starts `usher serve` (../lib/usher.mjs) on a fresh SQLite data directory on free
#    loopback ports, serving those bundles, with the test application (../lib/app.mjs) in front of
#    its Frontend API, and stops them at the end;
# 3. runs test/*.test.js with node --test: headless Chromium signs operators in (made with
#    `usher operators add`, codes computed from their TOTP secret), finds a user, signs a session
#    out, edits metadata, bans and unbans; renames the application, which the Frontend API and
#    clerk-js 6's <SignIn/> then show ("Sign in to <new name>", the old name gone); changes the
#    session inactivity timeout, which a second `usher serve` on the same data directory then
#    applies without a restart; lists a failing webhook endpoint, retries and sends a test event;
#    fixes a failing endpoint's URL and replays its queue to a loopback receiver; signs a user
#    out of every device (their Frontend API token refreshes then fail), locks and unlocks them,
#    their name and user agent shown as text; edits and previews an email template a sign-up
#    then receives, adds and deletes a satellite domain; and checks that support sees no write
#    buttons and a forged POST is refused. Every dashboard page visited passes axe-core (no serious
#    or critical violation) and has no horizontal overflow at 375 px.
# Full-page screenshots at 1280 and 375 px: target/dashboard-screenshots/; server and browser
# logs: ${USHER_ARTIFACTS_DIR:-target/test-logs/dashboard}.
set -uo pipefail
cd "$(dirname "$0")"
. ../lib/ci.sh dashboard
use_artifacts
need_usher
need_chromium
npm_ci
../browser/fetch-vendor.sh "$PWD/vendor" || { say "could not fetch @clerk/clerk-js / @clerk/ui"; exit 1; }

run_with_server_log "$ARTIFACTS/usher.log" 600 node run.mjs
