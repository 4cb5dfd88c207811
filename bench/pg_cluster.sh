# Sourced by the benchmarks that ask PostgreSQL the same questions as tarcza (postgis_hotspots.sh,
# screening_pg.sh, addresses_pg.sh): pg_cluster_start EXTENSION_CONTROL [SERVER OPTIONS...] starts
# a throwaway cluster in a temporary folder $pg_dir (as the postgres user when run as root, since
# PostgreSQL refuses to run as root), stopped and removed on exit, and sets the psql command line
# in the array psql. Returns 1, having said so, when PostgreSQL or the extension is not installed
# (scripts/deps.sh bench installs them). pg_cluster_give FILE copies FILE into $pg_dir for the
# server's user and prints the copy's path.
pg_cluster_start() {
  local control=$1
  shift
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$pg_bin" ] || ! ls /usr/share/postgresql/*/extension/"$control" >/dev/null 2>&1; then
    echo "PostgreSQL or $control is not installed (scripts/deps.sh bench installs them)"
    return 1
  fi
  pg_dir=$(mktemp -d /tmp/tarcza-pg-XXXXXX)
  pg_as=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$pg_dir"
    chmod 755 "$pg_dir"
    pg_as=(runuser -u postgres --)
  fi
  pg_port=$((20000 + RANDOM % 20000))
  trap '"${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pg_dir"' EXIT
  "${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U tz -E UTF8 --locale=C.UTF-8 >/dev/null
  "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
    -o "-k $pg_dir -p $pg_port -c listen_addresses='' -c fsync=off $*" start >/dev/null
  psql=("${pg_as[@]}" "$pg_bin/psql" -h "$pg_dir" -p "$pg_port" -U tz -d postgres -qAt -v ON_ERROR_STOP=1)
}

pg_cluster_give() {
  local copy
  copy="$pg_dir/$(basename "$1")"
  cp "$1" "$copy"
  [ ${#pg_as[@]} -eq 0 ] || chown postgres "$copy"
  echo "$copy"
}
