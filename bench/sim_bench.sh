#!/usr/bin/env bash
# sim_bench.sh -- the simulator and evaluation benchmark (not a test):
#   bench/sim_bench.sh PELORUS [SEEDS]
# 1. pelorus simulate on examples/scenario_large.json (full ITU-R M.1371
#    reporting rates, about 1.3 million messages a simulated day): wall time,
#    messages per second, peak memory -- at scale 1 and 4 (memory must not
#    grow with the length of the output).
# 2. scan + eval on that large stream.
# 3. the hard scenario over SEEDS seeds (default 10): per-event precision
#    and recall summed over all seeds -- how the detectors fare beyond the
#    one seed the test suite holds them to.
set -eu
PEL=${1:?usage: sim_bench.sh PELORUS [SEEDS]}
SEEDS=${2:-10}
cd "$(dirname "$0")/.."
B=build/bench/sim
rm -rf "$B"
mkdir -p "$B"
[ -x /usr/bin/time ] || { echo "sim_bench: needs GNU time (apt-get install time)"; exit 1; }
printf '\nsimulator benchmark (examples/scenario_large.json, 48 simulated hours)\n'
printf '%-6s %10s %10s %9s %12s %10s\n' scale messages lines "wall s" "msg/s" "RSS KiB"
for X in 1 4; do
    /usr/bin/time -f %M "$PEL" simulate examples/scenario_large.json --scale $X --out "$B/large$X" 2>"$B/sim$X.log"
    line=$(grep 'pelorus simulate:' "$B/sim$X.log")
    msgs=$(echo "$line" | sed -n 's/.*vessels, \([0-9]*\) messages sent.*/\1/p')
    lines=$(echo "$line" | sed -n 's/.*sent, \([0-9]*\) lines.*/\1/p')
    secs=$(echo "$line" | sed -n 's/.* \([0-9.]*\) s$/\1/p')
    printf '%-6s %10s %10s %9s %12.0f %10s\n' "$X" "$msgs" "$lines" "$secs" "$(echo "$msgs / $secs" | bc -l)" \
        "$(tail -1 "$B/sim$X.log")"
    [ "$X" = 1 ] || rm -rf "$B/large$X"
done
printf 'target: a million-message day in a few seconds; memory grows with the fleet (per-vessel state), never with the length of the stream\n'

S=$B/large1
t0=$(date +%s.%N)
"$PEL" scan -q --db "$S/db" --watchlist "$S/watchlist.csv" "$S/ais.nmea" >"$S/findings.jsonl" 2>/dev/null
t1=$(date +%s.%N)
printf '\nscan of the large stream: %.2f s; evaluation:\n' "$(echo "$t1 - $t0" | bc -l)"
"$PEL" eval -q "$S/truth.jsonl" "$S/findings.jsonl" | sed -n '1,/^all/p'

printf '\n'
bench/hard_seeds.sh "$PEL" "$SEEDS"
