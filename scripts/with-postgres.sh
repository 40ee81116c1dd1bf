#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster (issue #19): initdb in a temporary folder,
# pg_ctl start on a free loopback port, TEST_DATABASE_URL exported to the command, then the
# cluster stopped and the folder removed, whatever the command's outcome.
#
#   bash scripts/with-postgres.sh cargo test -p privacy-widget-server
#
# Needs Debian's `postgresql` package (scripts/bootstrap.sh installs it). PostgreSQL refuses to
# run as root, so under root the cluster runs as the `postgres` user (or `nobody`).
# Tuned for tests, not durability: fsync off, trust authentication, loopback only.
# POSTGRES_SETTINGS replaces the durability settings (`POSTGRES_SETTINGS= ` for PostgreSQL's own
# defaults, as the load test's figures use).
set -euo pipefail

[ "$#" -gt 0 ] || { echo "usage: scripts/with-postgres.sh COMMAND [ARG...]" >&2; exit 2; }
say() { echo "[postgres] $*" >&2; }

BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$BIN/initdb" ] || { say "no initdb under /usr/lib/postgresql/*/bin: apt-get install postgresql (scripts/bootstrap.sh does)"; exit 1; }

DIR="$(mktemp -d "${TMPDIR:-/tmp}/pw-postgres.XXXXXX")"
AS=()
if [ "$(id -u)" = 0 ]; then
  OWNER=postgres
  id "$OWNER" >/dev/null 2>&1 || OWNER=nobody
  chown "$OWNER" "$DIR"
  AS=(runuser -u "$OWNER" --)
fi
# A free port: the kernel picks one, which the cluster takes a moment later.
PORT="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"

stop() {
  "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT

t=$SECONDS
"${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U pw -A trust --no-sync -E UTF8 --locale C >"$DIR/initdb.log" 2>&1 \
  || { cat "$DIR/initdb.log" >&2; exit 1; }
"${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c max_connections=200 ${POSTGRES_SETTINGS--c fsync=off -c synchronous_commit=off -c full_page_writes=off}" \
  start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
export TEST_DATABASE_URL="postgres://pw@127.0.0.1:$PORT/postgres"
say "cluster on 127.0.0.1:$PORT ready in $((SECONDS - t)) s ($DIR)"

set +e
"$@"
rc=$?
set -e
exit "$rc"
