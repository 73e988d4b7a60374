#!/bin/sh
# selftest.sh - test the peer comparator (tests/peer_compare.c) itself.
#
# Usage: tests/peers/selftest.sh PEER_COMPARE_BINARY
#
# Each case in tests/peers/selftest/ is a file NAME.expect plus its inputs
# NAME.ours.jsonl (our output) and NAME.chk (gpsd reference).  NAME.expect
# holds one directive per line ('#' lines are comments):
#   ours FILE        use FILE instead of NAME.ours.jsonl (relative to selftest/)
#   gpsd FILE        use FILE instead of NAME.chk
#   deviations FILE  pass --deviations FILE (relative to selftest/)
#   args WORDS...    extra arguments placed before the input files
#   exit N           expected exit status (required)
#   line TEXT        TEXT must appear as a whole output line
#   has TEXT         TEXT must appear within some output line
#   lacks TEXT       TEXT must not appear in the output
# Output checked is stdout and stderr together.  Prints one PASS/FAIL line
# per case and exits non-zero if any case fails.
# Limits: TEXT is matched literally (grep -F); file names must not contain
# spaces.

set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 PEER_COMPARE_BINARY" >&2
    exit 2
fi
bin=$1
case $bin in
    /*) ;;
    *) bin=$(pwd)/$bin ;;
esac
if [ ! -x "$bin" ]; then
    echo "selftest: FAIL: $bin is not an executable" >&2
    exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
dir=$here/selftest
if [ ! -d "$dir" ]; then
    echo "selftest: FAIL: case directory $dir missing" >&2
    exit 2
fi

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

passed=0
failed=0
for expect in "$dir"/*.expect; do
    [ -e "$expect" ] || { echo "selftest: FAIL: no cases in $dir"; exit 2; }
    name=$(basename "$expect" .expect)
    ours=$name.ours.jsonl
    gpsd=$name.chk
    devopt=""
    args=""
    want_exit=""
    # First pass: inputs and options.
    while IFS= read -r l || [ -n "$l" ]; do
        word=${l%% *}
        rest=${l#* }
        case $word in
            ours) ours=$rest ;;
            gpsd) gpsd=$rest ;;
            deviations) devopt="--deviations $rest" ;;
            args) args=$rest ;;
            exit) want_exit=$rest ;;
        esac
    done < "$expect"
    if [ -z "$want_exit" ]; then
        echo "FAIL $name: no 'exit' directive"
        failed=$((failed + 1))
        continue
    fi
    # Run from the case directory so relative names in directives work.
    # shellcheck disable=SC2086 # word splitting of options is intended
    (cd "$dir" && "$bin" $devopt $args "$ours" "$gpsd") > "$tmp/out" 2>&1
    got_exit=$?
    problems=""
    if [ "$got_exit" != "$want_exit" ]; then
        problems="$problems
  exit status $got_exit, expected $want_exit"
    fi
    # Second pass: output checks.
    while IFS= read -r l || [ -n "$l" ]; do
        word=${l%% *}
        rest=${l#* }
        case $word in
            line)
                grep -qxF -- "$rest" "$tmp/out" ||
                    problems="$problems
  missing line: $rest" ;;
            has)
                grep -qF -- "$rest" "$tmp/out" ||
                    problems="$problems
  missing text: $rest" ;;
            lacks)
                if grep -qF -- "$rest" "$tmp/out"; then
                    problems="$problems
  unexpected text: $rest"
                fi ;;
        esac
    done < "$expect"
    if [ -z "$problems" ]; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name:$problems"
        echo "  --- output ---"
        sed 's/^/  | /' "$tmp/out"
        failed=$((failed + 1))
    fi
done

# Optional real-data checks with gpsdecode as a stand-in decoder.  They pin
# what the comparator reports for gpsd 3.22 against the newer gpsd reference
# files, and that the explicit deviations still apply.  Skipped (with a
# notice) when gpsdecode or the data directory is not available.
# standin_check NAME CONDITION-DESCRIPTION: record the result of the last test.
standin_check() {
    if [ "$2" = ok ]; then
        echo "PASS $1"
        passed=$((passed + 1))
    else
        echo "FAIL $1: $2"
        sed 's/^/  | /' "$tmp/out" | head -n 40
        failed=$((failed + 1))
    fi
}
data=${PELORUS_PEERS:-$here/../../../shared/data/peers}/gpsd
devs=$here/deviations.txt
if command -v gpsdecode > /dev/null 2>&1 && [ -f "$data/sample.aivdm" ]; then
    grep -v '^#' "$data/sample.aivdm" | gpsdecode -j > "$tmp/js.jsonl"
    grep -v '^#' "$data/sample.aivdm" | gpsdecode -u -j > "$tmp/ju.jsonl"
    grep -v '^#' "$data/daemon_ais-18-27.log" | gpsdecode -u -j > "$tmp/1827.jsonl"
    grep -v '^#' "$data/daemon_ais-nmea.log" | gpsdecode -u -j > "$tmp/nmea.jsonl"

    # Scaled: only lat/lon precision, turn, type 27 status and epfd_text.
    "$bin" --deviations "$devs" "$tmp/js.jsonl" "$data/sample.aivdm.js.chk" > "$tmp/out" 2>&1
    rc=$?
    fields=$(sed -n 's/.* field \([^:]*\): .*/\1/p' "$tmp/out" | sort -u | tr '\n' ' ')
    r=ok
    [ $rc -eq 1 ] || r="exit status $rc, expected 1"
    [ "$fields" = "epfd_text lat lon status status_text turn " ] ||
        r="fields with differences: '$fields'"
    grep -q ' record missing\| record not in gpsd' "$tmp/out" && r="unexpected record-level difference"
    standin_check "standin sample.aivdm.js.chk (gpsdecode 3.22)" "$r"

    # Unscaled: the single epfd_text line the data README mentions.
    "$bin" --deviations "$devs" "$tmp/ju.jsonl" "$data/sample.aivdm.ju.chk" > "$tmp/out" 2>&1
    rc=$?
    r=ok
    grep -qxF 'peer_compare: 97 records compared, 1086 fields compared, 1 errors' "$tmp/out" ||
        r="summary differs"
    grep -qF 'field epfd_text: ours "INVALID EPFD" gpsd "Reserved (14)"' "$tmp/out" ||
        r="epfd_text line missing"
    standin_check "standin sample.aivdm.ju.chk (gpsdecode 3.22)" "$r"

    # daemon_ais-18-27: identical.
    "$bin" --deviations "$devs" "$tmp/1827.jsonl" "$data/daemon_ais-18-27.log.chk" > "$tmp/out" 2>&1
    rc=$?
    r=ok
    [ $rc -eq 0 ] || r="exit status $rc, expected 0"
    standin_check "standin daemon_ais-18-27.log.chk (gpsdecode 3.22)" "$r"

    # daemon_ais-nmea: all 108 gpsd re-reports covered by deviations.txt and
    # nothing else at record level.
    "$bin" --deviations "$devs" "$tmp/nmea.jsonl" "$data/daemon_ais-nmea.log.chk" > "$tmp/out" 2>&1
    r=ok
    grep -qxF 'explicit deviations: 108 applied' "$tmp/out" || r="re-report deviations not all applied"
    grep -q ' record missing\| record not in gpsd' "$tmp/out" && r="unexpected record-level difference"
    standin_check "standin daemon_ais-nmea.log.chk deviations (gpsdecode 3.22)" "$r"
else
    echo "SKIP standin checks (gpsdecode or $data not available)"
fi

echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
