#!/usr/bin/env bash
# scan_test.sh -- pelorus scan end to end on tests/data/scan/scenario.nmea,
# a day with known answers (see make.py there): each kind of finding is
# found where it was scripted, the innocent look-alikes are not reported,
# every finding points at real input lines, and the output is byte-identical
# across runs; a period (--from/--to) sees what meets it; the encounter
# detector's temporary file is left nowhere; fishing gear is left out and
# counted.  Prints "scan: N passed, M failed".
# PELORUS_TEST_BACKEND=pg runs it on a throwaway PostgreSQL cluster
# (tests/backend.sh), every check and value the same, none left out.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$BUILD/pelorus
. tests/backend.sh
be_start scan
T=$BUILD/scan-test
S=tests/data/scan/scenario.nmea
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok scan $1"; }
bad() { fail=$((fail + 1)); echo "FAIL scan $1"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi; }
count() { jq -s "[.[] | select($1)] | length" "$T/f.jsonl"; }

"$PEL" scan -q --db "$T/s.db" "$S" >"$T/f.jsonl"; expect "scan exits 0" 0 $?
jq -e . "$T/f.jsonl" >/dev/null 2>&1; expect "every line is JSON" 0 $?

# positives
expect "the transfer: one encounter of 412222000 and 445111000" 1 \
    "$(count '.event == "encounter" and .mmsi == 412222000 and .mmsi2 == 445111000 and .duration_h >= 2')"
# (one day of a dozen vessels: no cell on its path heard 3 other vessels
# outside the gap, so no cell can tell a hole from a switch-off: "sparse")
expect "445111000 goes dark: a gap with the draught changed, its cause sparse" 1 \
    "$(count '.event == "gap" and .mmsi == 445111000 and .duration_h >= 12 and .cause == "sparse" and .suspected == false and .draught_changed == true')"
expect "445333000 visits Nampo, a port of concern" 1 \
    "$(count '.event == "port_visit" and .mmsi == 445333000 and .port_concern == true')"
expect "412777000 loiters offshore" 1 "$(count '.event == "loitering" and .mmsi == 412777000 and .duration_h >= 4')"
expect "412888000 changes its name" 1 \
    "$(count '.event == "identity_change" and .mmsi == 412888000 and .field == "name" and .from == "SEA GLORY" and .to == "HAI XING 8"')"
expect "412888000 changes its call sign" 1 "$(count '.event == "identity_change" and .mmsi == 412888000 and .field == "callsign"')"
expect "445999000 is in two places at once" 1 \
    "$(count '.event == "spoofing" and .mmsi == 445999000 and .kind == "parallel_segments"')"
expect "445333000 enters the Nampo approach zone" 1 \
    "$([ "$(count '.event == "zone_entry" and .mmsi == 445333000')" -ge 1 ] && echo 1 || echo 0)"
expect "412999000 in a coverage hole: a gap, not suspected, nothing heard on its path" 1 \
    "$(count '.event == "gap" and .mmsi == 412999000 and .open == false and .suspected == false and .cause == "sparse" and .cells_heard == 0')"
expect "445333000 broadcasts an IMO with a wrong check digit: a data-quality note" 1 \
    "$(count '.event == "data_quality" and .mmsi == 445333000 and .kind == "invalid_imo" and .imo == 9012345 and .problem == "check_digit"')"
expect "a wrong IMO is not spoofing" 0 "$(count '.event == "spoofing" and .kind == "invalid_imo"')"
# negatives: the innocent look-alikes
expect "no encounter for the pair anchored in port" 0 "$(count '.event == "encounter" and .mmsi == 445444000')"
expect "no encounter for the pair trawlers at 3.5 kn" 0 "$(count '.event == "encounter" and .mmsi == 412555000')"
expect "no encounter for the crossing at 12 kn" 0 "$(count '.event == "encounter" and .mmsi == 412666000')"
expect "no loitering for the ships at anchor in port" 0 "$(count '.event == "loitering" and (.mmsi == 445444000 or .mmsi == 445444100)')"
expect "no gap for the two transmitters of 445999000" 0 "$(count '.event == "gap" and .mmsi == 445999000 and .open == false')"
expect "only the scripted encounter" 1 "$(count '.event == "encounter"')"
expect "no impossible speed but for the MMSI in two places" 0 \
    "$(count '.event == "spoofing" and .kind == "impossible_speed" and .mmsi != 445999000')"
# evidence: every finding cites lines that exist in the input
lines=$(wc -l <"$S")
expect "every finding has evidence" 0 "$(count '(.evidence | length) == 0')"
expect "every evidence line exists in the input" 0 \
    "$(jq -s --argjson n "$lines" '[.[].evidence[] | select(.line < 1 or .line > $n or .file != "'"$S"'")] | length' "$T/f.jsonl")"
# the scan's temporary files (the encounter detector's, the gaps', the
# findings'): in $TMPDIR, never left there; a TMPDIR where none can be made
# is an error that says so
mkdir -p "$T/tmp"
TMPDIR="$T/tmp" "$PEL" scan -q --db "$T/s.db" >"$T/tmp.jsonl"; expect "TMPDIR: exit 0" 0 $?
cmp -s "$T/f.jsonl" "$T/tmp.jsonl"; expect "TMPDIR: the same findings" 0 $?
expect "TMPDIR: nothing left in it" 0 "$(ls -A "$T/tmp" | wc -l)"
TMPDIR="$T/none" "$PEL" scan -q --db "$T/s.db" >/dev/null 2>"$T/tmp.err"; expect "no TMPDIR: exit 1" 1 $?
expect "no TMPDIR: the message says why" 1 \
    "$(grep -cE "(findings|gaps|encounters): cannot make a temporary file in $T/none: No such file or directory" "$T/tmp.err")"
# out of order and heard twice: the same day with every sentence received
# again by a second station (a tag block with the time only), and the second half of the
# day delivered before the first, gives the same findings (evidence aside)
mid=$(awk 'NR > 800 && /^\\/ && /!AIVDM,1,1,/ { print NR; exit }' "$S")
{ tail -n +"$mid" "$S"; head -n $((mid - 1)) "$S"; } >"$T/shuffled.nmea"
sed -e 's/\\s:rSTN\([0-9]*\),c:\([0-9]*\)\*[0-9A-F][0-9A-F]\\/\\c:\2\\/' "$S" >"$T/second_station.nmea"
"$PEL" scan -q --db "$T/mixed.db" "$T/shuffled.nmea" "$T/second_station.nmea" >"$T/mixed.jsonl"
jq -c 'del(.evidence, .evidence_total)' "$T/f.jsonl" >"$T/a.jsonl"
jq -c 'del(.evidence, .evidence_total)' "$T/mixed.jsonl" >"$T/b.jsonl"
cmp -s "$T/a.jsonl" "$T/b.jsonl"; expect "out-of-order and duplicated input: the same findings" 0 $?
[ $? = 0 ] || diff "$T/a.jsonl" "$T/b.jsonl" | head -6
dups=$("$PEL" db-dump --db "$T/mixed.db" | awk -F'|' '$1 == "vessel" { d += $10 } END { print d + 0 }')
[ "$dups" -gt 1000 ] && ok "the second reception of each report was removed ($dups)" || bad "only $dups duplicate receptions removed"
expect "no identity change for vessels that kept their identity" 0 \
    "$(count '.event == "identity_change" and .mmsi != 412888000')"

# determinism and the other formats
"$PEL" scan -q --db "$T/s.db" >"$T/f2.jsonl"
cmp -s "$T/f.jsonl" "$T/f2.jsonl"; expect "same database, byte-identical findings" 0 $?
rm -f "$T/s2.db"*
"$PEL" scan -q --db "$T/s2.db" "$S" >"$T/f3.jsonl"
cmp -s "$T/f.jsonl" "$T/f3.jsonl"; expect "a fresh run, byte-identical findings" 0 $?
"$PEL" scan -q --db "$T/s.db" --format geojson >"$T/f.geojson"
jq -e '.type == "FeatureCollection" and (.features | length) > 0' "$T/f.geojson" >/dev/null; expect "geojson parses" 0 $?
"$PEL" scan -q --db "$T/s.db" --format csv >"$T/f.csv"
expect "csv has a row per finding" "$(wc -l <"$T/f.jsonl")" "$(($(wc -l <"$T/f.csv") - 1))"
"$PEL" scan -q --db "$T/s.db" --set encounter.max_distance_m=100 >"$T/f4.jsonl"
expect "a setting changes the result (100 m: the 150 m transfer is not an encounter)" 0 \
    "$(jq -s '[.[] | select(.event == "encounter")] | length' "$T/f4.jsonl")"
"$PEL" scan -q --db "$T/s.db" --set no.such=1 >/dev/null 2>&1; expect "an unknown setting is a usage error (exit 2)" 2 $?
# identities: what identifies a ship and what does not (tests/data/identity/README)
"$PEL" scan -q --db "$T/id.db" tests/data/identity/identities.csv >"$T/id.jsonl"; expect "identities: scan exits 0" 0 $?
cmp -s "$T/id.jsonl" tests/data/identity/identities.expected.jsonl; expect "identities: the expected findings" 0 $?
[ $? = 0 ] || diff tests/data/identity/identities.expected.jsonl "$T/id.jsonl" | head -10
expect "identities: no finding ends before it starts" 0 "$(jq -s '[.[] | select(.end < .start)] | length' "$T/id.jsonl")"
expect "identities: the junk MMSIs are stored and built (0 included)" 3 \
    "$("$PEL" db-dump --db "$T/id.db" | grep -c '^vessel|\(0\|12345678\|31423000\)|0|')"
# fishing gear is no vessel: the Danish CSV's buoy (992191234, named BUOY 7) is left out and counted
"$PEL" scan --db "$T/gear.db" tests/data/csv/dma_aisdk.csv >"$T/gear.jsonl" 2>"$T/gear.err"
expect "gear: counted as left out" 1 "$(grep -c ': 31 vessels (1 of them fishing gear, left out), 2 findings' "$T/gear.err")"
expect "gear: no finding of the buoy" 0 "$(jq -s '[.[] | select(.mmsi == 992191234 or .mmsi2 == 992191234)] | length' \
    "$T/gear.jsonl")"
# a silence of the whole feed is a hole in the data, not a gap (tests/data/scan/holes.csv:
# three vessels heard on Jan 3 and Jan 20 only; on Jan 20-21 one is silent 40 h while
# the other two are heard every hour)
"$PEL" scan --db "$T/holes.db" tests/data/scan/holes.csv >"$T/holes.jsonl" 2>"$T/holes.err"
expect "holes: one gap, of the vessel silent while the feed was alive" "205200003 40 0.92" \
    "$(jq -r 'select(.event == "gap") | "\(.mmsi) \(.duration_h) \(.feed_hours_fraction)"' "$T/holes.jsonl" | tr '\n' ' ' | sed 's/ $//')"
expect "holes: the three silences across the hole are counted" 1 "$(grep -c '3 silences left out (the whole feed was silent)' "$T/holes.err")"
"$PEL" scan -q --db "$T/holes.db" --set gap.min_feed_fraction=0 >"$T/holes0.jsonl"
expect "holes: gap.min_feed_fraction=0 reports them all" 4 "$(jq -s '[.[] | select(.event == "gap")] | length' "$T/holes0.jsonl")"
# receiver footprints: station rx-a hears five vessels over 35-36N 125-126E for
# a day (600 receptions in 64 cells); 412000999 is heard by it twice at 10N 100E,
# 3,600 km away: out of its footprint.  rx-b, heard 3 times, has no footprint.
awk 'BEGIN { print "MMSI,TIME,LAT,LON,SRC"
    for (i = 0; i < 600; i++) { m = 412000100 + i % 5; printf "%d,%d,%.4f,%.4f,rx-a\n", m, 1700000000 + i * 120, 35 + (i % 8) * 0.125 + 0.06, 125 + int(i / 8) % 8 * 0.125 + 0.06 }
    printf "412000999,1700030000,10.0,100.0,rx-a\n412000999,1700030600,10.05,100.05,rx-a\n"
    for (i = 0; i < 3; i++) printf "412000998,%d,20.0,110.0,rx-b\n", 1700000000 + i * 600 }' >"$T/fp.csv"
"$PEL" scan -q --db "$T/fp.db" --columns mmsi=MMSI,time=TIME,lat=LAT,lon=LON,source=SRC "$T/fp.csv" >"$T/fp.jsonl" 2>/dev/null
expect "footprint: one out_of_footprint, 412000999 by rx-a, its two positions as evidence" "412000999 rx-a 2 602,603" \
    "$(jq -r 'select(.kind == "out_of_footprint") | "\(.mmsi) \(.station) \(.positions) \([.evidence[].line] | map(tostring) | join(","))"' "$T/fp.jsonl" | tr '\n' ' ' | sed 's/ $//')"
"$PEL" scan -q --db "$T/fp.db" --set footprint.margin_km=5000 >"$T/fp2.jsonl"
expect "footprint: footprint.margin_km=5000 lets it be" 0 "$(jq -s '[.[] | select(.kind == "out_of_footprint")] | length' "$T/fp2.jsonl")"
# a period (--from/--to): one covering the data is the whole scan; one that
# begins inside 445111000's gap still sees the gap (its last position before
# the period is kept) and reports nothing that ends before it
"$PEL" scan -q --db "$T/s.db" --from 2000-01-01T00:00:00Z --to 2100-01-01T00:00:00Z >"$T/p0.jsonl"
cmp -s "$T/f.jsonl" "$T/p0.jsonl"; expect "period covering the data: the whole scan, byte for byte" 0 $?
G0=$(jq -r 'select(.event == "gap" and .mmsi == 445111000) | .start' "$T/f.jsonl")
G1=$(jq -r 'select(.event == "gap" and .mmsi == 445111000) | .end' "$T/f.jsonl")
FROM=$(( $(date -u -d "$G0" +%s) + 3600 ))
"$PEL" scan -q --db "$T/s.db" --from "$FROM" >"$T/p1.jsonl"; expect "period: exit 0" 0 $?
expect "period from inside a gap: the gap, from the position before the period" "$G0 $G1" \
    "$(jq -r 'select(.event == "gap" and .mmsi == 445111000) | "\(.start) \(.end)"' "$T/p1.jsonl")"
expect "period: nothing that ends before it" 0 \
    "$(jq -r --argjson f "$FROM" 'select((.end | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) < $f)' "$T/p1.jsonl" | wc -l)"
expect "period: fewer findings than the whole" 1 "$([ "$(wc -l <"$T/p1.jsonl")" -lt "$(wc -l <"$T/f.jsonl")" ] && echo 1 || echo 0)"
"$PEL" scan -q --db "$T/s.db" --from 2024-01-02T00:00:00Z --to 2024-01-01T00:00:00Z >/dev/null 2>&1
expect "period: --from after --to is a usage error" 2 $?

# the findings wait in a temporary file (pel_scan spills them, a MiB at a
# time): 1,000 vessels heard hourly for three days, each silent 14 h at its
# own time, give 1,000 gaps (1.4 MB of JSON).  When the file cannot grow
# (a file size limit of 512 KiB stands for a full /tmp; SQLite's own files
# stay under it) the scan fails with the reason and writes nothing.
awk 'BEGIN { print "MMSI,TIME,LAT,LON"
    for (i = 0; i < 1000; i++) { s = 10 + i % 40
        for (h = 0; h < 72; h++) if (h < s || h >= s + 14)
            printf "%d,%d,%.4f,%.4f\n", 412100000 + i, 1700000000 + h * 3600 + i, 10 + (i % 50) * 0.3, 150 + int(i / 50) * 0.5 + h * 0.17 } }' >"$T/many.csv"
"$PEL" scan -q --db "$T/many.db" --columns mmsi=MMSI,time=TIME,lat=LAT,lon=LON "$T/many.csv" >"$T/many.jsonl"
expect "many gaps: 1,000, one a vessel, in order" "1000 1000 true" \
    "$(jq -s '[length, ([.[].mmsi] | unique | length), ([.[] | .start] == ([.[] | .start] | sort))] | map(tostring) | join(" ")' -r "$T/many.jsonl")"
# (--full: every gap judged again, as the first scan did, not kept from it)
(trap '' XFSZ; ulimit -f 512; "$PEL" scan -q --full --db "$T/many.db" >"$T/full.jsonl" 2>"$T/full.err"; echo $? >"$T/full.rc")
expect "a full temporary file: exit 1, the reason said" "1 1" \
    "$(cat "$T/full.rc") $(grep -cE "temporary file(: writing)?: File too large" "$T/full.err")"
expect "a full temporary file: nothing written" 0 "$(wc -c <"$T/full.jsonl")"

echo "scan: $pass passed, $fail failed"
[ $fail = 0 ]
