#!/usr/bin/env bash
# screen_test.sh -- sanctions screening end to end: the shipped OFAC list
# finds a designated IMO under a new name, a spacing variant of a designated
# name, and a designated name used months before a new one, each with its
# reasons; near misses are not reported; list imports are whole or nothing.
# Prints "screen: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$BUILD/pelorus
T=$BUILD/screen-test
S=../shared/data/sanctions
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok screen $1"; }
bad() { fail=$((fail + 1)); echo "FAIL screen $1"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi; }
count() { jq -s "[.[] | select($1)] | length" "$2"; }

"$PEL" ingest -q --db "$T/s.db" tests/data/screen/identities.nmea
"$PEL" screen --db "$T/s.db" --format jsonl >"$T/m.jsonl" 2>/dev/null; expect "screen exits 0" 0 $?
expect "a designated IMO under a new name (ANGARA's IMO as NEW DAWN)" 1 \
    "$(count '.mmsi == 312000001 and .entry_name == "ANGARA" and .matched_on == ["imo"] and .identity_name == "NEW DAWN" and .score == 1' "$T/m.jsonl")"
expect "a spacing variant of a designated name (YUJONG 2 ~ YU JONG 2)" 1 \
    "$(count '.mmsi == 412000002 and .entry_name == "YU JONG 2" and .matched_on == ["name"] and .matched_name == "YU JONG 2"' "$T/m.jsonl")"
expect "a designated name used months ago (SAM JONG 2, then PEACEFUL SEA)" 1 \
    "$(count '.mmsi == 412000003 and .entry_name == "SAM JONG 2" and .start == "2023-11-14T22:13:20Z" and .identity_name == "SAM JONG 2"' "$T/m.jsonl")"
expect "the later, innocent name of that vessel is not a match" 0 "$(count '.identity_name == "PEACEFUL SEA"' "$T/m.jsonl")"
expect "near miss: JI SONG 9 matches neither JI SONG 6 nor 8" 0 "$(count '.mmsi == 412000004' "$T/m.jsonl")"
expect "near miss: OCEAN alone" 0 "$(count '.mmsi == 412000005' "$T/m.jsonl")"
expect "near miss: YU JONG without its hull number" 0 "$(count '.mmsi == 412000006' "$T/m.jsonl")"
expect "every match cites the input line of the identity" 0 \
    "$(jq -s '[.[] | select((.evidence | length) == 0 or .evidence[0].file != "tests/data/screen/identities.nmea")] | length' "$T/m.jsonl")"
"$PEL" scan -q --db "$T/s.db" >"$T/f.jsonl"
expect "scan reports them as watchlist_match findings" 3 "$(count '.event == "watchlist_match"' "$T/f.jsonl")"

# imports: the full OFAC file with its aliases; again (skipped); a broken list (nothing loaded)
"$PEL" watchlist import --db "$T/s.db" "$S/ofac_sdn_20240503.csv" "$S/ofac_alt_vessels_20250811.csv" 2>"$T/imp.err"
expect "import of the full OFAC list exits 0" 0 $?
grep -q '851 vessel entries imported' "$T/imp.err"; expect "851 OFAC vessel entries" 0 $?
"$PEL" watchlist import --db "$T/s.db" "$S/ofac_sdn_20240503.csv" "$S/ofac_alt_vessels_20250811.csv" 2>"$T/imp2.err"
grep -q 'already imported' "$T/imp2.err"; expect "the same list again is skipped" 0 $?
head -c 3000 "$S/ofac_sdn_vessels_20240503.csv" >"$T/broken.csv"
printf '99999,"BROKEN' >>"$T/broken.csv"
"$PEL" watchlist import --db "$T/s.db" "$T/broken.csv" 2>"$T/bad.err"; expect "a malformed list exits 1" 1 $?
grep -q 'line' "$T/bad.err"; expect "the error names the line" 0 $?
"$PEL" watchlist show --db "$T/s.db" >"$T/show.txt"
expect "only the good list is loaded" 1 "$(grep -c 'vessels (' "$T/show.txt")"
grep -q '851 vessels (846 with an IMO number' "$T/show.txt"; expect "show gives the counts" 0 $?
"$PEL" screen --db "$T/s.db" --format jsonl >"$T/m2.jsonl" 2>/dev/null
expect "the imported list finds the same three" 3 "$(jq -s 'length' "$T/m2.jsonl")"
echo "screen: $pass passed, $fail failed"
[ $fail = 0 ]
