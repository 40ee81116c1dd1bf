# Sourced by the server's scripts (benches/loadtest.sh, contract/check.sh).
# start_server LOG [VAR=VALUE ...]: starts "$BIN" on a free loopback port with the given
# environment on top of the caller's, output to LOG; waits for its start-up line, then sets
# SERVER (the pid) and URL (no trailing slash). Stopping it is the caller's job: set a trap
# on "$SERVER" before calling, so an interrupted wait stops it too.
start_server() {
  local log="$1"
  shift
  env PORT=0 HOST=127.0.0.1 "$@" "$BIN" >"$log" 2>&1 &
  SERVER=$!
  for _ in $(seq 100); do
    grep -q "listening on" "$log" && break
    sleep 0.1
  done
  URL="$(grep -o 'http://[^ ]*' "$log" | head -1)"
  URL="${URL%/}"
}
