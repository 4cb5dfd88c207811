#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL 15 cluster:   tests/pg/with_pg.sh CMD [ARGS...]
# initdb in a temporary folder (as the postgres user when run as root: PostgreSQL refuses to run
# as root), pg_ctl start on a Unix socket only, the command with TZ_TEST_PG set to the cluster's
# base URI (postgresql://tz@/?host=DIR&port=PORT; tests/api/api_client.c makes one database per
# server it starts, and drops it), then the cluster stopped and removed whatever the outcome.
# Exits 77 (ctest's SKIP_RETURN_CODE) with a message when PostgreSQL is not installed;
# scripts/deps.sh installs it, so on CI these tests run.
set -euo pipefail
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "with_pg: PostgreSQL is not installed (scripts/deps.sh installs postgresql-15): skipped"
  exit 77
fi
pg_dir=$(mktemp -d /tmp/tarcza-pgtest-XXXXXX)
pg_as=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$pg_dir"
  chmod 755 "$pg_dir"
  pg_as=(runuser -u postgres --)
fi
stop() {
  "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop EXIT
"${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U tz -E UTF8 --locale=C.UTF-8 >/dev/null
# A port of its own per run (the socket's name carries it); fsync off: a test cluster
# need not survive a power cut, and its speed is not what these tests measure.
for try in 1 2 3 4 5; do
  pg_port=$((20000 + RANDOM % 20000))
  if "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -t 60 \
    -o "-k $pg_dir -p $pg_port -c listen_addresses='' -c fsync=off -c max_connections=200" \
    start >/dev/null; then
    break
  fi
  [ "$try" -lt 5 ] || { cat "$pg_dir/log" >&2; exit 1; }
done
export TZ_TEST_PG="postgresql://tz@/postgres?host=$pg_dir&port=$pg_port"
# For the tests that stop or restart the server (tests/pg/reconnect.sh).
TZ_TEST_PG_USER=""
[ ${#pg_as[@]} -eq 0 ] || TZ_TEST_PG_USER=postgres
export TZ_TEST_PG_BIN="$pg_bin" TZ_TEST_PG_DATA="$pg_dir/data" TZ_TEST_PG_USER
# The command in a process group of its own, ended with it: a server that a failed test left
# running would otherwise outlive the cluster and hold ctest's output open until its timeout.
set +e
setsid "$@" &
child=$!
wait "$child"
rc=$?
kill -KILL -- "-$child" 2>/dev/null
exit "$rc"
