#!/usr/bin/env bash
# Builds Campus Pass in release mode and serves the demo campus on
# http://127.0.0.1:3000 with an embedded SQLite database under data/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
scripts/build-release.sh
export CAMPUS_PASS_DEMO=true
export CAMPUS_PASS_DATABASE_URL="${CAMPUS_PASS_DATABASE_URL:-sqlite://data/campus-pass.db}"
export CAMPUS_PASS_DATA_DIR="${CAMPUS_PASS_DATA_DIR:-data}"
export CAMPUS_PASS_SITE_ROOT="$ROOT/target/site"
exec target/release/server
