#!/usr/bin/env bash
# Load test of POST /api/consent against a release build on loopback, with Debian's wrk.
#   bash server/benches/loadtest.sh              # SQLite file: 10 s, 2 threads, 16 connections
#   bash server/benches/loadtest.sh postgres     # the same on a throwaway PostgreSQL cluster
#   DURATION=5s CONNECTIONS=32 bash server/benches/loadtest.sh
# Extra server environment passes through (e.g. DATABASE_SYNCHRONOUS=normal, or DATABASE_URL of
# a PostgreSQL database of your own). `postgres` runs under scripts/with-postgres.sh with
# PostgreSQL's own durability defaults (fsync and synchronous_commit on, as in production), not
# the test suite's fsync=off; the server CPU figure then leaves out PostgreSQL's own processes.
# NO_BUILD=1 uses the release binary as it is.
# Starts the server on a free port with a fresh temporary DATA_DIR and stops it afterwards.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
case "${1:-sqlite}" in
  sqlite) ;;
  postgres)
    if [ -z "${TEST_DATABASE_URL:-}" ]; then
      [ "${NO_BUILD:-0}" = 1 ] || cargo build --release -p privacy-widget-server >&2
      POSTGRES_SETTINGS= NO_BUILD=1 exec bash scripts/with-postgres.sh bash "$0" postgres
    fi
    export DATABASE_URL="$TEST_DATABASE_URL" ;;
  *) echo "usage: server/benches/loadtest.sh [sqlite|postgres]" >&2; exit 2 ;;
esac
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }
[ "${NO_BUILD:-0}" = 1 ] || cargo build --release -p privacy-widget-server >&2
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/privacy-widget-server"

DATA_DIR="$(mktemp -d)"
SERVER=
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; rm -rf "$DATA_DIR"' EXIT
source "$ROOT/server/loopback-server.sh"
start_server "$DATA_DIR/server.log" DATA_DIR="$DATA_DIR" WWW_DIR="$ROOT/www"
echo "server: $URL (data in $DATA_DIR)" >&2

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
BEFORE="$(cpu_ticks)"
START="$(date +%s.%N)"
# -d bounds the run; --timeout keeps one stuck request from hanging it.
timeout 60 wrk -t"${THREADS:-2}" -c"${CONNECTIONS:-16}" -d"${DURATION:-10s}" --timeout 5s --latency \
  -s "$ROOT/server/benches/consent.lua" "$URL"
AFTER="$(cpu_ticks)"
END="$(date +%s.%N)"
awk -v ticks="$((AFTER - BEFORE))" -v hz="$(getconf CLK_TCK)" -v start="$START" -v end="$END" \
  'BEGIN { cpu = ticks / hz; printf "server CPU: %.1f s in %.1f s of wall time (%.0f%% of one core)\n", cpu, end - start, 100 * cpu / (end - start) }'
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
