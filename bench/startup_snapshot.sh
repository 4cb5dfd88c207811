#!/usr/bin/env bash
# Start-up to serving with and without the map index's snapshot (issue 18, docs/operations.md
# "Start-up"): `tarcza serve` timed from exec to its first 200 on GET /api/v1/map, on a database
# of demo reports. RUNS starts without a snapshot (--snapshot off: the scan and the build), then
# one start that writes DB.mapindex at its clean stop, then RUNS starts that read it. Each line:
# wall seconds to the first 200, the server's CPU seconds by then, its resident memory.
#   usage: bench/startup_snapshot.sh TARCZA DB [RUNS]
# The database is not changed but for its snapshot beside it (DB.mapindex, removed at the end).
set -euo pipefail
bin=$1
db=$2
runs=${3:-2}
probe="/api/v1/map?bbox=14.0,49.0,24.2,54.9&zoom=6"
work=$(mktemp -d)
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT

# Starts serve with --snapshot $1, waits for the first 200 on the map, stops it cleanly; prints
# "to_map_s=S rss_kb=K" and what the server said about its index on stderr.
start_once() {
  : >"$work/out"
  local t0 t1 port="" code=""
  t0=$(date +%s.%N)
  "$bin" serve --port 0 --db "$db" --log off --snapshot "$1" --snapshot-every 0 \
    >"$work/out" 2>"$work/err" &
  server_pid=$!
  until [ -n "$port" ]; do
    kill -0 "$server_pid" 2>/dev/null || { echo "serve stopped: $(cat "$work/err")" >&2; exit 1; }
    port=$(sed -n 's|.*http://[0-9.]*:\([0-9]*\).*|\1|p' "$work/out" | head -n 1)
    [ -n "$port" ] || sleep 0.005
  done
  until [ "$code" = 200 ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$probe" || true)
    [ "$code" = 200 ] || sleep 0.005
  done
  t1=$(date +%s.%N)
  local rss cpu
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
  # CPU time to then (utime + stime): the figure that the machine's other load moves least.
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$server_pid/stat")
  kill "$server_pid"
  wait "$server_pid" || true
  server_pid=""
  echo "to_map_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') cpu_s=$cpu rss_kb=$rss" \
    "$(grep -h 'map index from\|refused\|map snapshot' "$work/err" | tr '\n' ' ')"
}

reports=$(sqlite3 "$db" 'SELECT max(id) FROM reports')
rm -f "$db.mapindex"
for run in $(seq "$runs"); do
  echo "startup_snapshot reports=$reports snapshot=off run=$run $(start_once off)"
done
echo "startup_snapshot reports=$reports snapshot=write $(start_once "$db.mapindex")" \
  "bytes=$(stat -c %s "$db.mapindex")"
for run in $(seq "$runs"); do
  echo "startup_snapshot reports=$reports snapshot=read run=$run $(start_once "$db.mapindex")"
done
rm -f "$db.mapindex"
