#!/usr/bin/env bash
# cli_test.sh -- the command line as a user meets it: exit codes, standard
# input, gzip (good and truncated), a line longer than 1 MiB, memory that
# does not grow with the input.  Prints "cli: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$BUILD/pelorus
T=$BUILD/cli-test
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok cli $1"; }
bad() { fail=$((fail + 1)); echo "FAIL cli $1"; }
expect() { # name expected actual
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi
}

good='!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A'

# exit codes
"$PEL" decode --help >/dev/null; expect "help exits 0" 0 $?
"$PEL" decode --bogus >/dev/null 2>&1; expect "unknown option exits 2" 2 $?
"$PEL" nosuch >/dev/null 2>&1; expect "unknown command exits 2" 2 $?
"$PEL" decode "$T/does-not-exist" >/dev/null 2>"$T/err"; expect "missing file exits 1" 1 $?
grep -q 'does-not-exist' "$T/err"; expect "missing file is named" 0 $?

# ingest and scan options for CSV inputs: bad values are usage errors (2)
usage() { # name expected-message-part command...
    local name=$1 want=$2; shift 2
    "$@" >/dev/null 2>"$T/usage.err"; local rc=$?
    if [ $rc = 2 ] && grep -qF -- "$want" "$T/usage.err"; then ok "$name"
    else bad "$name: exit $rc, '$(head -1 "$T/usage.err")'"; fi
}
usage "ingest --columns without time" "--columns: the column map must name mmsi and time" \
    "$PEL" ingest --db "$T/u.db" --columns mmsi=MMSI x.csv
usage "ingest --columns with an unknown field" "unknown field 'speedy'" \
    "$PEL" ingest --db "$T/u.db" --columns mmsi=MMSI,time=T,speedy=S x.csv
usage "ingest --columns with --format noaa" "--columns is for the generic CSV reader" \
    "$PEL" ingest --db "$T/u.db" --format noaa --columns mmsi=MMSI,time=T x.csv
usage "ingest --time-format without a date" "--time-format '%H:%M': needs a whole date" \
    "$PEL" ingest --db "$T/u.db" --time-format %H:%M x.csv
usage "ingest --time-format with --format nmea" "--time-format and --delimiter are for CSV inputs" \
    "$PEL" ingest --db "$T/u.db" --format nmea --time-format iso x.nmea
usage "ingest --delimiter of two characters" "--delimiter wants one character" \
    "$PEL" ingest --db "$T/u.db" --delimiter ab x.csv
usage "ingest --format unknown" "--format wants auto, nmea, noaa, dma, kystverket, barentswatch or csv, not \"xml\"" \
    "$PEL" ingest --db "$T/u.db" --format xml x.csv
usage "ingest --assume-time on 29 February 2023" "--assume-time wants a time (ISO-8601 UTC, e.g. 2023-11-14T00:00:00Z, or Unix seconds), not \"2023-02-29T00:00:00Z\"" \
    "$PEL" ingest --db "$T/u.db" --assume-time 2023-02-29T00:00:00Z x.nmea
usage "scan passes --columns to the ingest" "--columns: the column map must name mmsi and time" \
    "$PEL" scan --db "$T/u.db" --columns mmsi=MMSI x.csv
usage "scan checks --format-in" "--format-in wants auto, nmea, noaa, dma, kystverket, barentswatch or csv" \
    "$PEL" scan --db "$T/u.db" --format-in xml x.csv
[ ! -e "$T/u.db" ]; expect "usage errors create no database" 0 $?

# standard input gives the same messages as the file
printf '%s\n' "$good" "$good" >"$T/two.nmea"
a=$("$PEL" decode --no-meta "$T/two.nmea" 2>/dev/null | md5sum)
b=$(cat "$T/two.nmea" | "$PEL" decode --no-meta 2>/dev/null | md5sum)
c=$(cat "$T/two.nmea" | "$PEL" decode --no-meta - 2>/dev/null | md5sum)
expect "stdin equals file" "$a" "$b"
expect "dash is stdin" "$a" "$c"

# --count
out=$("$PEL" decode --count -q "$T/two.nmea")
expect "count output" '{"lines":2,"messages":2,"by_type":{"1":2}}' "$out"

# a truncated gzip file: the messages before the cut, then an error and exit 1
for i in $(seq 2000); do echo "$good"; done | gzip -c >"$T/full.gz"
head -c $(( $(stat -c %s "$T/full.gz") / 2 )) "$T/full.gz" >"$T/cut.gz"
"$PEL" decode --count -q "$T/cut.gz" >"$T/cut.out" 2>"$T/cut.err"; rc=$?
expect "truncated gzip exits 1" 1 $rc
grep -q 'truncated or corrupt' "$T/cut.err"; expect "truncated gzip is reported" 0 $?
n=$("$PEL" decode --count -q "$T/full.gz" | sed 's/.*"messages":\([0-9]*\).*/\1/')
expect "whole gzip decodes" 2000 "$n"

# a 3 MiB line between two good ones: rejected as too long, not held
{ echo "$good"; head -c 3145728 /dev/zero | tr '\0' 'A'; echo; echo "$good"; } >"$T/long.nmea"
"$PEL" decode --rejects "$T/long.rej" "$T/long.nmea" >"$T/long.out" 2>/dev/null
expect "long line: both good messages" 2 "$(wc -l <"$T/long.out")"
expect "long line: one reject" "too_long" "$(cut -f3 "$T/long.rej")"
expect "long line: its number" 2 "$(cut -f2 "$T/long.rej")"
expect "long line: third line numbered 3" '3' "$(sed -n 2p "$T/long.out" | sed 's/.*"line":\([0-9]*\).*/\1/')"

# a line that ends the file without a newline, and CRLF
printf '%s\r\n%s' "$good" "$good" >"$T/crlf.nmea"
expect "CRLF and no final newline" 2 "$("$PEL" decode -q "$T/crlf.nmea" | wc -l)"

# memory does not grow with input size (peak RSS, KiB; both inputs larger
# than the 2 MiB read buffer) -- needs GNU time
if [ -x /usr/bin/time ]; then
    for i in $(seq 60000); do echo "$good"; done >"$T/small.nmea"
    for i in $(seq 10); do cat "$T/small.nmea"; done >"$T/large.nmea"
    s=$(/usr/bin/time -f %M "$PEL" decode -q "$T/small.nmea" 2>&1 >/dev/null)
    l=$(/usr/bin/time -f %M "$PEL" decode -q "$T/large.nmea" 2>&1 >/dev/null)
    if [ "$l" -le $((s + s / 10 + 512)) ]; then ok "memory flat: $s KiB for 60k lines, $l KiB for 600k"
    else bad "memory grew: $s KiB for 60k lines, $l KiB for 600k"; fi
else
    bad "memory check needs /usr/bin/time (Debian package 'time')"
fi
echo "cli: $pass passed, $fail failed"
[ $fail = 0 ]
