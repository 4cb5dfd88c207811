#!/usr/bin/env bash
# What a user would assemble from PostgreSQL instead of screening: the evaluation set's pairs
# (tests/data/screening/pairs.tsv) judged by pg_trgm's similarity() and by fuzzystrmatch
# (levenshtein() on the whole names, and dmetaphone() of each part), each with the same date of
# birth rule as tarcza (years known on both sides and more than one apart: not the person), and
# precision, recall and F1 printed per method, over all pairs and over the cross-script ones.
#   bench/screening_pg.sh PAIRS.tsv
# Starts a throwaway PostgreSQL cluster in a temporary folder (as the postgres user when run as
# root), as postgis_hotspots.sh does. Thresholds: pg_trgm's own default (0.3, the % operator)
# and 0.5; levenshtein at most a fifth of the longer name; dmetaphone: every part of the
# shorter name has a part of the other with the same code.
set -euo pipefail
tsv=$(readlink -f "$1")
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || ! ls /usr/share/postgresql/*/extension/pg_trgm.control >/dev/null 2>&1; then
  echo "screening pg: not installed (scripts/deps.sh bench installs postgresql-15)"
  exit 0
fi
dir=$(mktemp -d /tmp/tarcza-pgscreen-XXXXXX)
as=()
# The pairs without their header, tabs kept (COPY's text format; the names hold no tab or \).
tail -n +2 "$tsv" >"$dir/pairs.tsv"
if [ "$(id -u)" -eq 0 ]; then
  chown -R postgres "$dir"
  chmod 755 "$dir"
  as=(runuser -u postgres --)
fi
port=$((20000 + RANDOM % 20000))
cleanup() { "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
"${as[@]}" "$bin/initdb" -D "$dir/data" -A trust -U tz -E UTF8 --locale=C.UTF-8 >/dev/null
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-k $dir -p $port -c listen_addresses='' -c fsync=off" start >/dev/null
psql=("${as[@]}" "$bin/psql" -h "$dir" -p "$port" -U tz -d postgres -qAt -v ON_ERROR_STOP=1)
"${psql[@]}" -c "CREATE EXTENSION pg_trgm" -c "CREATE EXTENSION fuzzystrmatch" \
  -c "CREATE TABLE pairs (kind text, lang text, cross_script int, label int, q text, qd text, r text, rd text)" \
  -c "\\copy pairs FROM '$dir/pairs.tsv'"
"${psql[@]}" <<'SQL'
CREATE FUNCTION dob_ok(a text, b text) RETURNS bool LANGUAGE sql IMMUTABLE AS
  $$ SELECT a = '' OR b = '' OR abs(left(a, 4)::int - left(b, 4)::int) <= 1 $$;
CREATE FUNCTION parts(s text) RETURNS text[] LANGUAGE sql IMMUTABLE AS
  $$ SELECT regexp_split_to_array(lower(trim(s)), '[^[:alpha:]]+') $$;
-- Every part of the name with fewer parts meets a part of the other by dmetaphone.
CREATE FUNCTION dm_match(a text, b text) RETURNS bool LANGUAGE sql IMMUTABLE AS $$
  WITH x AS (SELECT CASE WHEN cardinality(parts(a)) <= cardinality(parts(b)) THEN parts(a) ELSE parts(b) END AS few,
                    CASE WHEN cardinality(parts(a)) <= cardinality(parts(b)) THEN parts(b) ELSE parts(a) END AS many)
  SELECT bool_and(EXISTS (SELECT 1 FROM unnest(x.many) m WHERE m <> '' AND dmetaphone(m) = dmetaphone(f)))
  FROM x, unnest(x.few) f WHERE f <> '' $$;
CREATE TEMP TABLE judged AS
  SELECT cross_script, label,
         dob_ok(qd, rd) AND similarity(lower(q), lower(r)) >= 0.3 AS trgm30,
         dob_ok(qd, rd) AND similarity(lower(q), lower(r)) >= 0.5 AS trgm50,
         dob_ok(qd, rd) AND levenshtein(lower(q), lower(r)) <= greatest(length(q), length(r)) / 5 AS lev,
         dob_ok(qd, rd) AND coalesce(dm_match(q, r), false) AS dmeta
  FROM pairs;
CREATE TEMP TABLE m (method text);
INSERT INTO m VALUES ('trgm30'), ('trgm50'), ('lev'), ('dmeta');
SELECT format('%-26s %-12s pairs %5s  precision %s  recall %s  F1 %s',
              CASE method WHEN 'trgm30' THEN 'pg_trgm similarity >= 0.3' WHEN 'trgm50' THEN 'pg_trgm similarity >= 0.5'
                          WHEN 'lev' THEN 'levenshtein <= 20 %' ELSE 'dmetaphone per part' END,
              scope, n, to_char(p, '0.000'), to_char(r, '0.000'), to_char(2 * p * r / nullif(p + r, 0), '0.000'))
FROM (
  SELECT method, scope, count(*) AS n,
         coalesce(sum((hit AND label = 1)::int)::numeric / nullif(sum(hit::int), 0), 1) AS p,
         sum((hit AND label = 1)::int)::numeric / nullif(sum((label = 1)::int), 0) AS r
  FROM (SELECT m.method, s.scope, j.label,
               CASE m.method WHEN 'trgm30' THEN j.trgm30 WHEN 'trgm50' THEN j.trgm50
                             WHEN 'lev' THEN j.lev ELSE j.dmeta END AS hit
        FROM judged j CROSS JOIN m
        CROSS JOIN LATERAL (VALUES ('all'), (CASE WHEN j.cross_script = 1 THEN 'cross-script' END)) s(scope)
        WHERE s.scope IS NOT NULL) x
  GROUP BY method, scope) y
ORDER BY method, scope;
SQL
