#!/usr/bin/env bash
# The Frontend API spec suite, as scripts/suites runs it after the release build:
#   USHER_BIN=target/release/usher compat/fapi-spec/ci.sh
# 1. npm ci (ajv, ajv-formats, yaml; pinned by package-lock.json);
# 2. drives every Frontend API route Usher serves against a production and a development Usher
#    and validates every response against Clerk's OpenAPI spec (../shared/specs/clerk/fapi/), listing each violation
#    with its JSON path.
# The browser suite validates what the real clerk-js received the same way (validate-log.mjs).
set -uo pipefail
cd "$(dirname "$0")"
ROOT="$(cd ../.. && pwd)"
export USHER_BIN="${USHER_BIN:-$ROOT/target/release/usher}"
if [ ! -x "$USHER_BIN" ]; then
  echo "fapi-spec: no usher binary at $USHER_BIN (cargo build --release -p usher)" >&2
  exit 69
fi
[ -d node_modules/ajv ] || npm ci --no-audit --no-fund --loglevel=error || { echo "fapi-spec: npm ci failed" >&2; exit 1; }
echo "==> fapi-spec: every Frontend API response against Clerk's OpenAPI spec"
timeout 180 node --test --test-reporter=spec test/
