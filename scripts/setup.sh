#!/usr/bin/env bash
# Installs what building (and, with --test, testing) Campus Pass needs.
# Idempotent: each step checks before it installs. Source-able: it exports PATH.
#   scripts/setup.sh          Rust target, cargo-leptos, wasm-bindgen, wasm-opt
#   scripts/setup.sh --test   … plus Chromium, PostgreSQL, sqlite3, Playwright
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION=0.3.5   # 0.3.11 needs a newer rustc than 1.95
BINARYEN_VERSION=132         # Debian's 108 produces wasm that fails to hydrate
TERSER_VERSION=5.51.4
SCHEMATHESIS_VERSION=4.32.5  # the device API's contract fuzzer (scripts/contract.sh)
OPENPYXL_VERSION=3.1.5
MAMA_CAS_VERSION=2.5.0       # the CAS server the sign-on tests sign in at
DJANGO_VERSION=4.2.30
say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

export PATH="$ROOT/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -q wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

for component in clippy rustfmt; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding the $component component"
    rustup component add "$component"
  fi
done

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 10 minutes, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WB_VERSION"; then
  say "installing wasm-bindgen-cli $WB_VERSION"
  # No --locked: its lock file names a crate the registry no longer has.
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

if ! command -v npm >/dev/null; then
  say "installing Node.js and npm"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
if ! "$ROOT/.tools/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  say "installing wasm-opt (binaryen $BINARYEN_VERSION) from npm into .tools/"
  mkdir -p "$ROOT/.tools"
  npm install --silent --no-audit --no-fund --prefix "$ROOT/.tools" "binaryen@$BINARYEN_VERSION"
fi
# Minifies the page bundles' JS glue (cargo-leptos minifies only its own).
if ! "$ROOT/.tools/node_modules/.bin/terser" --version 2>/dev/null | grep -q "$TERSER_VERSION"; then
  say "installing terser $TERSER_VERSION from npm into .tools/"
  mkdir -p "$ROOT/.tools"
  npm install --silent --no-audit --no-fund --prefix "$ROOT/.tools" "terser@$TERSER_VERSION"
fi

if [[ "${1:-}" == "--test" ]]; then
  missing=()
  command -v chromium >/dev/null || missing+=(chromium chromium-driver)
  command -v sqlite3 >/dev/null || missing+=(sqlite3)
  # An ordinary QR decoder, independent of ours, reads the pass page's code.
  command -v zbarimg >/dev/null || missing+=(zbar-tools)
  # Screenshots need a CJK font; phones have their own.
  [[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]] || missing+=(fonts-wqy-microhei)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  # The load balancer in front of three servers (server/tests/api/servers.rs).
  command -v haproxy >/dev/null || missing+=(haproxy)
  python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
  # The campus directory the sync tests read (scripts/ldap/start.sh).
  [[ -x /usr/sbin/slapd ]] || missing+=(slapd ldap-utils)
  if ((${#missing[@]})); then
    say "installing ${missing[*]} from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
  # Every package end2end/package.json names, at its version: a clone made
  # before a package was added gets it too.
  if ! (cd "$ROOT/end2end" && node -e '
      for (const [name, version] of Object.entries(require("./package.json").devDependencies))
        if (require(`./node_modules/${name}/package.json`).version !== version) process.exit(1);' 2>/dev/null); then
    say "installing the browser-test packages (playwright-core drives Debian's Chromium, axe-core checks WCAG)"
    (cd "$ROOT/end2end" && npm ci --silent --no-audit --no-fund)
  fi
  if ! "$ROOT/.tools/venv-contract/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    say "installing Schemathesis $SCHEMATHESIS_VERSION from PyPI into .tools/venv-contract"
    python3 -m venv "$ROOT/.tools/venv-contract"
    "$ROOT/.tools/venv-contract/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  # An independent reader for the XLSX exports (server/tests/api/exports.rs).
  if ! "$ROOT/.tools/venv-xlsx/bin/python" -c "import openpyxl, sys; sys.exit(openpyxl.__version__ != '$OPENPYXL_VERSION')" 2>/dev/null; then
    say "installing openpyxl $OPENPYXL_VERSION from PyPI into .tools/venv-xlsx"
    python3 -m venv "$ROOT/.tools/venv-xlsx"
    "$ROOT/.tools/venv-xlsx/bin/pip" install --quiet "openpyxl==$OPENPYXL_VERSION"
  fi
  # A real CAS 3.0 server for the campus sign-on tests (scripts/cas/).
  if ! "$ROOT/.tools/venv-cas/bin/python" -c "import django, importlib.metadata as m, sys; sys.exit(django.__version__ != '$DJANGO_VERSION' or m.version('django-mama-cas') != '$MAMA_CAS_VERSION')" 2>/dev/null; then
    say "installing django-mama-cas $MAMA_CAS_VERSION (Django $DJANGO_VERSION) from PyPI into .tools/venv-cas"
    python3 -m venv "$ROOT/.tools/venv-cas"
    "$ROOT/.tools/venv-cas/bin/pip" install --quiet "django-mama-cas==$MAMA_CAS_VERSION" "Django==$DJANGO_VERSION"
  fi
fi
