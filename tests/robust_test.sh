#!/usr/bin/env bash
# robust_test.sh -- hostile inputs and failing outputs the program must
# survive (issue 17): write errors in simulate, an empty database through
# every reader, scenarios that cannot be planned or are too big, list files
# built to blow up the importer.  Each case comes from a reproducer of an
# adversarial sweep (../shared/adversarial/), shrunk to run in seconds.
# Runs with the normal build and, under `make check`, the sanitizer build,
# where any leak, double free or undefined behaviour fails the command.
# Prints "robust: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$BUILD/pelorus
T=$BUILD/robust-test
EX=examples
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok robust $1"; }
bad() { fail=$((fail + 1)); echo "FAIL robust $1"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi; }
has() { if grep -q -- "$2" "$3"; then ok "$1"; else bad "$1: no [$2] in $(head -c 300 "$3")"; fi; }

# ---- simulate: a write error on any output file is an error, once (01) ----
for f in ais.nmea truth.jsonl vessels.csv watchlist.csv; do
    rm -rf "$T/full"; mkdir -p "$T/full"; ln -s /dev/full "$T/full/$f"
    timeout 60 "$PEL" simulate $EX/scenario_small.json --out "$T/full" -q 2>"$T/full.err"; rc=$?
    expect "simulate: $f on a full disk exits 1" 1 $rc
    has "simulate: $f on a full disk says so" "cannot write $T/full/$f: No space left on device" "$T/full.err"
done

echo "robust: $pass passed, $fail failed"
[ $fail = 0 ]
