#!/usr/bin/env bash
# npm start: bootstrap (no browser), build the widget + server, run the demo shop and API.
#   PORT=9000 npm start      # default 8080; the server prints its URL
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/bootstrap.sh
bash scripts/build.sh
export PORT="${PORT:-8080}"
# The demo shows the mail the server "sends" (double opt-in links) at /demo/mailbox.
export DEMO_MAILBOX="${DEMO_MAILBOX:-1}"
echo "[start] exec target/debug/privacy-widget-server (PORT=$PORT)"
exec "${CARGO_TARGET_DIR:-$ROOT/target}/debug/privacy-widget-server"
