#!/usr/bin/env bash
# check-layers.sh [SRC_DIR] - the layering of src/ (docs/architecture.md, "One shape for every
# module"), checked over every #include "..." (relative paths resolved as the compiler does: the
# including file's folder first, then src/) and every #include <module/...>:
#
#   layer 3  cli, http, main.c         the doors
#   layer 2  threatmap, auth, analysis, exchange, federation, screening, assistant, address,
#            alerts   the domain
#   layer 1  store, geo, photo
#   layer 0  base                      includes no other module
#
# Rules, each named in the message of a line that breaks it:
#   private header  a module includes only the public headers of another (PUBLIC below);
#   layers          a module includes only modules of lower layers, or those of its own layer
#                   that SAME allows (which must not make a cycle);
#   through the domain   http reaches the store only through the domain modules (cli, which
#                   opens the store and hands it to them, may include store.h);
#   unknown module  every folder of src/ has a layer here, every included path lies in src/.
# Prints file:line: rule: what is wrong, for each line that breaks a rule; exits 1 if any does,
# 2 if it cannot run, 0 otherwise. Run by ctest as check_layers (make check, CI).
set -uo pipefail

src=${1:-"$(cd "$(dirname "$0")/.." && pwd)/src"}
if [ ! -d "$src" ]; then
    echo "check-layers: no folder $src" >&2
    exit 2
fi
src=$(cd "$src" && pwd)

declare -A LAYER=(
    [main]=3 [cli]=3 [http]=3
    [threatmap]=2 [auth]=2 [analysis]=2 [exchange]=2 [federation]=2 [screening]=2 [assistant]=2 [address]=2 [alerts]=2
    [store]=1 [geo]=1 [photo]=1
    [base]=0
)
LAYER_NAME=(base "store/geo" domain "cli/http")

# A module's public headers (its promise); any other header of it is private. base: all of them.
declare -A PUBLIC=(
    [base]="*"
    [geo]="geo.h"
    [store]="store.h common.h catalog.h reports.h accounts.h audit.h apikeys.h analysis.h committer.h search.h watchlist.h exchange.h exchange_spoc.h exchange_events.h addresses.h alerts.h federation.h photos.h assist_cases.h"
    [photo]="photo.h"
    [threatmap]="threatmap.h workflow.h mapindex.h query.h catalog.h reports.h police.h merge.h visit.h apikeys.h photos.h"
    [auth]="auth.h"
    [analysis]="analysis.h"
    [http]="server.h render.h query.h exchange_json.h fed_server.h" # render.h, query.h, exchange_json.h: the documents the API writes and the queries and messages it reads, which cli uses too
    [cli]="cli.h"
    [exchange]="exchange.h spoc.h events.h retention.h"
    [federation]="federation.h"
    [screening]="screening.h ids.h objects.h snapshot.h"
    [assistant]="assistant.h lang.h translate.h search.h link.h summary.h cases.h"
    [main]=""
    [address]="address.h"
    [alerts]="alerts.h"
)

# Within a layer, who may use whom (a module always uses itself). Today: analysis reads the
# threatmap (its index, its reports); the threatmap's workflow names auth's roles (the one role
# enum, from the police branch); cli starts the http server; main.c hands argv to cli (and, until
# the cli branch lands, runs the server itself).
declare -A SAME=(
    [analysis]="threatmap"
    [threatmap]="auth"
    [assistant]="auth screening exchange"
    [screening]="auth exchange"
    [exchange]="auth"
    [alerts]="threatmap auth" # the public reports it sends; audit codes
    [federation]="exchange auth"
    [cli]="http"
    [main]="cli http"
)

# Modules that may not include the store's headers: they reach it through the domain.
NO_STORE="http"

# Lines that break a rule today and are being removed, as "file:included path" (file relative to
# src/), each with who removes it. Empty: today's code keeps every rule.
EXCEPTIONS=(
)

fail=0
report() { # file line rule message
    echo "$1:$2: $3: $4"
    fail=1
}

# The cycles of SAME (a module that reaches itself): a table with one is refused.
reaches() { # from to seen
    local m
    for m in ${SAME[$1]:-}; do
        [ "$m" = "$2" ] && return 0
        case " $3 " in *" $m "*) continue ;; esac
        reaches "$m" "$2" "$3 $m" && return 0
    done
    return 1
}
for m in "${!SAME[@]}"; do
    if reaches "$m" "$m" "$m"; then
        report "scripts/check-layers.sh" 0 "layers" "SAME makes a cycle through $m"
    fi
    for u in ${SAME[$m]}; do
        if [ "${LAYER[$m]:-x}" != "${LAYER[$u]:-y}" ]; then
            report "scripts/check-layers.sh" 0 "layers" "SAME lets $m use $u, not of its layer"
        fi
    done
done

# a/b/../c/./d -> a/c/d in NORM (empty for a path that climbs above its start). No subshells:
# a fork per include is slow on a busy machine.
normalize() {
    local IFS=/ part out=()
    NORM=
    for part in $1; do
        case "$part" in
        "" | .) ;;
        ..)
            [ ${#out[@]} -eq 0 ] && return 0
            unset 'out[${#out[@]}-1]'
            ;;
        *) out+=("$part") ;;
        esac
    done
    NORM="${out[*]}"
}

module_of() { # path relative to src/ -> MOD
    case "$1" in
    */*) MOD=${1%%/*} ;;
    *) MOD=${1%.[ch]} ;; # main.c
    esac
}

is_exception() { # file target
    local e
    for e in "${EXCEPTIONS[@]}"; do
        [ "$e" = "$1:$2" ] && return 0
    done
    return 1
}

for dir in "$src"/*/; do
    d=$(basename "$dir")
    [ -n "${LAYER[$d]:-}" ] || report "src/$d" 0 "unknown module" \
        "src/$d has no layer in scripts/check-layers.sh (LAYER, PUBLIC)"
done

# One grep for every include of every file: path:line:text.
while IFS= read -r hit; do
    file=${hit%%:*}
    rest=${hit#*:}
    line=${rest%%:*}
    text=${rest#*:}
    rel=${file#"$src"/}
    module_of "$rel"
    from=$MOD
    [ -n "${LAYER[$from]:-}" ] || continue # reported above
    case "$rel" in */*) fdir=${rel%/*} ;; *) fdir=. ;; esac
    if [[ $text =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]+)\" ]]; then
        inc=${BASH_REMATCH[1]}
        # As the compiler looks: beside the file, then src/ (-I src).
        if [ -e "$src/$fdir/$inc" ]; then
            normalize "$fdir/$inc"
        else
            normalize "$inc"
        fi
    elif [[ $text =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\<([a-z_]+)/([^\>]+)\> ]] &&
        [ -n "${LAYER[${BASH_REMATCH[1]}]:-}" ] && [ -d "$src/${BASH_REMATCH[1]}" ]; then
        inc="${BASH_REMATCH[1]}/${BASH_REMATCH[2]}"
        normalize "$inc"
    else
        continue
    fi
    target=$NORM
    if [ -z "$target" ] || [[ $target != */* ]]; then
        report "src/$rel" "$line" "unknown module" "includes \"$inc\", which lies outside src/<module>/"
        continue
    fi
    module_of "$target"
    to=$MOD
    [ "$to" = "$from" ] && continue
    is_exception "$rel" "$target" && continue
    if [ -z "${LAYER[$to]:-}" ]; then
        report "src/$rel" "$line" "unknown module" "includes $target: $to has no layer in scripts/check-layers.sh"
        continue
    fi
    header=${target#*/}
    public=" ${PUBLIC[$to]:-} "
    if [ "${PUBLIC[$to]:-}" != "*" ] && [[ $public != *" $header "* ]]; then
        report "src/$rel" "$line" "private header" \
            "$from includes $target, private to $to (its public headers:${public% })"
    fi
    lf=${LAYER[$from]} lt=${LAYER[$to]}
    if [ "$lt" -gt "$lf" ]; then
        report "src/$rel" "$line" "layers" \
            "$from (${LAYER_NAME[$lf]}) includes $target of $to (${LAYER_NAME[$lt]}): a lower layer includes a higher one"
    elif [ "$lt" -eq "$lf" ] && [[ " ${SAME[$from]:-} " != *" $to "* ]]; then
        report "src/$rel" "$line" "layers" \
            "$from includes $target: within the ${LAYER_NAME[$lf]} layer $from may use only: ${SAME[$from]:-nothing} (SAME in scripts/check-layers.sh)"
    fi
    if [ "$to" = store ] && [[ " $NO_STORE " == *" $from "* ]]; then
        report "src/$rel" "$line" "through the domain" \
            "$from includes $target: $from reaches the store only through the domain modules"
    fi
done < <(grep -rn --include='*.[ch]' '^[[:space:]]*#[[:space:]]*include' "$src" | LC_ALL=C sort -t: -k1,1 -k2,2n)

if [ "$fail" -ne 0 ]; then
    echo "check-layers: src/ breaks the layering (docs/architecture.md, \"One shape for every module\")" >&2
    exit 1
fi
echo "check-layers: every include in $src keeps the layers"
