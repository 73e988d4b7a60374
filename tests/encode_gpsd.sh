#!/bin/sh
# encode_gpsd.sh -- cross-check of the encoder against gpsd's decoder.
#
# Usage: tests/encode_gpsd.sh [BUILD_DIR]        (default: build)
#
# BUILD_DIR/tests/unit_encode --emit FILE writes 400 encoded reports (every
# type the encoder writes, 500 sentences, no tag blocks) to FILE and, line
# for line, the values it encoded as gpsdecode -j should print them to
# FILE.expect (gpsd's field names and scaling).  This script decodes FILE
# with gpsdecode -j and compares every field of FILE.expect with gpsd's
# record of the same index; fields gpsd prints that are not in FILE.expect
# are not compared.  Missing gpsdecode or jq is a failure, never a skip.
#
# Prints up to 20 mismatches and "encode-gpsd: N passed, M failed" (one per
# field compared); exits 0 only when nothing failed.
#
# Deliberate differences and skips (gpsd 3.22):
#   - turn: gpsd prints the size of a scaled rate of turn without its sign
#     (-403 comes out as 403), so turn is compared by absolute value;
#     "nan", "fastleft" and "fastright" are compared as they are.
#   - type 27 lat/lon: gpsd prints one decimal (62.725 comes out as 62.7),
#     so they are compared within 0.05 degree; other lat/lon within 1.1e-6
#     (gpsd prints six decimals).
#   - type 27 status: gpsd's scaled output gives the status text in
#     "status" (no number); the expectation is the text.
#   - type 24: gpsd keeps part A and prints one record when part B of the
#     same MMSI follows, so the sample sends A then B and expects one merged
#     record; its vendorid is gpsd's 7-character reading (vendor, then
#     model and serial read as text), which ours matches.
#   - *_text fields (shiptype_text, epfd_text, status_text) and "reserved"
#     and "regional" (always 0 here) are not compared: they are gpsd's
#     tables, not what we encoded.  Type 18's "assigned" flag is not printed
#     by gpsd, so it is not compared (the unit test checks it round trip).
#   - lat/lon outside +-90/+-180 (which the encoder sends when asked) are
#     not in the sample: gpsd prints them unchecked, nothing to compare.
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build}
for tool in gpsdecode jq; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "encode-gpsd: $tool not found"
        echo "encode-gpsd: 0 passed, 1 failed"
        exit 1
    fi
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/encode_gpsd.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
if ! "$BUILD/tests/unit_encode" --emit "$tmp/sample.nmea"; then
    echo "encode-gpsd: $BUILD/tests/unit_encode --emit failed"
    echo "encode-gpsd: 0 passed, 1 failed"
    exit 1
fi
gpsdecode -j <"$tmp/sample.nmea" >"$tmp/gpsd.json" 2>"$tmp/gpsd.err"
if [ -s "$tmp/gpsd.err" ]; then
    echo "encode-gpsd: gpsdecode complained:"
    head -5 "$tmp/gpsd.err"
fi

jq -rn --slurpfile got "$tmp/gpsd.json" --slurpfile exp "$tmp/sample.nmea.expect" '
def abs: if . < 0 then -. else . end;
def tol($type; $k):
    if $k == "lat" or $k == "lon" then (if $type == 27 then 0.0500001 else 0.0000011 end)
    elif $k == "speed" or $k == "course" or $k == "draught" then 0.000001
    else 0 end;
def norm($k): if $k == "turn" and type == "number" then abs else . end;
[ range(0; [($exp | length), ($got | length)] | max) as $i
  | if $i >= ($got | length) or $i >= ($exp | length) then
        {i: $i, key: "(record)", exp: $exp[$i], got: $got[$i], ok: false}
    else
        $exp[$i] as $x | $got[$i] as $y
        | $x | to_entries[] | .key as $k
        | (.value | norm($k)) as $a | ($y[$k] | norm($k)) as $b
        | {i: $i, key: $k, exp: $a, got: $b,
           ok: (if ($a | type) == "number" and ($b | type) == "number"
                then (($a - $b) | abs) <= tol($x.type; $k) else $a == $b end)}
    end ]
| (map(select(.ok)) | length) as $pass
| map(select(.ok | not)) as $fail
| ($fail[:20][] | "MISMATCH record \(.i + 1) \(.key): expected \(.exp | tojson), gpsd \(.got | tojson)"),
  "encode-gpsd: \($pass) passed, \($fail | length) failed"
' >"$tmp/result" 2>&1
status=$?
cat "$tmp/result"
[ $status = 0 ] && tail -1 "$tmp/result" | grep -q ' 0 failed$'
