#!/bin/sh
# peer_test.sh - compare Pelorus's decoder output with gpsd's reference output.
#
# Usage: tests/peer_test.sh PELORUS_BINARY PEER_COMPARE_BINARY [DATA_DIR]
#
# DATA_DIR is the peers data directory holding gpsd/ (the gpsd directory
# itself is accepted too).  It is taken from, in order: the third argument,
# the environment variable PELORUS_PEERS, or ../shared/data/peers relative to
# the repository root.  A missing data directory or reference file is a
# failure, never a skip.
#
# Comparisons (each one "file" in the summary):
#   sample.aivdm    scaled   (decode --no-meta)    vs sample.aivdm.js.chk
#   sample.aivdm    unscaled (decode --no-meta -u) vs sample.aivdm.ju.chk
#   daemon_*.log    unscaled (decode --no-meta -u) vs daemon_*.log.chk
# The input file is given to Pelorus as is (comments and other NMEA included).
# Known deviations: tests/peers/deviations.txt (override with
# PELORUS_PEER_DEVIATIONS).  Outputs and comparison logs are written to a
# temporary directory that is kept (and named) when something fails; set
# PEER_OUT_DIR to choose the directory.  PEER_MAX_LINES (default 60) limits
# how many mismatch lines are shown per failing file.
#
# Prints a PASS/FAIL block per file and finally "peer: N passed, M failed";
# exits 0 only if every comparison passed.

set -u

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 PELORUS_BINARY PEER_COMPARE_BINARY [DATA_DIR]" >&2
    exit 2
fi
pelorus=$1
compare=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
data=${3:-${PELORUS_PEERS:-$root/../shared/data/peers}}
deviations=${PELORUS_PEER_DEVIATIONS:-$here/peers/deviations.txt}
max_lines=${PEER_MAX_LINES:-60}

# fatal MESSAGE: a setup problem; report it loudly and fail the whole run.
fatal() {
    echo "peer: FAIL: $*" >&2
    echo "peer: FAIL: $*"
    echo "peer: 0 passed, 1 failed"
    exit 1
}

[ -x "$pelorus" ] || fatal "Pelorus binary '$pelorus' is not an executable file"
[ -x "$compare" ] || fatal "peer_compare binary '$compare' is not an executable file"
[ -f "$deviations" ] || fatal "deviations file '$deviations' not found"
if [ -d "$data/gpsd" ]; then
    gpsd_dir=$data/gpsd
elif [ -f "$data/sample.aivdm" ]; then
    gpsd_dir=$data
else
    fatal "peer data directory '$data' not found or has no gpsd/ (set PELORUS_PEERS or pass DATA_DIR)"
fi

if [ -n "${PEER_OUT_DIR:-}" ]; then
    out=$PEER_OUT_DIR
    mkdir -p "$out" || fatal "cannot create $out"
    keep=1
else
    out=$(mktemp -d "${TMPDIR:-/tmp}/pelorus-peer.XXXXXX") || fatal "mktemp failed"
    keep=0
fi

passed=0
failed=0

# run_case LABEL INPUT CHK [DECODE OPTIONS...]: decode INPUT with Pelorus and
# compare the result with CHK; count and print the result.
run_case() {
    label=$1
    input=$2
    chk=$3
    shift 3
    tag=$(basename "$chk")
    echo "== $label: $(basename "$input") vs $tag"
    if [ ! -f "$input" ] || [ ! -f "$chk" ]; then
        echo "FAIL $label: missing reference file ($input or $chk)"
        failed=$((failed + 1))
        return
    fi
    "$pelorus" decode --no-meta "$@" "$input" > "$out/$tag.ours.jsonl" 2> "$out/$tag.stderr"
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "FAIL $label: pelorus exited with status $rc; stderr:"
        head -n 20 "$out/$tag.stderr" | sed 's/^/  | /'
        failed=$((failed + 1))
        return
    fi
    "$compare" --deviations "$deviations" "$out/$tag.ours.jsonl" "$chk" > "$out/$tag.log" 2>&1
    rc=$?
    # Mismatch lines first (limited), then the rule/summary lines.
    grep -v -e '^rule ' -e '^deviation ' -e '^explicit deviations:' -e '^warning: ' \
        -e '^peer_compare: ' "$out/$tag.log" > "$out/$tag.mismatches"
    nmis=$(wc -l < "$out/$tag.mismatches")
    if [ "$nmis" -gt 0 ]; then
        head -n "$max_lines" "$out/$tag.mismatches" | sed 's/^/  /'
        [ "$nmis" -gt "$max_lines" ] &&
            echo "  ... $((nmis - max_lines)) more lines in $out/$tag.log"
    fi
    grep -e '^rule ' -e '^explicit deviations:' -e '^warning: ' -e '^peer_compare: ' \
        "$out/$tag.log" | sed 's/^/  /'
    if [ $rc -eq 0 ]; then
        echo "PASS $label"
        passed=$((passed + 1))
    else
        echo "FAIL $label (peer_compare exit status $rc)"
        failed=$((failed + 1))
    fi
}

run_case "sample.aivdm scaled" "$gpsd_dir/sample.aivdm" "$gpsd_dir/sample.aivdm.js.chk"
run_case "sample.aivdm unscaled" "$gpsd_dir/sample.aivdm" "$gpsd_dir/sample.aivdm.ju.chk" -u

found=0
for chk in "$gpsd_dir"/daemon_*.log.chk; do
    [ -f "$chk" ] || continue
    found=1
    log=${chk%.chk}
    run_case "$(basename "$log") unscaled" "$log" "$chk" -u
done
if [ $found -eq 0 ]; then
    echo "FAIL: no daemon_*.log.chk files in $gpsd_dir"
    failed=$((failed + 1))
fi

if [ $failed -gt 0 ]; then
    echo "peer: outputs and logs kept in $out"
elif [ $keep -eq 0 ]; then
    rm -rf "$out"
fi
echo "peer: $passed passed, $failed failed"
[ $failed -eq 0 ]
