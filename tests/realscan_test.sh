#!/usr/bin/env bash
# realscan_test.sh -- pelorus scan on recorded real feeds (tests/data/real-world/,
# origins in its README, and the NOAA Gulf of Mexico extract in
# ../shared/data/real/), held to the findings judged by hand in
# docs/real-data.md and to the rules of issue 11:
#
#   tests/realscan_test.sh            check; prints "realscan: N passed, M failed"
#   tests/realscan_test.sh --update   rewrite tests/data/realdata/scan_expected.tsv
#                                     from this build (review with git diff, and
#                                     judge every new finding in docs/real-data.md)
#
# Per file: the number of findings of each event and kind (confidence for
# list matches), exactly as in tests/data/realdata/scan_expected.tsv; and,
# whatever the counts, none of the findings that real data showed to be
# false:
#   - no identity or list finding resting on an IMO that is no IMO number
#     (0, 1073741823, fewer or more than seven digits, a wrong check digit):
#     no imo_shared, no IMO change, no match on such an IMO;
#   - no spoofing "invalid_imo" (a wrong IMO is a data_quality note);
#   - no impossible_speed or parallel_segments in the satellite files, whose
#     lines carry the collector's arrival time, nor in the GFW listener
#     file, whose stations' clocks disagree;
#   - no name-only list match for a vessel that broadcast a valid IMO other
#     than the entry's;
#   - no vessel ranked high on the NOAA extract;
#   - no finding ends before it starts; findings are byte-identical over two
#     scans of the same database.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$BUILD/pelorus
DATA=tests/data/real-world
NOAA=${PELORUS_REAL:-../shared/data/real}/noaa_marinecadastre_AIS_2022_01_03_first99999_gulf_tx_la.csv
TABLE=tests/data/realdata/scan_expected.tsv
update=0
[ "${1:-}" = "--update" ] && update=1
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok realscan $1"; }
bad() { fail=$((fail + 1)); echo "FAIL realscan $1"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi; }
T=$(mktemp -d "${TMPDIR:-/tmp}/realscan.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
if [ ! -f "$NOAA" ]; then
    echo "realscan: the NOAA extract is missing: $NOAA"
    echo "realscan: 0 passed, 1 failed"
    exit 1
fi

# the files: every recorded feed (text and gzip; the README is not one), then NOAA
files=()
while IFS= read -r f; do files+=("$f"); done < <(find "$DATA" -type f ! -name README.md | LC_ALL=C sort)
files+=("$NOAA")

# counts FINDINGS: "event/kind=n,..." sorted
counts() {
    jq -r '.event + (if .kind then "/" + .kind elif .field then "/" + .field else "" end)
           + (if .confidence then "/" + .confidence else "" end)' "$1" | LC_ALL=C sort | uniq -c |
        awk '{ printf "%s%s=%s", (NR > 1 ? "," : ""), $2, $1 } END { if (NR == 0) printf "-" }'
}

: >"$T/table"
for f in "${files[@]}"; do
    name=${f#"$DATA"/}
    [ "$f" = "$NOAA" ] && name=noaa/$(basename "$NOAA")
    db=$T/$(echo "$name" | tr '/' '_').db
    "$PEL" scan -q --db "$db" "$f" >"$T/f.jsonl" 2>"$T/err"; rc=$?
    # files no format reads (a text of mixed lines) are refused: that is their figure
    if [ $rc != 0 ] && grep -q "not understood" "$T/err"; then
        printf '%s\trefused\n' "$name" >>"$T/table"
        continue
    fi
    if [ $rc != 0 ]; then
        bad "$name: scan exits $rc: $(head -c 300 "$T/err")"
        continue
    fi
    printf '%s\t%s\n' "$name" "$(counts "$T/f.jsonl")" >>"$T/table"
    [ $update = 1 ] && continue

    # the rules, whatever the counts
    expect "$name: no imo_shared or IMO change on a number that is no IMO" 0 \
        "$(jq -s '[.[] | select(.event == "identity_change" and (.field == "imo_shared" or .field == "imo"))
                  | select(([.imo, .from, .to] | map(select(type == "number"))) as $v
                           | any($v[]; . < 1000000 or . > 9999999 or
                                 ((((. / 1000000 | floor) * 7 + ((. / 100000 | floor) % 10) * 6
                                    + ((. / 10000 | floor) % 10) * 5 + ((. / 1000 | floor) % 10) * 4
                                    + ((. / 100 | floor) % 10) * 3 + ((. / 10 | floor) % 10) * 2) % 10) != . % 10)))]
                  | length' "$T/f.jsonl")"
    expect "$name: no spoofing invalid_imo" 0 \
        "$(jq -s '[.[] | select(.event == "spoofing" and .kind == "invalid_imo")] | length' "$T/f.jsonl")"
    expect "$name: no finding ends before it starts" 0 "$(jq -s '[.[] | select(.end < .start)] | length' "$T/f.jsonl")"
    case $name in
    amsa-code__risky/exact-earth-*|GlobalFishingWatch__ais-listener/nmea-with-tagblock.txt)
        expect "$name: no impossible_speed or parallel_segments" 0 \
            "$(jq -s '[.[] | select(.kind == "impossible_speed" or .kind == "parallel_segments")] | length' "$T/f.jsonl")"
        ;;
    esac
    # a name alone never stands against the vessel's own valid IMO
    jq -r 'select(.event == "watchlist_match" and (.matched_on | index("imo") | not) and (.matched_on | index("mmsi") | not) and .entry_imo != null)
           | "\(.mmsi) \(.entry_imo)"' "$T/f.jsonl" >"$T/names"
    conflicts=0
    while read -r m imo; do
        other=$(sqlite3 "$db" "SELECT count(*) FROM identities WHERE mmsi = $m AND imo BETWEEN 1000000 AND 9999999 AND imo <> $imo
                               AND (imo / 1000000 * 7 + imo / 100000 % 10 * 6 + imo / 10000 % 10 * 5 + imo / 1000 % 10 * 4
                                    + imo / 100 % 10 * 3 + imo / 10 % 10 * 2) % 10 = imo % 10
                               AND NOT EXISTS (SELECT 1 FROM identities WHERE mmsi = $m AND imo = $imo)")
        [ "$other" -gt 0 ] && conflicts=$((conflicts + 1))
    done <"$T/names"
    expect "$name: no name-only match against the vessel's own valid IMO" 0 "$conflicts"
    "$PEL" scan -q --db "$db" >"$T/g.jsonl" 2>/dev/null
    cmp -s "$T/f.jsonl" "$T/g.jsonl"; expect "$name: a second scan gives the same bytes" 0 $?
    if [ "$f" = "$NOAA" ]; then
        expect "noaa: no vessel ranked high" 0 \
            "$("$PEL" vessels --rank --db "$db" --format jsonl 2>/dev/null | jq -s '[.[] | select(.level == "high")] | length')"
        expect "noaa: the US boats named like designated ships are low-confidence matches or none" 0 \
            "$(jq -s '[.[] | select(.event == "watchlist_match" and .confidence != "low")] | length' "$T/f.jsonl")"
    fi
done

if [ $update = 1 ]; then
    {
        echo "# file	findings by event/kind[/confidence] (tests/realscan_test.sh --update; each judged in docs/real-data.md)"
        cat "$T/table"
    } >"$TABLE"
    echo "realscan: wrote $TABLE ($(grep -vc '^#' "$TABLE") files)"
    exit 0
fi
while IFS=$'\t' read -r name want; do
    case $name in '#'*) continue ;; esac
    got=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$T/table")
    expect "$name: findings as judged" "$want" "$got"
done <"$TABLE"
expect "every file is in the table" "$(grep -vc '^#' "$TABLE")" "$(wc -l <"$T/table")"
echo "realscan: $pass passed, $fail failed"
[ $fail = 0 ]
