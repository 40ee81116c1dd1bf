#!/usr/bin/env bash
# npm run bench: page-load benchmark of the widget against the peer cookie-consent widgets, with the
# shared harness ../shared/bench/run.mjs (see bench/README.md).
#
#   npm run bench                         # harness defaults: N=15, CPU x1 and x4 (~1.2 min per round here)
#   npm run bench -- --n 5 --rates 1      # every argument goes to the harness (--n, --rates, --only, --settle, --out …)
#   BENCH_SKIP_BUILD=1 npm run bench      # measure the www/dist/ that is already there (no bootstrap/build)
#
# 1. bootstrap --browser (Debian chromium) and build.sh (widget -> www/dist/)
# 2. copy www/dist/privacy-widget.js, privacy-widget_bg.wasm (and the -consent, -extras, -declaration and -forms modules) into
#    bench/candidates/privacy-widget/ (git-ignored), so the run measures one fixed snapshot even if
#    someone rebuilds www/dist/ meanwhile
# 3. node ../shared/bench/run.mjs --modules . --candidates bench/candidates --out bench/results/latest "$@"
# 4. node bench/report.mjs: adds the measured commit to the results, prints a short table and the verdict
#    against the budgets of the design notes (the project brief, outside this repository) (also appended to the .md and stored in the .json)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { echo "[bench] $*" >&2; }
die() { echo "[bench] ERROR: $*" >&2; exit 1; }

HARNESS="$ROOT/../shared/bench/run.mjs"
[ -f "$HARNESS" ] || die "shared harness not found at $HARNESS
       (expected the shared bench folder beside this repository: $(cd "$ROOT/.." && pwd)/shared/bench/run.mjs)"

CAND="$ROOT/bench/candidates/privacy-widget"
DIST="$ROOT/www/dist"

# --- 1. bootstrap + build -------------------------------------------------------------------
if [ "${BENCH_SKIP_BUILD:-0}" = 1 ]; then
  say "BENCH_SKIP_BUILD=1: using the existing $DIST"
else
  bash scripts/bootstrap.sh --browser
  bash scripts/build.sh || die "scripts/build.sh failed (BENCH_SKIP_BUILD=1 measures the www/dist/ already built)"
fi
for p in playwright-core vanilla-cookieconsent klaro tarteaucitronjs; do
  [ -f "node_modules/$p/package.json" ] || die "node_modules/$p missing: run npm ci (or bash scripts/bootstrap.sh)"
done

# candidate.json carries the version shown in the results; keep it equal to package.json's
pkg_v="$(node -p 'require("./package.json").version')"
cand_v="$(node -p 'require("./bench/candidates/privacy-widget/candidate.json").version')"
[ "$pkg_v" = "$cand_v" ] || say "WARNING: bench/candidates/privacy-widget/candidate.json has version $cand_v, package.json $pkg_v"

# --- 2. snapshot the built widget into the candidate folder -----------------------------------
assets() { (cd "$DIST" && ls -1 privacy-widget.js privacy-widget_bg.wasm privacy-widget-consent*.js privacy-widget-consent*.wasm privacy-widget-extras*.js privacy-widget-extras*.wasm privacy-widget-declaration*.js privacy-widget-declaration*.wasm privacy-widget-forms*.js privacy-widget-forms*.wasm 2>/dev/null || true); }
[ -f "$DIST/privacy-widget.js" ] && [ -f "$DIST/privacy-widget_bg.wasm" ] ||
  die "$DIST/privacy-widget.js and privacy-widget_bg.wasm not found: run bash scripts/build.sh"
snapshot_ok=0
for attempt in 1 2 3; do
  rm -f "$CAND"/privacy-widget*.js "$CAND"/privacy-widget*.wasm
  files="$(assets)"
  for f in $files; do cp "$DIST/$f" "$CAND/$f"; done
  # build.sh replaces files one by one; a rebuild between two copies would pair a glue with another build's
  # wasm. Accept the snapshot only if www/dist/ still holds exactly what was copied.
  same=1
  [ "$(assets)" = "$files" ] || same=0
  for f in $files; do cmp -s "$DIST/$f" "$CAND/$f" || same=0; done
  if [ "$same" = 1 ]; then snapshot_ok=1; break; fi
  say "www/dist changed while copying (a concurrent build?), retrying in 10 s"
  sleep 10
done
[ "$snapshot_ok" = 1 ] || die "could not take a consistent copy of www/dist/ (it keeps changing)"
say "measuring: $(echo $files) (commit $(git rev-parse --short HEAD))"

# --- 3. the shared harness ------------------------------------------------------------------
OUT="bench/results/latest"
for ((i = 1; i <= $#; i++)); do
  if [ "${!i}" = "--out" ]; then j=$((i + 1)); OUT="${!j:-$OUT}"; fi
  if [ "${!i}" = "--serve" ]; then
    exec node "$HARNESS" --modules . --candidates bench/candidates "$@"
  fi
done
# Record what is measured before the (long) run: the commit, whether the widget sources differ from it.
export BENCH_COMMIT="$(git rev-parse --short HEAD)"
export BENCH_DIRTY="$(git status --porcelain -- src Cargo.toml Cargo.lock scripts/build.sh | wc -l)"
export BENCH_ASSET_SHA="$(cd "$CAND" && sha256sum $files | awk '{printf "%s %s; ", substr($1,1,12), $2}')"
export BENCH_DIST_BUILT="$(date -u -r "$DIST/privacy-widget_bg.wasm" +%Y-%m-%dT%H:%M:%SZ)"
[ "${BENCH_SKIP_BUILD:-0}" = 1 ] && export BENCH_DIST_NOTE="not rebuilt by this run (BENCH_SKIP_BUILD=1)"
node "$HARNESS" --modules . --candidates bench/candidates --out "$OUT" "$@"

# --- 4. commit, summary table, verdict ------------------------------------------------------
node bench/report.mjs "$OUT"
