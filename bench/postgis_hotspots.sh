#!/usr/bin/env bash
# The hot-spot computation of bench_analysis (Gi* over 250 m hexagons in EPSG:2180, a 375 m
# band, Benjamini-Hochberg classes at 90/95/99 %) done in PostGIS on the same points, timed.
#   bench/postgis_hotspots.sh POINTS.csv        (lon,lat per line: bench_analysis --export)
# Starts a throwaway PostgreSQL cluster in a temporary folder (as the postgres user when run as
# root, since PostgreSQL refuses to run as root), loads the points (not timed, as bench_analysis
# does not time its index build), runs the SQL and prints one key=value line:
#   postgis hotspots points=... cells=... hot=... total_s=... (bin_s, neighbours_s, gistar_s)
set -euo pipefail
csv=$(readlink -f "$1")
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  echo "postgis hotspots: not installed (scripts/deps.sh bench installs postgresql-15-postgis-3)"
  exit 0
fi
dir=$(mktemp -d /tmp/tarcza-postgis-XXXXXX)
as=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$dir"
  chmod 755 "$dir"
  cp "$csv" "$dir/points.csv" && chown postgres "$dir/points.csv"
  csv="$dir/points.csv"
  as=(runuser -u postgres --)
fi
port=$((20000 + RANDOM % 20000))
cleanup() { "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
"${as[@]}" "$bin/initdb" -D "$dir/data" -A trust -U tz >/dev/null
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-k $dir -p $port -c listen_addresses='' -c shared_buffers=1GB -c work_mem=512MB -c fsync=off -c max_parallel_workers_per_gather=2" \
  start >/dev/null
psql=("${as[@]}" "$bin/psql" -h "$dir" -p "$port" -U tz -d postgres -qAt -v ON_ERROR_STOP=1)
"${psql[@]}" -c "CREATE EXTENSION postgis" -c "CREATE TABLE pts (lon float8, lat float8)" \
  -c "\\copy pts FROM '$csv' CSV" -c "ANALYZE pts"

# size: PostGIS takes the hexagon's edge; an edge of 250 / sqrt(3) puts centres 250 m apart.
"${psql[@]}" <<'SQL'
\set size 144.33756729740643
\set band 375
CREATE TEMP TABLE times (step text, at timestamptz);
INSERT INTO times VALUES ('start', clock_timestamp());
CREATE TEMP TABLE cnt AS
  SELECT h.i, h.j, count(*)::float8 AS n
  FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 2180) AS g FROM pts) p
       CROSS JOIN LATERAL ST_HexagonGrid(:size, p.g) h
  WHERE ST_Intersects(h.geom, p.g) -- the grid gives the hexagons whose boxes hold the point
  GROUP BY h.i, h.j;
CREATE TEMP TABLE cells AS
  SELECT i, j, n, ST_Centroid(ST_Hexagon(:size, i, j, ST_SetSRID(ST_MakePoint(0, 0), 2180))) AS c
  FROM cnt;
CREATE INDEX cells_c ON cells USING gist (c);
ANALYZE cells;
INSERT INTO times VALUES ('binned', clock_timestamp());
CREATE TEMP TABLE nb AS
  SELECT a.i, a.j, a.n, sum(b.n) AS s, count(*)::float8 AS w
  FROM cells a JOIN cells b ON ST_DWithin(a.c, b.c, :band)
  GROUP BY a.i, a.j, a.n;
INSERT INTO times VALUES ('neighbours', clock_timestamp());
-- Gi*, its two-sided p-value (normal tail by Abramowitz-Stegun 26.2.17, |error| < 7.5e-8),
-- and Benjamini-Hochberg thresholds at 10, 5 and 1 %.
CREATE TEMP TABLE gi AS
  WITH st AS (SELECT count(*)::float8 AS m, avg(n) AS mean, sqrt(greatest(avg(n * n) - avg(n) ^ 2, 0)) AS sd FROM cells),
  z AS (SELECT nb.i, nb.j, CASE WHEN st.sd > 0 AND st.m * w - w * w > 0
          THEN (s - st.mean * w) / (st.sd * sqrt((st.m * w - w * w) / (st.m - 1))) ELSE 0 END AS z
        FROM nb, st),
  p AS (SELECT i, j, z, CASE WHEN abs(z) > 37 THEN 0 ELSE 2 * (exp(-z * z / 2) / sqrt(2 * pi())) *
          (0.319381530 * t - 0.356563782 * t ^ 2 + 1.781477937 * t ^ 3 - 1.821255978 * t ^ 4
           + 1.330274429 * t ^ 5) END AS p
        FROM (SELECT i, j, z, 1 / (1 + 0.2316419 * abs(z)) AS t FROM z) x),
  r AS (SELECT p.*, rank() OVER (ORDER BY p) AS k, count(*) OVER () AS m FROM p),
  thr AS (SELECT max(CASE WHEN p <= k::float8 / m * 0.10 THEN p END) AS t90,
                 max(CASE WHEN p <= k::float8 / m * 0.05 THEN p END) AS t95,
                 max(CASE WHEN p <= k::float8 / m * 0.01 THEN p END) AS t99 FROM r)
  SELECT i, j, z, p, sign(z) * CASE WHEN p <= t99 THEN 3 WHEN p <= t95 THEN 2 WHEN p <= t90 THEN 1
                                ELSE 0 END AS cls
  FROM p, thr;
INSERT INTO times VALUES ('gistar', clock_timestamp());
SELECT format('postgis hotspots points=%s binned=%s cells=%s hot=%s cold=%s total_s=%s bin_s=%s neighbours_s=%s gistar_s=%s',
  (SELECT count(*) FROM pts), (SELECT sum(n) FROM cells), (SELECT count(*) FROM gi),
  (SELECT count(*) FROM gi WHERE cls > 0), (SELECT count(*) FROM gi WHERE cls < 0),
  round(extract(epoch FROM (SELECT max(at) - min(at) FROM times))::numeric, 2),
  round(extract(epoch FROM (SELECT (SELECT at FROM times WHERE step = 'binned') - (SELECT at FROM times WHERE step = 'start')))::numeric, 2),
  round(extract(epoch FROM (SELECT (SELECT at FROM times WHERE step = 'neighbours') - (SELECT at FROM times WHERE step = 'binned')))::numeric, 2),
  round(extract(epoch FROM (SELECT (SELECT at FROM times WHERE step = 'gistar') - (SELECT at FROM times WHERE step = 'neighbours')))::numeric, 2));
SQL
