#!/bin/bash
# unit.sh BUILD_DIR - the systemd unit as cmake --install writes it: `systemd-analyze verify`
# finds nothing wrong with it, and `systemd-analyze security` rates its exposure at 2.0 or less
# (docs/operations.md says why that threshold). Skipped (exit 77) where systemd-analyze is missing
# or too old for --offline (before systemd 250).
set -euo pipefail
build=$1
threshold=20 # systemd-analyze's --threshold counts tenths: 20 is an exposure of 2.0
if ! command -v systemd-analyze >/dev/null; then
    echo "unit.sh: SKIPPED: no systemd-analyze here (Debian package systemd)"
    exit 77
fi
tmp=$(mktemp -d /tmp/tarcza-unit-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "unit.sh: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null || fail "cmake --install failed"
unit=$tmp/prefix/lib/systemd/system/tarcza.service
systemd-analyze verify "$unit" >"$tmp/verify" 2>&1 || fail "verify: $(cat "$tmp/verify")"
if [ -s "$tmp/verify" ]; then
    fail "verify warns: $(cat "$tmp/verify")"
fi
if ! systemd-analyze security --help | grep -q -- --offline; then
    echo "unit.sh: SKIPPED the exposure: systemd-analyze has no --offline (systemd < 250)"
    exit 77
fi
if ! systemd-analyze security --offline=yes --threshold=$threshold "$unit" >"$tmp/security" 2>&1; then
    fail "exposure above $threshold/10: $(grep -E 'Overall|✗' "$tmp/security")"
fi
for option in ProtectSystem=strict NoNewPrivileges=yes DynamicUser=yes PrivateTmp=yes \
    ProtectHome=yes 'CapabilityBoundingSet=$' 'SystemCallFilter=@system-service' \
    'ReadWritePaths=/var/lib/tarcza' 'RestrictAddressFamilies='; do
    grep -q "^$option" "$unit" || fail "the unit lacks $option"
done
grep 'Overall exposure' "$tmp/security" | sed 's/^/unit.sh: /'
