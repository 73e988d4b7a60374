#!/usr/bin/env bash
# pg_qgis_test.sh -- the PostGIS layers as QGIS itself reads them (issue 15):
# QGIS 3.22's PostGIS provider, headless (Debian's python3-qgis,
# tests/tools/qgis_layers.py), on a throwaway cluster (scripts/pg_cluster.sh,
# stopped by a trap on any exit).  scenario_small is scanned into a
# database by its owner, the team's roles loaded (src/store/pg_roles.sql),
# and QGIS connects as an analyst (alice, IN ROLE pelorus_analyst).  Checked:
#   1. the browser lists track_days (LineString) and findings (Point and
#      LineString: the column holds both), EPSG:4326, with their keys;
#   2. each layer loads valid, with as many features as SQL counts, and the
#      same keys; the findings with a place are those of the scan's output
#      that have a lat and lon, and a finding's line attribute is its line
#      of the output byte for byte;
#   3. a map view's box draws the features whose box meets it (SQL &&),
#      through the spatial index;
#   4. the temporal controller (start_at, end_at) keeps the findings that
#      meet a period.
# Prints "pg-qgis: N passed, M failed".  Usage: tests/pg_qgis_test.sh (BUILD=build)
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
BUILD=${BUILD:-build}
PEL=$ROOT/$BUILD/pelorus
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok pg-qgis $1"; }
bad() { fail=$((fail + 1)); echo "FAIL pg-qgis $1"; }
check() { # description command...
    local d=$1; shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
dir=$(mktemp -d /tmp/pelorus-pgq.XXXXXX)
T=$(mktemp -d "${TMPDIR:-/tmp}/pg-qgis.XXXXXX")
trap '"$ROOT/scripts/pg_cluster.sh" stop "$dir" || true; rm -rf "$dir" "$T"' EXIT
trap 'exit 1' INT TERM HUP
if ! conn=$(scripts/pg_cluster.sh start "$dir"); then
    bad "the cluster starts (scripts/install-deps.sh installs PostgreSQL 15 and PostGIS)"
    echo "pg-qgis: $pass passed, $fail failed"
    exit 1
fi
if ! /usr/bin/python3 -c 'import qgis.core' 2>/dev/null; then
    bad "QGIS's Python bindings import (scripts/install-deps.sh installs python3-qgis)"
    echo "pg-qgis: $pass passed, $fail failed"
    exit 1
fi
psql "$conn" -X -q -c "CREATE DATABASE q" >/dev/null
uri="postgresql:///q${conn#postgresql:///postgres}"
psql "$uri" -X -q -c 'CREATE EXTENSION postgis' >/dev/null
sql() { psql "$uri" -X -q -A -t -c "$1"; }
cd "$T" || exit 1
"$PEL" simulate -q "$ROOT/examples/scenario_small.json" --out sim
"$PEL" scan -q --db "$uri" sim/ais.nmea >s.jsonl
check "the scan gives findings" test "$(wc -l <s.jsonl)" -gt 10
psql "$uri" -X -q -v ON_ERROR_STOP=1 -f "$ROOT/src/store/pg_roles.sql" >/dev/null 2>&1
sql "CREATE ROLE alice LOGIN IN ROLE pelorus_analyst" >/dev/null
QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$T" /usr/bin/python3 "$ROOT/tests/tools/qgis_layers.py" "$dir" q alice \
    >q.out 2>q.err
check "QGIS's run exits 0" test $? = 0
line() { grep "^$1 " q.out; }
# 1. the browser
check "listed: track_days, LineString, EPSG:4326, key mmsi,day" \
    test "$(line 'listed track_days')" = "listed track_days LineString EPSG:4326 mmsi,day"
check "listed: findings as Point and LineString, key finding_id" test "$(line 'listed findings' | tr '\n' '|')" = \
    "listed findings LineString EPSG:4326 finding_id|listed findings Point EPSG:4326 finding_id|"
check "listed: no other layer" test "$(grep -c '^listed' q.out)" = 3
# 2. the layers
for l in "track_days LineString" "findings Point" "findings LineString"; do
    set -- $l
    case $1/$2 in
    track_days/*) where="true" key="mmsi || '/' || to_char(day, 'YYYY-MM-DD')" ;;
    findings/Point) where="geometrytype(geom) = 'POINT'" key=finding_id ;;
    *) where="geometrytype(geom) = 'LINESTRING'" key=finding_id ;;
    esac
    n=$(sql "SELECT count(*) FROM pelorus.$1 WHERE $where")
    check "$1 $2 loads valid with its $n features, EPSG:4326" test "$(line "layer $1 $2")" = "layer $1 $2 valid $n EPSG:4326"
    check "$1 $2: the same keys as SQL" test "$(line "ids $1 $2")" = \
        "ids $1 $2 $(sql "SELECT string_agg(k, ' ' ORDER BY k COLLATE \"C\") FROM (SELECT $key AS k FROM pelorus.$1 WHERE $where) x")"
    nb=$(sql "SELECT count(*) FROM pelorus.$1 WHERE $where AND geom && ST_MakeEnvelope(124, 36, 126, 39, 4326)")
    check "$1 $2: a map view of 124,36,126,39 draws $nb" test "$(line "bbox $1 $2")" = "bbox $1 $2 124,36,126,39 $nb"
done
check "track_days: some day drawn outside the box too" test "$(sql 'SELECT count(*) FROM pelorus.track_days')" -gt \
    "$(line 'bbox track_days' | awk '{ print $NF }')"
placed=$(jq -r 'select(.lat != null and .lon != null) | .finding_id' s.jsonl | LC_ALL=C sort | tr '\n' ' ')
got=$( (line 'ids findings Point'; line 'ids findings LineString') | cut -d' ' -f4- | tr ' ' '\n' | grep . | LC_ALL=C sort | tr '\n' ' ')
check "the findings drawn are the scan's findings with a place ($(echo $placed | wc -w))" test "$got" = "$placed"
check "some finding has no place (and no feature)" test "$(wc -l <s.jsonl)" -gt "$(echo $placed | wc -w)"
fails=0
while read -r _ id rest; do
    grep -qxF "$rest" s.jsonl && jq -e --arg id "$id" 'select(.finding_id == $id)' <<<"$rest" >/dev/null || fails=$((fails + 1))
done < <(line line)
check "a finding's line attribute is its line of the scan's output, byte for byte" test $fails = 0 -a "$(line line | wc -l)" = 2
# 4. the temporal controller
for g in Point LineString; do
    w=$([ $g = Point ] && echo POINT || echo LINESTRING)
    nt=$(sql "SELECT count(*) FROM pelorus.findings WHERE geometrytype(geom) = '$w' AND start_at <= '2024-03-01T20:00:00Z' AND end_at >= '2024-03-01T06:00:00Z'")
    check "findings $g: the temporal controller keeps the $nt that meet 06:00-20:00" \
        test "$(line "time findings $g")" = "time findings $g 2024-03-01T06:00:00Z 2024-03-01T20:00:00Z $nt"
done
[ $fail = 0 ] || { echo "QGIS's output:"; cat q.out; tail -5 q.err; }
echo "pg-qgis: $pass passed, $fail failed"
[ $fail = 0 ]
