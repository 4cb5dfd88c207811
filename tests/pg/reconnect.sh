#!/usr/bin/env bash
# A PostgreSQL restart under a running `tarcza serve` (issue 18): reports are filed before it,
# the server is restarted (pg_ctl restart -m fast: every connection of tarcza's pool is closed),
# and every report filed after it is still answered 201 and stored: the pool finds its closed
# connections when it lends them and opens new ones, so no request fails for them.
# usage (ctest pg_reconnect): tests/pg/with_pg.sh tests/pg/reconnect.sh TARCZA
set -euo pipefail
tarcza=$1
db=${TZ_TEST_PG/\/postgres\?//tz_reconnect_$$?}
dir=$(mktemp -d /tmp/tarcza-reconnect-XXXXXX)
server=""
cleanup() { [ -z "$server" ] || kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "pg_reconnect: $*" >&2; exit 1; }
psql "$TZ_TEST_PG" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE tz_reconnect_$$"
"$tarcza" demo --db "$db" --reports 50 >/dev/null
"$tarcza" serve --db "$db" --port 0 --log off --write-rate 0 >"$dir/out" 2>"$dir/err" &
server=$!
for _ in $(seq 300); do grep -q serving "$dir/out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\) (.*/\1/p' "$dir/out")
[ -n "$port" ] || fail "serve did not start: $(cat "$dir/err")"
post() {
  curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d '{"category":"illegal_parking","lat":50.06,"lon":19.94,"description":"Auto na chodniku."}' \
    "http://127.0.0.1:$port/api/v1/reports"
}
for _ in 1 2 3 4 5 6 7 8 9 10 11 12; do [ "$(post)" = 201 ] || fail "before the restart"; done
as=()
[ -z "$TZ_TEST_PG_USER" ] || as=(runuser -u "$TZ_TEST_PG_USER" --)
"${as[@]}" "$TZ_TEST_PG_BIN/pg_ctl" -D "$TZ_TEST_PG_DATA" -m fast -w restart >/dev/null
for i in $(seq 20); do
  code=$(post)
  [ "$code" = 201 ] || fail "report $i after the restart answered $code: $(grep -v "^{" "$dir/err" | tail -5)"
done
stored=$(psql "$db" -qAt -c 'SELECT COUNT(*) FROM reports')
[ "$stored" = 82 ] || fail "$stored reports stored, 82 expected"
echo "pg_reconnect: ok"
