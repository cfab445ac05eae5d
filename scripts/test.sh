#!/usr/bin/env bash
# Runs every test: unit and property tests, integration tests on SQLite and
# on a real PostgreSQL (started here on loopback), then the browser journeys
# in Chromium against a release build. Installs what it needs first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh --test
say() { printf '\033[1;32m[test]\033[0m %s\n' "$*"; }
start=$(date +%s)
# A one-off build gains nothing from incremental caches, which cost disk.
export CARGO_INCREMENTAL=0
WORK=$(mktemp -d /tmp/campus-pass-test.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done
  if [[ -f "$WORK/pg/postmaster.pid" ]]; then as_postgres "$PGBIN/pg_ctl -D $WORK/pg -m immediate stop" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

as_postgres() {
  if [[ $(id -u) == 0 ]]; then su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi
}

say "format and lints (rustfmt, clippy on the server's and the browser's targets)"
cargo fmt --all --check
cargo clippy --workspace --exclude frontend --exclude frontend-scanner --exclude frontend-visitor --exclude frontend-people --exclude frontend-review --exclude frontend-privacy --features app/ssr --tests -- -D warnings
cargo clippy -p frontend -p frontend-scanner -p frontend-visitor -p frontend-people -p frontend-review -p frontend-privacy --target wasm32-unknown-unknown -- -D warnings

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

say "a CAS server for the campus sign-on tests (django-mama-cas)"
CAS_PORT=$(free_port)
.tools/venv-cas/bin/python scripts/cas/cas_server.py "$CAS_PORT" scripts/cas/users.json '^http://127\.0\.0\.1:\d+/auth/cas/callback' >"$WORK/cas.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$CAS_PORT/cas/login" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$CAS_PORT/cas/login" >/dev/null || { cat "$WORK/cas.log"; exit 1; }
export CAMPUS_PASS_TEST_CAS="http://127.0.0.1:$CAS_PORT/cas"

say "an OpenLDAP server for the directory-sync tests (slapd)"
LDAP_PORT=$(free_port)
PIDS+=($(scripts/ldap/start.sh "$WORK/ldap" "$LDAP_PORT"))
export CAMPUS_PASS_TEST_LDAP="ldap://127.0.0.1:$LDAP_PORT"

say "unit, property and integration tests on SQLite"
cargo test --workspace --exclude frontend --exclude frontend-scanner --exclude frontend-visitor --exclude frontend-people --exclude frontend-review --exclude frontend-privacy --features app/ssr

say "integration tests on PostgreSQL"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
# A free port (a PostgreSQL left running elsewhere must not stop this one).
PGPORT=${CAMPUS_PASS_TEST_PGPORT:-$(free_port)}
mkdir -p "$WORK/pg"
[[ $(id -u) == 0 ]] && chown postgres "$WORK/pg"
as_postgres "$PGBIN/initdb -D $WORK/pg -A trust -U postgres >/dev/null"
as_postgres "$PGBIN/pg_ctl -D $WORK/pg -l $WORK/pg/server.log -w -o \"-p $PGPORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300\" start >/dev/null" \
  || { tail -20 "$WORK/pg/server.log"; exit 1; }
# Same packages and features as above, so nothing is compiled again.
CAMPUS_PASS_TEST_POSTGRES="postgres://postgres@127.0.0.1:$PGPORT/postgres" \
  cargo test --workspace --exclude frontend --exclude frontend-scanner --exclude frontend-visitor --exclude frontend-people --exclude frontend-review --exclude frontend-privacy --features app/ssr --tests

say "release build for the browser journeys"
scripts/build-release.sh
SITE_DIR="$WORK/site-data"
mkdir -p "$SITE_DIR"
# A port nobody else holds: a leftover server must never answer for ours.
PORT=${CAMPUS_PASS_TEST_PORT:-$(free_port)}
# Enterprise WeChat for the journeys: its endpoints on loopback, the
# member who "scans" being A1001.
WECOM_PORT=$(free_port)
python3 scripts/wecom/fake_wecom.py "$WECOM_PORT" ww-journey-corp journey-secret 1000002 A1001 >"$WORK/wecom.log" 2>&1 &
PIDS+=($!)
# trust_proxy: each journey's phone sends its own X-Forwarded-For, as
# phones behind a campus proxy arrive from their own addresses.
CAMPUS_PASS_LISTEN="127.0.0.1:$PORT" CAMPUS_PASS_PUBLIC_BASE_URL="http://127.0.0.1:$PORT" CAMPUS_PASS_TRUST_PROXY=true \
CAMPUS_PASS_DEMO=true CAMPUS_PASS_DATA_DIR="$SITE_DIR" CAMPUS_PASS_DATABASE_URL="sqlite://$SITE_DIR/campus-pass.db" \
CAMPUS_PASS_SITE_ROOT="$ROOT/target/site" RUST_LOG=warn \
CAMPUS_PASS_CAS__SERVER_URL="$CAMPUS_PASS_TEST_CAS" CAMPUS_PASS_CAS__STAFF_NUMBER_ATTRIBUTE=employeeNumber \
CAMPUS_PASS_LDAP__URL="$CAMPUS_PASS_TEST_LDAP" CAMPUS_PASS_LDAP__BASE_DN="ou=people,dc=campus,dc=test" CAMPUS_PASS_LDAP__PAGE_SIZE=40 \
CAMPUS_PASS_LDAP__BIND_DN="cn=campus-pass,dc=campus,dc=test" CAMPUS_PASS_LDAP__BIND_PASSWORD=test-bind-secret CAMPUS_PASS_LDAP__SYNC_EVERY_MINUTES=0 \
CAMPUS_PASS_WECOM__CORP_ID=ww-journey-corp CAMPUS_PASS_WECOM__AGENT_ID=1000002 CAMPUS_PASS_WECOM__SECRET=journey-secret \
CAMPUS_PASS_WECOM__API_BASE="http://127.0.0.1:$WECOM_PORT" CAMPUS_PASS_WECOM__OAUTH_BASE="http://127.0.0.1:$WECOM_PORT" CAMPUS_PASS_WECOM__QR_BASE="http://127.0.0.1:$WECOM_PORT" \
  target/release/server >"$WORK/server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && kill -0 "${PIDS[-1]}" || { cat "$WORK/server.log"; exit 1; }

say "browser journeys (Chromium, 390×844)"
(cd end2end && BASE_URL="http://127.0.0.1:$PORT" CAS_URL="$CAMPUS_PASS_TEST_CAS" LDAP_URL="$CAMPUS_PASS_TEST_LDAP" WECOM_URL="http://127.0.0.1:$WECOM_PORT" DB_PATH="$SITE_DIR/campus-pass.db" node --test --test-concurrency=1 tests/) || { tail -50 "$WORK/server.log"; exit 1; }

say "the device API against its OpenAPI document (Schemathesis)"
scripts/contract.sh "http://127.0.0.1:$PORT" || { tail -50 "$WORK/server.log"; exit 1; }

say "all tests passed in $(( $(date +%s) - start )) s"
