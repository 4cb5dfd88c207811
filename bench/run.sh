#!/usr/bin/env bash
# make bench: every benchmark of docs/benchmarks.md, beside the system a user would pick instead.
#   bench/run.sh BUILD_DIR        (BUILD_DIR holds a Release build: tarcza, bench_*)
# Environment: DURATION (wrk seconds, default 10), CONNECTIONS (default 64).
set -euo pipefail
build=${1:-build/release}
here=$(cd "$(dirname "$0")" && pwd)
duration=${DURATION:-10}
connections=${CONNECTIONS:-64}
work=$(mktemp -d /tmp/tarcza-bench-XXXXXX)
chmod 755 "$work" # nginx's workers run as www-data and must read the file it serves
server_pid=""; nginx_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "# tarcza benchmarks, $(date -u +%FT%TZ), $(nproc) cores, $(uname -m)"
echo "# database and files in $work ($(df -h "$work" | awk 'NR==2{print $1}'))"

echo; echo "## district routing (bench_routing)"
"$build/bench/bench_routing"

echo; echo "## map index, 1,000,000 reports (bench_mapindex), and supercluster on the same points"
"$build/bench/bench_mapindex" --export "$work/map"
if [ -d "$here/node_modules/supercluster" ]; then
  node --expose-gc "$here/supercluster.mjs" "$work/map"
else
  echo "supercluster: not installed (scripts/deps.sh bench installs it)"
fi
rm -rf "$work/map"

echo; echo "## analysis: hot spots (Gi*) over 1,000,000 reports and the duplicate check (bench_analysis), and PostGIS on the same points"
"$build/bench/bench_analysis" --export "$work/points.csv"
"$here/postgis_hotspots.sh" "$work/points.csv"
rm -f "$work/points.csv"

echo; echo "## SQLite batched-insert ceiling and group commit (bench_store)"
"$build/bench/bench_store"

echo; echo "## structured exchange: durable intake with entities, and a unit's inbox (bench_exchange)"
"$build/bench/bench_exchange" "${EXCHANGE_MESSAGES:-1000000}" "${EXCHANGE_INTAKE:-3000}"

echo; echo "## photos: re-encoding a 4 MB JPEG, durable intake of reports with 3 photos (bench_photos)"
"$build/bench/bench_photos" "${PHOTO_SECONDS:-10}"

# Starts tarcza on a demo database and sets $port.
start_tarcza() {
  "$build/tarcza" demo --db "$work/t.db" --reports "${1:-1000}" >/dev/null
  # --log off: these sections measure the service as before the request log existed (the log's
  # cost is one write() per request; the soak below runs with it on).
  "$build/tarcza" serve --port 0 --db "$work/t.db" --write-rate 0 --per-ip-connections 0 --log off >"$work/serve.out" 2>"$work/serve.err" &
  server_pid=$!
  for _ in $(seq 600); do grep -q serving "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
  port=$(sed -n 's/.*:\([0-9]*\) (.*/\1/p' "$work/serve.out")
}

# Prints "rps p50 p99 errors" from wrk --latency output.
wrk_summary() {
  awk '/Requests\/sec/{rps=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2}
       /Non-2xx/{err=$NF} /Socket errors/{err=err"+sock"}
       END{printf "requests_per_s=%s p50=%s p99=%s errors=%s\n", rps, p50, p99, (err==""?0:err)}'
}

echo; echo "## POST /api/v1/reports over HTTP, durable (wrk -c$connections -d${duration}s)"
start_tarcza 1000
before=$(sqlite3 "$work/t.db" 'select count(*) from reports')
wrk -t1 -c"$connections" -d"${duration}s" --latency -s "$here/post_report.lua" \
  "http://127.0.0.1:$port/api/v1/reports" >"$work/post.txt"
after=$(sqlite3 "$work/t.db" 'select count(*) from reports')
echo "post $(wrk_summary <"$work/post.txt") stored=$((after - before))"

echo; echo "## GET /api/v1/reports/{id} beside nginx serving the same bytes as a static file"
# A report the public may see (the newest public one), so both serve a 200 of the same bytes.
id=$(curl -s "http://127.0.0.1:$port/api/v1/reports?limit=1" | sed -n 's/^{"items":\[{"id":\([0-9]*\).*/\1/p')
curl -s "http://127.0.0.1:$port/api/v1/reports/$id" >"$work/report.json"
size=$(stat -c %s "$work/report.json")
wrk -t1 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port/api/v1/reports/$id" \
  >"$work/get.txt"
echo "tarcza_get bytes=$size $(wrk_summary <"$work/get.txt")"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

mkdir -p "$work/nginx/logs" "$work/nginx/html"
cp "$work/report.json" "$work/nginx/html/report.json"
nginx_port=$((port + 1))
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes $(nproc);
error_log $work/nginx/logs/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  server { listen 127.0.0.1:$nginx_port; root $work/nginx/html; }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
sleep 0.5
wrk -t1 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$nginx_port/report.json" \
  >"$work/nginx.txt"
echo "nginx_static bytes=$size $(wrk_summary <"$work/nginx.txt")"

echo; echo "## GET /api/v1/map over HTTP, 1,000,000 demo reports (wrk -c16 -d${duration}s, random views)"
rm -f "$work/t.db" "$work/t.db-wal" "$work/t.db-shm"
start=$(date +%s.%N)
start_tarcza 1000000
echo "map_server demo_and_start_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')"
wrk -t1 -c16 -d"${duration}s" --latency -s "$here/map_query.lua" "http://127.0.0.1:$port/" >"$work/map.txt"
echo "map_http $(wrk_summary <"$work/map.txt")"
wrk -t1 -c1 -d"${duration}s" --latency -s "$here/map_query.lua" "http://127.0.0.1:$port/" >"$work/map1.txt"
echo "map_http_c1 $(wrk_summary <"$work/map1.txt")"
# The same requests arriving at a given rate (random waits per connection, map_query_paced.lua):
# latency at a load the service carries, where -c16 above measures the queue at saturation.
for rate in 250 500 1000; do
  RATE=$rate CONNECTIONS=16 wrk -t1 -c16 -d"${duration}s" --latency -s "$here/map_query_paced.lua" \
    "http://127.0.0.1:$port/" >"$work/map_rate.txt"
  echo "map_http_rate$rate $(wrk_summary <"$work/map_rate.txt")"
done

# Open data from the same server: the whole public view streamed, with the server's peak memory
# before and after (constant memory however many reports: docs/open-data.md).
echo; echo "## open-data export of the public view of 1,000,000 reports (curl, one client)"
for format in csv geojson; do
  before=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
  out=$(curl -s -o /dev/null -w '%{time_total} %{size_download}' \
    "http://127.0.0.1:$port/api/v1/export/reports.$format")
  after=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
  echo "export_$format seconds=${out% *} bytes=${out#* } peak_rss_kb_before=$before peak_rss_kb_after=$after"
done
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

echo; echo "## assistant: language identification by language and length, beside libexttextcat (bench_lang)"
corpus="$here/../tests/data/assistant/corpus.jsonl"
"$build/bench/bench_lang" "$here/../tests/data/assistant/lang/eval.tsv" \
  $([ -f "$corpus" ] && echo "$corpus")

echo; echo "## assistant: search over 1,000,000 report descriptions in two scripts (bench_search)"
"$build/bench/bench_search" 1000000

echo; echo "## soak: ${SOAK_SECONDS:-600} s at ${SOAK_RATE:-500} requests/s, 90 % map queries, 10 % reports (bench/soak.sh)"
"$here/soak.sh" "$build"

# Screening (issue 15): the person index at 1,000,000 generated persons (SCREEN_PERSONS), one
# thread; the evaluation set's precision and recall for tarcza (tests/data/screening/pairs.tsv)
# and, on the same pairs, for PostgreSQL's pg_trgm and fuzzystrmatch (bench/screening_pg.sh).
echo; echo "## screening: person index (bench_screening) and the evaluation set"
"$build/bench/bench_screening" "${SCREEN_PERSONS:-1000000}" 20000
if [ -x "$build/tests/test_screening_eval" ]; then
  "$build/tests/test_screening_eval" "$here/../tests/data/screening/pairs.tsv" | tail -6
fi
"$here/screening_pg.sh" "$here/../tests/data/screening/pairs.tsv"
echo; echo "## screening: documents and vehicles, 10,000,000 documents and 5,000,000 vehicles; MRZ, VIN and plate readers (bench_screening_ids)"
"$build/bench/bench_screening_ids"
echo; echo "## screening: batches of 1,000 travellers through the service, ${SCREEN_BATCH_RECORDS:-1000000} persons and documents on the lists (bench_screening_batch)"
"$build/bench/bench_screening_batch" "${SCREEN_BATCH_RECORDS:-1000000}" 50

echo; echo "## alerts: the Atom feed of an area over 10,000,000 reports, 2,000 areas of each kind (bench_alerts)"
# TZ_BENCH_DIR: where its database (about 4 GB at 10 M reports) is made and removed; default /tmp.
"$build/bench/bench_alerts" "${ALERTS_REPORTS:-10000000}" 2000

echo; echo "## address search: 8,000,000 generated addresses, 200,000 queries (bench_addresses), and pg_trgm on the same (addresses_pg.sh)"
addr_dump=$(mktemp -d /tmp/tarcza-addresses-XXXXXX)
"$build/bench/bench_addresses" --dump "$addr_dump"
"$here/addresses_pg.sh" "$addr_dump"
rm -rf "$addr_dump"

echo; echo "## assistant: precision and recall per entity type on the corpus, and a 2,000-character message (bench_assistant)"
"$build/bench/bench_assistant" "$here/../tests/data/assistant/corpus.jsonl"

echo; echo "## assistant: the digest of a 40-message exchange case and a question over it (bench_case)"
"$build/bench/bench_case" "$here/../tests/data/assistant/corpus.jsonl"

# Start-up at national scale (docs/operations.md): from exec to serving (the "serving" line is
# printed once the map index is built and the port listens), on demo databases of 1 M and 10 M
# reports, two starts each; the 10 M database is built once (minutes). STARTUP_MAX bounds the
# largest size (default 10000000).
echo; echo "## start-up to serving: 1,000,000 and 10,000,000 demo reports (two starts each)"
for n in 1000000 10000000; do
  [ "$n" -gt "${STARTUP_MAX:-10000000}" ] && continue
  rm -f "$work/s.db" "$work/s.db-wal" "$work/s.db-shm"
  t0=$(date +%s.%N)
  "$build/tarcza" demo --db "$work/s.db" --reports "$n" >/dev/null
  echo "startup reports=$n demo_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') db_bytes=$(stat -c %s "$work/s.db")"
  for run in 1 2; do
    t0=$(date +%s.%N)
    "$build/tarcza" serve --port 0 --db "$work/s.db" --log off >"$work/s.out" 2>"$work/s.err" &
    server_pid=$!
    until grep -q serving "$work/s.out" 2>/dev/null; do
      kill -0 "$server_pid" 2>/dev/null || { echo "serve stopped: $(cat "$work/s.err")"; exit 1; }
      sleep 0.01
    done
    t1=$(date +%s.%N)
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
    echo "startup reports=$n run=$run to_serving_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') rss_kb=$rss"
  done
  # The same database with and without the map index's snapshot (DB.mapindex), to the first 200
  # on /api/v1/map (bench/startup_snapshot.sh; docs/benchmarks.md).
  "$here/startup_snapshot.sh" "$build/tarcza" "$work/s.db" 2
done
rm -f "$work/s.db" "$work/s.db-wal" "$work/s.db-shm"

# Federation (issue 17, docs/federation.md): two nodes over mutual TLS on loopback; a queue of
# 2000 signed messages in 8 cases drained once the partner is up (batch envelopes: up to 64
# messages of a case in one, 16 cases in flight at once), then 2000 more sent live by 8 API
# clients: rate, CPU per message and p50/p99 send -> receipt.
echo; echo "## federation: 2000 messages in 8 cases queued for a partner that was down, then 2000 live"
"$here/federation.sh" "$build/tarcza" 2000 8

# PostgreSQL (issue 18, docs/operations.md#postgresql): durable POST /api/v1/reports through one
# instance, on SQLite and on a throw-away PostgreSQL 15 (fsync=on, synchronous_commit=on) in turn.
echo; echo "## durable reports through one instance: SQLite and PostgreSQL in one run (bench/pg_reports.sh)"
"$here/pg_reports.sh" "$build"
