#!/usr/bin/env bash
# scan_golden.sh -- pelorus scan's output as data: the findings of the
# shipped scenarios (simulated with their own seeds) and of the Yellow Sea
# day, in JSON Lines, CSV and GeoJSON, compared byte for byte with
# tests/golden/scan/NAME.{jsonl,csv,geojson}.
#   tests/scan_golden.sh            compare; prints "scan-golden: N passed, M failed"
#   tests/scan_golden.sh --update   rewrite the expectations (review with git diff:
#                                   every changed finding is a change of behaviour)
# Inputs are read by a relative name from their own directory, so the
# evidence paths do not depend on where the build lives.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
PEL=$ROOT/$BUILD/pelorus
GOLD=tests/golden/scan
update=0
[ "${1:-}" = "--update" ] && update=1
pass=0 fail=0
T=$(mktemp -d "${TMPDIR:-/tmp}/scan-golden.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
mkdir -p "$GOLD"

# case NAME: builds $T/NAME/ with ais.nmea (and watchlist.csv) in it
prepare() {
    local name=$1 dir=$T/$1
    mkdir -p "$dir"
    case $name in
    yellow_sea_day) cp examples/yellow_sea_day.nmea "$dir/ais.nmea" ;;
    *) "$PEL" simulate -q "examples/$name.json" --out "$dir" || return 1 ;;
    esac
}

for name in scenario_small scenario_hard yellow_sea_day; do
    if ! prepare "$name"; then
        fail=$((fail + 1)); echo "FAIL scan-golden $name: cannot be prepared"; continue
    fi
    (
        cd "$T/$name" || exit 1
        lists=()
        [ -f watchlist.csv ] && lists=(--watchlist watchlist.csv)
        "$PEL" scan -q --db s.db "${lists[@]}" ais.nmea >out.jsonl 2>err || exit 1
        "$PEL" scan -q --db s.db --format csv >out.csv 2>>err || exit 1
        "$PEL" scan -q --db s.db --format geojson >out.geojson 2>>err || exit 1
    ) || { fail=$((fail + 1)); echo "FAIL scan-golden $name: scan failed: $(head -c 300 "$T/$name/err")"; continue; }
    for ext in jsonl csv geojson; do
        if [ $update = 1 ]; then
            cp "$T/$name/out.$ext" "$GOLD/$name.$ext"
            continue
        fi
        if cmp -s "$T/$name/out.$ext" "$GOLD/$name.$ext"; then
            pass=$((pass + 1)); echo "ok scan-golden $name.$ext"
        else
            fail=$((fail + 1)); echo "FAIL scan-golden $name.$ext:"
            diff "$GOLD/$name.$ext" "$T/$name/out.$ext" | head -10
        fi
    done
    [ $update = 1 ] && echo "updated $GOLD/$name.*"
done
[ $update = 1 ] && exit 0
echo "scan-golden: $pass passed, $fail failed"
[ $fail = 0 ]
