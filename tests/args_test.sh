#!/usr/bin/env bash
# args_test.sh -- what a person types is checked (issue 17, items 2 and 9):
#   1. every detector setting of docs/findings.md and every risk weight and
#      report setting of docs/report.md, read from the docs' tables: the
#      documented minimum and maximum are accepted, just outside, NaN,
#      infinities, 1e400 and hexadecimal are refused with exit 2 and a message
#      naming the setting and its range (the adversarial sweep's
#      --set encounter.max_distance_m=nan crashed with SIGFPE, =inf found no
#      encounter, gap.min_gap_h=1e30 made 31,322 two-minute "gaps", a risk
#      weight of 1e308 dropped the score);
#   2. every numeric option of every command, --from after --to, --bbox and
#      --seed, from the table below;
#   3. --bogus is "unknown option" (exit 2) for every command.
# Prints "args: N passed, M failed".  Usage: tests/args_test.sh [BUILD]
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
PEL=$BUILD/pelorus
T=$BUILD/args-test
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok args $1"; }
bad() { fail=$((fail + 1)); echo "FAIL args $1"; }

DB=$T/ys.db
"$PEL" ingest -q --db "$DB" examples/yellow_sea_day.nmea || bad "ingest of the sample"

# runs "$@" (a pelorus command line); checks exit status $1 and, when $2 is
# not empty, that standard error contains $2
check() { # name rc fragment args...
    local name=$1 want=$2 frag=$3; shift 3
    "$PEL" "$@" >"$T/out" 2>"$T/err"; local rc=$?
    if [ "$rc" != "$want" ]; then bad "$name: exit $rc, wanted $want ($(head -c 300 "$T/err"))"; return; fi
    if [ -n "$frag" ] && ! grep -qF -- "$frag" "$T/err"; then
        bad "$name: stderr lacks [$frag]: $(head -c 300 "$T/err")"; return
    fi
    ok "$name"
}

# ---- 1. settings, from the documentation's tables ---------------------------------
# "| `name` | default | LO to HI[, whole][, at most ...] | unit |"
settings() { # file -> lines "name lo hi whole"
    sed -n 's/^| `\([a-z_.]*\)` | [0-9.]* | \(-\{0,1\}[0-9.e]*\) to \([0-9.e]*\)\(, whole\)\{0,1\}.*/\1 \2 \3 \4/p' "$1"
}
settings docs/findings.md >"$T/det.txt"
n=$(wc -l <"$T/det.txt")
# as many as the rows of the settings table (written from src/detect/detectors.c)
rows=$(sed -n '/^<!-- settings:/,/^<!-- end of settings/p' docs/findings.md | grep -c '^| `')
[ "$n" -ge 24 ] && [ "$n" = "$rows" ] && ok "docs/findings.md lists $n detector settings with ranges" ||
    bad "docs/findings.md: $n settings parsed of $rows"
scan() { "$PEL" scan -q --db "$DB" --format jsonl "$@"; }
while read -r name lo hi whole; do
    extra=()
    # entry_m may not exceed exit_m: test each end with the other one beside it
    [ "$name" = port_visit.entry_m ] && extra=(--set port_visit.exit_m=50000)
    [ "$name" = port_visit.exit_m ] && extra=(--set port_visit.entry_m=1)
    check "$name=$lo (minimum) accepted" 0 "" scan -q --db "$DB" "${extra[@]}" --set "$name=$lo"
    check "$name=$hi (maximum) accepted" 0 "" scan -q --db "$DB" "${extra[@]}" --set "$name=$hi"
    above=$(awk -v h="$hi" 'BEGIN { printf "%.17g", h * 1.001 + 0.001 }')
    below=$(awk -v l="$lo" 'BEGIN { printf "%.17g", l - (l > 0 ? l * 0.001 : 0.001) }')
    for v in "$above" "$below" nan NaN inf -inf 1e400 1e30 0x10 "" " 5" 5x; do
        check "$name=[$v] refused" 2 "$name wants a" scan -q --db "$DB" --set "$name=$v"
    done
    grep -qF "from $lo to $hi" "$T/err" && ok "$name: the message gives the documented range" ||
        bad "$name: the message does not say 'from $lo to $hi': $(cat "$T/err")"
    [ -n "$whole" ] && check "$name=$lo.5 (not whole) refused" 2 "whole number" scan -q --db "$DB" --set "$name=$lo.5"
done <"$T/det.txt"
check "no such setting is a usage error" 2 "unknown setting no.such" scan -q --db "$DB" --set no.such=1
check "port_visit.entry_m beyond exit_m refused" 2 "port_visit.entry_m (5000) is beyond port_visit.exit_m (4000)" \
    scan -q --db "$DB" --set port_visit.entry_m=5000
# a bad setting is refused before the inputs are ingested
check "scan refuses a bad setting before ingesting" 2 "gap.min_gap_h" \
    scan --db "$T/never.db" --set gap.min_gap_h=1e30 examples/yellow_sea_day.nmea
[ ! -e "$T/never.db" ] && ok "nothing was ingested" || bad "the database was created before the setting was refused"

settings docs/report.md >"$T/risk.txt"
n=$(wc -l <"$T/risk.txt")
[ "$n" = 30 ] && ok "docs/report.md lists 30 weights and thresholds with ranges" || bad "docs/report.md: $n parsed"
while read -r name lo hi whole; do
    for cmd in "vessels --rank" "report -q"; do
        out=(); [ "$cmd" = "report -q" ] && out=(--out "$T/rep")
        check "$cmd risk.$name=$hi accepted" 0 "" $cmd --db "$DB" "${out[@]}" --set risk.high=1000000 \
            --set "risk.$name=$hi"
        for v in nan inf 1e308 1e400 -1 "$(awk -v h="$hi" 'BEGIN { printf "%.17g", h + 1 }')"; do
            check "$cmd risk.$name=[$v] refused" 2 "risk.$name wants" $cmd --db "$DB" "${out[@]}" --set "risk.$name=$v"
        done
    done
done <"$T/risk.txt"
check "risk.medium above risk.high refused" 2 "risk.medium (70) is above risk.high (60)" \
    vessels --rank --db "$DB" --set risk.medium=70
check "an unknown weight is refused" 2 "unknown risk weight" vessels --rank --db "$DB" --set risk.nothing=1
check "report.simplify_deg=nan refused" 2 "report.simplify_deg wants" report -q --db "$DB" --out "$T/r" \
    --set report.simplify_deg=nan
check "report.max_points_per_vessel=1e400 refused" 2 "report.max_points_per_vessel wants" report -q --db "$DB" \
    --out "$T/r" --set report.max_points_per_vessel=1e400
check "report.max_points_per_vessel=2.5 refused" 2 "whole number" report -q --db "$DB" --out "$T/r" \
    --set report.max_points_per_vessel=2.5
# every weight at its maximum: every score is still a number
args=(); while read -r name lo hi whole; do args+=(--set "risk.$name=$hi"); done <"$T/risk.txt"
"$PEL" vessels --rank --db "$DB" --format jsonl "${args[@]}" >"$T/maxw.jsonl" 2>"$T/err"
jq -e -s 'length > 0 and all(.[]; (.score | type) == "number")' "$T/maxw.jsonl" >/dev/null &&
    ok "every weight at its maximum: every vessel has a numeric score" || bad "scores with maximum weights: $(head -c 300 "$T/maxw.jsonl")"

# ---- 2. numeric options of the commands --------------------------------------------
# rc | stderr fragment | command line (DB and T replaced)
while IFS='|' read -r want frag line; do
    [ -z "$want" ] || [ "${want:0:1}" = "#" ] && continue
    line=${line//DB/$DB}; line=${line//TMP/$T}
    eval "set -- $line"
    check "$line" "$want" "$frag" "$@"
done <<'EOF'
2|--max-speed wants a number from 1 to 1000|ingest -q --db TMP/i.db --max-speed nan examples/yellow_sea_day.nmea
2|--max-speed wants a number from 1 to 1000|ingest -q --db TMP/i.db --max-speed inf examples/yellow_sea_day.nmea
2|--max-silence-hours wants a number from 0.1 to 8760|ingest -q --db TMP/i.db --max-silence-hours 1e30 examples/yellow_sea_day.nmea
2|--dedupe-seconds wants a whole number from 1 to 3600|ingest -q --db TMP/i.db --dedupe-seconds 0.5 examples/yellow_sea_day.nmea
2|--dedupe-seconds wants a whole number from 1 to 3600|ingest -q --db TMP/i.db --dedupe-seconds 99999999999999999999 examples/yellow_sea_day.nmea
2|--commit-every wants a whole number from 1 to 10000000|ingest -q --db TMP/i.db --commit-every 1e18 examples/yellow_sea_day.nmea
2|--commit-every wants a whole number from 1 to 10000000|ingest -q --db TMP/i.db --commit-every -1 examples/yellow_sea_day.nmea
0||ingest -q --db TMP/i.db --max-speed 1000 --max-silence-hours 8760 --dedupe-seconds 3600 --commit-every 10000000 examples/yellow_sea_day.nmea
2|--silence-hours wants a number from 0.1 to 8760|vessel --db DB --silence-hours nan 445111000
2|--silence-hours wants a number from 0.1 to 8760|vessel --db DB --silence-hours 1e300 445111000
0||vessel --db DB --silence-hours 8760 445111000
2|--limit wants a whole number from 1 to 1000000000|vessels --db DB --limit -1
2|--limit wants a whole number from 1 to 1000000000|vessels --db DB --rank --limit 99999999999999999999
2|--limit wants a whole number from 1 to 1000000000|vessels --db DB --limit nan
0||vessels --db DB --rank --limit 1
2|--vessel wants an MMSI|vessels --db DB --rank --vessel -445111000
2|--vessel wants an MMSI|report --db DB --out TMP/r --vessel 1073741824
2|--mmsi wants an MMSI|tracks --db DB --mmsi 445111000,,445333000
2|--mmsi wants an MMSI|tracks --db DB --mmsi " 445111000"
2|--from (2023-11-15T00:00:00Z) is after --to (2023-11-14T00:00:00Z)|tracks --db DB --from 2023-11-15T00:00:00Z --to 2023-11-14T00:00:00Z
2|--from (2023-11-15T00:00:00Z) is after --to|vessels --db DB --from 2023-11-15T00:00:00Z --to 2023-11-14T00:00:00Z
2|--from (2023-11-15T00:00:00Z) is after --to|vessels --rank --db DB --from 2023-11-15T00:00:00Z --to 2023-11-14T00:00:00Z
2|--from (2023-11-15T00:00:00Z) is after --to|report --db DB --out TMP/r --from 2023-11-15T00:00:00Z --to 2023-11-14T00:00:00Z
0||tracks --db DB --from 2023-11-14T00:00:00Z --to 2023-11-14T00:00:00Z
2|--bbox wants MINLON,MINLAT,MAXLON,MAXLAT|tracks --db DB --bbox nan,30,130,40
2|--bbox wants MINLON,MINLAT,MAXLON,MAXLAT|tracks --db DB --bbox 120,30,inf,40
2|--bbox wants MINLON,MINLAT,MAXLON,MAXLAT|tracks --db DB --bbox 120,30,190,40
2|--bbox wants MINLON,MINLAT,MAXLON,MAXLAT|tracks --db DB --bbox 120,30,130,40,5
2|--bbox wants MINLON,MINLAT,MAXLON,MAXLAT|tracks --db DB --bbox 130,30,120,40
2|--bbox wants MINLON,MINLAT,MAXLON,MAXLAT|tracks --db DB --bbox 120,30,130,
0||tracks --db DB --bbox -180,-90,180,90
2|--seed wants a whole number from 0 to 9223372036854775807|simulate examples/scenario_small.json --out TMP/sim --seed 99999999999999999999
2|--seed wants a whole number from 0 to 9223372036854775807|simulate examples/scenario_small.json --out TMP/sim --seed -1
2|--seed wants a whole number from 0 to 9223372036854775807|simulate examples/scenario_small.json --out TMP/sim --seed 1e3
2|--scale wants a number from 0.001 to 1000|simulate examples/scenario_small.json --out TMP/sim --scale nan
2|--scale wants a number from 0.001 to 1000|simulate examples/scenario_small.json --out TMP/sim --scale 0
2|--slack-h wants a number from 0 to 100000|eval --slack-h inf tests/data/eval/truth.jsonl tests/data/eval/truth.jsonl
2|--min-f1 wants a number from 0 to 1|eval --min-f1 nan tests/data/eval/truth.jsonl tests/data/eval/truth.jsonl
2|--assume-time wants a time|ingest -q --db TMP/i.db --assume-time never examples/yellow_sea_day.nmea
EOF

# ---- 3. an unknown option, for every command ------------------------------------------
for cmd in decode scan ingest vessel vessels tracks report simulate eval screen "watchlist import" "watchlist show" \
    watchlist version help db-dump; do
    check "$cmd --bogus" 2 "unknown option --bogus" $cmd --bogus
    check "$cmd --bogus=1" 2 "unknown option --bogus" $cmd --bogus=1
done
check "pelorus --bogus" 2 "unknown option --bogus" --bogus
check "a value option without its value" 2 "--db needs a value" scan --db
check "a flag given a value" 2 "--quiet takes no value" scan --quiet=1

echo "args: $pass passed, $fail failed"
[ $fail = 0 ]
