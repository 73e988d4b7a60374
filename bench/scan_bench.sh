#!/usr/bin/env bash
# scan_bench.sh -- the behaviour scan's benchmark (not a test):
#   bench/scan_bench.sh PELORUS [BASELINE]
# For a generated day of 5,000, 10,000 and 20,000 vessels (the largest over
# 5.8 million messages; traffic per vessel the same in all three), in one run:
# ingest alone, then pelorus scan end to end (ingest included) on a fresh
# database, with messages per second and peak memory, and the scan's own
# phases -- how encounter detection scales with the number of vessels.
#
# With BASELINE (another build's pelorus, e.g. the commit before a
# refactor; `make bench BENCH_BASE=...`), then the two side by side in the
# same run: each scans every day end to end on a fresh database three times,
# alternating, and the medians are printed with their ratio (PELORUS over
# BASELINE: below 1 is faster), and whether the findings are byte-identical.
set -eu
PEL=${1:?usage: scan_bench.sh PELORUS [BASELINE]}
BASE=${2:-}
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

[ -n "$BASE" ] || exit 0
# one end-to-end scan: prints "total_s detect_s"
scan_once() { # pelorus file tag
    rm -f "$B/c_$3.db"*
    local t0 t1 line
    t0=$(date +%s.%N)
    "$1" scan --db "$B/c_$3.db" "$2" >"$B/c_$3.jsonl" 2>"$B/c_$3.log"
    t1=$(date +%s.%N)
    line=$(grep 'pelorus scan:' "$B/c_$3.log")
    printf '%s %s\n' "$(echo "$t1 - $t0" | bc -l)" "$(echo "$line" | sed -n 's/.*; \([0-9.]*\) s (tracks.*/\1/p')"
}
median3() { sort -g | sed -n 2p; }
printf '\nside by side, one run (medians of 3, alternating): %s against %s\n' "$PEL" "$BASE"
printf '%-8s | %9s %9s %6s | %9s %9s %6s | %s\n' vessels "scan s" "base s" ratio "detect s" "base s" ratio findings
for V in 5000 10000 20000; do
    F=$B/day_${V}.nmea
    : >"$B/c_new.t"
    : >"$B/c_base.t"
    for r in 1 2 3; do
        scan_once "$BASE" "$F" base >>"$B/c_base.t"
        scan_once "$PEL" "$F" new >>"$B/c_new.t"
    done
    nt=$(cut -d' ' -f1 "$B/c_new.t" | median3)
    bt=$(cut -d' ' -f1 "$B/c_base.t" | median3)
    nd=$(cut -d' ' -f2 "$B/c_new.t" | median3)
    bd=$(cut -d' ' -f2 "$B/c_base.t" | median3)
    same=differ
    cmp -s "$B/c_new.jsonl" "$B/c_base.jsonl" && same=identical
    printf '%-8s | %9.2f %9.2f %6.3f | %9.2f %9.2f %6.3f | %s\n' "$V" "$nt" "$bt" "$(echo "$nt / $bt" | bc -l)" \
        "$nd" "$bd" "$(echo "$nd / $bd" | bc -l)" "$same"
done
printf 'target for a refactor: ratios within 1.05, findings identical\n'
