#!/usr/bin/env bash
# Contract fuzzing of the gate-device API: Schemathesis, an independent
# tool, reads /api/openapi.json, generates requests the document allows
# (and, in the negative mode, requests it forbids) and checks every answer
# against it: no 5xx, allowed requests taken, forbidden ones refused,
# statuses, content types and bodies as documented, 401 without a key.
#   scripts/contract.sh BASE_URL [EXAMPLES]   (a running demo server)
# Exit status 0 only if every check passed. Needs scripts/setup.sh --test.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE=$1
EXAMPLES=${2:-300}
ST="$ROOT/.tools/venv-contract/bin/schemathesis"
say() { printf '\033[1;34m[contract]\033[0m %s\n' "$*"; }

# A device at the first gate, registered by the demo security admin.
JAR=$(mktemp)
OUT=$(mktemp -d)
trap 'rm -rf "$JAR" "$OUT"' EXIT
curl -sf -c "$JAR" -H "origin: $BASE" -X POST "$BASE/api/fn/sign_in_with_password" \
  -d "staff_no=S0001&password=Campus-demo-2026" >/dev/null
GATE=$(curl -sf -b "$JAR" -H "origin: $BASE" -X POST "$BASE/api/fn/gate_options" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["gate_id"])')
KEY=$(curl -sf -b "$JAR" -H "origin: $BASE" -X POST "$BASE/api/fn/register_device" \
  --data-urlencode "gate_id=$GATE" --data-urlencode "name=contract fuzzer" | python3 -c 'import json, sys; print(json.load(sys.stdin))')
[[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$BASE/api/gate/v1/roster") == 200 ]] ||
  { echo "the device key was refused"; exit 2; }

# Schemathesis writes its state into the working directory.
cd "$OUT"
cat >contract.toml <<'TOML'
[warnings]
# Every answer 401/403 means the key is wrong: fail, do not warn.
fail-on = ["missing_auth"]
[checks.positive_data_acceptance]
# By default 401/403/404/409/429 also count as "accepted".
expected-statuses = ["2xx"]
TOML
rc=0
for mode in all negative; do
  say "mode $mode, $EXAMPLES examples per operation"
  "$ST" --config-file contract.toml run "$BASE/api/openapi.json" -H "Authorization: Bearer $KEY" \
    --checks all --phases examples,coverage,fuzzing --mode "$mode" -n "$EXAMPLES" --seed 20261203 \
    --workers 1 --generation-database none --continue-on-failure --request-timeout 10 --no-color || rc=1
done
exit $rc
