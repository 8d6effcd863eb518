#!/usr/bin/env bash
# The Account Portal suite, as scripts/suites runs it after the release build:
#   USHER_BIN=target/release/usher compat/portal/ci.sh
# 1. installs what is missing: Debian's chromium (apt-get) when /usr/bin/chromium is absent, and
#    node_modules (npm ci: playwright-core);
# 2. starts `usher serve` as a production instance (a seeded sk_live_ key) whose frontend host is
#    its own frontend listener, allowed as an origin, on free loopback ports;
# 3. runs test/*.test.js with node --test: headless Chromium with JavaScript turned off signs up,
#    verifies, signs out and in, enrols TOTP, uses a backup code, resets a password, and signs
#    another device out, through the hosted pages only.
# Screenshots of every step and the server log: ${USHER_ARTIFACTS_DIR:-target/test-logs/portal}.
set -uo pipefail
cd "$(dirname "$0")"
ROOT="$(cd ../.. && pwd)"
USHER_BIN="${USHER_BIN:-$ROOT/target/release/usher}"
case "$USHER_BIN" in /*) ;; *) USHER_BIN="$ROOT/$USHER_BIN" ;; esac
ARTIFACTS="${USHER_ARTIFACTS_DIR:-target/test-logs/portal}"
case "$ARTIFACTS" in /*) ;; *) ARTIFACTS="$ROOT/$ARTIFACTS" ;; esac
export USHER_ARTIFACTS_DIR="$ARTIFACTS"
say() { echo "portal: $*" >&2; }

if [ ! -x "$USHER_BIN" ]; then
  say "no usher binary at $USHER_BIN (cargo build --release -p usher)"
  exit 69
fi
if [ ! -x /usr/bin/chromium ] && [ -z "${USHER_CHROMIUM:-}" ]; then
  say "apt-get install chromium"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  { $SUDO apt-get install -y --no-install-recommends chromium >/dev/null ||
    { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends chromium >/dev/null; }; } ||
    { say "could not install chromium"; exit 1; }
fi
npm ci --no-audit --no-fund --loglevel=error || { say "npm ci failed"; exit 1; }

mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS/usher.log"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/usher-portal.XXXXXX")"
SERVER_PID=""
cleanup() {
  local status=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_ports() {
  node -e '
    const net = require("net");
    const a = net.createServer().listen(0, "127.0.0.1", () => {
      const b = net.createServer().listen(0, "127.0.0.1", () => {
        console.log(a.address().port + " " + b.address().port);
        a.close(); b.close();
      });
    });'
}

SECRET_KEY="sk_live_$(head -c 512 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 40)"
LOG="$ARTIFACTS/usher.log"
started=""
for attempt in 1 2 3; do
  read -r API_PORT FRONTEND_PORT <<<"$(free_ports)"
  PORTAL="http://127.0.0.1:$FRONTEND_PORT"
  rm -rf "$WORK/data"
  # The caller's USHER_* settings (a database URL, an environment) would make the instance
  # neither fresh nor a production one.
  env -u USHER_DATABASE_URL -u USHER_ENVIRONMENT -u USHER_SECRET_KEY -u USHER_ALLOWED_ORIGINS \
    -u USHER_FRONTEND_HOST -u USHER_SMTP_URL \
    "$USHER_BIN" serve --data-dir "$WORK/data" \
    --api-addr "127.0.0.1:$API_PORT" --frontend-addr "127.0.0.1:$FRONTEND_PORT" \
    --environment production --secret-key "$SECRET_KEY" \
    --frontend-host "127.0.0.1:$FRONTEND_PORT" --allowed-origins "$PORTAL" \
    >>"$LOG" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$API_PORT/healthz" 2>/dev/null; then
      started=1
      break
    fi
    sleep 0.1
  done
  [ -n "$started" ] && break
  kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
  say "usher did not start (attempt $attempt)"
done
if [ -z "$started" ]; then
  tail -n 30 "$LOG" >&2
  exit 70
fi
say "usher (production) at $PORTAL, Backend API http://127.0.0.1:$API_PORT; artifacts in $ARTIFACTS"

export PORTAL_URL="$PORTAL" PORTAL_API_URL="http://127.0.0.1:$API_PORT" PORTAL_SECRET_KEY="$SECRET_KEY"
timeout 170 node --test --test-reporter=spec --test-concurrency=3 test/
status=$?
if [ "$status" -ne 0 ]; then
  say "failed; last lines of the server log:"
  tail -n 30 "$LOG" >&2
fi
exit "$status"
