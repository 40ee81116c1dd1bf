#!/usr/bin/env bash
# Contract check: schemathesis tests every operation of server/openapi.yaml against a debug
# build on loopback, with all its checks and its stateful phase. Not part of npm test or CI.
#   bash server/contract/check.sh                      # 100 test cases per operation
#   MAX_EXAMPLES=300 SEED=1 bash server/contract/check.sh
# Needs schemathesis in a venv outside the repository:
#   python3 -m venv /tmp/st && /tmp/st/bin/pip install schemathesis
# ST names its `st` command (default: `st` on PATH, else /tmp/st/bin/st). NO_BUILD=1 uses the
# debug binary as it is. Exits non-zero if schemathesis reported a failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
ST="${ST:-$(command -v st || echo /tmp/st/bin/st)}"
[ -x "$ST" ] || { echo "schemathesis not found: python3 -m venv /tmp/st && /tmp/st/bin/pip install schemathesis" >&2; exit 1; }
[ "${NO_BUILD:-0}" = 1 ] || cargo build -p privacy-widget-server >&2
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/privacy-widget-server"

ADMIN_TOKEN=contract-check
LOG="$(mktemp)"
SERVER=
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; rm -f "$LOG"' EXIT
source "$ROOT/server/loopback-server.sh"
# The rate limits would answer most mail-sending requests 429 (tests/http covers them);
# PW_FAULTS and DEMO_MAILBOX switch on the two operations that are off by default; the
# allowed origin is the Origin example of the preflight, so one preflight gets its 204.
start_server "$LOG" DATABASE_PATH=:memory: WWW_DIR="$ROOT/www" ADMIN_TOKEN="$ADMIN_TOKEN" \
  PW_FAULTS=1 DEMO_MAILBOX=1 CORS_ALLOW_ORIGINS=https://shop.example \
  RATE_LIMIT_PER_IP=1000000/1 RATE_LIMIT_PER_ADDRESS=1000000/1
echo "server: $URL" >&2

run() {
  "$ST" --config-file server/contract/schemathesis.toml run server/openapi.yaml --url "$URL" \
    --checks all -H "Authorization: Bearer $ADMIN_TOKEN" --max-examples "${MAX_EXAMPLES:-100}" \
    ${SEED:+--seed "$SEED"} "$@"
}
failed=0
# /__faults on its own and last: a fault plan it sets would fail the other operations.
run --exclude-path /__faults || failed=1
run --include-path /__faults || failed=1
if grep -q "internal error" "$LOG"; then
  echo "server log:" >&2
  grep "internal error" "$LOG" >&2
fi
exit "$failed"
