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
. ../lib/ci.sh fapi-spec
need_usher
[ -d node_modules/ajv ] || npm_ci
echo "==> fapi-spec: every Frontend API response against Clerk's OpenAPI spec"
bounded 600 node --test --test-reporter=spec test/
