#!/usr/bin/env bash
# `tarcza migrate` (issue 18): a SQLite database with demo reports, an account and its audit
# entries moved into a new PostgreSQL database; the move reports equal row counts and an intact
# chain with the source's head; the target verifies on its own, serves the same reports, refuses
# a second move; a missing source moves nothing.
# usage (ctest pg_migrate): tests/pg/with_pg.sh tests/pg/migrate.sh TARCZA
set -euo pipefail
tarcza=$1
dir=$(mktemp -d /tmp/tarcza-migrate-XXXXXX)
trap 'rm -rf "$dir"' EXIT
db="$dir/t.db"
to=${TZ_TEST_PG/\/postgres\?//tz_migrate_$$?}
fail() { echo "pg_migrate: $*" >&2; exit 1; }

"$tarcza" demo --db "$db" --reports 300 >/dev/null
TARCZA_PASSWORD=correct-horse-battery-9 "$tarcza" user add ola.officer --role officer \
  --districts KRK-01 --db "$db" >/dev/null
psql_base=(psql "$TZ_TEST_PG" -qAt -v ON_ERROR_STOP=1)
psql_to=(psql "$to" -qAt -v ON_ERROR_STOP=1)
"${psql_base[@]}" -c "CREATE DATABASE tz_migrate_$$"

"$tarcza" migrate --from "$dir/missing.db" --to "$to" >/dev/null 2>&1 && fail "a missing source moved"
out=$("$tarcza" migrate --from "$db" --to "$to")
echo "$out" | grep -q "row counts equal; audit chain intact" || fail "no check in: $out"
echo "$out" | grep -Eq '^reports +300 rows$' || fail "reports not counted: $out"
echo "$out" | grep -Eq '^accounts +1 rows$' || fail "accounts not counted: $out"
"$tarcza" audit verify --db "$to" | grep -q "audit log intact" || fail "the target's chain"
src_head=$("$tarcza" audit verify --db "$db" | grep -o 'head [0-9]* [0-9a-f]*')
dst_head=$("$tarcza" audit verify --db "$to" | grep -o 'head [0-9]* [0-9a-f]*')
[ "$src_head" = "$dst_head" ] || fail "heads differ: $src_head / $dst_head"
[ "$("${psql_to[@]}" -c 'SELECT COUNT(*) FROM reports')" = 300 ] || fail "reports"
# A new account takes the next id: the identities were moved past the copied ones.
[ "$("${psql_to[@]}" -c "INSERT INTO accounts (name, role, password_hash,
  totp_secret, created_at) VALUES ('x', 'admin', 'h', '\\x00', 1) RETURNING id")" = 2 ] ||
  fail "identity"
"$tarcza" migrate --from "$db" --to "$to" >/dev/null 2>&1 && fail "a second move was taken"
"${psql_base[@]}" -c "DROP DATABASE tz_migrate_$$ WITH (FORCE)"
echo "pg_migrate: ok"
