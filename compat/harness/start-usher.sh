#!/usr/bin/env bash
# Runs a command against a freshly started Usher, then stops the server.
#
#   compat/harness/start-usher.sh COMMAND [ARGS...]
#
# The shell entry of the SDK suites (node, python, verify-node, api-coverage) into the one
# launcher every suite shares, compat/lib/with-usher.mjs (which documents its variables): it
# starts "$USHER_BIN serve" on free loopback ports with a throw-away data directory, exports
# USHER_API_URL, USHER_FRONTEND_API_URL, USHER_SECRET_KEY, USHER_PUBLISHABLE_KEY and
# USHER_JWT_KEY to COMMAND, and exits with COMMAND's status.
set -euo pipefail
exec node "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/with-usher.mjs" "$@"
