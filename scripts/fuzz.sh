#!/usr/bin/env bash
# The hostile-input campaign over every parser a stranger reaches (scanned
# QR and pass tokens, typed ID numbers, mobiles and plates, sign-in `next`
# links, uploaded CSV files, rosters from the wire). No panic is the pass
# mark. Two tools:
#   1. the property tests of domain/tests/hostile_input.rs with many
#      generated cases (release build);
#   2. AFL++, coverage-guided, through cargo-afl on the stable toolchain
#      (fuzz/afl: one target per input kind, seeds in fuzz/afl/seeds).
# The device API's HTTP side is fuzzed against its OpenAPI document by
# scripts/contract.sh (in the test command).
#   scripts/fuzz.sh           1,000,000 cases a property, AFL++ 5 minutes a target
#   scripts/fuzz.sh --smoke   10,000 cases a property, AFL++ 15 s a target (CI)
# AFL_SECONDS overrides the AFL++ time a target. Findings: fuzz/afl/out/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
CASES=1000000
AFL_SECONDS=${AFL_SECONDS:-300}
if [[ "${1:-}" == "--smoke" ]]; then
  CASES=10000
  AFL_SECONDS=${AFL_SECONDS_SMOKE:-15}
fi
CARGO_AFL_VERSION=0.18.2
say() { printf '\033[1;35m[fuzz]\033[0m %s\n' "$*"; }
start=$(date +%s)

say "property tests: $CASES cases a property, release build"
PROPTEST_CASES=$CASES PROPTEST_MAX_SHRINK_ITERS=10000 \
  cargo test --release -p domain --features import --test hostile_input -- --test-threads=2

if ! cargo afl --version 2>/dev/null | grep -q "$CARGO_AFL_VERSION"; then
  say "installing cargo-afl $CARGO_AFL_VERSION (once; it builds AFL++ next)"
  cargo install cargo-afl --version "$CARGO_AFL_VERSION" --locked
fi
# Builds AFL++ itself (C, with make) the first time; says so afterwards.
if ! built=$(cargo afl config --build 2>&1) && ! grep -q "already built" <<<"$built"; then
  echo "$built" >&2
  exit 1
fi
say "AFL++ targets, instrumented build"
cargo afl build --release --manifest-path fuzz/afl/Cargo.toml
OUT=fuzz/afl/out
mkdir -p "$OUT"
failed=()
for target in token text csv roster; do
  say "AFL++: $target for ${AFL_SECONDS}s"
  rm -rf "$OUT/$target"
  # No UI; containers have no CPU governor and pipe their core dumps.
  AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    cargo afl fuzz -V "$AFL_SECONDS" -i "fuzz/afl/seeds/$target" -o "$OUT/$target" "fuzz/afl/target/release/$target" >"$OUT/$target.log" 2>&1 ||
    { tail -20 "$OUT/$target.log"; failed+=("$target: afl-fuzz failed"); continue; }
  stats="$OUT/$target/default/fuzzer_stats"
  say "$target: $(awk -F': ' '/^execs_done/ {e=$2} /^corpus_count/ {c=$2} /^saved_crashes/ {s=$2} /^saved_hangs/ {h=$2} END {printf "%s runs, %s paths, %s crashes, %s hangs", e, c, s, h}' "$stats")"
  if compgen -G "$OUT/$target/default/crashes/id:*" >/dev/null; then
    failed+=("$target: crashes in $OUT/$target/default/crashes")
  fi
done
say "done in $(( $(date +%s) - start )) s"
if ((${#failed[@]})); then
  printf '%s\n' "${failed[@]}" >&2
  exit 1
fi
