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
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok incremental $1"; }
bad() { fail=$((fail + 1)); echo "FAIL incremental $1"; }

# case NAME FILE [late|station]: the three parts, then the scans; with
# "late", one line in ten of part 1 comes only with part 2 (data hours late,
# as from a satellite: positions before the cut the last scan kept); with
# "station", what station rSTN03 heard in the second fifth of the lines
# comes only with part 2 (a receiver's backlog: other vessels' gaps then
# have coverage the last scan did not see); with "hole", part 2 is the last
# fifth, after a hole of three tenths that part 3 fills (NMEA only); with
# "dup", part 2 is one line in three of part 1 heard again by another
# station (rSTN99): receptions that add no position to any track, only to
# the coverage map, which the gaps of part 1 are judged against (NMEA with
# tag blocks only)
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
    if [ "$late" = dup ]; then # part 2: part 1's lines again, from another station
        head -n "$a" "$d/all.$ext" >"$d/p1.$ext"
        python3 - "$d/p1.$ext" >"$d/p2.$ext" <<'PY'
import re, sys
for i, line in enumerate(open(sys.argv[1])):
    m = re.match(r"\\s:[^,*]*,(c:\d+)\*[0-9A-F]{2}\\(.*)", line.rstrip("\n"))
    if i % 3 == 0 and m:
        tag = "s:rSTN99," + m.group(1)
        cs = 0
        for ch in tag:
            cs ^= ord(ch)
        print("\\%s*%02X\\%s" % (tag, cs, m.group(2)))
PY
    elif [ "$late" = hole ]; then # part 2 after a hole in the data, part 3 fills it
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
        # the chunks of findings each state holds: those the incremental
        # scan left as they were must be those a full scan writes
        chunks() { sqlite3 s.db "SELECT mmsi, part, hex(value) FROM scan_chunks ORDER BY mmsi, part" >"$1" || exit 1; }
        for k in 2 3; do
            ing "p$k.$ext" || exit 1
            "$PEL" scan --db s.db -o inc$k.jsonl 2>inc$k.log || exit 1
            chunks chunks_inc$k
            "$PEL" scan -q --full --db s.db -o full$k.jsonl 2>>err || exit 1
            chunks chunks_full$k
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
    if [ "$late" = dup ]; then # the receptions heard again changed some judgement
        if cmp -s "$d/s1.jsonl" "$d/full2.jsonl"; then
            bad "$name: the receptions heard again changed no finding: the case proves nothing"
        else
            ok "$name: the receptions heard again changed $(diff "$d/s1.jsonl" "$d/full2.jsonl" | grep -c '^>') findings, as the full scan finds"
        fi
    fi
    local kept
    kept=$(grep -ho "[0-9]* chunks of findings (a vessel's week) left as they were" "$d"/inc[23].log | cut -d" " -f1 | paste -sd+ | bc)
    if cmp -s "$d/chunks_inc2" "$d/chunks_full2" && cmp -s "$d/chunks_inc3" "$d/chunks_full3"; then
        ok "$name: the chunks of findings kept for the next scan are a full scan's (${kept:-0} left as they were)"
    else
        bad "$name: the chunks of findings kept differ from a full scan's:"
        diff "$d/chunks_full2" "$d/chunks_inc2" | cut -c1-120 | head -4
        diff "$d/chunks_full3" "$d/chunks_inc3" | cut -c1-120 | head -4
    fi
    if cmp -s "$d/again.jsonl" "$d/full3.jsonl"; then
        ok "$name: a scan with nothing new finds the same"
    else
        bad "$name: a scan with nothing new differs"
    fi
    # ... and writes no chunk again
    if grep -q "chunks of findings (a vessel's week) left as they were, [1-9]" "$d/again.log"; then
        bad "$name: a scan with nothing new wrote chunks again: $(grep -o '[0-9]* written' "$d/again.log")"
    else
        ok "$name: a scan with nothing new writes no chunk ($(grep -o '[0-9]* chunks of findings' "$d/again.log" | cut -d' ' -f1 | grep . || echo 0) left as they were)"
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
    case_ generated-dup "$T/gen10.nmea" dup
else
    bad "bench/gen_nmea.c: cannot be built or run: $(head -c 300 "$T/gen.err")"
fi
while IFS= read -r f; do
    case_ "$(echo "${f#tests/data/real-world/}" | tr / _)" "$f"
done < <(find tests/data/real-world -type f ! -name README.md | LC_ALL=C sort)
# csv_case NAME: a directory for a case of three NOAA CSV parts, each part
# begun with the header (the awk of each case appends the rows); says its path
csv_case() {
    local d=$T/$1 k
    mkdir -p "$d"
    for k in 1 2 3; do
        echo "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass" >"$d/p$k.csv"
    done
    echo "$d"
}

# parts DIR: DIR/p1.csv ingested and scanned (s1.jsonl), then p2.csv and
# p3.csv in turn, each scanned incrementally (incK.jsonl) and in full
# (fullK.jsonl)
parts() {
    (
        cd "$1" || exit 1
        "$PEL" ingest -q --db s.db p1.csv 2>>err || exit 1
        "$PEL" scan -q --db s.db -o s1.jsonl 2>>err || exit 1
        for k in 2 3; do
            "$PEL" ingest -q --db s.db "p$k.csv" 2>>err || exit 1
            "$PEL" scan --db s.db -o "inc$k.jsonl" 2>"inc$k.log" || exit 1
            "$PEL" scan -q --full --db s.db -o "full$k.jsonl" 2>>err || exit 1
        done
    )
}

# parts_equal NAME DIR [PATTERN WHAT]: parts 2 and 3 of DIR (parts), each
# scanned incrementally, equal the full scan -- which, with PATTERN, has a
# line that matches it (WHAT)
parts_equal() {
    local name=$1 d=$2 pat=${3:-} what=${4:-} k
    for k in 2 3; do
        if cmp -s "$d/inc$k.jsonl" "$d/full$k.jsonl" && { [ -z "$pat" ] || grep -q "$pat" "$d/full$k.jsonl"; }; then
            ok "$name: part $k: the incremental scan equals the full one (${what:+$what; }$(wc -l <"$d/full$k.jsonl") findings)"
        else
            bad "$name: part $k: the incremental scan differs from the full one${what:+, or lacks $what}:"
            diff "$d/full$k.jsonl" "$d/inc$k.jsonl" | cut -c1-200 | head -6
        fi
    done
}

# two vessels side by side for a week, far from any port, in a NOAA CSV:
# 48 hours at 1.5 kn, then at 2.5 kn.  After three days (part 1) their run
# of close steps is an encounter (median 1.5 kn); after the week (part 2)
# it is none (median 2.5 kn).  A scan resumed inside the run -- at hour 48,
# where their loitering ended, so that only the encounter row's runs stop
# it -- would keep the encounter of the first three days.  Part 3, two days
# later, has them apart at 12 kn.
pairs() {
    local d
    d=$(csv_case pairs)
    awk -v dir="$d" 'BEGIN {
        lon = 115.0
        for (m = 0; m <= 216 * 60; m += 10) {
            h = m / 60
            if (h > 168 && h < 192) continue
            sog = h < 48 ? 1.5 : h <= 168 ? 2.5 : 12
            part = h < 72 ? 1 : h <= 168 ? 2 : 3
            t = sprintf("2024-01-%02dT%02d:%02d:00", 3 + int(h / 24), int(h) % 24, m % 60)
            for (v = 0; v < 2; v++)
                printf "%d,%s,%.6f,%.6f,%.1f,90.0,90,PAIR %d,,,70,0,100,20,8.0,,A\n", 412000101 + v, t, 15.0 + v * (h < 192 ? 0.0009 : 0.5), lon, sog, v >> (dir "/p" part ".csv")
            lon += sog * (10 / 60) / (60 * cos(15.0 * 3.14159265 / 180))
        }
    }'
    parts "$d" || { bad "pairs: a step failed: $(head -c 300 "$d/err")"; return; }
    local e1
    e1=$(grep -c '"event":"encounter"' "$d/s1.jsonl")
    [ "$e1" = 1 ] && ok "pairs: after three days, one encounter" || bad "pairs: after three days: $e1 encounters, not 1"
    parts_equal pairs "$d"
}
pairs
# three vessels, far from any port, in a NOAA CSV: A and B together at
# 1 kn for the first 8 hours (an encounter), then apart at 10 kn; A beside
# C at 10 kn from hour 12 on (close, never an encounter: too fast).  Every
# cut of A lies in its run with C, so A is paired whole, while B goes on
# from a cut a day before the end: the encounter of A and B, before B's cut,
# is kept as the last scan judged it (the later of the pair's two cuts
# decides, not A's).  Parts: to hour 72, to hour 96, to hour 120.
trio() {
    local d
    d=$(csv_case trio)
    awk -v dir="$d" 'BEGIN {
        la = lb = lc = 115.0
        k = 1 / (60 * cos(15.0 * 3.14159265 / 180)) * (10 / 60)
        for (m = 0; m <= 120 * 60; m += 10) {
            h = m / 60
            part = h < 72 ? 1 : h < 96 ? 2 : 3
            t = sprintf("2024-01-%02dT%02d:%02d:00", 3 + int(h / 24), int(h) % 24, m % 60)
            sa = h < 8 ? 1 : 10
            f = dir "/p" part ".csv"
            printf "412000201,%s,15.000000,%.6f,%.1f,90.0,90,TRIO A,,,70,0,100,20,8.0,,A\n", t, la, sa >> f
            printf "412000202,%s,%.6f,%.6f,%.1f,%.1f,90,TRIO B,,,70,0,100,20,8.0,,A\n", t, h < 8 ? 15.0009 : 15.0009 + (h - 8) * 0.02, lb, sa, h < 8 ? 90 : 10 >> f
            if (h >= 12)
                printf "412000203,%s,14.999100,%.6f,10.0,90.0,90,TRIO C,,,70,0,100,20,8.0,,A\n", t, la >> f
            la += sa * k
            lb += (h < 8 ? sa : 0) * k
        }
    }'
    parts "$d" || { bad "trio: a step failed: $(head -c 300 "$d/err")"; return; }
    parts_equal trio "$d" '"event":"encounter","mmsi":412000201,"mmsi2":412000202' "the encounter of A and B"
}
trio
# two vessels in the East China Sea dwell zone, far from any port, in a
# NOAA CSV: A drifts at 0.3 kn all along (a zone stay from its first
# position: no cut, judged whole every time), B beside it for the first 8
# hours (an encounter), then away north at 10 kn, out of the zone.  The
# encounter is kept in A's row (the lower MMSI): it must be read although A
# has no cut, for B goes on from its own.  Then the state is damaged: the
# scan judges the vessels whole, says how many it could not read, and
# finds the same again.
drift() {
    local d
    d=$(csv_case drift)
    awk -v dir="$d" 'BEGIN {
        la = lb = 125.4
        k = 1 / (60 * cos(31.0 * 3.14159265 / 180)) * (10 / 60)
        for (m = 0; m <= 120 * 60; m += 10) {
            h = m / 60
            part = h < 72 ? 1 : h < 96 ? 2 : 3
            t = sprintf("2024-01-%02dT%02d:%02d:00", 3 + int(h / 24), int(h) % 24, m % 60)
            f = dir "/p" part ".csv"
            printf "412000301,%s,31.000000,%.6f,0.3,90.0,90,DRIFT A,,,70,0,100,20,8.0,,A\n", t, la >> f
            printf "412000302,%s,%.6f,%.6f,%.1f,%.1f,90,DRIFT B,,,70,0,100,20,8.0,,A\n", t, h < 8 ? 31.0009 : 31.0009 + (h - 8) * 0.1667, lb, h < 8 ? 0.3 : 10, h < 8 ? 90 : 0 >> f
            la += 0.3 * k
            lb += (h < 8 ? 0.3 : 0) * k
        }
    }'
    parts "$d" || { bad "drift: a step failed: $(head -c 300 "$d/err")"; return; }
    parts_equal drift "$d" '"event":"encounter","mmsi":412000301,"mmsi2":412000302' "the encounter of A and B"
    # whole DAMAGED N: a scan of the damaged state exits 0, finds what the
    # full scan found, and says it judged N vessels whole
    whole() {
        "$PEL" scan --db "$d/s.db" -o "$d/$1.jsonl" 2>"$d/$1.log"
        local rc=$?
        [ $rc = 0 ] && cmp -s "$d/$1.jsonl" "$d/full3.jsonl" &&
            grep -q "the state kept for $2 vessels could not be read: judged whole" "$d/$1.log"
    }
    sqlite3 "$d/s.db" "UPDATE scan_vessels SET value = substr(value, 1, length(value) - 7)"
    whole damaged 2 && ok "drift: a damaged state: every vessel judged whole, said, the same findings" ||
        bad "drift: a damaged state: $(cat "$d/damaged.log")"
    # rows whole but their findings' chunks with their last bytes zeroed
    # (zstd's checksum fails), then a chunk missing; each time the next
    # state is whole again
    "$PEL" scan -q --db "$d/s.db" -o /dev/null 2>>"$d/err"
    local chunks
    chunks=$(sqlite3 "$d/s.db" "SELECT count(*) FROM scan_chunks WHERE mmsi IN (412000301, 412000302)")
    sqlite3 "$d/s.db" "UPDATE scan_chunks SET value = CAST(substr(value, 1, length(value) - 8) || zeroblob(8) AS BLOB)
                       WHERE mmsi IN (412000301, 412000302)"
    [ "$chunks" -ge 2 ] && whole zeroed 2 &&
        ok "drift: findings kept that do not decompress ($chunks chunks): said, judged whole, the same findings" ||
        bad "drift: findings kept that do not decompress ($chunks chunks): $(cat "$d/zeroed.log")"
    sqlite3 "$d/s.db" "DELETE FROM scan_chunks WHERE rowid = (SELECT min(rowid) FROM scan_chunks WHERE mmsi = 412000302)"
    whole missing 1 && ok "drift: a chunk of findings missing: said, its vessel judged whole, the same findings" ||
        bad "drift: a chunk of findings missing: $(cat "$d/missing.log")"
    # a row whose head claims 71 PB of findings (bytes 24-31: their length)
    "$PEL" scan -q --db "$d/s.db" -o /dev/null 2>>"$d/err"
    sqlite3 "$d/s.db" "UPDATE scan_vessels SET value = CAST(substr(value, 1, 24) || X'000000000000FF00' ||
                       substr(value, 33) AS BLOB) WHERE mmsi = 412000301"
    whole huge 1 && ok "drift: a row claiming more findings than memory holds: said, judged whole, the same findings" ||
        bad "drift: a row claiming more findings than memory holds: $(cat "$d/huge.log")"
    "$PEL" scan --db "$d/s.db" -o "$d/mended.jsonl" 2>"$d/mended.log"
    expect_ok=$?
    if [ $expect_ok = 0 ] && cmp -s "$d/mended.jsonl" "$d/full3.jsonl" && ! grep -q "could not be read" "$d/mended.log" &&
        grep -q "vessels judged from where the last scan left them" "$d/mended.log"; then
        ok "drift: the state after a damaged one is whole again: resumed, the same findings"
    else
        bad "drift: the state after a damaged one (exit $expect_ok): $(cat "$d/mended.log")"
    fi
}
drift

# twelve vessels heard every ten minutes for three days, save for 16 hours
# of day 2 in which nothing at all was heard (part 1): the gap row leaves
# their silences out as a hole in the data.  Part 2 brings what six of them
# sent in those hours, late: the feed was not silent, and the other six
# have gaps there -- though their own tracks did not change.  Part 3 is
# day 4 for all.
holes() {
    local d
    d=$(csv_case holes)
    awk -v dir="$d" 'BEGIN {
        for (v = 0; v < 12; v++)
            for (m = 0; m <= 96 * 60; m += 10) {
                h = m / 60
                t = sprintf("2024-01-%02dT%02d:%02d:00", 3 + int(h / 24), int(h) % 24, m % 60)
                line = sprintf("4120004%02d,%s,%.6f,%.6f,10.0,90.0,90,SHIP %d,,,70,0,100,20,8.0,,A", v, t, 30 + v * 0.05, 125 + m * 0.002, v)
                if (h >= 72) print line >> (dir "/p3.csv")
                else if (h < 30 || h >= 46) print line >> (dir "/p1.csv")
                else if (v < 6) print line >> (dir "/p2.csv")
            }
    }'
    parts "$d" || { bad "holes: a step failed: $(head -c 300 "$d/err")"; return; }
    local n1 n2
    n1=$(grep -c '"event":"gap"' "$d/s1.jsonl")
    n2=$(grep -c '"event":"gap"' "$d/full2.jsonl")
    [ "$n1" = 0 ] && [ "$n2" = 6 ] && ok "holes: gaps: 0 in the hole, 6 once it is filled" ||
        bad "holes: the gaps are not 0 then 6 ($n1, $n2)"
    parts_equal holes "$d"
}
holes

# seven vessels for ten days; six fall silent for 16 hours of day 2 while
# the seventh, X, goes on: their silences are gaps (the feed was heard).
# Part 2, the first half of day 11, has X named NET BUOY: it is fishing
# gear now, out of the feed all along its track, and those silences become
# a hole -- though no position of the six changed.  Part 3 is the rest of
# day 11.
gear() {
    local d
    d=$(csv_case gear)
    awk -v dir="$d" 'BEGIN {
        for (v = 0; v < 7; v++)
            for (m = 0; m < 264 * 60; m += 10) {
                h = m / 60
                if (v < 6 && h >= 30 && h < 46)
                    continue
                t = sprintf("2024-01-%02dT%02d:%02d:00", 3 + int(h / 24), int(h) % 24, m % 60)
                name = v < 6 ? sprintf("SHIP %d", v) : h >= 240 ? "NET BUOY" : "SHIP X"
                part = h < 240 ? 1 : h < 252 ? 2 : 3
                printf "4120005%02d,%s,%.6f,%.6f,0.6,90.0,90,%s,,,70,0,100,20,8.0,,A\n", v, t, 30 + v * 0.05, 125 + m * 0.0002, name >> (dir "/p" part ".csv")
            }
    }'
    parts "$d" || { bad "gear: a step failed: $(head -c 300 "$d/err")"; return; }
    local n1 n2
    n1=$(grep -c '"event":"gap"' "$d/s1.jsonl")
    n2=$(grep -c '"event":"gap"' "$d/full2.jsonl")
    [ "$n1" = 6 ] && [ "$n2" = 0 ] && ok "gear: gaps: 6 while X is a vessel, 0 once it is gear" ||
        bad "gear: the gaps are not 6 then 0 ($n1, $n2)"
    parts_equal gear "$d"
}
gear
if [ -f "$NOAA" ]; then case_ noaa "$NOAA"; case_ noaa-late "$NOAA" late; else bad "the NOAA extract is missing: $NOAA"; fi

# the summary says how much was judged again
grep -q "vessels judged from where the last scan left them" "$T/noaa/again.log" 2>/dev/null &&
    ok "noaa: a scan with nothing new says how many vessels it resumed" ||
    bad "noaa: a scan with nothing new resumed no vessel: $(cat "$T/noaa/again.log" 2>/dev/null)"
echo "incremental: $pass passed, $fail failed"
[ $fail -eq 0 ]
