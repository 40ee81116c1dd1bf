#!/usr/bin/env bash
# npm test: bootstrap (incl. Chromium), build, then every test layer; fails if any layer fails.
#
#   bash scripts/test.sh              # all layers: host, wasm, e2e
#   bash scripts/test.sh host         # `cargo fmt --all --check`, import cycles (scripts/check-cycles.mjs), clippy, node --test tests/audit/,
#                                     # host `cargo test --workspace` (core logic, server, CLI, ...), then the
#                                     # server's tests again on PostgreSQL (scripts/with-postgres.sh: a throwaway cluster)
#   bash scripts/test.sh wasm         # wasm-bindgen-test in headless Chromium (consent build, then extras build)
#   bash scripts/test.sh e2e          # node --test tests/e2e/ (Playwright + Chromium vs. the real server)
#   bash scripts/test.sh host e2e     # any combination
#   bash scripts/test.sh tests/e2e/infra.test.mjs   # e2e layer, only the given test file(s)
#   npm test -- e2e                   # same, through npm
#
# Extra arguments for node's runner on the e2e layer: E2E_ARGS='--test-name-pattern=banner'.
# Under CI (CI set) each layer runs in its own process group and is killed after LAYER_TIMEOUT
# (default 30m, `timeout` syntax), so a hung browser or server fails the run with a log instead of
# eating CI's 90 minutes. Set LAYER_TIMEOUT locally to get the same (without it Ctrl-C works).
# Per-layer logs: target/test-logs/<layer>.log. All layers run even if an earlier one fails;
# the exit status is non-zero if any failed. The host layer alone skips the browser and the build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in *":$CARGO_BIN:"*) ;; *) export PATH="$CARGO_BIN:$PATH" ;; esac

LAYERS=()
E2E_FILES=()
for arg in "$@"; do
  case "$arg" in
    host|wasm|e2e) LAYERS+=("$arg") ;;
    all) LAYERS+=(host wasm e2e) ;;
    *.test.mjs) [ -f "$arg" ] || { echo "no such test file: $arg" >&2; exit 2; }
                E2E_FILES+=("$arg"); LAYERS+=(e2e) ;;
    *) echo "usage: scripts/test.sh [host|wasm|e2e|all|tests/e2e/FILE.test.mjs]..." >&2; exit 2 ;;
  esac
done
[ "${#LAYERS[@]}" -gt 0 ] || LAYERS=(host wasm e2e)
read -r -a LAYERS <<< "$(printf '%s\n' "${LAYERS[@]}" | awk '!seen[$0]++' | tr '\n' ' ')"
want() { [[ " ${LAYERS[*]} " == *" $1 "* ]]; }

T0=$SECONDS
if want wasm || want e2e; then bash scripts/bootstrap.sh --browser; else bash scripts/bootstrap.sh; fi
LOGS="${CARGO_TARGET_DIR:-$ROOT/target}/test-logs"
mkdir -p "$LOGS"
SUMMARY=()
FAILED=0
TOTAL_PASS=0
TOTAL_FAIL=0

# The e2e layer needs www/dist and the server binary; host/wasm compile what they need themselves.
# A failed build fails the run and skips e2e, but host and wasm still run (their results help).
BUILD_OK=1
if want e2e; then
  t=$SECONDS
  set +e
  bash scripts/build.sh 2>&1 | tee "$LOGS/build.log"
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" != 0 ]; then
    BUILD_OK=0; FAILED=1; TOTAL_FAIL=$((TOTAL_FAIL + 1))
    SUMMARY+=("$(printf '%-5s FAIL %23s %4d s  exit %d  log: %s' build '' $((SECONDS - t)) "$rc" "$LOGS/build.log")")
  fi
fi

# run_layer NAME CMD... : runs, tees to a log, counts tests from the runner's own summary lines.
run_layer() {
  local name="$1"; shift
  local log="$LOGS/$name.log" t=$SECONDS rc pass fail
  echo
  echo "[test] ===== $name: $* ====="
  set +e
  if [ -n "${CI:-}" ] || [ -n "${LAYER_TIMEOUT:-}" ]; then
    timeout --kill-after=30s "${LAYER_TIMEOUT:-30m}" "$@" 2>&1 | tee "$log"
  else
    "$@" 2>&1 | tee "$log"
  fi
  rc=${PIPESTATUS[0]}
  set -e
  node_count() { awk -v what="$1" '$1 == "#" && $2 == what && $3 ~ /^[0-9]+$/ {s += $3} END {print s + 0}' "$log"; }
  if [ "$name" = e2e ]; then
    pass=$(node_count pass)
    fail=$(node_count fail)
  else # cargo / wasm-bindgen-test-runner: "test result: ok. N passed; M failed; ..."
    pass=$(awk '/^test result: / { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^passed;?$/) s += $i } END {print s + 0}' "$log")
    fail=$(awk '/^test result: / { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^failed;?$/) s += $i } END {print s + 0}' "$log")
    # The host layer ends with node --test (the cookie audit's logic), counted like e2e.
    if [ "$name" = host ]; then pass=$((pass + $(node_count pass))); fail=$((fail + $(node_count fail))); fi
  fi
  TOTAL_PASS=$((TOTAL_PASS + pass)); TOTAL_FAIL=$((TOTAL_FAIL + fail))
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    echo "[test] $name: killed after LAYER_TIMEOUT=${LAYER_TIMEOUT:-30m}" | tee -a "$log"
  fi
  if [ "$rc" = 0 ] && [ "$pass" -eq 0 ]; then
    rc=1; SUMMARY+=("$(printf '%-5s FAIL (ran no test) %4d s  log: %s' "$name" $((SECONDS - t)) "$log")")
  elif [ "$rc" = 0 ]; then
    SUMMARY+=("$(printf '%-5s ok   %4d passed, %d failed  %4d s' "$name" "$pass" "$fail" $((SECONDS - t)))")
  else
    SUMMARY+=("$(printf '%-5s FAIL %4d passed, %d failed  %4d s  exit %d  log: %s' "$name" "$pass" "$fail" $((SECONDS - t)) "$rc" "$log")")
  fi
  if [ "$rc" != 0 ]; then
    FAILED=1
    # A layer that failed without a counted test failure (compile error, crash, timeout, no
    # tests) still counts as one failure in the closing total, so that line never reads green.
    [ "$fail" -gt 0 ] || TOTAL_FAIL=$((TOTAL_FAIL + 1))
  fi
}

for layer in "${LAYERS[@]}"; do
  case "$layer" in
    # Formatting first (rustfmt.toml, server/rustfmt.toml): a diff fails the layer, fixed by `cargo fmt --all`;
    # then no two modules under src/ may import each other (scripts/check-cycles.mjs lists the cycle);
    # then clippy with warnings as errors: host targets (incl. tests), and the five browser builds.
    host) run_layer host bash -c 'cargo fmt --all --check || { echo "[test] formatting differs: run cargo fmt --all"; exit 1; }
            node scripts/check-cycles.mjs || exit 1
            lint() { cargo clippy "$@" -- -D warnings || { echo "[test] clippy found problems: cargo clippy $*"; exit 1; }; }
            lint --workspace --all-targets
            lint -p privacy-widget --target wasm32-unknown-unknown --no-default-features --features banner
            lint -p privacy-widget --target wasm32-unknown-unknown
            lint -p privacy-widget --target wasm32-unknown-unknown --no-default-features --features extras
            lint -p privacy-widget --target wasm32-unknown-unknown --no-default-features --features declaration
            lint -p privacy-widget --target wasm32-unknown-unknown --no-default-features --features forms
            cargo test --workspace
            bash scripts/with-postgres.sh cargo test -p privacy-widget-server
            node --test tests/audit/' ;;
    # `std`: wasm-bindgen-test links std, whose panic handler replaces the release build's (src/lib.rs).
    # Two builds, two runs (tests/web*.rs are gated on their feature); the second runs even if the first fails.
    wasm) run_layer wasm bash -c 'rc=0
          cargo test -p privacy-widget --target wasm32-unknown-unknown --features std || rc=1
          cargo test -p privacy-widget --target wasm32-unknown-unknown --no-default-features --features extras,std || rc=1
          exit $rc' ;;
    # shellcheck disable=SC2086
    e2e)  if [ "$BUILD_OK" = 0 ]; then SUMMARY+=("e2e   SKIPPED (build failed)"); continue; fi
          run_layer e2e node --test --test-concurrency=1 --test-timeout=180000 ${E2E_ARGS:-} "${E2E_FILES[@]:-tests/e2e/}" ;;
  esac
done

echo
echo "[test] ===== summary ($((SECONDS - T0)) s) ====="
for line in "${SUMMARY[@]}"; do echo "[test] $line"; done
echo "tests: $TOTAL_PASS passed, $TOTAL_FAIL failed"
exit "$FAILED"
