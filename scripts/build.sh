#!/usr/bin/env bash
# Release build of the widget into www/dist/, then a dev build of the reference server.
#
#   bash scripts/build.sh
#
# 1. cargo build --release --target wasm32-unknown-unknown -p privacy-widget
# 2. wasm-bindgen --target web  -> target/pkg/
# 3. wasm-opt -Oz (npm binaryen 132; Debian's binaryen 108 cannot parse wasm-bindgen output),
#    cached: skipped when the input .wasm (and the flags) are unchanged
# 4. www/dist/: privacy-widget.js (glue + one appended line that starts the widget, so a single
#    <script type="module" src="/dist/privacy-widget.js"></script> is the whole embed),
#    (src/web/entry.js appended: Consent Mode defaults + the start call)
#    privacy-widget_bg.wasm (optimized), privacy-widget.d.ts (copy of src/privacy-widget.d.ts),
#    sizes.txt / sizes.json (raw, gzip -9, brotli -q 11 bytes)
# 5. cargo build -p privacy-widget-server  -> target/debug/privacy-widget-server
# Run scripts/bootstrap.sh first (start.sh and test.sh do).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in *":$CARGO_BIN:"*) ;; *) export PATH="$CARGO_BIN:$PATH" ;; esac

say() { echo "[build] $*"; }
die() { echo "[build] ERROR: $*" >&2; exit 1; }
T0=$SECONDS

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
RAW_WASM="$TARGET_DIR/wasm32-unknown-unknown/release/privacy_widget.wasm"
PKG="$TARGET_DIR/pkg"
OPT_CACHE="$TARGET_DIR/wasm-opt-cache"
DIST="$ROOT/www/dist"
WASM_OPT="$ROOT/node_modules/.bin/wasm-opt"
# Explicit feature list = the wasm32 defaults of rustc >= 1.87; no -all (it would let the
# optimizer use GC/threads/SIMD). The custom sections browsers ignore (names, producers,
# target_features) are dropped. Part of the cache key.
WASM_OPT_FLAGS=(-Oz --enable-bulk-memory --enable-reference-types --enable-nontrapping-float-to-int
                --enable-sign-ext --enable-multivalue --enable-mutable-globals
                --strip-debug --strip-producers --strip-target-features)
# The loader tail: Consent Mode defaults and the call that starts the widget.
ENTRY_JS="$ROOT/src/web/entry.js"

command -v wasm-bindgen >/dev/null || die "wasm-bindgen CLI not found: run scripts/bootstrap.sh"
[ -x "$WASM_OPT" ] || die "$WASM_OPT not found: run scripts/bootstrap.sh (npm ci)"
command -v brotli >/dev/null || die "brotli not found: run scripts/bootstrap.sh"

# --- 1. widget ----------------------------------------------------------------------------
t=$SECONDS
say "cargo build --release --target wasm32-unknown-unknown -p privacy-widget"
cargo build --release --target wasm32-unknown-unknown -p privacy-widget
[ -f "$RAW_WASM" ] || die "expected $RAW_WASM after cargo build"
say "widget compiled ($((SECONDS - t)) s)"

# --- 2. wasm-bindgen ----------------------------------------------------------------------
rm -rf "$PKG"
wasm-bindgen --target web --out-name privacy-widget --out-dir "$PKG" "$RAW_WASM"
GLUE="$PKG/privacy-widget.js"
BG="$PKG/privacy-widget_bg.wasm"
[ -f "$GLUE" ] && [ -f "$BG" ] || die "wasm-bindgen did not produce $GLUE and $BG"

# The appended start call relies on the glue's shape (wasm-bindgen --target web): a function
# __wbg_init that is the default export. Refuse to ship a glue we do not understand.
if ! grep -Eq '^(async )?function __wbg_init\(' "$GLUE" ||
   ! grep -Eq '^export \{[^}]*\b__wbg_init as default\b[^}]*\};?$|^export default __wbg_init;?$' "$GLUE"; then
  die "the wasm-bindgen glue ($GLUE) no longer defines and default-exports __wbg_init;
       the auto-start line cannot be appended. wasm-bindgen $(wasm-bindgen --version) changed its output:
       update src/web/entry.js and this check."
fi
if grep -q 'privacy-widget: start the widget' "$GLUE"; then
  die "glue already contains the start line (unexpected: wasm-bindgen output is regenerated each build)"
fi

# --- 3. wasm-opt (cached on the hash of its input + flags + version) ----------------------
mkdir -p "$OPT_CACHE"
key="$( { sha256sum < "$BG"; echo "${WASM_OPT_FLAGS[*]}"; cat "$ROOT/node_modules/binaryen/package.json" | grep '"version"'; } | sha256sum | cut -d' ' -f1)"
if [ -f "$OPT_CACHE/key" ] && [ "$(cat "$OPT_CACHE/key")" = "$key" ] && [ -f "$OPT_CACHE/out.wasm" ]; then
  say "wasm-opt: input unchanged, using cached output"
else
  t=$SECONDS
  say "wasm-opt ${WASM_OPT_FLAGS[*]}"
  rm -f "$OPT_CACHE/key"
  "$WASM_OPT" "${WASM_OPT_FLAGS[@]}" "$BG" -o "$OPT_CACHE/out.wasm.tmp"
  mv "$OPT_CACHE/out.wasm.tmp" "$OPT_CACHE/out.wasm"
  echo "$key" > "$OPT_CACHE/key"
  say "wasm-opt done ($((SECONDS - t)) s)"
fi

# --- 4. www/dist --------------------------------------------------------------------------
# Each file is written to a temp name and renamed, so a running server never serves half a file.
mkdir -p "$DIST"
put() { cp "$1" "$DIST/.$2.tmp" && mv "$DIST/.$2.tmp" "$DIST/$2"; }
{ cat "$GLUE"; printf '\n'; cat "$ENTRY_JS"; } > "$PKG/privacy-widget.start.js"
put "$PKG/privacy-widget.start.js" privacy-widget.js
put "$OPT_CACHE/out.wasm" privacy-widget_bg.wasm
if [ -f "$ROOT/src/privacy-widget.d.ts" ]; then
  put "$ROOT/src/privacy-widget.d.ts" privacy-widget.d.ts
else
  rm -f "$DIST/privacy-widget.d.ts"
  say "note: src/privacy-widget.d.ts does not exist (yet); no .d.ts in www/dist"
fi

sizes() { # name file -> "name raw gzip brotli"
  printf '%s %s %s %s\n' "$1" "$(wc -c < "$2")" "$(gzip -9 -c < "$2" | wc -c)" "$(brotli -q 11 -c < "$2" | wc -c)"
}
{
  sizes privacy-widget.js "$DIST/privacy-widget.js"
  sizes privacy-widget_bg.wasm "$DIST/privacy-widget_bg.wasm"
} > "$PKG/sizes.raw"
awk '
  BEGIN { print "# privacy-widget transfer sizes in bytes, written by scripts/build.sh"
          print "# file raw gzip-9 brotli-11"
          printf "{\n" > "/dev/stderr" }
  { printf "%-24s %8d %8d %8d\n", $1, $2, $3, $4; r += $2; g += $3; b += $4
    printf "  \"%s\": {\"raw\": %d, \"gzip\": %d, \"brotli\": %d},\n", $1, $2, $3, $4 > "/dev/stderr" }
  END   { printf "%-24s %8d %8d %8d\n", "total", r, g, b
          printf "  \"total\": {\"raw\": %d, \"gzip\": %d, \"brotli\": %d}\n}\n", r, g, b > "/dev/stderr" }
' "$PKG/sizes.raw" > "$DIST/sizes.txt" 2> "$DIST/sizes.json"
sed 's/^/[build]   /' "$DIST/sizes.txt"

# --- 5. server ----------------------------------------------------------------------------
t=$SECONDS
say "cargo build -p privacy-widget-server"
cargo build -p privacy-widget-server
[ -x "$TARGET_DIR/debug/privacy-widget-server" ] || die "expected $TARGET_DIR/debug/privacy-widget-server"
say "server compiled ($((SECONDS - t)) s)"

say "done in $((SECONDS - T0)) s"
