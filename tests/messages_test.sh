#!/usr/bin/env bash
# messages_test.sh -- what Pelorus says when something goes wrong (issue 17,
# item 9; "unknown option" for every command is in tests/args_test.sh):
#   1. "run again to continue" only where running again continues: a
#      database that failed half way (a file-size limit: EFBIG), never a
#      usage error, an input in the wrong format, an input that cannot be
#      read, or a missing file after a finished one;
#   2. a corrupt stored chunk is "a stored chunk is corrupt", without
#      SQLite's "not an error" / "another row available";
#   3. a reject reason is counted once: "mmsi" (CSV and record stage) and
#      "too_long" (NMEA and CSV) appear once in the summary, with the sum of
#      both, once in the database's record of the input, and are not
#      doubled when an input is continued;
#   4. too_long for every line over 1 MiB (PEL_MAX_LINE) wherever lines are
#      read: NMEA (decode, ingest; a line of 1 to 2 MiB was "malformed"),
#      the last line without a newline, CSV.
# Prints "messages: N passed, M failed".  Usage: tests/messages_test.sh [BUILD]
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
PEL=$BUILD/pelorus
T=$BUILD/messages-test
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok messages $1"; }
bad() { fail=$((fail + 1)); echo "FAIL messages $1"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi; }
has() { grep -qF -- "$2" "$1"; }

good='!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A'
NMEA=examples/yellow_sea_day.nmea
HDR='MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass'
row() { echo "$1,2022-01-03T0$2:00:00,29.9,-90.0,10,90,90,OCEAN LUCK,,C1,70,0,100,20,5,70,A"; }

# ---- 1. "run again to continue" ----------------------------------------------------------
try() { # name want_rc want_again(yes|no) args...
    local name=$1 rc=$2 again=$3; shift 3
    "$PEL" "$@" >/dev/null 2>"$T/err"; local got=$?
    expect "$name: exit status" "$rc" "$got"
    if has "$T/err" "run again"; then
        [ "$again" = yes ] && ok "$name: says run again" || bad "$name: says 'run again' where it cannot help: $(head -c 300 "$T/err")"
    else
        [ "$again" = no ] && ok "$name: does not say run again" || bad "$name: does not say run again: $(head -c 300 "$T/err")"
    fi
}
try "wrong format" 1 no ingest --db "$T/a.db" --format noaa "$NMEA"
has "$T/err" "not a NOAA" && ok "wrong format: says which" || bad "wrong format: $(cat "$T/err")"
for i in $(seq 3000); do echo "$good"; done | gzip -c >"$T/full.gz"
head -c $(( $(stat -c %s "$T/full.gz") / 2 )) "$T/full.gz" >"$T/cut.nmea.gz"
try "truncated gzip" 1 no ingest --db "$T/b.db" --assume-time 2023-01-01T00:00:00Z "$T/cut.nmea.gz"
try "a usage error" 2 no ingest --db "$T/c.db" --max-speed nan "$NMEA"
try "an unknown option" 2 no ingest --db "$T/c.db" --bogus "$NMEA"
try "a missing file after a finished one" 1 no ingest --db "$T/d.db" "$NMEA" "$T/no-such.nmea"
try "empty standard input (read, nothing in it)" 0 no ingest --db "$T/d2.db" - </dev/null
# the database fails half way: running again continues, and ends as a clean run does
"$PEL" simulate -q examples/scenario_small.json --out "$T/sim"
(trap '' XFSZ; ulimit -f 400; exec "$PEL" ingest --db "$T/e.db" "$T/sim/ais.nmea") >/dev/null 2>"$T/err"; rc=$?
expect "a database write failing half way: exit 1" 1 $rc
has "$T/err" "run again to continue" && ok "it says run again to continue" || bad "no 'run again': $(cat "$T/err")"
"$PEL" ingest --db "$T/e.db" "$T/sim/ais.nmea" >/dev/null 2>"$T/err2"; expect "running again: exit 0" 0 $?
"$PEL" ingest -q --db "$T/clean.db" "$T/sim/ais.nmea"
"$PEL" db-dump --db "$T/e.db" | grep -v '^input|' >"$T/e.dump"; "$PEL" db-dump --db "$T/clean.db" | grep -v '^input|' >"$T/clean.dump"
cmp -s "$T/e.dump" "$T/clean.dump" && ok "running again ends with the rows of a clean run" || bad "the continued database differs"

# ---- 2. a corrupt chunk ----------------------------------------------------------------------
"$PEL" ingest -q --db "$T/corrupt.db" "$NMEA"
python3 -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE chunks SET data = x'ffffffff' WHERE id = (SELECT min(id) FROM chunks)\"); c.commit()" "$T/corrupt.db"
for cmd in "tracks" "scan -q" "vessels --rank" "report -q --out $T/crep"; do
    "$PEL" $cmd --db "$T/corrupt.db" >/dev/null 2>"$T/err"; rc=$?
    expect "$cmd on a corrupt chunk: exit 1" 1 $rc
    if has "$T/err" "a stored chunk is corrupt" && ! grep -qi "not an error\|row available\|no more rows" "$T/err"; then
        ok "$cmd: 'a stored chunk is corrupt', without SQLite's status"
    else bad "$cmd: $(cat "$T/err")"; fi
done

# ---- 3. a reason counted once --------------------------------------------------------------
{ echo "$HDR"; row 205125000 0; row abc 1; row xyz 1; row 123 2; } >"$T/r.csv"
{ echo "$HDR"; row 205125001 0; printf '205125001,2022-01-03T03:00:00,29.9,-90.0,10,90,90,'; head -c 1500000 /dev/zero | tr '\0' A
  printf ',,C1,70,0,100,20,5,70,A\n'; } >"$T/long.csv"
{ echo "1700000000 $good"; head -c 1500000 /dev/zero | tr '\0' A; echo; echo "1700000001 $good"; } >"$T/long.nmea"
"$PEL" ingest --db "$T/r.db" "$T/r.csv" "$T/long.csv" "$T/long.nmea" >/dev/null 2>"$T/sum"
reasons=$(sed -n 's/.*rejected [0-9]* (\([^)]*\)).*/\1/p' "$T/sum")
# (MMSI 123 is kept as a junk MMSI now: the ingest stage rejects only what AIS cannot carry)
expect "the summary names each reason once, with the sum of both stages" "mmsi 2, too_long 2" \
    "$(echo "$reasons" | tr ',' '\n' | sed 's/^ //' | grep -E '^(mmsi|too_long) ' | sort | paste -sd, | sed 's/,/, /g')"
expect "each reason name once in the summary" "" "$(echo "$reasons" | tr ',' '\n' | sed 's/^ //; s/ [0-9]*$//' | sort | uniq -d)"
total=$(sed -n 's/.*rejected \([0-9]*\).*/\1/p' "$T/sum")
sum=$(echo "$reasons" | tr ',' '\n' | awk '{ s += $NF } END { print s + 0 }')
expect "the reasons add up to the rejected total" "$total" "$sum"
# the database's record of the input: one key per reason
python3 - "$T/r.db" >"$T/keys" <<'EOF'
import re, sqlite3, sys
for path, rej in sqlite3.connect(sys.argv[1]).execute("SELECT path, rejects FROM inputs ORDER BY id"):
    keys = re.findall(r'"([a-z_]+)":', rej or "")
    print(path.rsplit("/", 1)[-1], "dup" if len(keys) != len(set(keys)) else "ok", rej)
EOF
expect "the stored reasons have one key each" "" "$(grep ' dup ' "$T/keys")"
grep -q '^r.csv ok {"mmsi":2' "$T/keys" && ok "r.csv is stored with mmsi 2 (123 is kept, a junk MMSI)" || bad "r.csv's stored reasons: $(cat "$T/keys")"
# continued: mark the inputs unfinished, run again; the counts are read back once
python3 -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE inputs SET status = 'partial'\"); c.commit()" "$T/r.db"
"$PEL" ingest --db "$T/r.db" "$T/r.csv" "$T/long.csv" "$T/long.nmea" >/dev/null 2>"$T/sum2"
grep -q '3 continued' "$T/sum2" && ok "the three inputs were continued" || bad "not continued: $(cat "$T/sum2")"
expect "continued: the same reasons, not doubled" "$reasons" "$(sed -n 's/.*rejected [0-9]* (\([^)]*\)).*/\1/p' "$T/sum2")"

# ---- 4. too_long wherever lines are read -------------------------------------------------------
for n in 1048576 1048577 1500000 2097152 3000000; do
    { echo "$good"; head -c $n /dev/zero | tr '\0' B; echo; echo "$good"; } >"$T/l.nmea"
    want=$([ $n -gt 1048576 ] && echo too_long || echo malformed)
    "$PEL" decode -q --rejects "$T/l.rej" "$T/l.nmea" >/dev/null; expect "decode: a line of $n bytes" "$want" "$(cut -f3 "$T/l.rej")"
    { echo "$good"; head -c $n /dev/zero | tr '\0' B; } >"$T/last.nmea"
    "$PEL" decode -q --rejects "$T/l.rej" "$T/last.nmea" >/dev/null
    expect "decode: a last line of $n bytes without a newline" "$want" "$(cut -f3 "$T/l.rej")"
    cat "$T/l.nmea" | "$PEL" decode -q --rejects "$T/l.rej" >/dev/null
    expect "decode: a line of $n bytes on standard input" "$want" "$(cut -f3 "$T/l.rej")"
done
{ echo "1700000000 $good"; head -c 1500000 /dev/zero | tr '\0' B; echo; } | gzip -c >"$T/l.nmea.gz"
"$PEL" ingest -q --db "$T/l.db" --rejects "$T/l.rej" "$T/l.nmea.gz"
expect "ingest: a 1.5 MiB line in gzip" "2 too_long" "$(cut -f2,3 "$T/l.rej" | tr '\t' ' ')"
"$PEL" ingest -q --db "$T/lc.db" --rejects "$T/lc.rej" "$T/long.csv"
expect "ingest: a 1.5 MiB CSV row" "3 too_long" "$(cut -f2,3 "$T/lc.rej" | tr '\t' ' ')"

echo "messages: $pass passed, $fail failed"
[ $fail = 0 ]
