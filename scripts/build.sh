#!/usr/bin/env bash
# Release build of the widget into www/dist/, then a dev build of the reference server.
#
#   bash scripts/build.sh
#
# Five modules, each: (1.) cargo build --release --target wasm32-unknown-unknown -p privacy-widget
#   (--features banner: the banner every page loads; the default features: the consent manager
#   it loads when needed; --features extras: statement viewer, cookie declaration + forms;
#   --features declaration: the declaration alone, --features forms: the newsletter forms alone,
#   each for a page without the statement)
# 2. wasm-bindgen --target web  -> target/pkg/; the closure shims' table slots freed (scripts/prune-table.mjs)
# 3. wasm-opt -Oz (npm binaryen 132; Debian's binaryen 108 cannot parse wasm-bindgen output),
#    cached: skipped when the input .wasm (and the flags) are unchanged; then short import and
#    export names in the .wasm and the glue (scripts/short-names.mjs)
# 4. www/dist/: privacy-widget.js (the glue, without its unused loader, with src/web/banner/entry-banner.js appended — Consent
#    Mode defaults, the banner build's operations + the start call, so a single
#    <script type="module" async src="/dist/privacy-widget.js"> is the whole embed — minified with
#    terser), privacy-widget_bg.wasm (optimized), the same pair for -consent, -extras, -declaration and -forms,
#    privacy-widget.d.ts (copy of src/privacy-widget.d.ts),
#    sizes.txt / sizes.json (raw, gzip -9, brotli -q 11 bytes); scripts/package.mjs then adds
#    www/dist/<content hash>/ (the same ten files, cacheable forever), integrity.json (sha384, the
#    loader's printed) and the npm package folder target/npm/privacy-widget/
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
TERSER="$ROOT/node_modules/.bin/terser"
# Explicit feature list = the wasm32 defaults of rustc >= 1.87; no -all (it would let the
# optimizer use GC/threads/SIMD); --converge repeats -Oz until nothing shrinks (~0.2 kB brotli);
# functions with one caller are inlined only when small (-ocimfs 100), which is smaller after
# brotli and keeps cold paths out of the functions start-up compiles (V8 compiles wasm lazily,
# a whole function at its first call, on the main thread). --low-memory-unused lets the optimizer
# fold constant offsets into loads and stores: Rust's layout puts the stack first, growing down
# from 1 MiB, so the lowest 1 KiB is reached only by a stack about to overflow (-0.08 kB brotli
# on the banner build).
# The custom sections browsers ignore (names, producers, target_features) are dropped. Part of
# the cache key.
WASM_FEATURES=(--enable-bulk-memory --enable-reference-types --enable-nontrapping-float-to-int
               --enable-sign-ext --enable-multivalue --enable-mutable-globals)
WASM_OPT_FLAGS=(-Oz --converge --one-caller-inline-max-function-size=100 --low-memory-unused "${WASM_FEATURES[@]}"
                --strip-debug --strip-producers --strip-target-features)

command -v wasm-bindgen >/dev/null || die "wasm-bindgen CLI not found: run scripts/bootstrap.sh"
[ -x "$WASM_OPT" ] || die "$WASM_OPT not found: run scripts/bootstrap.sh (npm ci)"
[ -x "$TERSER" ] || die "$TERSER not found: run scripts/bootstrap.sh (npm ci)"
command -v brotli >/dev/null || die "brotli not found: run scripts/bootstrap.sh"

# Each file is written to a temp name and renamed, so a running server never serves half a file.
mkdir -p "$DIST" "$PKG" "$OPT_CACHE"
put() { cp "$1" "$DIST/.$2.tmp" && mv "$DIST/.$2.tmp" "$DIST/$2"; }

# build_module NAME CARGO_FEATURE_ARGS ENTRY_JS [EXPORTED_FUNCTIONS]
# One build of the widget crate: cargo (release, wasm32) -> wasm-bindgen --target web ->
# wasm-opt -Oz (cached on the hash of its input + flags + version) -> www/dist/NAME.js (the glue
# with ENTRY_JS appended, which starts it) and www/dist/NAME_bg.wasm.
build_module() {
  local name="$1" features="$2" entry="$3" exported="${4:-}" t=$SECONDS
  say "cargo build --release --target wasm32-unknown-unknown -p privacy-widget $features"
  # shellcheck disable=SC2086 # the feature arguments are deliberately split
  cargo build --release --target wasm32-unknown-unknown -p privacy-widget $features
  [ -f "$RAW_WASM" ] || die "expected $RAW_WASM after cargo build"
  say "$name compiled ($((SECONDS - t)) s)"

  local out="$PKG/$name"
  rm -rf "$out"
  wasm-bindgen --target web --out-name "$name" --out-dir "$out" "$RAW_WASM"
  local glue="$out/$name.js" bg="$out/${name}_bg.wasm"
  [ -f "$glue" ] && [ -f "$bg" ] || die "wasm-bindgen did not produce $glue and $bg"
  node "$ROOT/scripts/prune-table.mjs" "$bg" "$bg"

  local cache="$OPT_CACHE/$name" key
  mkdir -p "$cache"
  key="$( { sha256sum < "$bg"; echo "${WASM_OPT_FLAGS[*]}"; grep '"version"' "$ROOT/node_modules/binaryen/package.json"; } | sha256sum | cut -d' ' -f1)"
  if [ -f "$cache/key" ] && [ "$(cat "$cache/key")" = "$key" ] && [ -f "$cache/out.wasm" ]; then
    say "wasm-opt $name: input unchanged, using cached output"
  else
    t=$SECONDS
    rm -f "$cache/key"
    "$WASM_OPT" "${WASM_OPT_FLAGS[@]}" "$bg" -o "$cache/out.wasm.tmp"
    mv "$cache/out.wasm.tmp" "$cache/out.wasm"
    echo "$key" > "$cache/key"
    say "wasm-opt $name done ($((SECONDS - t)) s)"
  fi
  # Short import/export names in the .wasm and, by scripts/short-names.mjs, in the glue: the
  # hashed names wasm-bindgen generates are ~4 kB brotli of incompressible hex (fast, not cached).
  "$WASM_OPT" "${WASM_FEATURES[@]}" --minify-imports-and-exports-and-modules \
    "$cache/out.wasm" -o "$out/short.wasm" > "$out/short-names.map"
  node "$ROOT/scripts/short-names.mjs" "$out/short-names.map" "$out/short.wasm" "$glue" "$out/$name.short.js"
  # The entry compiles the download itself and starts the module with the glue's
  # __wbg_get_imports and __wbg_finalize_init; the glue's own loader goes, and its functions stay
  # exported only where another module imports them ($exported; scripts/trim-glue.mjs refuses a
  # glue of another shape).
  node "$ROOT/scripts/trim-glue.mjs" "$out/$name.short.js" "$out/$name.trimmed.js" "$exported"
  { cat "$out/$name.trimmed.js"; printf '\n'; cat "$entry"; } > "$out/$name.start.js"
  # Minified: the glue is generated code nobody reads in the browser (-1.7 kB brotli).
  # Property names stay as they are (the wasm imports are looked up by name).
  "$TERSER" "$out/$name.start.js" --module --compress passes=2 --mangle -o "$out/$name.min.js"
  put "$out/$name.min.js" "$name.js"
  put "$out/short.wasm" "${name}_bg.wasm"
}

# --- 1-4. the five modules ----------------------------------------------------------------
# The banner every page loads, with the loader tail (Consent Mode defaults, its browser
# operations, where the other modules are, the start call); the consent manager it imports when
# a decision needs it; the statement viewer, declaration and forms imported where a page needs
# them, or on a page without the statement the declaration alone and the forms alone.
build_module privacy-widget "--no-default-features --features banner" "$ROOT/src/web/banner/entry-banner.js"
build_module privacy-widget-consent "" "$ROOT/src/web/shared/entry-module.js" takeIntent
build_module privacy-widget-extras "--no-default-features --features extras" "$ROOT/src/web/shared/entry-module.js"
build_module privacy-widget-declaration "--no-default-features --features declaration" "$ROOT/src/web/shared/entry-module.js"
build_module privacy-widget-forms "--no-default-features --features forms" "$ROOT/src/web/shared/entry-module.js"
put "$ROOT/src/privacy-widget.d.ts" privacy-widget.d.ts

sizes() { # name file -> "name raw gzip brotli"
  printf '%s %s %s %s\n' "$1" "$(wc -c < "$2")" "$(gzip -9 -c < "$2" | wc -c)" "$(brotli -q 11 -c < "$2" | wc -c)"
}
# One group per module: "banner" is what every page loads before its banner can show, "consent"
# what a decision (or the browser's idle time after the banner) adds, "extras" what the
# statement page adds, "declaration" what a cookie declaration adds on other pages, "forms" what
# a newsletter form adds on other pages.
for module in privacy-widget privacy-widget-consent privacy-widget-extras privacy-widget-declaration privacy-widget-forms; do
  sizes "$module.js" "$DIST/$module.js"
  sizes "${module}_bg.wasm" "$DIST/${module}_bg.wasm"
done > "$PKG/sizes.raw"
awk '
  BEGIN { print "# privacy-widget transfer sizes in bytes, written by scripts/build.sh"
          print "# file raw gzip-9 brotli-11; banner = what every page loads before its banner,"
          print "# consent = loaded when a decision needs it, extras = loaded where a page needs them,"
          print "# declaration = the cookie declaration alone, instead of extras on a page without statement,"
          print "# forms = the newsletter forms alone, instead of extras on a page without statement"
          split("banner consent extras declaration forms", group, " ")
          printf "{\n" > "/dev/stderr" }
  { printf "%-34s %8d %8d %8d\n", $1, $2, $3, $4; r += $2; g += $3; b += $4
    printf "  \"%s\": {\"raw\": %d, \"gzip\": %d, \"brotli\": %d},\n", $1, $2, $3, $4 > "/dev/stderr" }
  NR % 2 == 0 { name = group[NR / 2]
    printf "%-34s %8d %8d %8d\n", name, r, g, b
    printf "  \"%s\": {\"raw\": %d, \"gzip\": %d, \"brotli\": %d}%s\n", name, r, g, b, (NR == 10 ? "" : ",") > "/dev/stderr"
    r = g = b = 0 }
  END   { printf "}\n" > "/dev/stderr" }
' "$PKG/sizes.raw" > "$DIST/sizes.txt" 2> "$DIST/sizes.json"
sed 's/^/[build]   /' "$DIST/sizes.txt"

# --- 4b. content-hashed copies + integrity, npm package -------------------------------------
# www/dist/<hash>/ (the module files, cacheable forever), www/dist/integrity.json (sha384 of
# each, printed for the loader) and the package folder target/npm/privacy-widget/.
node "$ROOT/scripts/package.mjs" "$DIST" "$TARGET_DIR/npm/privacy-widget"

# --- 5. server ----------------------------------------------------------------------------
t=$SECONDS
say "cargo build -p privacy-widget-server"
cargo build -p privacy-widget-server
[ -x "$TARGET_DIR/debug/privacy-widget-server" ] || die "expected $TARGET_DIR/debug/privacy-widget-server"
say "server compiled ($((SECONDS - t)) s)"

# --- 6. pre-rendered statement, forms and cookie declaration ------------------------------
# The statement written into www/personopplysninger.html (and /nn, /en beside it) by the core's
# renderer, the plain newsletter and rights-request forms into their regions there and in
# www/index.html, and the cookie declaration (with the date and counts of the checked-in audit,
# www/cookie-audit.json) into www/informasjonskapsler.html (and /nn, /en), so the pages read and
# post without JavaScript or WebAssembly.
say "privacy-widget-prerender www/personopplysninger.html www/index.html www/informasjonskapsler.html"
cargo run -q -p privacy-widget-prerender -- --config "$ROOT/www/widget-config.json" \
  --statements "$ROOT/www/statement" --forms-page "$ROOT/www/index.html" "$ROOT/www/personopplysninger.html" \
  --declaration "$ROOT/www/informasjonskapsler.html" --declaration-url /informasjonskapsler \
  --audit "$ROOT/www/cookie-audit.json"

say "done in $((SECONDS - T0)) s"
