# What every suite's ci.sh does first, sourced after `cd "$(dirname "$0")"`:
#   . ../lib/ci.sh NAME
# sets ROOT (the repository root) and exports USHER_BIN (absolute; default the release build);
# then the suite calls what it needs of:
#   need_usher      exit 69 when there is no usher binary
#   need_chromium   install Debian's chromium (apt-get) when /usr/bin/chromium is absent and
#                   USHER_CHROMIUM names none
#   npm_ci [ARGS]   npm ci quietly (ARGS: e.g. --prefix DIR), exit 1 when it fails
#   use_artifacts   set and export USHER_ARTIFACTS_DIR as ARTIFACTS (absolute; default
#                   target/test-logs/NAME)
#   bounded SECS CMD...
#                   run CMD, stopped after SECS (a guard against a hang, not a time limit: the
#                   suites share two cores with every other suite, so it sits well above any
#                   measured time); says so plainly when the guard stopped it
#   run_with_server_log LOG SECS CMD...
#                   bounded, then the last 30 lines of LOG when CMD failed
SUITE="$1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
USHER_BIN="${USHER_BIN:-$ROOT/target/release/usher}"
case "$USHER_BIN" in /*) ;; *) USHER_BIN="$ROOT/$USHER_BIN" ;; esac
export USHER_BIN

say() { echo "$SUITE: $*" >&2; }

need_usher() {
  if [ ! -x "$USHER_BIN" ]; then
    say "no usher binary at $USHER_BIN (cargo build --release -p usher)"
    exit 69
  fi
}

need_chromium() {
  if [ ! -x /usr/bin/chromium ] && [ -z "${USHER_CHROMIUM:-}" ]; then
    echo "==> $SUITE: apt-get install chromium" >&2
    export DEBIAN_FRONTEND=noninteractive
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    { $sudo apt-get install -y --no-install-recommends chromium >/dev/null ||
      { $sudo apt-get update >/dev/null && $sudo apt-get install -y --no-install-recommends chromium >/dev/null; }; } ||
      { say "could not install chromium"; exit 1; }
  fi
}

npm_ci() {
  npm ci --no-audit --no-fund --loglevel=error "$@" || { say "npm ci ${*} failed"; exit 1; }
}

bounded() {
  local secs="$1" status
  shift
  timeout "$secs" "$@"
  status=$?
  if [ "$status" -eq 124 ]; then
    say "stopped by its hang guard after ${secs} s (the tests that finished are listed above; a test still running was cut off)"
  fi
  return "$status"
}

run_with_server_log() {
  local log="$1" status
  shift
  bounded "$@"
  status=$?
  if [ "$status" -ne 0 ]; then
    say "failed; last lines of the server log:"
    tail -n 30 "$log" >&2
  fi
  return "$status"
}

use_artifacts() {
  ARTIFACTS="${USHER_ARTIFACTS_DIR:-target/test-logs/$SUITE}"
  case "$ARTIFACTS" in /*) ;; *) ARTIFACTS="$ROOT/$ARTIFACTS" ;; esac
  export USHER_ARTIFACTS_DIR="$ARTIFACTS"
}
