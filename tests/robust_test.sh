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
    has "simulate: $f on a full disk says so" "$T/full/$f.*No space left on device" "$T/full.err"
done

# ---- a database without findings through every reader (12) ----
# qsort(NULL, 0, ...) is undefined behaviour: the sanitizer build aborted
: >"$T/empty.nmea"
"$PEL" ingest -q --db "$T/empty.db" "$T/empty.nmea"; expect "an empty database is made" 0 $?
printf '%s\n' '\s:x,c:1700000000*33\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A' >"$T/one.nmea"
"$PEL" ingest -q --db "$T/one.db" "$T/one.nmea"; expect "a database of one position is made" 0 $?
: >"$T/empty.jsonl"
for db in empty one; do
    for cmd in scan screen vessels "vessels --rank" "report --out $T/rep-$db" "watchlist show" "tracks --format geojson" "coverage --format csv" coverage; do
        $PEL $cmd --db "$T/$db.db" >"$T/out" 2>"$T/err"; rc=$?
        expect "$db database: $cmd exits 0" 0 $rc
        expect "$db database: $cmd has no runtime error" 0 "$(grep -c -e 'runtime error' -e 'Sanitizer' "$T/err")"
    done
    n=$($PEL scan --db "$T/$db.db" 2>/dev/null | wc -l); expect "$db database: scan finds nothing" 0 "$n"
done
"$PEL" eval "$T/empty.jsonl" "$T/empty.jsonl" >/dev/null 2>"$T/err"
expect "eval of nothing against nothing has no runtime error" 0 "$(grep -c -e 'runtime error' -e 'Sanitizer' "$T/err")"
# the class: every sort and binary search goes through xsort.h's empty-safe wrappers
direct=$(grep -rnE '(^|[^x_[:alnum:]])(qsort|bsearch)\(' src --include='*.c' --include='*.h' | grep -v 'src/util/xsort.h' | head -3)
expect "no direct qsort/bsearch call in src/ (use xqsort/xbsearch)" "" "$direct"

# ---- simulate: scenarios that cannot be planned end with an error naming the member (06) ----
# a box whose points are all closer than a leg (5 km) looped for ever; one
# just over 5 km across drew points for ever; MIDs with too few MMSIs too
scen() { # name python-assignments...
    python3 -c "
import json, sys
d = json.load(open('$EX/scenario_small.json'))
$2
json.dump(d, open('$T/$1.json', 'w'))"
}
scen tinybox "d['background'] = {'vessels': 5, 'boxes': [[35.0, 123.0, 35.01, 123.01]]}"
scen narrowbox "d['background'] = {'vessels': 5, 'boxes': [[35.0, 123.0, 35.04, 123.03]]}"
scen fewmids "d['hours'] = 12; d['events'] = []; d['background'] = {'vessels': 500000, 'mids': [412], 'boxes': [[35, 123, 36, 124]]}"
for s in tinybox narrowbox fewmids; do
    timeout 10 "$PEL" simulate "$T/$s.json" --out "$T/o-$s" -q 2>"$T/$s.err"; rc=$?
    expect "simulate: $s refused in time (exit 1, not 124)" 1 $rc
done
has "tiny box: the member and its size" 'background: box 1 \[35, 123, 35.01, 123.01\] is 1.4 km corner to corner: too small' "$T/tinybox.err"
has "narrow box: the member and the bounded draws" 'background: box 1 \[35, 123, 35.04, 123.03\] is too small: no point 5 km away from bg1.s position, at sea and reached without crossing land, found in 10000 draws' "$T/narrowbox.err"
has "too few MIDs: the member and the limit" 'background: 500000 vessels need more MMSIs than "mids" give (1 MIDs: at most 450000 vessels)' "$T/fewmids.err"

# ---- simulate: a plan over budget is refused before it starts, with the estimate and the limit (14) ----
# a million vessels for 62 days took 11 GB and then ran out of memory; here
# under a 1 GB address-space limit and 20 s (the sanitizer build reserves
# terabytes of shadow memory, so it runs without the memory limit)
scen huge "d['hours'] = 1488; d['background']['vessels'] = 1000000"
lim=1000000; [ "$BUILD" = build-san ] && lim=unlimited
(ulimit -v $lim; timeout 20 "$PEL" simulate "$T/huge.json" --out "$T/o-huge" -q 2>"$T/huge.err"); rc=$?
expect "huge fleet: refused (exit 1)" 1 $rc
has "huge fleet: the estimate and the budget" 'huge.json: 1000011 vessels for 1488 h need about 62.6 billion messages (budget 100.0 million) and 20.1 GiB of memory (budget 4.0 GiB): raise --max-messages/--max-memory' "$T/huge.err"
[ ! -e "$T/o-huge" ]; expect "huge fleet: nothing written" 0 $?
"$PEL" simulate $EX/scenario_small.json --out "$T/o-budget" -q --max-messages 40000 2>"$T/budget.err"
expect "a lowered message budget refuses the small scenario" 1 $?
has "... naming the estimate" 'need about 51.4 thousand messages (budget 40.0 thousand)' "$T/budget.err"
"$PEL" simulate $EX/scenario_small.json --out "$T/o-budget" -q --max-memory 64K 2>"$T/budget.err"
expect "a lowered memory budget refuses it" 1 $?
has "... naming the estimate" 'of memory (budget 64.0 KiB)' "$T/budget.err"
"$PEL" simulate $EX/scenario_small.json --out "$T/o-budget" -q --max-messages 55000 --max-memory 1; expect "within the budget it runs" 0 $?
"$PEL" simulate $EX/scenario_small.json --out "$T/o-budget" -q --max-memory 0 2>/dev/null; expect "--max-memory 0 is a usage error" 2 $?
# a lane of one point repeated: legs of a second each, caught by the estimate
scen zerolane "d['background'] = {'vessels': 20, 'lanes': [[[34.0, 123.0], [34.0, 123.0]]]}; d['hours'] = 1488; d['events'] = []"
timeout 20 "$PEL" simulate "$T/zerolane.json" --out "$T/o-zl" -q --max-messages none 2>"$T/zl.err"
expect "a lane without length: refused (exit 1)" 1 $?
has "... for the memory its legs need" 'of memory (budget 4.0 GiB)' "$T/zl.err"

# ---- list imports: a UN XML with a DTD is refused; entities are never expanded (02) ----
# 50,000 references to a 50 kB entity took 4.9 GB, and under a memory
# limit imported "0 entries" with exit 0; here 20,000 x 20 kB under 1 GB
python3 -c "
big = 'A' * 20000
body = '<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>3</DATAID><FIRST_NAME>RYONG</FIRST_NAME><REFERENCE_NUMBER>K</REFERENCE_NUMBER><COMMENTS1>IMO 8606173 %s</COMMENTS1></ENTITY></ENTITIES></CONSOLIDATED_LIST>'
open('$T/dtd.xml', 'w').write('<?xml version=\"1.0\"?><!DOCTYPE CONSOLIDATED_LIST [<!ENTITY a \"%s\">]>' % big + body % ('&a;' * 20000))
open('$T/ext.xml', 'w').write('<?xml version=\"1.0\"?><!DOCTYPE CONSOLIDATED_LIST SYSTEM \"http://example.invalid/un.dtd\">' + body % '')
open('$T/undeclared.xml', 'w').write('<?xml version=\"1.0\"?>' + body % '&a;')
open('$T/plain.xml', 'w').write('<?xml version=\"1.0\"?>' + body % '')"
for x in dtd ext undeclared; do
    (ulimit -v $lim; timeout 20 "$PEL" watchlist import --db "$T/x-$x.db" "$T/$x.xml" 2>"$T/$x.err"); rc=$?
    expect "UN XML ($x): refused (exit 1)" 1 $rc
done
has "UN XML with an internal DTD: says why" 'dtd.xml: has a document type declaration (<!DOCTYPE>): the UN list has none' "$T/dtd.err"
has "UN XML with an external DTD: says why" 'ext.xml: has a document type declaration' "$T/ext.err"
has "UN XML with an undeclared entity: not well-formed" "undeclared.xml: line 1: invalid XML: Entity 'a' not defined" "$T/undeclared.err"
"$PEL" watchlist import --db "$T/x-plain.db" "$T/plain.xml" 2>"$T/plain.err"; expect "the same list without the DTD imports" 0 $?
has "... its one vessel" '1 vessel entries imported' "$T/plain.err"

# ---- list imports: linear in the names of one entry (15) ----
# 100,000 aliases in one OFAC entry took 12 s (each checked against all
# before it); alt.csv rows for one entry and "Linked To:" clauses the same
python3 -c "
head = '4243,\"EBANO\",\"vessel\",\"CUBA\",-0- ,-0- ,\"General Cargo\",\"2595\",\"1865\",\"Panama\",-0- ,\"Vessel Registration Identification IMO 7406784%s.\"\n'
open('$T/aliases.csv', 'w').write(head % ''.join(\"; a.k.a. 'ALIAS NUMBER %d'\" % i for i in range(100000)))
open('$T/links.csv', 'w').write(head % ''.join('; Linked To: COMPANY NUMBER %d' % i for i in range(300000)))
open('$T/sdn1.csv', 'w').write(head % '')
open('$T/alt.csv', 'w').write(''.join('4243,%d,\"aka\",\"ALT NAME %d\",-0- \n' % (i, i) for i in range(100000)))"
for x in aliases links "sdn1 alt"; do
    files=; for f in $x; do files="$files $T/$f.csv"; done
    timeout 8 "$PEL" watchlist import --db "$T/w-${x%% *}.db" $files 2>"$T/w.err"; rc=$?
    expect "OFAC: 100,000+ names of one entry ($x) import in linear time (exit 0, not 124)" 0 $rc
done
n=$(sqlite3 "$T/w-aliases.db" "SELECT length(aliases) - length(replace(aliases, char(10), '')) + 1 FROM watch_entries")
expect "OFAC: all 100,000 aliases stored" 100000 "$n"
n=$(sqlite3 "$T/w-sdn1.db" "SELECT length(aliases) - length(replace(aliases, char(10), '')) + 1 FROM watch_entries")
expect "OFAC alt.csv: all 100,000 aliases stored" 100000 "$n"

echo "robust: $pass passed, $fail failed"
[ $fail = 0 ]
