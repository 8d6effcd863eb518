#!/usr/bin/env bash
# The webhook crash test: 1,000 events for a slow receiver, the real usher binary killed with
# SIGKILL repeatedly during delivery and restarted; the receiver must end with every event.
# Everything listens on 127.0.0.1 and is stopped on exit. Bounded: the test gives up after 150 s (delivery
# slows down when every other suite runs beside it on two cores).
#   USHER_BIN=target/release/usher compat/webhooks-node/crash-test.sh
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
exec timeout 180 node crash-test.mjs
