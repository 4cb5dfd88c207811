#!/usr/bin/env bash
# Soak: SOAK_SECONDS (default 600) of mixed traffic at a fixed rate against a Release tarcza on
# loopback: 90 % map queries, 10 % new reports (bench/soak.mjs, an open-loop generator). Reports
# throughput, latency percentiles, errors, and the server's resident memory at the start and the
# end (every 10 s in between). Exits non-zero on any error.
#   bench/soak.sh BUILD_DIR     Environment: SOAK_SECONDS, SOAK_RATE (requests/s, default 500),
#                               SOAK_REPORTS (demo reports to start from, default 100000),
#                               SOAK_POST_SHARE (share of new reports, default 0.1; 0: reads only)
set -euo pipefail
build=${1:-build/release}
here=$(cd "$(dirname "$0")" && pwd)
seconds=${SOAK_SECONDS:-600}
rate=${SOAK_RATE:-500}
reports=${SOAK_REPORTS:-100000}
work=$(mktemp -d /tmp/tarcza-soak-XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$build/tarcza" demo --db "$work/t.db" --reports "$reports" >/dev/null
# The write limit is lifted: every report comes from 127.0.0.1.
"$build/tarcza" serve --port 0 --db "$work/t.db" --write-rate 0 --per-ip-connections 0 >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
for _ in $(seq 600); do grep -q serving "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\) (.*/\1/p' "$work/serve.out")
before=$(sqlite3 "$work/t.db" 'select count(*) from reports')
status=0
# Progress every 10 s (requests in flight, the machine's load average, the server's RSS), then
# the summary line.
node "$here/soak.mjs" "$port" "$server_pid" "$seconds" "$rate" "${SOAK_POST_SHARE:-0.1}" || status=$?
after=$(sqlite3 "$work/t.db" 'select count(*) from reports')
echo "soak stored=$((after - before)) (reports in the database after the run, minus before: every 201 is durable)"
exit $status
