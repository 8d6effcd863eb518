#!/usr/bin/env bash
# CI for usher-verify, called by scripts/test after the release build (USHER_BIN set):
#   1. the cross-check with the official @clerk/backend: a fresh Usher on loopback, the token
#      corpus built by examples/crosscheck.rs, the node --test suite in compat/verify-node;
#      then session tokens usher-core mints for organization members (examples/org_claims.rs,
#      no server) decoded by @clerk/backend and usher-verify (compat/verify-node/org-claims);
#   2. a bounded fuzz run (about 30 s in all): the stable mutation fuzzer of
#      tests/verify/fuzz_replay.rs, timed, from a fresh seed it prints. It needs no other build.
#      USHER_FUZZ=cargo-fuzz runs coverage-guided libFuzzer instead (cargo fuzz on a nightly
#      toolchain; its cold build of the crate and its dependencies takes some six minutes on 2
#      cores, which is why CI does not run it by default).
# Everything listens on loopback and is stopped on exit. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export USHER_BIN="${USHER_BIN:-$ROOT/target/release/usher}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/usher-verify-ci.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
fail=0

echo "==> usher-verify: building the cross-check example"
# --workspace, as scripts/test's build: the same feature set, so nothing is compiled again.
cargo build --release --workspace --example crosscheck --example org_claims

echo "==> usher-verify: cross-check with @clerk/backend"
npm ci --prefix compat/verify-node --no-audit --no-fund --loglevel=error
if compat/harness/start-usher.sh bash -c '
    set -e
    "$0/target/release/examples/crosscheck" "$1/corpus.json"
    CROSSCHECK_CORPUS="$1/corpus.json" node --test compat/verify-node/test/
  ' "$ROOT" "$WORK"; then
  echo "cross-check: ok"
else
  echo "cross-check: FAILED"
  fail=1
fi

echo "==> usher-verify: organization claims minted by usher-core, decoded by @clerk/backend"
if "$ROOT/target/release/examples/org_claims" "$WORK/org-claims.json" &&
  ORG_CLAIMS_FIXTURES="$WORK/org-claims.json" timeout 120 node --test compat/verify-node/org-claims/; then
  echo "organization claims: ok"
else
  echo "organization claims: FAILED"
  fail=1
fi

echo "==> usher-verify: bounded fuzzing"
if [ "${USHER_FUZZ:-}" = cargo-fuzz ]; then
  if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --quiet || true
  fi
  for target in token request signed_claims; do
    mkdir -p "$WORK/corpus-$target"
    log="$WORK/fuzz-$target.log"
    # 15 s per target; -seed fixes libFuzzer's choices so a run can be repeated.
    if (cd crates/verify/fuzz && cargo +nightly fuzz run -O "$target" "$WORK/corpus-$target" "seeds/$target" -- \
        -max_total_time=15 -seed=1 -max_len=4096 -print_final_stats=1) >"$log" 2>&1; then
      runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
      echo "fuzz $target: ok (${runs:-?} inputs, no crash)"
    else
      tail -n 40 "$log"
      echo "fuzz $target: FAILED (crash artifacts in crates/verify/fuzz/artifacts/$target/)"
      fail=1
    fi
  done
else
  # 10 s per target, one at a time; each prints its input count and seed.
  USHER_FUZZ_SECONDS="${USHER_FUZZ_SECONDS:-10}" \
    cargo test --release --workspace --test verify fuzz_replay -- --test-threads=1 --nocapture || fail=1
fi

exit "$fail"
