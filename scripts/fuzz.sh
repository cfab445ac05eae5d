#!/usr/bin/env bash
# The hostile-input campaign: every parser a stranger can reach (scanned QR
# and pass tokens, typed ID numbers, mobiles and plates, sign-in `next`
# links, uploaded CSV files, rosters from the wire) run by its property
# tests (domain/tests/hostile_input.rs) with millions of generated cases,
# in a release build. No panic is the pass mark. The device API's HTTP side
# is fuzzed against its OpenAPI document by scripts/contract.sh.
#   scripts/fuzz.sh            1,000,000 cases a property (tens of minutes)
#   scripts/fuzz.sh --smoke    10,000 cases a property (CI, about a minute)
#   scripts/fuzz.sh N          N cases a property
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=1000000
case "${1:-}" in
  --smoke) CASES=10000 ;;
  "") ;;
  *) CASES=$1 ;;
esac
printf '\033[1;35m[fuzz]\033[0m %s\n' "$CASES cases a property, release build"
start=$(date +%s)
PROPTEST_CASES=$CASES PROPTEST_MAX_SHRINK_ITERS=10000 \
  cargo test --release -p domain --features import --test hostile_input -- --test-threads=2
printf '\033[1;35m[fuzz]\033[0m %s\n' "done in $(( $(date +%s) - start )) s"
