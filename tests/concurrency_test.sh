#!/usr/bin/env bash
# concurrency_test.sh -- two ingests into one database at the same time end
# with exactly the rows of the same ingests run one after the other: the
# same file twice (the second finds it complete, nothing counted twice), two
# different files (nothing lost), and a first ingest killed with SIGKILL
# while a second waits (the second proceeds and finishes the first's file).
# Prints "concurrency: N passed, M failed".
#
# The race is made certain, not likely: PELORUS_TEST_COMMIT_PAUSE_MS (a test
# hook in src/ingest/ingest.c) makes the first ingest sleep after each batch
# commit, outside any transaction, and the second starts only once the first
# has committed a batch.  Without the ingest lock the second then works in
# the middle of the first.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$BUILD/pelorus
T=$BUILD/concurrency-test
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok concurrency $1"; }
bad() { fail=$((fail + 1)); echo "FAIL concurrency $1"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi; }

gcc -O2 -std=c17 -o "$T/gen" bench/gen_nmea.c -lm || { bad "build generator"; exit 1; }
# two days of the same 200 vessels (every vessel is in both files)
"$T/gen" --sentences 40000 --vessels 200 --seed 7 >"$T/a.nmea"
"$T/gen" --sentences 40000 --vessels 200 --seed 7 --start 1700086400 >"$T/b.nmea"
small="--commit-every 2000"

# identity and voyage report totals, from a dump
reports() { awk -F'|' '$1 == "identity" { i += $14 } $1 == "voyage" { v += $8 } END { print i + 0, v + 0 }' "$1"; }
# waits until the ingest into $1 has committed a batch (at most 20 s)
first_commit() {
    for _ in $(seq 2000); do
        "$PEL" db-dump --db "$1" 2>/dev/null | awk -F'|' '$1 == "input" && $8 > 0 { f = 1 } END { exit !f }' && return 0
        sleep 0.01
    done
    return 1
}
same() { # name reference-dump database
    "$PEL" db-dump --db "$3" >"$3.dump"
    if cmp -s "$2" "$3.dump"; then ok "$1: rows equal a clean run"
    else bad "$1: rows differ from a clean run"; diff "$2" "$3.dump" | head -5; fi
    expect "$1: identity and voyage report totals" "$(reports "$2")" "$(reports "$3.dump")"
}

# references: each file alone, and a then b in two runs
"$PEL" ingest -q $small --db "$T/ref_a.db" "$T/a.nmea"
"$PEL" db-dump --db "$T/ref_a.db" >"$T/ref_a.dump"
"$PEL" ingest -q $small --db "$T/ref_ab.db" "$T/a.nmea"
"$PEL" ingest -q $small --db "$T/ref_ab.db" "$T/b.nmea"
"$PEL" db-dump --db "$T/ref_ab.db" >"$T/ref_ab.dump"
[ "$(grep -c '^pos ' "$T/ref_ab.dump")" -gt 60000 ] && ok "references stored" || bad "references: too few positions"

# the same file twice at once
db=$T/same.db
PELORUS_TEST_COMMIT_PAUSE_MS=100 "$PEL" ingest -q $small --db "$db" "$T/a.nmea" 2>"$T/same1.err" &
p1=$!
first_commit "$db" || bad "same file: the first ingest never committed"
"$PEL" ingest $small --db "$db" "$T/a.nmea" 2>"$T/same2.err" &
p2=$!
wait $p1; rc1=$?
wait $p2; rc2=$?
expect "same file: both exit 0" "0 0" "$rc1 $rc2"
grep -q 'waiting for another ingest' "$T/same2.err"; expect "same file: the second says it waits" 0 $?
grep -q '0 files ingested, 1 already present' "$T/same2.err"; expect "same file: the second finds it complete" 0 $?
same "same file" "$T/ref_a.dump" "$db"

# two different files at once
db=$T/two.db
PELORUS_TEST_COMMIT_PAUSE_MS=100 "$PEL" ingest -q $small --db "$db" "$T/a.nmea" 2>"$T/two1.err" &
p1=$!
first_commit "$db" || bad "two files: the first ingest never committed"
"$PEL" ingest -q $small --db "$db" "$T/b.nmea" 2>"$T/two2.err" &
p2=$!
wait $p1; rc1=$?
wait $p2; rc2=$?
expect "two files: both exit 0" "0 0" "$rc1 $rc2"
same "two files" "$T/ref_ab.dump" "$db"

# the first killed with SIGKILL while the second waits: the lock goes with
# it, and the second continues the first's file to a clean result
db=$T/kill.db
PELORUS_TEST_COMMIT_PAUSE_MS=200 "$PEL" ingest -q $small --db "$db" "$T/a.nmea" 2>/dev/null &
p1=$!
first_commit "$db" || bad "kill: the first ingest never committed"
"$PEL" ingest $small --db "$db" "$T/a.nmea" 2>"$T/kill2.err" &
p2=$!
sleep 0.3
kill -9 $p1 2>/dev/null
wait $p1 2>/dev/null
wait $p2; rc2=$?
expect "kill: the second exits 0" 0 $rc2
grep -q '1 continued' "$T/kill2.err"; expect "kill: the second continues the interrupted file" 0 $?
same "kill" "$T/ref_a.dump" "$db"

echo "concurrency: $pass passed, $fail failed"
[ $fail = 0 ]
