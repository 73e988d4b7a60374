#!/usr/bin/env bash
# scan_bench.sh -- the behaviour scan's benchmark (not a test):
#   bench/scan_bench.sh PELORUS
# For a generated day of 5,000, 10,000 and 20,000 vessels (the largest over
# 5.8 million messages; traffic per vessel the same in all three), in one run:
# ingest alone, then pelorus scan end to end (ingest included) on a fresh
# database, with messages per second and peak memory, and the scan's own
# phases -- how encounter detection scales with the number of vessels.
set -eu
PEL=${1:?usage: scan_bench.sh PELORUS}
cd "$(dirname "$0")/.."
B=build/bench
mkdir -p "$B"
[ -x /usr/bin/time ] || { echo "scan_bench: needs GNU time (apt-get install time)"; exit 1; }
gcc -O2 -std=c17 -o build/gen_nmea bench/gen_nmea.c -lm
printf '\nscan benchmark: one generated day, 290 messages per vessel\n'
printf '%-8s %10s | %9s %11s %10s | %9s %11s %10s | %10s %10s %8s\n' vessels messages \
    "ingest s" "msg/s" "RSS KiB" "scan s" "msg/s" "RSS KiB" "detect s" "encount s" findings
for V in 5000 10000 20000; do
    N=$((V * 290))
    F=$B/day_${V}.nmea
    [ -s "$F" ] || build/gen_nmea --sentences "$N" --vessels "$V" --seed 11 >"$F"
    rm -f "$B/i.db"* "$B/s.db"*
    t0=$(date +%s.%N)
    /usr/bin/time -f %M "$PEL" ingest -q --db "$B/i.db" "$F" 2>"$B/ingest_$V.log"
    t1=$(date +%s.%N)
    /usr/bin/time -f %M "$PEL" scan --db "$B/s.db" "$F" >"$B/findings_$V.jsonl" 2>"$B/scan_$V.log"
    t2=$(date +%s.%N)
    irss=$(tail -1 "$B/ingest_$V.log")
    srss=$(tail -1 "$B/scan_$V.log")
    line=$(grep 'pelorus scan:' "$B/scan_$V.log")
    det=$(echo "$line" | sed -n 's/.*; \([0-9.]*\) s (tracks.*/\1/p')
    enc=$(echo "$line" | sed -n 's/.*encounters \([0-9.]*\) s.*/\1/p')
    nf=$(wc -l <"$B/findings_$V.jsonl")
    is=$(echo "$t1 - $t0" | bc -l)
    ss=$(echo "$t2 - $t1" | bc -l)
    printf '%-8s %10s | %9.2f %11.0f %10s | %9.2f %11.0f %10s | %10s %10s %8s\n' "$V" "$N" "$is" \
        "$(echo "$N / $is" | bc -l)" "$irss" "$ss" "$(echo "$N / $ss" | bc -l)" "$srss" "$det" "$enc" "$nf"
done
printf 'target: the whole scan at least 250,000 messages per second on one core; encounters near-linear in vessels\n'
