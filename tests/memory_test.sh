#!/usr/bin/env bash
# memory_test.sh -- ingest in bounded memory, with exact results:
#   1. one line repeated (a gzip bomb: 200,000 then 2,000,000 copies of one
#      position report, given a time with --assume-time): the peak does not
#      grow with the copies, and the database holds one position and
#      1,999,999 duplicates;
#   2. one vessel with a million distinct positions is built in no more
#      memory than the same number of positions spread over 1,000 vessels;
#   3. the same positions shuffled and committed in batches of 2,000 (some
#      500 sorted runs for one vessel, merged 64 at a time) give the rows
#      that batches of 200,000 give, and the vessel the ordered file gives.
# Peaks are GNU time's maximum resident set, which includes SQLite's page
# cache (up to 64 MiB, filled as the database grows): hence comparisons
# between inputs of the same size rather than fixed bounds.  They hold for
# the sanitizer build too (its overhead is about the same on both sides).  Prints "memory: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$BUILD/pelorus
T=$BUILD/memory-test
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok memory $1"; }
bad() { fail=$((fail + 1)); echo "FAIL memory $1"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi; }
if [ ! -x /usr/bin/time ]; then bad "GNU time (/usr/bin/time) is needed"; echo "memory: $pass passed, $fail failed"; exit 1; fi
peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; } # KiB
flat() { # name small-KiB large-KiB: large within a quarter and 4 MiB of small
    if [ "$3" -le $(($2 + $2 / 4 + 4096)) ]; then ok "$1: $2 KiB, then $3 KiB"
    else bad "$1: $2 KiB, then $3 KiB: memory grows with the input"; fi
}

# 1. the same report repeated (reproducer 13_gzip_bomb_ingest.sh, smaller)
line='!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C'
yes "$line" | head -n 200000 | gzip >"$T/small.gz"
yes "$line" | head -n 2000000 | gzip >"$T/large.gz"
at="--assume-time 2023-01-01T00:00:00Z"
s=$(peak "$PEL" ingest -q $at --db "$T/small.db" "$T/small.gz")
l=$(peak "$PEL" ingest -q $at --db "$T/large.db" "$T/large.gz")
flat "2,000,000 repeats of one line" "$s" "$l"
"$PEL" db-dump --db "$T/large.db" | grep -v '^input' >"$T/large.dump"
expect "repeats: one position kept" 1 "$(grep -c '^pos ' "$T/large.dump")"
expect "repeats: the first line kept" \
    "pos 366053209 1672531200000 22681271 -73404971 0 2193 1 3 1 2 0 1 0 1 59" "$(grep '^pos ' "$T/large.dump")"
expect "repeats: counted as duplicates" "vessel|366053209|0|1672531200000|1672531200000|1|1|1|0.0|1999999" \
    "$(grep '^vessel' "$T/large.dump")"

# 2. one vessel, a million distinct positions, against a thousand vessels
gcc -O2 -std=c17 -o "$T/gen" bench/gen_nmea.c -lm || { bad "build generator"; exit 1; }
"$T/gen" --sentences 1000000 --vessels 1 --seed 3 --days 30 >"$T/one.nmea"
"$T/gen" --sentences 1000000 --vessels 1000 --seed 3 --days 30 >"$T/many.nmea"
m=$(peak "$PEL" ingest -q --commit-every 50000 --db "$T/many.db" "$T/many.nmea")
o=$(peak "$PEL" ingest -q --commit-every 50000 --db "$T/one.db" "$T/one.nmea")
if [ "$o" -le $((m + 16384)) ]; then ok "one vessel's million positions: $o KiB (a thousand vessels: $m KiB)"
else bad "one vessel's million positions: $o KiB, a thousand vessels: $m KiB: a long vessel costs memory"; fi
"$PEL" db-dump --db "$T/one.db" >"$T/one.dump"
expect "one vessel: positions stored" 938638 "$(grep -c '^pos ' "$T/one.dump")"

# 3. the same positions shuffled: many sorted runs for one vessel, merged
awk '{ print (NR * 7919) % 1000003, $0 }' "$T/one.nmea" | sort -n | cut -d' ' -f2- >"$T/shuffled.nmea"
"$PEL" ingest -q --commit-every 200000 --db "$T/big.db" "$T/shuffled.nmea"
"$PEL" ingest -q --commit-every 2000 --db "$T/runs.db" "$T/shuffled.nmea"
"$PEL" db-dump --db "$T/big.db" >"$T/big.dump"
"$PEL" db-dump --db "$T/runs.db" >"$T/runs.dump"
cmp -s "$T/big.dump" "$T/runs.dump"; expect "shuffled: batches of 2,000 and of 200,000 give the same rows" 0 $?
expect "shuffled: the vessel of the ordered file" "$(grep '^vessel' "$T/one.dump")" "$(grep '^vessel' "$T/runs.dump")"

echo "memory: $pass passed, $fail failed"
[ $fail = 0 ]
