#!/usr/bin/env bash
# Durable POST /api/v1/reports through one `tarcza serve` on SQLite and on PostgreSQL 15, in the
# same run (issue 18):   bench/pg_reports.sh BUILD_DIR
# PostgreSQL runs durable as a service would: fsync=on, synchronous_commit=on (tarcza sets it on
# every connection), in a throw-away cluster (bench/pg_cluster.sh). Each side gets 1,000 demo
# reports first, then wrk posts for DURATION seconds (default 10) over CONNECTIONS (default 64).
set -euo pipefail
build=${1:-build/release}
here=$(cd "$(dirname "$0")" && pwd)
duration=${DURATION:-10}
connections=${CONNECTIONS:-64}
# shellcheck source=pg_cluster.sh
. "$here/pg_cluster.sh"
work=$(mktemp -d /tmp/tarcza-pgbench-XXXXXX)
server_pid=""
stop_server() {
  [ -z "$server_pid" ] || { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; }
  server_pid=""
}
pg_cluster_start plpgsql.control -c fsync=on -c max_connections=200 || exit 0
trap 'stop_server; rm -rf "$work"; "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pg_dir"' EXIT

# Serves db, posts for $duration s, prints the summary line with the rows stored.
run() {
  local name=$1 db=$2 count=$3
  "$build/tarcza" demo --db "$db" --reports 1000 >/dev/null
  "$build/tarcza" serve --port 0 --db "$db" --write-rate 0 --per-ip-connections 0 --log off \
    >"$work/serve.out" 2>"$work/serve.err" &
  server_pid=$!
  for _ in $(seq 600); do grep -q serving "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
  local port before after
  port=$(sed -n 's/.*:\([0-9]*\) (.*/\1/p' "$work/serve.out")
  before=$($count)
  wrk -t1 -c"$connections" -d"${duration}s" --latency -s "$here/post_report.lua" \
    "http://127.0.0.1:$port/api/v1/reports" >"$work/post.txt"
  after=$($count)
  stop_server
  awk -v name="$name" -v stored=$((after - before)) \
    '/Requests\/sec/{rps=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2} /Non-2xx/{err=$NF}
     END{printf "%s requests_per_s=%s p50=%s p99=%s errors=%s stored=%s\n", name, rps, p50, p99,
         (err==""?0:err), stored}' "$work/post.txt"
}

sqlite_count() { sqlite3 "$work/t.db" 'SELECT COUNT(*) FROM reports'; }
pg_count() { "${psql[@]}" -d tarcza -c 'SELECT COUNT(*) FROM reports'; }
"${psql[@]}" -c 'CREATE DATABASE tarcza'
run sqlite "$work/t.db" sqlite_count
run postgresql "postgresql://tz@/tarcza?host=$pg_dir&port=$pg_port" pg_count
