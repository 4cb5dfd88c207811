#!/bin/bash
# install.sh BUILD_DIR - `cmake --install` into a temporary prefix, then the installed
# `tarcza serve`, given no --web, serves the browser front end from PREFIX/share/tarcza/web
# (the page and Leaflet from its npm folder) beside the API; the systemd unit is installed
# with that prefix's path to the program.
set -euo pipefail
build=$1
tmp=$(mktemp -d /tmp/tarcza-install-XXXXXX)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "install.sh: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" || fail "cmake --install failed"
bin=$tmp/prefix/bin/tarcza
[ -x "$bin" ] || fail "no $bin"
[ -f "$tmp/prefix/share/tarcza/web/index.html" ] || fail "no share/tarcza/web/index.html"
unit=$tmp/prefix/lib/systemd/system/tarcza.service
[ -f "$unit" ] || fail "no $unit"
grep -q "^ExecStart=$tmp/prefix/bin/tarcza serve" "$unit" || fail "the unit does not start $bin"

"$bin" demo --db "$tmp/t.db" --reports 10 >/dev/null
"$bin" serve --port 0 --db "$tmp/t.db" --log off >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 300); do
    grep -q serving "$tmp/out" && break
    kill -0 "$pid" 2>/dev/null || fail "serve stopped: $(cat "$tmp/err")"
    sleep 0.1
done
port=$(sed -n 's/.*:\([0-9][0-9]*\) (.*/\1/p' "$tmp/out" | head -n 1)
[ -n "$port" ] || fail "serve did not say its port: $(cat "$tmp/out" "$tmp/err")"
base=http://127.0.0.1:$port
# Each answer to a file first: grep -q stops reading at its match, and curl's failed write would
# fail the pipeline under pipefail.
curl -fsS -o "$tmp/page" "$base/" || fail "/ is not served"
grep -q '<html' "$tmp/page" || fail "/ is not the page"
curl -fsS -o /dev/null "$base/vendor/leaflet/leaflet.js" || fail "Leaflet is not served"
curl -fsS -o "$tmp/categories" "$base/api/v1/categories" || fail "the API does not answer"
grep -q '"code"' "$tmp/categories" || fail "the categories have no code"

echo "install.sh: the installed tarcza serves its pages from $tmp/prefix/share/tarcza/web"
