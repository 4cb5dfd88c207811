#!/usr/bin/env bash
# Installs the Debian packages tarcza needs that are missing. Idempotent and
# quiet when everything is there.   usage: scripts/deps.sh [build|bench|all]
#   build (default): compilers, libraries and test tools for make run / make check (PostgreSQL 15:
#                    the store's second backend, its tests start a throw-away cluster)
#   bench:           adds the comparison systems of make bench (wrk, nginx) and pmccabe
set -euo pipefail
what=${1:-build}

build_pkgs=(build-essential cmake pkg-config clang libclang-rt-14-dev
  libsqlite3-dev libpq-dev postgresql-15 libmicrohttpd-dev libjansson-dev libgeos-dev libsodium-dev
  libcmocka-dev libcurl4-openssl-dev libxml2-dev sqlite3 curl libproj-dev proj-data nettle-dev
  libgnutls28-dev openssl # federation: node certificates, TLS 1.3; openssl makes expired and foreign certificates in tests
  libvips-dev libimage-exiftool-perl # photos: libvips decodes and encodes, exiftool checks in tests
  libqrencode-dev libexttextcat-data apertium apertium-eng-spa libicu-dev # assistant: language, translation, search
  systemd # systemd-analyze checks the unit (tests/ops/unit.sh); nothing here runs systemd
  python3-aiosmtpd) # the SMTP sink of the alerts' API test (tests/api/alerts/smtp_sink.py)
bench_pkgs=(wrk nginx-light postgresql-15-postgis-3 pmccabe libexttextcat-dev) # pmccabe -v src/*/*.c: the longest functions

pkgs=("${build_pkgs[@]}")
case "$what" in
  build) ;;
  bench|all) pkgs+=("${bench_pkgs[@]}") ;;
  *) echo "usage: $0 [build|bench|all]" >&2; exit 2 ;;
esac

# The front end and the browser tests need Node.js and Debian's Chromium.
command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)
pkgs+=(chromium)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
install_npm() { # npm packages of the front end (web/) and the benchmarks (bench/)
  local dir
  for dir in web bench; do
    [ -f "$dir/package.json" ] || continue
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
      echo "deps: npm install in $dir/"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && touch node_modules)
    fi
  done
}
cd "$(dirname "$0")/.."

if [ ${#missing[@]} -eq 0 ]; then
  install_npm
  exit 0
fi

echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# nginx-light starts a system nginx on port 80; the benchmark runs its own.
if printf '%s\n' "${missing[@]}" | grep -qx nginx-light; then
  $sudo service nginx stop >/dev/null 2>&1 || true
fi
install_npm
