#!/usr/bin/env bash
# What a user would assemble from PostgreSQL instead of tarcza's address search: the addresses and
# queries of bench_addresses --dump DIR in a table with pg_trgm's GIN index over the folded text
# (unaccent + lower of "street number locality"), each query asked as an application would:
#   SELECT ... WHERE q <% doc ORDER BY word_similarity(q, doc) DESC LIMIT 10
# (word similarity: the query is typed as part of the address). Times each query inside the
# server (clock_timestamp around it in PL/pgSQL, no client round trip, as bench_addresses times
# the search in process) over a sample of SAMPLE queries per kind (default 100), and prints per
# kind: p50, p99, max and how many found something; then the load and index build times.
#   bench/addresses_pg.sh DIR [SAMPLE]
set -euo pipefail
dir=$(readlink -f "$1")
sample=${2:-100}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/pg_cluster.sh"
pg_cluster_start pg_trgm.control -c shared_buffers=2GB -c maintenance_work_mem=1GB || exit 0
addresses=$(pg_cluster_give "$dir/addresses.tsv")
queries=$(pg_cluster_give "$dir/queries.tsv")
"${psql[@]}" <<SQL
\\timing off
CREATE EXTENSION pg_trgm;
CREATE EXTENSION unaccent;
-- unaccent() is only STABLE (its dictionary may change); an index needs an IMMUTABLE wrapper.
CREATE FUNCTION fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  \$\$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, t)) \$\$;
CREATE TABLE addr (locality text, street text, number text, postcode text, lon float8, lat float8);
CREATE TABLE q (id serial, kind text, q text);
CREATE TABLE steps (step text, at timestamptz);
INSERT INTO steps VALUES ('start', clock_timestamp());
\\copy addr FROM '$addresses'
ALTER TABLE addr ADD COLUMN doc text GENERATED ALWAYS AS (fold(street || ' ' || number || ' ' || locality)) STORED;
INSERT INTO steps VALUES ('loaded', clock_timestamp());
CREATE INDEX addr_doc ON addr USING gin (doc gin_trgm_ops);
INSERT INTO steps VALUES ('indexed', clock_timestamp());
ANALYZE addr;
\\copy q (kind, q) FROM '$queries'
SQL
"${psql[@]}" -v sample="$sample" <<'SQL'
CREATE TEMP TABLE asked AS
  SELECT id, kind, q FROM (SELECT *, row_number() OVER (PARTITION BY kind ORDER BY id) AS k FROM q) s
  WHERE k <= :sample;
CREATE TEMP TABLE timed (kind text, ms float8, hits int);
DO $$
DECLARE r record; t0 timestamptz; n int;
BEGIN
  FOR r IN SELECT * FROM asked ORDER BY id LOOP
    t0 := clock_timestamp();
    SELECT count(*) INTO n FROM (SELECT 1 FROM addr WHERE r.q <% doc
                                 ORDER BY word_similarity(r.q, doc) DESC LIMIT 10) x;
    INSERT INTO timed VALUES (r.kind, extract(epoch FROM clock_timestamp() - t0) * 1000, n);
  END LOOP;
END $$;
SELECT format('addresses pg_trgm%s queries=%s p50_ms=%s p99_ms=%s max_ms=%s found=%s',
              CASE WHEN kind IS NULL THEN '' ELSE ' kind=' || kind END, count(*),
              round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2),
              round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 2),
              round(max(ms)::numeric, 2), sum((hits > 0)::int))
FROM timed GROUP BY ROLLUP (kind) ORDER BY kind NULLS FIRST;
SELECT format('addresses pg_trgm rows=%s load_s=%s index_s=%s index_mb=%s',
              (SELECT count(*) FROM addr),
              round(extract(epoch FROM (SELECT at FROM steps WHERE step = 'loaded') - (SELECT at FROM steps WHERE step = 'start'))::numeric, 1),
              round(extract(epoch FROM (SELECT at FROM steps WHERE step = 'indexed') - (SELECT at FROM steps WHERE step = 'loaded'))::numeric, 1),
              pg_relation_size('addr_doc') / 1048576);
SQL
