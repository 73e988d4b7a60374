#!/usr/bin/env bash
# incremental_test.sh -- an incremental scan finds what a full one finds
# (docs/incremental.md).  Each input -- the shipped scenarios (simulated
# with their own seeds), the Yellow Sea day, every recorded feed of
# tests/data/real-world/ and the NOAA extract -- is cut by lines into three
# parts (a CSV's header heads each part).  Part 1 is ingested and scanned
# (the scan keeps its state); then parts 2 and 3 in turn, each followed by
# a scan that judges from the state kept, compared byte for byte with
# `scan --full` of the same database; a last scan with nothing new must
# resume every vessel it can and find the same again.
# Prints "incremental: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$PWD/$BUILD/pelorus
NOAA=${PELORUS_REAL:-../shared/data/real}/noaa_marinecadastre_AIS_2022_01_03_first99999_gulf_tx_la.csv
T=$(mktemp -d "${TMPDIR:-/tmp}/incremental.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok incremental $1"; }
bad() { fail=$((fail + 1)); echo "FAIL incremental $1"; }

# case NAME FILE [late|station]: the three parts, then the scans; with
# "late", one line in ten of part 1 comes only with part 2 (data hours late,
# as from a satellite: positions before the cut the last scan kept); with
# "station", what station rSTN03 heard in the second fifth of the lines
# comes only with part 2 (a receiver's backlog: other vessels' gaps then
# have coverage the last scan did not see); with "hole", part 2 is the last
# fifth, after a hole of three tenths that part 3 fills (NMEA only)
case_() {
    local name=$1 file=$2 late=${3:-} d=$T/$1 ext=${2##*.} cat=cat
    mkdir -p "$d"
    case $file in *.gz) cat="gzip -dc"; ext=${file%.gz}; ext=${ext##*.} ;; esac
    $cat "$file" >"$d/all.$ext"
    local n head=0
    n=$(wc -l <"$d/all.$ext")
    [ "$ext" = csv ] && head=1
    local body=$((n - head)) a b fmt=()
    [ "$ext" = csv ] || fmt=(--format nmea) # a part may hold no whole sentence to tell it by
    a=$((head + body * 6 / 10)); b=$((head + body * 8 / 10))
    if [ "$late" = hole ]; then # part 2 after a hole in the data, part 3 fills it
        head -n "$((n / 2))" "$d/all.$ext" >"$d/p1.$ext"
        sed -n "$((b + 1)),\$p" "$d/all.$ext" >"$d/p2.$ext"
        sed -n "$((n / 2 + 1)),${b}p" "$d/all.$ext" >"$d/p3.$ext"
    elif [ "$late" = station ]; then
        awk -v a="$a" -v l0="$((n / 5))" -v l1="$((2 * n / 5))" \
            'NR <= a && !(NR > l0 && NR <= l1 && /^\\s:rSTN03,/)' "$d/all.$ext" >"$d/p1.$ext"
        awk -v a="$a" -v b="$b" -v l0="$((n / 5))" -v l1="$((2 * n / 5))" \
            '(NR > l0 && NR <= l1 && /^\\s:rSTN03,/) || (NR > a && NR <= b)' "$d/all.$ext" >"$d/p2.$ext"
    elif [ -n "$late" ]; then
        { head -n "$head" "$d/all.$ext"; sed -n "$((head + 1)),${a}p" "$d/all.$ext" | awk 'NR % 10 != 0'; } >"$d/p1.$ext"
        { head -n "$head" "$d/all.$ext"; sed -n "$((head + 1)),${a}p" "$d/all.$ext" | awk 'NR % 10 == 0'
          sed -n "$((a + 1)),${b}p" "$d/all.$ext"; } >"$d/p2.$ext"
    else
        { head -n "$a" "$d/all.$ext"; } >"$d/p1.$ext"
        { head -n "$head" "$d/all.$ext"; sed -n "$((a + 1)),${b}p" "$d/all.$ext"; } >"$d/p2.$ext"
    fi
    [ "$late" = hole ] || { head -n "$head" "$d/all.$ext"; sed -n "$((b + 1)),\$p" "$d/all.$ext"; } >"$d/p3.$ext"
    (
        cd "$d" || exit 1
        # a part with no whole sentence in it is refused as a whole: the
        # database is left as it was, which is a case like any other
        ing() { "$PEL" ingest -q --db s.db "${fmt[@]}" "$1" 2>ing.err || grep -q "not ingested" ing.err; }
        ing "p1.$ext" || exit 1
        "$PEL" scan -q --db s.db -o s1.jsonl 2>>err || exit 1
        for k in 2 3; do
            ing "p$k.$ext" || exit 1
            "$PEL" scan --db s.db -o inc$k.jsonl 2>inc$k.log || exit 1
            "$PEL" scan -q --full --db s.db -o full$k.jsonl 2>>err || exit 1
        done
        "$PEL" scan --db s.db -o again.jsonl 2>again.log || exit 1
    ) || { bad "$name: a step failed: $(head -c 300 "$d/err")"; return; }
    for k in 2 3; do
        if cmp -s "$d/inc$k.jsonl" "$d/full$k.jsonl"; then
            ok "$name: part $k: the incremental scan equals the full one ($(wc -l <"$d/full$k.jsonl") findings; $(grep -o "[0-9]* vessels judged from" "$d/inc$k.log" | cut -d" " -f1 | grep . || echo 0) vessels resumed)"
        else
            bad "$name: part $k: the incremental scan differs from the full one:"
            diff "$d/full$k.jsonl" "$d/inc$k.jsonl" | head -6
        fi
    done
    if cmp -s "$d/again.jsonl" "$d/full3.jsonl"; then
        ok "$name: a scan with nothing new finds the same"
    else
        bad "$name: a scan with nothing new differs"
    fi
}

for name in scenario_small scenario_hard scenario_coverage; do
    mkdir -p "$T/sim-$name"
    if "$PEL" simulate -q "examples/$name.json" --out "$T/sim-$name" 2>/dev/null; then
        case_ "$name" "$T/sim-$name/ais.nmea"
        case_ "$name-late" "$T/sim-$name/ais.nmea" late
    else
        bad "$name: cannot be simulated"
    fi
done
case_ yellow_sea_day examples/yellow_sea_day.nmea
# ten days of 400 vessels at ten messages a day (bench/gen_nmea.c): gaps
# judged against days of coverage, most of them kept from scan to scan
if gcc -O2 -std=c17 -o "$T/gen_nmea" bench/gen_nmea.c -lm 2>"$T/gen.err" &&
    "$T/gen_nmea" --sentences 40000 --vessels 400 --days 10 >"$T/gen10.nmea"; then
    case_ generated "$T/gen10.nmea"
    case_ generated-late "$T/gen10.nmea" late
    case_ generated-station "$T/gen10.nmea" station
    case_ generated-hole "$T/gen10.nmea" hole
else
    bad "bench/gen_nmea.c: cannot be built or run: $(head -c 300 "$T/gen.err")"
fi
while IFS= read -r f; do
    case_ "$(echo "${f#tests/data/real-world/}" | tr / _)" "$f"
done < <(find tests/data/real-world -type f ! -name README.md | LC_ALL=C sort)
if [ -f "$NOAA" ]; then case_ noaa "$NOAA"; case_ noaa-late "$NOAA" late; else bad "the NOAA extract is missing: $NOAA"; fi

# the summary says how much was judged again
grep -q "vessels judged from where the last scan left them" "$T/noaa/again.log" 2>/dev/null &&
    ok "noaa: a scan with nothing new says how many vessels it resumed" ||
    bad "noaa: a scan with nothing new resumed no vessel: $(cat "$T/noaa/again.log" 2>/dev/null)"
echo "incremental: $pass passed, $fail failed"
[ $fail -eq 0 ]
