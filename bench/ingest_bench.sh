#!/usr/bin/env bash
# ingest_bench.sh -- the store's benchmark (not a test):
#   bench/ingest_bench.sh PELORUS [N_SENTENCES] [VESSELS]
# Generates N sentences (default 5,800,000: over 5 million position
# messages) from VESSELS vessels (20,000) spread over 30 days, then measures
# in one run: ingest end to end (NMEA file to committed, built tracks) in
# messages per second, peak resident memory, database bytes per position;
# the same ingest of a fifth of the file (memory must not grow with the
# input); and two queries: one vessel's month and one 1-degree box's day.
set -eu
PEL=${1:?usage: ingest_bench.sh PELORUS [N] [VESSELS]}
N=${2:-5800000}
V=${3:-20000}
cd "$(dirname "$0")/.."
B=build/bench
mkdir -p "$B"
[ -x /usr/bin/time ] || { echo "ingest_bench: needs GNU time (apt-get install time)"; exit 1; }
GEN=build/gen_nmea
gcc -O2 -std=c17 -o "$GEN" bench/gen_nmea.c -lm
F=$B/month_${N}_${V}.nmea
S=$B/month_$((N / 5))_${V}.nmea
[ -s "$F" ] || "$GEN" --sentences "$N" --vessels "$V" --days 30 >"$F"
[ -s "$S" ] || "$GEN" --sentences $((N / 5)) --vessels "$V" --days 30 >"$S"

run() { # label db file -> prints "seconds rss_kib"
    rm -f "$2" "$2-wal" "$2-shm"
    local t0 t1 rss
    t0=$(date +%s.%N)
    /usr/bin/time -f %M "$PEL" ingest --db "$2" "$3" 2>"$B/$1.log"
    rss=$(tail -1 "$B/$1.log")
    t1=$(date +%s.%N)
    echo "$(echo "$t1 - $t0" | bc -l) $rss"
}

read -r big_s big_rss < <(run ingest_full "$B/full.db" "$F")
read -r small_s small_rss < <(run ingest_fifth "$B/fifth.db" "$S")
pos=$(grep -o '[0-9]* positions,' "$B/ingest_full.log" | head -1 | cut -d' ' -f1)
lines=$(wc -l <"$F")
bytes=$(stat -c %s "$B/full.db")
[ -f "$B/full.db-wal" ] && bytes=$((bytes + $(stat -c %s "$B/full.db-wal")))

# queries: a vessel with many positions, its whole month; a 1x1 degree box for one day
mmsi=$("$PEL" db-dump --db "$B/full.db" | awk -F'|' '$1 == "vessel" { print $6, $2 }' | sort -rn | head -1 | cut -d' ' -f2)
q() { local t0 t1; t0=$(date +%s.%N); "$PEL" tracks --db "$B/full.db" "$@" --format csv -o "$B/q.csv" 2>"$B/q.log"; t1=$(date +%s.%N); echo "$(echo "$t1 - $t0" | bc -l) $(($(wc -l <"$B/q.csv") - 1))"; }
read -r q1_s q1_n < <(q --mmsi "$mmsi" --from 2023-11-14T00:00:00Z --to 2023-12-15T00:00:00Z)
read -r q2_s q2_n < <(q --bbox 122,30,123,31 --from 2023-11-20T00:00:00Z --to 2023-11-21T00:00:00Z)

printf '\ningest benchmark: %s lines (%s position messages stored), %s vessels, 30 days\n' "$lines" "$pos" "$V"
printf '%-44s %10s %14s %12s\n' "" "seconds" "messages/s" "peak RSS KiB"
printf '%-44s %10.2f %14.0f %12s\n' "ingest, NMEA file to built tracks (full)" "$big_s" "$(echo "$lines / $big_s" | bc -l)" "$big_rss"
printf '%-44s %10.2f %14.0f %12s\n' "ingest, one fifth of it" "$small_s" "$(echo "$((lines / 5)) / $small_s" | bc -l)" "$small_rss"
printf 'database: %s bytes, %.1f bytes per position\n' "$bytes" "$(echo "$bytes / $pos" | bc -l)"
printf 'memory: full / fifth = %.2f (must stay near 1: memory follows vessels, not messages)\n' "$(echo "$big_rss / $small_rss" | bc -l)"
printf 'query, one vessel (%s) over the month: %.3f s, %s positions\n' "$mmsi" "$q1_s" "$q1_n"
printf 'query, one 1x1 degree box over one day:     %.3f s, %s positions\n' "$q2_s" "$q2_n"
printf 'targets: >= 500000 messages/s on one core; <= 40 bytes per position\n'
grep -o '([0-9.]* s reading, [0-9.]* s building)' "$B/ingest_full.log" | sed 's/^/phases of the full ingest: /'
