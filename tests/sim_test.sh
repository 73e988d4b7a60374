#!/usr/bin/env bash
# sim_test.sh -- pelorus simulate, scan and eval in sequence on every shipped
# scenario, held to the precision and recall measured and reported for them
# (tests/data/sim/expected_*.tsv); determinism; a clean stream decodes
# without a reject; scenario mistakes are named.  Prints "sim: N passed, M
# failed".  Usage: tests/sim_test.sh [BUILD]
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
P=$BUILD/pelorus
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok sim $*"; }
bad() { fail=$((fail + 1)); echo "FAIL sim $*"; }
check() { # description command...
    local d=$1; shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}

# ---- every shipped scenario: simulate, scan, eval, held to the measured figures ----
for name in small hard coverage; do
    S=$T/$name
    if ! $P simulate -q "examples/scenario_$name.json" --out "$S"; then
        bad "$name: simulate failed"
        continue
    fi
    for f in ais.nmea truth.jsonl vessels.csv watchlist.csv; do
        check "$name: wrote $f" test -s "$S/$f"
    done
    check "$name: every truth line has id, event, mmsi, start, end, why" \
        jq -e -s 'length > 0 and all(.[]; has("id") and has("event") and has("mmsi") and has("start") and has("end") and has("why"))' "$S/truth.jsonl" >/dev/null
    if ! $P scan -q --db "$S/db" --watchlist "$S/watchlist.csv" "$S/ais.nmea" >"$S/findings.jsonl" 2>"$S/scan.err"; then
        bad "$name: scan failed: $(cat "$S/scan.err")"
        continue
    fi
    $P eval --json "$S/truth.jsonl" "$S/findings.jsonl" >"$S/eval.jsonl" 2>/dev/null
    check "$name: eval --json gives rows" test -s "$S/eval.jsonl"
    while IFS=$'\t' read -r ev minp minr; do
        case "$ev" in '#'* | '') continue ;; esac
        got=$(jq -r --arg e "$ev" 'select(.event == $e) | "\(.precision) \(.recall)"' "$S/eval.jsonl")
        if [ -z "$got" ]; then
            bad "$name: no $ev row in the evaluation"
            continue
        fi
        set -- $got
        if awk -v p="$1" -v r="$2" -v mp="$minp" -v mr="$minr" \
            'BEGIN { exit !(p != "null" && r != "null" && p + 1e-9 >= mp && r + 1e-9 >= mr) }'; then
            ok "$name: $ev precision $1 >= $minp, recall $2 >= $minr"
        else
            bad "$name: $ev precision $1 (min $minp), recall $2 (min $minr)"
            $P eval "$S/truth.jsonl" "$S/findings.jsonl" 2>/dev/null | sed -n '/^missed/,$p' | head -20
        fi
    done <"tests/data/sim/expected_$name.tsv"
    # no event in the evaluation that the expectations do not hold
    extra=$(jq -r .event "$S/eval.jsonl" | while read -r e; do grep -q "^$e	" "tests/data/sim/expected_$name.tsv" || echo "$e"; done)
    check "$name: every evaluated event has an expectation ($extra)" test -z "$extra"
    # --min-f1 turns the result into the exit status
    check "$name: eval --min-f1 1 passes" $P eval -q --min-f1 1 "$S/truth.jsonl" "$S/findings.jsonl" >/dev/null
done

# ---- the causes of silence (examples/scenario_coverage.json, issue 12) ----
C=$T/coverage
if [ -s "$C/findings.jsonl" ]; then
    cause_of() { jq -r --argjson m "$1" 'select(.event == "gap" and .mmsi == $m) | .cause' "$C/findings.jsonl" | tr '\n' ' ' | sed 's/ $//'; }
    check "coverage: dark in a busy box where others kept being heard: dark" test "$(cause_of 412300001)" = dark
    check "coverage: dark where the station's lines arrive 6 h late: dark" test "$(cause_of 440300003)" = dark
    check "coverage: dark far from any traffic: sparse" test "$(cause_of 538300002)" = sparse
    check "coverage: dark where only satellite passes hear: sparse" test "$(cause_of 636300004)" = sparse
    # inside the hole over the west box, 10-15 km from traffic that kept being heard: not dark
    check "coverage: sailing inside a hole near its edge: coverage" test "$(cause_of 412300005)" = coverage
    # every other gap is a background vessel served by rx-east while it was down
    check "coverage: the station outage: 14 gaps, each coverage, none dark" test \
        "$(jq -r 'select(.event == "gap" and (.mmsi | tostring | test("^4123000(01|05)|440300003|538300002|636300004$") | not)) | .cause' "$C/findings.jsonl" | sort | uniq -c | tr -s ' ')" = " 14 coverage"
    check "coverage: rx-late's lines arrive hours after their time" test \
        "$(awk -F'c:' '/s:rx-late/ { split($2, a, "*"); t = a[1] + 0; if (t < last - 3600) n++ } { if (match($0, /c:[0-9]+/)) { v = substr($0, RSTART + 2, RLENGTH - 2) + 0; if (v > last) last = v } } END { print (n > 0) }' "$C/ais.nmea")" = 1
    check "coverage: sat-1 heard only in passes of 8 min every 90 min" test \
        "$(grep 's:sat-1' "$C/ais.nmea" | sed 's/^\\s:[^,]*,c:\([0-9]*\).*/\1/' | awk '{ m = int(($1 - 1714521600) / 60 - 20); m = (m % 90 + 90) % 90; if (m >= 8) bad++ } END { print bad + 0 }')" = 0
fi


# the small scenario shows every kind of finding (it is the README's demo)
S=$T/small
for ev in encounter loitering gap port_visit zone_entry spoofing identity_change watchlist_match; do
    check "small: has a $ev finding" grep -q "\"event\":\"$ev\"" "$S/findings.jsonl"
done
# the reflag: one ship under two MMSIs (a link), no open gap on the old MMSI
check "small: reflag is an identity_change mmsi 667001111 -> 511101111" \
    jq -e -s '[.[] | select(.event == "identity_change" and .field == "mmsi" and .mmsi == 667001111 and .mmsi2 == 511101111 and .from == 667001111 and .to == 511101111 and .flag_changed == true and (.evidence | length) == 4)] | length == 1' "$S/findings.jsonl" >/dev/null
check "small: no gap on the old MMSI 667001111" \
    jq -e -s '[.[] | select(.event == "gap" and .mmsi == 667001111)] | length == 0' "$S/findings.jsonl" >/dev/null
$P vessel --db "$S/db" 511101111 >"$T/chain.txt" 2>&1
check "small: pelorus vessel shows the chain with its evidence" \
    grep -q -A6 '^one ship under 2 MMSIs' "$T/chain.txt"
check "small: the chain names both MMSIs and the lines" sh -c "grep -A6 '^one ship under 2 MMSIs' '$T/chain.txt' | tr -s ' ' | grep -q -e '-> went on as 511101111 after 0.07 h' && grep -q 'ais.nmea:26002' '$T/chain.txt' && grep -q 'ais.nmea:26092' '$T/chain.txt' && grep -q '^ *667001111 ' '$T/chain.txt'"
$P vessel --db "$S/db" 445110001 >"$T/nochain.txt" 2>&1
check "small: a ship of one MMSI has no chain" sh -c "! grep -q 'one ship under' '$T/nochain.txt'"
# tests/data/sim/reflag.json: a re-flag at sea (IMO), and one without an IMO
# during a 14-hour dark spell: two changes of MMSI, one gap of cause
# identity (closed by the new MMSI), no open gap, one ranked row per ship
R=$T/reflag
if $P simulate -q tests/data/sim/reflag.json --out "$R" &&
    $P scan -q --db "$R/db" "$R/ais.nmea" >"$R/findings.jsonl" 2>/dev/null; then
    check "reflag: eval 1.000 (2 changes of MMSI, 1 gap of cause identity)" sh -c \
        "$P eval -q --min-f1 1 '$R/truth.jsonl' '$R/findings.jsonl' >/dev/null && test \$(wc -l <'$R/truth.jsonl') = 3"
    check "reflag: the dark hop is linked on name, call sign and size" \
        jq -e -s '[.[] | select(.event == "identity_change" and .field == "mmsi" and .mmsi == 413300002 and .mmsi2 == 511300002 and .matched_on == ["name","callsign","size"] and .imo == null and .silence_h == 14)] | length == 1' "$R/findings.jsonl" >/dev/null
    check "reflag: its gap ends at the new MMSI, cause identity, not suspected, not open" \
        jq -e -s '[.[] | select(.event == "gap")] | length == 1 and .[0].mmsi == 413300002 and .[0].mmsi2 == 511300002 and .[0].cause == "identity" and .[0].suspected == false and .[0].open == false' "$R/findings.jsonl" >/dev/null
    $P vessels --rank --db "$R/db" --format csv >"$R/rank.csv" 2>/dev/null
    check "reflag: vessels --rank has one row per ship, naming its MMSIs" sh -c \
        "grep -q ',412300001 667300001\$' '$R/rank.csv' && grep -q ',413300002 511300002\$' '$R/rank.csv' && ! grep -q '^[0-9]*,667300001,' '$R/rank.csv' && ! grep -q '^[0-9]*,511300002,' '$R/rank.csv'"
else
    bad "reflag: simulate or scan failed"
fi
# and a wrong findings file fails --min-f1
grep -v '"event":"encounter"' "$S/findings.jsonl" >"$T/fewer.jsonl"
$P eval -q --min-f1 0.99 "$S/truth.jsonl" "$T/fewer.jsonl" >/dev/null 2>&1
check "small: a missing encounter fails --min-f1 (exit 1)" test $? = 1

# ---- determinism ----
$P simulate -q examples/scenario_small.json --out "$T/again"
for f in ais.nmea truth.jsonl vessels.csv watchlist.csv; do
    check "same scenario and seed: identical $f" cmp -s "$T/small/$f" "$T/again/$f"
done
$P simulate -q examples/scenario_small.json --seed 99 --out "$T/seed99"
check "another seed: another stream" test "$(cmp -s "$T/small/ais.nmea" "$T/seed99/ais.nmea"; echo $?)" = 1

# ---- a clean reception decodes without a single reject ----
$P simulate -q tests/data/sim/clean.json --out "$T/clean"
$P decode "$T/clean/ais.nmea" >"$T/clean.json" 2>"$T/clean.err"
check "clean stream: no rejects ($(tail -1 "$T/clean.err"))" grep -q "rejected 0\b\|, 0 rejected\| 0 rejected" "$T/clean.err"
check "clean stream: every message type the simulator sends" \
    test "$(jq -r .type "$T/clean.json" | sort -un | tr '\n' ' ')" = "1 2 3 5 18 19 24 "
check "clean stream: every line has a tag block with c: and s:" \
    test "$(grep -Ecv '^\\s:rx-[ab],c:[0-9]+(,g:1-2-[0-9]+)?\*..\\!AIVDM|^\\g:2-2-[0-9]+\*..\\!AIVDM' "$T/clean/ais.nmea")" = 0
# a noisy one: the decoder counts what the simulator spoiled
$P simulate examples/scenario_small.json --out "$T/noisy" 2>"$T/noisy.err"
$P decode -u "$T/noisy/ais.nmea" >/dev/null 2>"$T/noisy.dec"
spoiled=$(sed -n 's/.*corrupted \([0-9]*\), truncated \([0-9]*\)).*/\1 \2/p' "$T/noisy.err")
check "noisy stream: the decoder rejects lines ($(tail -1 "$T/noisy.dec" | cut -c1-120); spoiled: $spoiled)" \
    grep -q "rejected [1-9]" "$T/noisy.dec"

# ---- scenario mistakes are named, exit 1 ----
err() { # description expected-substring json
    printf '%s' "$3" >"$T/bad.json"
    $P simulate -q "$T/bad.json" --out "$T/bad" 2>"$T/bad.err"
    local rc=$?
    if [ $rc = 1 ] && grep -qF -- "$2" "$T/bad.err"; then ok "$1"; else bad "$1 (exit $rc: $(cat "$T/bad.err"))"; fi
}
base='"start":"2024-01-01T00:00:00Z","hours":10,"receivers":[{"name":"r","lat":35,"lon":123}]'
err "not JSON" "bad.json:1" '{"start": '
err "no receivers" '"receivers" must be' '{"start":"2024-01-01T00:00:00Z"}'
err "a bad start time" 'not an ISO-8601' '{"start":"yesterday","receivers":[{"name":"r","lat":35,"lon":123}]}'
err "an unknown event" 'unknown event type "teleport"' "{$base,\"vessels\":[{\"id\":\"a\",\"mmsi\":412000001,\"start\":[35,123]}],\"events\":[{\"type\":\"teleport\",\"vessel\":\"a\",\"from_h\":1}]}"
err "a lane over land" 'lane 1: the leg from point 1 [38.72, 125.2] to point 2 [39.17, 127.6] crosses' "{$base,\"background\":{\"vessels\":2,\"lanes\":[[[38.72,125.2],[39.17,127.6]]]}}"
err "a box of land" 'box 1 [39, 125.5, 39.5, 126.5] is land' "{$base,\"background\":{\"vessels\":2,\"boxes\":[[39,125.5,39.5,126.5]]}}"
err "a land spoof at sea" '"at" [37, 124] is not 10 km inland' "{$base,\"vessels\":[{\"id\":\"a\",\"mmsi\":412000001,\"start\":[35,123]}],\"events\":[{\"type\":\"spoof_land\",\"vessel\":\"a\",\"at\":[37,124],\"from_h\":1,\"hours\":2}]}"
err "an offset given twice" 'an offset is "offset_km"' "{$base,\"vessels\":[{\"id\":\"a\",\"mmsi\":412000001,\"start\":[35,123]}],\"events\":[{\"type\":\"spoof_offset\",\"vessel\":\"a\",\"offset_km\":20,\"dlat\":0.2,\"from_h\":1,\"hours\":2}]}"
err "an offset of nothing" 'an offset is "offset_km"' "{$base,\"vessels\":[{\"id\":\"a\",\"mmsi\":412000001,\"start\":[35,123]}],\"events\":[{\"type\":\"spoof_offset\",\"vessel\":\"a\",\"from_h\":1,\"hours\":2}]}"
err "an unknown vessel" 'no vessel "zz"' "{$base,\"vessels\":[{\"id\":\"a\",\"mmsi\":412000001,\"start\":[35,123]}],\"events\":[{\"type\":\"dark\",\"vessel\":\"zz\",\"from_h\":1,\"hours\":2}]}"
err "an unknown port" 'no port "Atlantis"' "{$base,\"vessels\":[{\"id\":\"a\",\"mmsi\":412000001,\"start\":[35,123]}],\"events\":[{\"type\":\"port_call\",\"vessel\":\"a\",\"port\":\"Atlantis\",\"from_h\":1}]}"
err "an impossible speed" 'give a waypoint or change the times' "{$base,\"vessels\":[{\"id\":\"a\",\"mmsi\":412000001,\"start\":[35,123]}],\"events\":[{\"type\":\"waypoint\",\"vessel\":\"a\",\"at\":[40,130],\"at_h\":1}]}"
err "a leg so slow it would be loitering" '2.5 to 35 kn' "{$base,\"vessels\":[{\"id\":\"a\",\"mmsi\":412000001,\"start\":[35,123]}],\"events\":[{\"type\":\"waypoint\",\"vessel\":\"a\",\"at\":[35.05,123],\"at_h\":9}]}"
err "overlapping events" 'begins before' "{$base,\"vessels\":[{\"id\":\"a\",\"mmsi\":412000001,\"start\":[35,123]}],\"events\":[{\"type\":\"loiter\",\"vessel\":\"a\",\"at\":[35,123],\"from_h\":1,\"hours\":4},{\"type\":\"loiter\",\"vessel\":\"a\",\"at\":[35,123],\"from_h\":2,\"hours\":4}]}"
err "a background without lanes" 'need "lanes" or "boxes"' "{$base,\"background\":{\"vessels\":3}}"
err "a receiver name that breaks a tag block" 'cannot hold' '{"start":"2024-01-01T00:00:00Z","receivers":[{"name":"a,b","lat":35,"lon":123}]}'
# ---- a fixed offset given in degrees: its truth, and the scan finds it ----
printf '%s' "{$base,\"vessels\":[{\"id\":\"a\",\"mmsi\":412000001,\"speed_kn\":10,\"start\":[35,123],\"course_deg\":90}],\"events\":[{\"type\":\"spoof_offset\",\"id\":\"off\",\"vessel\":\"a\",\"dlat\":0.2,\"dlon\":0.1,\"from_h\":3,\"hours\":2}]}" >"$T/offset.json"
rm -rf "$T/offset"
$P simulate -q "$T/offset.json" --out "$T/offset" 2>"$T/offset.err" &&
    $P scan -q --db "$T/offset/db" "$T/offset/ais.nmea" >"$T/offset/findings.jsonl" 2>>"$T/offset.err"
check "spoof_offset in degrees: truth spoofing offset" grep -q '"kind":"offset","why":"off:' "$T/offset/truth.jsonl"
check "spoof_offset in degrees: the scan finds it ($(grep -o '"kind":"offset"[^}]*mismatch_m":[0-9]*' "$T/offset/findings.jsonl" | head -1))" \
    grep -q '"kind":"offset","offset_km":24\.' "$T/offset/findings.jsonl"

$P simulate -q examples/scenario_small.json >/dev/null 2>&1
check "no --out: usage (exit 2)" test $? = 2

echo "sim: $pass passed, $fail failed"
[ $fail = 0 ]
