#!/usr/bin/env bash
# planted.sh SCRIPT SRC_DIR - scripts/check-layers.sh must catch what it is for: on a scratch copy
# of src/ it passes as is, then fails, naming file, line and rule, once three violations are
# planted: base including http's private header, a relative include of the store's private header
# from threatmap, threatmap using analysis (a cycle in the domain layer) and http using the store
# around the domain. ctest:
# check_layers_planted.
set -uo pipefail
script=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src" "$work/src"

fail() {
    echo "FAIL: $*"
    exit 1
}

out=$("$script" "$work/src" 2>&1) || fail "the unchanged copy of src/ does not pass: $out"

plant() { # file line-to-append: prints the line number it lands on
    echo "$2" >>"$work/src/$1"
    wc -l <"$work/src/$1" | tr -d ' '
}
base_line=$(plant base/buf.c '#include "http/internal.h"')
rel_line=$(plant threatmap/submit.c '#include "../store/sqlite_internal.h"')
dom_line=$(plant threatmap/public.c '#include "analysis/analysis.h"')
http_line=$(plant http/static.c '#include "store/store.h"')

out=$("$script" "$work/src" 2>&1)
rc=$?
echo "$out"
[ "$rc" -eq 1 ] || fail "exit status $rc, not 1"
expect() {
    grep -qF -- "$1" <<<"$out" || fail "no line: $1"
}
expect "src/base/buf.c:$base_line: private header: base includes http/internal.h, private to http (its public headers:"
expect "src/base/buf.c:$base_line: layers: base (base) includes http/internal.h of http (cli/http): a lower layer includes a higher one"
expect "src/threatmap/submit.c:$rel_line: private header: threatmap includes store/sqlite_internal.h, private to store"
expect "src/threatmap/public.c:$dom_line: layers: threatmap includes analysis/analysis.h: within the domain layer threatmap may use only:"
expect "src/http/static.c:$http_line: through the domain: http includes store/store.h: http reaches the store only through the domain modules"
[ "$(grep -c ': \(private header\|layers\|through the domain\|unknown module\): ' <<<"$out")" -eq 5 ] ||
    fail "not exactly the five lines planted"
echo "PASS: the planted violations were found"
