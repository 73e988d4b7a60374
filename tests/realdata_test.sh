#!/usr/bin/env bash
# realdata_test.sh -- the decoder on recorded real feeds (tests/data/real-world/,
# origins in its README), held to exact figures and to gpsd.
#
#   tests/realdata_test.sh            check; prints "realdata: N passed, M failed"
#   tests/realdata_test.sh --update   rewrite tests/data/realdata/decode_expected.tsv
#                                     from this build and gpsdecode (review with git diff)
#
# For every NMEA file under tests/data/real-world/ (*.nmea, *.txt, *.nm4,
# *.gz) the table tests/data/realdata/decode_expected.tsv holds, from
# `pelorus decode --count` and its summary line:
#   lines, messages, positions (types 1, 2, 3, 18, 19, 27) in all and by
#   type, rejected lines by reason, oversize payloads, tag blocks kept with
#   a failed checksum, messages by the clock of their time (none = no time)
# and the number of position reports gpsd's gpsdecode gives for the file.
# Each figure is compared exactly; gpsdecode is run again and must give the
# recorded figure; Pelorus must keep at least as many positions as gpsd; and
# every difference from gpsd must be explained, to the message, by "dev"
# entries in tests/data/realdata/deviations.txt (which must all be used).
# A file missing from the table is a failure, as is a missing gpsdecode or jq.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$BUILD/pelorus
DATA=tests/data/real-world
TABLE=tests/data/realdata/decode_expected.tsv
DEVS=tests/data/realdata/deviations.txt
update=0
[ "${1:-}" = "--update" ] && update=1
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok realdata $1"; }
bad() { fail=$((fail + 1)); echo "FAIL realdata $1"; }
for tool in gpsdecode jq; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "realdata: $tool not found (scripts/install-deps.sh installs it)"
        echo "realdata: 0 passed, 1 failed"
        exit 1
    fi
done
T=$(mktemp -d "${TMPDIR:-/tmp}/realdata.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

POS='["1","2","3","18","19","27"]'

# measure FILE: prints the table row of this build (without gpsd's figure)
measure() {
    local f=$1 rel=${1#"$DATA"/}
    "$PEL" decode --count "$f" >"$T/count" 2>"$T/sum" || return 1
    local sum
    sum=$(head -1 "$T/sum")
    local lines messages positions bytype
    lines=$(jq .lines "$T/count")
    messages=$(jq .messages "$T/count")
    positions=$(jq --argjson p "$POS" '[.by_type | to_entries[] | select(.key as $k | $p | index($k)) | .value] | add // 0' "$T/count")
    bytype=$(jq -r --argjson p "$POS" '[.by_type | to_entries[] | select(.key as $k | $p | index($k)) | "\(.key)=\(.value)"] | join(",") | if . == "" then "-" else . end' "$T/count")
    # the summary line: "... N messages (W with receive time: c1 n1, c2 n2); oversize O; tag_block_checksum B; rejected R (r1 n1, ...); ignored ..."
    local with clocks over tbc rej
    with=$(sed -n 's/.* messages (\([0-9]*\) with receive time.*/\1/p' <<<"$sum")
    clocks=$(sed -n 's/.* with receive time: \([^)]*\)).*/\1/p' <<<"$sum" | sed 's/ \([0-9]\)/=\1/g; s/, /,/g')
    [ "$messages" != "$with" ] && clocks="${clocks:+$clocks,}none=$((messages - with))"
    over=$(sed -n 's/.*; oversize \([0-9]*\);.*/\1/p' <<<"$sum")
    tbc=$(sed -n 's/.*; tag_block_checksum \([0-9]*\);.*/\1/p' <<<"$sum")
    rej=$(sed -n 's/.*; rejected [0-9]* (\([^)]*\));.*/\1/p' <<<"$sum" | sed 's/ \([0-9]\)/=\1/g; s/, /,/g')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rel" "$lines" "$messages" "$positions" "$bytype" \
        "${rej:--}" "$over" "$tbc" "${clocks:--}"
}

# gpsd_positions FILE: position reports gpsdecode prints for it
gpsd_positions() {
    case $1 in
    *.gz) gzip -dc "$1" ;;
    *) cat "$1" ;;
    esac | gpsdecode 2>/dev/null |
        jq -s '[.[] | select(.class == "AIS" and (.type == 1 or .type == 2 or .type == 3 or .type == 18 or .type == 19 or .type == 27))] | length'
}

files=$(find "$DATA" -type f \( -name '*.nmea' -o -name '*.txt' -o -name '*.nm4' -o -name '*.gz' \) | LC_ALL=C sort)
header='# file	lines	messages	positions	positions_by_type	rejected	oversize	tag_block_checksum	clocks	gpsd_positions'

if [ $update = 1 ]; then
    {
        echo "# decode_expected.tsv -- what \`pelorus decode\` gives for each recorded real feed, and"
        echo "# gpsd's count of position reports; written by tests/realdata_test.sh --update, checked"
        echo "# by tests/realdata_test.sh.  Review every change with git diff."
        echo "$header"
        for f in $files; do
            row=$(measure "$f") || { echo "realdata: decoding $f failed" >&2; exit 1; }
            printf '%s\t%s\n' "$row" "$(gpsd_positions "$f")"
        done
    } >"$T/table" && mv "$T/table" "$TABLE" && echo "updated $TABLE"
    exit 0
fi

[ -f "$TABLE" ] || { echo "realdata: $TABLE missing"; echo "realdata: 0 passed, 1 failed"; exit 1; }
[ -f "$DEVS" ] || { echo "realdata: $DEVS missing"; echo "realdata: 0 passed, 1 failed"; exit 1; }

# the deviations explained, per file: sum of "dev FILE +N reason" entries
declare -A explained=()
declare -A used=()
while read -r kw file delta reason; do
    [ "$kw" = dev ] || continue
    if [ -z "$reason" ] || ! [[ $delta =~ ^[+-][0-9]+$ ]]; then
        bad "deviations.txt: malformed entry for $file"
        continue
    fi
    explained[$file]=$((${explained[$file]:-0} + delta))
done < <(grep -v '^#' "$DEVS")

for f in $files; do
    rel=${f#"$DATA"/}
    want=$(awk -F'\t' -v f="$rel" '$1 == f' "$TABLE")
    if [ -z "$want" ]; then
        bad "$rel: not in $TABLE (run tests/realdata_test.sh --update and review)"
        continue
    fi
    got=$(measure "$f")
    if [ $? != 0 ]; then
        bad "$rel: pelorus decode failed"
        continue
    fi
    want_pel=$(cut -f1-9 <<<"$want")
    if [ "$got" = "$want_pel" ]; then
        ok "$rel: $(cut -f2-4 <<<"$got" | tr '\t' ' ') lines/messages/positions, clocks $(cut -f9 <<<"$got")"
    else
        bad "$rel: figures differ"
        paste <(tr '\t' '\n' <<<"${header#\# }" | head -9) <(tr '\t' '\n' <<<"$want_pel") <(tr '\t' '\n' <<<"$got") |
            awk -F'\t' '$2 != $3 {print "    " $1 ": expected " $2 ", got " $3}'
    fi
    gpsd_rec=$(cut -f10 <<<"$want")
    gpsd_now=$(gpsd_positions "$f")
    if [ "$gpsd_now" = "$gpsd_rec" ]; then ok "$rel: gpsdecode gives $gpsd_now positions, as recorded"; else
        bad "$rel: gpsdecode gives $gpsd_now positions, recorded $gpsd_rec"
    fi
    pel_pos=$(cut -f4 <<<"$got")
    if [ "$pel_pos" -ge "$gpsd_rec" ]; then ok "$rel: $pel_pos positions >= gpsd's $gpsd_rec"; else
        bad "$rel: $pel_pos positions < gpsd's $gpsd_rec"
    fi
    delta=$((pel_pos - gpsd_rec))
    exp=${explained[$rel]:-0}
    used[$rel]=1
    if [ "$delta" = "$exp" ]; then ok "$rel: difference from gpsd $delta, explained"; else
        bad "$rel: difference from gpsd $delta, deviations.txt explains $exp"
    fi
done
for file in "${!explained[@]}"; do
    [ -n "${used[$file]:-}" ] || bad "deviations.txt: entry for $file, which is not a tested file"
done
echo "realdata: $pass passed, $fail failed"
[ $fail = 0 ]
