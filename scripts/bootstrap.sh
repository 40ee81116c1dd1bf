#!/usr/bin/env bash
# Installs everything the build and the tests need; idempotent and fast when all is present.
#
#   bash scripts/bootstrap.sh             # rust wasm32 target, wasm-bindgen CLI, npm packages, brotli, postgresql
#   bash scripts/bootstrap.sh --browser   # ... plus Debian's chromium + chromium-driver (for tests)
#
# Each step checks first and only installs what is missing, so a warm run takes a few seconds.
# The only slow step is compiling the wasm-bindgen CLI (~7-11 min on 2 cores, once per machine).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BROWSER=0
for arg in "$@"; do
  case "$arg" in
    --browser) BROWSER=1 ;;
    *) echo "bootstrap: unknown argument: $arg (usage: bootstrap.sh [--browser])" >&2; exit 2 ;;
  esac
done

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in *":$CARGO_BIN:"*) ;; *) export PATH="$CARGO_BIN:$PATH" ;; esac

T0=$SECONDS
say() { echo "[bootstrap] $*"; }
die() { echo "[bootstrap] ERROR: $*" >&2; exit 1; }

command -v cargo >/dev/null || die "cargo not found (install Rust via rustup first)"
command -v rustup >/dev/null || die "rustup not found (needed to add the wasm32-unknown-unknown target)"
command -v node >/dev/null || die "node not found (Node >= 20 required)"
command -v npm >/dev/null || die "npm not found"

# --- 1. Debian packages -------------------------------------------------------------------
apt_pkgs=()
command -v brotli >/dev/null || apt_pkgs+=(brotli)
command -v gzip >/dev/null || apt_pkgs+=(gzip)
# The server's tests run a second time on PostgreSQL (scripts/with-postgres.sh starts a throwaway cluster).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_pkgs+=(postgresql)
if [ "$BROWSER" = 1 ]; then
  [ -x /usr/bin/chromium ] || apt_pkgs+=(chromium)
  [ -x /usr/bin/chromedriver ] || apt_pkgs+=(chromium-driver)
fi
if [ "${#apt_pkgs[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "need root (or sudo) to apt-get install ${apt_pkgs[*]}"
    SUDO="sudo"
  fi
  say "apt-get install ${apt_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || die "initdb still missing after apt-get install postgresql"
  if [ "$BROWSER" = 1 ]; then
    [ -x /usr/bin/chromium ] || die "/usr/bin/chromium still missing after apt-get install"
    [ -x /usr/bin/chromedriver ] || die "/usr/bin/chromedriver still missing after apt-get install"
  fi
else
  say "debian packages: ok"
fi

# --- 2. wasm32 target ---------------------------------------------------------------------
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rust target wasm32-unknown-unknown: ok"
else
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# rustfmt and clippy: npm test checks the formatting and lints (minimal rustup profiles leave them out).
for component in rustfmt clippy; do
  if rustup component list --installed | grep -q "^$component"; then
    say "$component: ok"
  else
    say "rustup component add $component"
    rustup component add "$component"
  fi
done

# --- 3. wasm-bindgen CLI, same version as the wasm-bindgen crate in Cargo.lock ------------
if [ ! -f Cargo.lock ]; then
  say "no Cargo.lock yet: cargo generate-lockfile"
  cargo generate-lockfile
fi
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"
[ -n "$WB_VERSION" ] || die "could not find the wasm-bindgen package in Cargo.lock"

wb_ok() {
  command -v wasm-bindgen >/dev/null && command -v wasm-bindgen-test-runner >/dev/null &&
    [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" = "$WB_VERSION" ] &&
    [ "$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}')" = "$WB_VERSION" ]
}
if wb_ok; then
  say "wasm-bindgen CLI $WB_VERSION: ok"
else
  # Serialise with any other bootstrap run on this machine: two concurrent installs of the
  # same crate into ~/.cargo/bin would only waste 7 minutes of CPU each.
  mkdir -p "$CARGO_BIN"
  exec 9>"$CARGO_BIN/.privacy-widget-wasm-bindgen-cli.lock"
  if ! flock -n 9; then
    say "another wasm-bindgen-cli install is running; waiting for it"
    flock 9
  fi
  if wb_ok; then
    say "wasm-bindgen CLI $WB_VERSION: ok (installed by the other run)"
  else
    have="$(wasm-bindgen --version 2>/dev/null || echo none)"
    say "installing wasm-bindgen-cli $WB_VERSION (found: $have); takes ~7-11 min cold"
    t=$SECONDS
    # --locked first; it fails when a dependency version pinned in the CLI's own lockfile is
    # not available from the registry (yanked, or a mirror without it): then resolve afresh.
    if ! cargo install wasm-bindgen-cli --version "$WB_VERSION" --locked --force; then
      say "--locked install failed; retrying without --locked"
      cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
    fi
    wb_ok || die "wasm-bindgen CLI still not at $WB_VERSION after install"
    say "wasm-bindgen CLI $WB_VERSION installed in $((SECONDS - t)) s"
  fi
  flock -u 9
  exec 9>&-
fi

# --- 4. npm packages (playwright-core, binaryen's wasm-opt, terser, axe-core) -----------------------
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
   [ package.json -nt node_modules/.package-lock.json ] || [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/terser ]; then
  say "npm ci"
  npm ci --no-audit --no-fund
else
  say "node_modules: ok"
fi

say "done in $((SECONDS - T0)) s"
