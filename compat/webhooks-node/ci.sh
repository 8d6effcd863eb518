#!/usr/bin/env bash
# Everything the webhook suite needs, as scripts/test runs it after the release build:
#   USHER_BIN=target/release/usher compat/webhooks-node/ci.sh
# 1. npm ci (svix and @clerk/backend, pinned by package-lock.json);
# 2. the receiver suite: every delivery verified with the real svix package and verifyWebhook;
# 3. the crash test (kill -9 during delivery of 1,000 events) on SQLite, and again on
#    PostgreSQL when USHER_TEST_POSTGRES_URL names a server (scripts/with-postgres);
# 4. the failover test (two nodes on one database, one killed mid-load), on PostgreSQL when
#    a server is given, else on one SQLite file.
# Servers and receivers listen on 127.0.0.1 only and are stopped before it exits; it exits
# non-zero when anything fails.
set -uo pipefail
cd "$(dirname "$0")"
. ../lib/ci.sh webhooks-node
need_usher
npm_ci
status=0
echo "==> webhooks-node: receiver suite (svix + @clerk/backend verifyWebhook)"
bounded 900 node --test test/ || status=1
echo "==> webhooks-node: crash test (SQLite)"
./crash-test.sh || status=1
if [ -n "${USHER_TEST_POSTGRES_URL:-}" ] && command -v psql >/dev/null; then
  db="usher_webhooks_crash_$RANDOM$RANDOM"
  if psql -q "$USHER_TEST_POSTGRES_URL" -c "CREATE DATABASE $db" >/dev/null; then
    echo "==> webhooks-node: crash test (PostgreSQL)"
    USHER_CRASH_DATABASE_URL="${USHER_TEST_POSTGRES_URL%/*}/$db" ./crash-test.sh || status=1
  else
    echo "webhooks-node: could not create a PostgreSQL database for the crash test" >&2
    status=1
  fi
fi
# Two nodes on one database, one killed mid-load: the survivor serves and delivers everything.
if [ -n "${USHER_TEST_POSTGRES_URL:-}" ] && command -v psql >/dev/null; then
  db="usher_failover_$RANDOM$RANDOM"
  if psql -q "$USHER_TEST_POSTGRES_URL" -c "CREATE DATABASE $db" >/dev/null; then
    echo "==> webhooks-node: failover test (two nodes, PostgreSQL)"
    USHER_FAILOVER_DATABASE_URL="${USHER_TEST_POSTGRES_URL%/*}/$db" bounded 450 node failover-test.mjs || status=1
  else
    echo "webhooks-node: could not create a PostgreSQL database for the failover test" >&2
    status=1
  fi
else
  echo "==> webhooks-node: failover test (two nodes, one SQLite file)"
  bounded 450 node failover-test.mjs || status=1
fi
exit $status
