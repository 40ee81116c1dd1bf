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
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/privacy-widget-server"
# The operator pages (/admin) with the demo's password, unless ADMIN_PASSWORD_HASH brings your own.
if [ -z "${ADMIN_PASSWORD_HASH:-}" ]; then
  DEMO_ADMIN_PASSWORD="serviteur-demo-admin"
  ADMIN_PASSWORD_HASH="$(printf '%s\n' "$DEMO_ADMIN_PASSWORD" | "$BIN" hash-password)"
  export ADMIN_PASSWORD_HASH
  echo "[start] operator pages: http://127.0.0.1:$PORT/admin (account admin, demo password $DEMO_ADMIN_PASSWORD; set ADMIN_PASSWORD_HASH for your own)"
fi
echo "[start] exec target/debug/privacy-widget-server (PORT=$PORT)"
exec "$BIN"
