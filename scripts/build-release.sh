#!/usr/bin/env bash
# The release build: cargo-leptos builds the server, the main wasm bundle
# (every page) and the stylesheet; then the page bundles are built, each a
# wasm holding only its own pages (see `app::Bundle`): the guard's scanner
# and the visitor's form and pass, what phones on 4G load first.
# Expects scripts/setup.sh to have run (it puts wasm-opt on PATH).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf '\033[1;34m[build]\033[0m %s\n' "$*"; }

cargo leptos build --release

SITE_ROOT=target/site
PKG="$SITE_ROOT/pkg"
OUT=target/front/bundles
mkdir -p "$OUT"
manifest="$OUT/bundles.txt.tmp"
# The main bundle these were built with: the server uses the page bundles
# only beside that same build (never a stale set beside a newer server).
printf 'main.wasm: %s\n' "$(awk '/^wasm:/ { print $2 }' target/release/hash.txt)" >"$manifest"
for bundle in scanner visitor people review privacy; do
  say "page bundle: $bundle"
  # The variables and flags cargo-leptos gives its own wasm build, so the
  # crates it compiled are reused and only this small crate is linked.
  env LEPTOS_OUTPUT_NAME=campus-pass LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=frontend LEPTOS_BIN_DIR=server \
    LEPTOS_JS_MINIFY=true LEPTOS_HASH_FILES=true LEPTOS_HASH_FILE_NAME=hash.txt \
    RUSTFLAGS="--cfg erase_components" \
    cargo build --package "frontend-$bundle" --lib --target-dir target/front \
      --target wasm32-unknown-unknown --no-default-features --profile wasm-release
  name="campus-pass-$bundle"
  rm -rf "${OUT:?}/$bundle"
  wasm-bindgen --target=web --out-name="$name" --out-dir="$OUT/$bundle" \
    "target/front/wasm32-unknown-unknown/wasm-release/frontend_$bundle.wasm"
  wasm-opt -Oz --converge --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$OUT/$bundle/${name}_bg.wasm" -o "$OUT/$bundle/${name}_bg.wasm"
  terser "$OUT/$bundle/$name.js" --module --compress --mangle -o "$OUT/$bundle/$name.js"
  # Hashed names, so the server can let browsers cache them for a year.
  js_hash=$(sha256sum "$OUT/$bundle/$name.js" | cut -c1-20)
  wasm_hash=$(sha256sum "$OUT/$bundle/${name}_bg.wasm" | cut -c1-20)
  rm -f "$PKG/$name".*
  cp "$OUT/$bundle/$name.js" "$PKG/$name.$js_hash.js"
  cp "$OUT/$bundle/${name}_bg.wasm" "$PKG/$name.$wasm_hash.wasm"
  printf '%s.js: %s\n%s.wasm: %s\n' "$bundle" "$name.$js_hash.js" "$bundle" "$name.$wasm_hash.wasm" >>"$manifest"
done
# The server reads which files each bundle is; written last, so a failed
# build leaves the previous manifest (and its files' pages) working.
mv "$manifest" "$SITE_ROOT/bundles.txt"
say "page bundles: $(tr '\n' ' ' <"$SITE_ROOT/bundles.txt")"
# Brotli and gzip siblings now, not in the background of the first start
# (quality-11 brotli of the wasm takes seconds of a core).
target/release/server precompress
