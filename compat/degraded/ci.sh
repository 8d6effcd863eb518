#!/usr/bin/env bash
# The degraded-mode outage test, as scripts/suites runs it (its own suite, `degraded`):
#   USHER_BIN=target/release/usher compat/degraded/ci.sh
# Starts its own throwaway PostgreSQL cluster (initdb + pg_ctl on a free loopback port in a temp
# directory; never the shared one other suites use), then outage-test.mjs: two Usher nodes on
# it, 100 browser clients signed in through the Frontend API, a few sessions revoked on the
# other node, PostgreSQL stopped for DEGRADED_OUTAGE_SECS (default 120) while the clients
# refresh, then started again. The cluster is stopped and deleted when it exits.
set -uo pipefail
cd "$(dirname "$0")"
. ../lib/ci.sh degraded
need_usher
started=$SECONDS

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
  echo "==> degraded: apt-get install postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq >/dev/null && apt-get install -y -qq postgresql >/dev/null; } || { say "could not install PostgreSQL"; exit 1; }
fi
BIN="$(pg_bin)"
RUN_AS=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
  RUN_AS=(runuser -u postgres --)
fi
DIR="$(mktemp -d "${TMPDIR:-/tmp}/usher-degraded-pg.XXXXXX")"
chmod 755 "$DIR"
[ ${#RUN_AS[@]} -gt 0 ] && chown postgres "$DIR"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cleanup() {
  "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM
"${RUN_AS[@]}" "$BIN/initdb" -D "$DIR/data" -U usher --auth=trust -E UTF8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
# What the test runs to stop and start this cluster (and nothing else).
export DEGRADED_PG_CTL="${RUN_AS[*]} $BIN/pg_ctl -D $DIR/data -l $DIR/server.log"
export DEGRADED_PG_OPTS="-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c max_connections=100"
$DEGRADED_PG_CTL -w -t 60 start -o "$DEGRADED_PG_OPTS" >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
"$BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U usher -d postgres -c "CREATE DATABASE usher_degraded" >/dev/null || exit 1
export DEGRADED_DATABASE_URL="postgres://usher@127.0.0.1:$PORT/usher_degraded"
echo "==> degraded: PostgreSQL of its own on 127.0.0.1:$PORT; outage ${DEGRADED_OUTAGE_SECS:-120} s" >&2
bounded $(( ${DEGRADED_OUTAGE_SECS:-120} + 600 )) node outage-test.mjs
status=$?
echo "degraded: suite took $((SECONDS - started)) s" >&2
exit $status
