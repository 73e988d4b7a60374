#!/usr/bin/env bash
# resume_test.sh -- the resume contract of the per-vessel detectors
# (det_resume, docs/incremental.md) on real tracks: the shipped scenarios
# (simulated with their own seeds), the Yellow Sea day, every recorded feed
# of tests/data/real-world/ and the NOAA Gulf of Mexico extract, each
# ingested into a database of its own, then held to the contract vessel by
# vessel by $BUILD/resume_check (tests/resume_check.c).
# Prints "resume: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$BUILD/pelorus
NOAA=${PELORUS_REAL:-../shared/data/real}/noaa_marinecadastre_AIS_2022_01_03_first99999_gulf_tx_la.csv
T=$(mktemp -d "${TMPDIR:-/tmp}/resume.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
dbs=()
add() { # name input...
    local name=$1; shift
    if "$PEL" ingest -q --db "$T/$name.db" "$@" 2>"$T/$name.err"; then
        dbs+=("$T/$name.db")
    else
        fail=$((fail + 1)); echo "FAIL resume: ingest $name: $(head -c 300 "$T/$name.err")"
    fi
}
for name in scenario_small scenario_hard scenario_coverage; do
    mkdir -p "$T/$name"
    if "$PEL" simulate -q "examples/$name.json" --out "$T/$name" 2>"$T/$name.err"; then
        add "$name" "$T/$name/ais.nmea"
    else
        fail=$((fail + 1)); echo "FAIL resume: simulate $name: $(head -c 300 "$T/$name.err")"
    fi
done
add yellow_sea_day examples/yellow_sea_day.nmea
i=0
while IFS= read -r f; do
    i=$((i + 1)); add "real$i" "$f"
done < <(find tests/data/real-world -type f ! -name README.md | LC_ALL=C sort)
if [ -f "$NOAA" ]; then
    add noaa "$NOAA"
else
    fail=$((fail + 1)); echo "FAIL resume: the NOAA extract is missing: $NOAA"
fi
out=$("$BUILD/resume_check" "${dbs[@]}" 2>&1)
rc=$?
echo "$out" | grep -v '^resume_check: [0-9]* passed' | tail -40
last=$(echo "$out" | tail -1)
p=$(echo "$last" | sed -n 's/^resume_check: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
f=$(echo "$last" | sed -n 's/^resume_check: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
if [ -z "$p" ] || { [ $rc -ne 0 ] && [ "$f" = 0 ]; }; then
    fail=$((fail + 1)); echo "FAIL resume: resume_check ended badly (status $rc): $last"
else
    pass=$((pass + p)); fail=$((fail + f))
fi
echo "resume: $pass passed, $fail failed"
[ $fail -eq 0 ]
