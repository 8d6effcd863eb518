#!/usr/bin/env bash
# Runs a command against a freshly started Usher, then stops the server.
#
#   compat/harness/start-usher.sh COMMAND [ARGS...]
#
# Starts "$USHER_BIN serve" on two free loopback ports with a throw-away data
# directory, waits for /healthz, reads the instance's keys with
# "$USHER_BIN keys --json" and runs COMMAND with these variables exported:
#
#   USHER_API_URL           Backend API base URL (the SDKs append /v1)
#   USHER_FRONTEND_API_URL  Frontend API base URL
#   USHER_SECRET_KEY        sk_test_...
#   USHER_PUBLISHABLE_KEY   pk_test_...
#   USHER_JWT_KEY           the signing key's public SPKI PEM (CLERK_JWT_KEY)
#
# The script exits with COMMAND's status. The server is stopped on exit.
#
# Inputs:
#   USHER_BIN       the usher binary (default: <repo>/target/release/usher)
#   USHER_API_URL   if already set, no server is started: COMMAND runs against
#                   that server. USHER_SECRET_KEY must then be set too; missing
#                   USHER_PUBLISHABLE_KEY / USHER_JWT_KEY are read with
#                   "$USHER_BIN keys" when USHER_DATA_DIR points at its data.
#   USHER_COMPAT_KEEP=1  keep the temporary data directory and server log.
set -euo pipefail

# USHER_COMPAT_DATABASE_URL runs the server on that (empty) database instead of SQLite, so the
# same suites prove the PostgreSQL backend.
DB_ARGS=()
if [ -n "${USHER_COMPAT_DATABASE_URL:-}" ]; then
  DB_ARGS=(--database-url "$USHER_COMPAT_DATABASE_URL")
fi

HARNESS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HARNESS_DIR/../.." && pwd)"

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 64
fi

USHER_BIN="${USHER_BIN:-$REPO_ROOT/target/release/usher}"

log() { echo "start-usher: $*" >&2; }

# Reads one string field from a JSON object on stdin (python3, else node).
json_field() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys; v=json.load(sys.stdin).get(sys.argv[1]); print("" if v is None else v, end="")' "$1"
  else
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];process.stdout.write(v==null?"":String(v))})' "$1"
  fi
}

# Prints two distinct free TCP ports on 127.0.0.1.
free_ports() {
  if command -v python3 >/dev/null 2>&1; then
    python3 - <<'EOF'
import socket
socks = []
for _ in range(2):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
  else
    node -e '
      const net = require("net");
      const a = net.createServer().listen(0, "127.0.0.1", () => {
        const b = net.createServer().listen(0, "127.0.0.1", () => {
          console.log(a.address().port + " " + b.address().port);
          a.close(); b.close();
        });
      });'
  fi
}

http_ok() {
  curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null
}

read_keys() { # DATA_DIR -> sets KEYS_JSON
  KEYS_JSON="$(env -u USHER_DATABASE_URL "$USHER_BIN" keys --data-dir "$1" "${DB_ARGS[@]}" --json)"
}

# --- Reuse a running server --------------------------------------------------
if [ -n "${USHER_API_URL:-}" ]; then
  if [ -z "${USHER_SECRET_KEY:-}" ] || [ -z "${USHER_PUBLISHABLE_KEY:-}" ] || [ -z "${USHER_JWT_KEY:-}" ]; then
    if [ -n "${USHER_DATA_DIR:-}" ] && [ -x "$USHER_BIN" ]; then
      read_keys "$USHER_DATA_DIR"
      : "${USHER_SECRET_KEY:=$(json_field secret_key <<<"$KEYS_JSON")}"
      : "${USHER_PUBLISHABLE_KEY:=$(json_field publishable_key <<<"$KEYS_JSON")}"
      : "${USHER_JWT_KEY:=$(json_field jwt_public_key_pem <<<"$KEYS_JSON")}"
      : "${USHER_FRONTEND_API_URL:=$(json_field frontend_api_url <<<"$KEYS_JSON")}"
    fi
  fi
  if [ -z "${USHER_SECRET_KEY:-}" ]; then
    log "USHER_API_URL is set, so USHER_SECRET_KEY must be set too (or USHER_DATA_DIR, to read it)"
    exit 64
  fi
  export USHER_API_URL USHER_SECRET_KEY USHER_PUBLISHABLE_KEY="${USHER_PUBLISHABLE_KEY:-}" \
    USHER_JWT_KEY="${USHER_JWT_KEY:-}" USHER_FRONTEND_API_URL="${USHER_FRONTEND_API_URL:-}"
  log "using the running server at $USHER_API_URL"
  exec "$@"
fi

# --- Start a fresh server ------------------------------------------------------
if [ ! -x "$USHER_BIN" ]; then
  log "no usher binary at $USHER_BIN (build it with: cargo build --release -p usher, or set USHER_BIN)"
  exit 69
fi
if ! command -v curl >/dev/null 2>&1; then
  log "curl is required"
  exit 69
fi

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/usher-compat.XXXXXX")"
DATA_DIR="$WORK_DIR/data"
SERVER_LOG="$WORK_DIR/server.log"
mkdir -p "$DATA_DIR"
SERVER_PID=""
CMD_PID=""

cleanup() {
  local status=$?
  if [ -n "$CMD_PID" ] && kill -0 "$CMD_PID" 2>/dev/null; then
    kill "$CMD_PID" 2>/dev/null || true
    wait "$CMD_PID" 2>/dev/null || true
  fi
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "${USHER_COMPAT_KEEP:-}" = "1" ]; then
    log "kept $WORK_DIR (data/ and server.log)"
  else
    rm -rf "$WORK_DIR"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_log() {
  if [ -s "$SERVER_LOG" ]; then
    log "last lines of the server log:"
    tail -n 40 "$SERVER_LOG" >&2
  fi
}

# A port picked here can be taken before the server binds it: retry a few times.
started=""
for attempt in 1 2 3; do
  read -r API_PORT FRONTEND_PORT <<<"$(free_ports)"
  API_ADDR="127.0.0.1:$API_PORT"
  FRONTEND_ADDR="127.0.0.1:$FRONTEND_PORT"
  # Flags win over the USHER_* twins of the caller's environment; a database URL or
  # environment from there would make the instance neither fresh nor a development one.
  env -u USHER_DATABASE_URL -u USHER_ENVIRONMENT "$USHER_BIN" serve --data-dir "$DATA_DIR" "${DB_ARGS[@]}" --api-addr "$API_ADDR" --frontend-addr "$FRONTEND_ADDR" \
    >>"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do # up to 30 s
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      break
    fi
    if http_ok "http://$API_ADDR/healthz"; then
      started=1
      break
    fi
    sleep 0.1
  done
  [ -n "$started" ] && break
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    log "the server did not answer http://$API_ADDR/healthz within 30 s"
    show_log
    exit 70
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  log "the server exited during start-up (attempt $attempt)"
done
if [ -z "$started" ]; then
  show_log
  exit 70
fi

if ! read_keys "$DATA_DIR"; then
  log "'$USHER_BIN keys --data-dir $DATA_DIR --json' failed"
  show_log
  exit 70
fi

USHER_SECRET_KEY="$(json_field secret_key <<<"$KEYS_JSON")"
USHER_PUBLISHABLE_KEY="$(json_field publishable_key <<<"$KEYS_JSON")"
USHER_JWT_KEY="$(json_field jwt_public_key_pem <<<"$KEYS_JSON")"
USHER_FRONTEND_API_URL="$(json_field frontend_api_url <<<"$KEYS_JSON")"
# The address we bound is authoritative for the tests.
USHER_API_URL="http://$API_ADDR"
: "${USHER_FRONTEND_API_URL:=http://$FRONTEND_ADDR}"
reported_api_url="$(json_field api_url <<<"$KEYS_JSON")"
if [ -n "$reported_api_url" ] && [ "${reported_api_url%/}" != "$USHER_API_URL" ]; then
  log "note: 'usher keys' reports api_url=$reported_api_url, the server listens on $USHER_API_URL"
fi
for var in USHER_SECRET_KEY USHER_PUBLISHABLE_KEY USHER_JWT_KEY; do
  if [ -z "${!var}" ]; then
    log "'usher keys --json' gave no value for $var: $KEYS_JSON"
    exit 70
  fi
done
export USHER_API_URL USHER_FRONTEND_API_URL USHER_SECRET_KEY USHER_PUBLISHABLE_KEY USHER_JWT_KEY
log "Usher is up: api $USHER_API_URL, frontend $USHER_FRONTEND_API_URL (pid $SERVER_PID)"

# Run COMMAND in the background so that a signal to this script is handled at once
# (stopping COMMAND and then the server) rather than after COMMAND ends.
"$@" &
CMD_PID=$!
set +e
wait "$CMD_PID"
status=$?
set -e
CMD_PID=""
if [ "$status" -ne 0 ]; then
  show_log
fi
exit "$status"
