#!/usr/bin/env bash
# output_test.sh -- every file Pelorus writes is written whole or not at all,
# never through a symbolic link, and every command fails when its output is
# lost (issue 17, item 6; reproducers 10_report_symlink.sh and
# 11_devfull_exit0.sh):
#   1. a symbolic link planted at each output name (report files, -o,
#      --rejects, simulate's files) is refused and its target left as it was;
#   2. kill -9 in the middle of writing leaves the previous file, never a
#      truncated one (simulate's ais.nmea, report's files);
#   3. standard output on /dev/full: every command, --help and version
#      included, exits 1; -o and --rejects on /dev/full too;
#   4. -o /dev/stdout, -o - and a FIFO still work (into a pipe and into a
#      file the shell opened); no temporary file is left after a run.
# Prints "output: N passed, M failed".  Usage: tests/output_test.sh [BUILD]
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
PEL=$PWD/$BUILD/pelorus
T=$BUILD/output-test
rm -rf "$T"; mkdir -p "$T"
T=$(cd "$T" && pwd)
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok output $1"; }
bad() { fail=$((fail + 1)); echo "FAIL output $1"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi; }

DB=$T/ys.db
NMEA=examples/yellow_sea_day.nmea
"$PEL" ingest -q --db "$DB" "$NMEA" || bad "ingest of the sample"
"$PEL" simulate -q examples/scenario_small.json --out "$T/sim" || bad "simulate"
printf '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B\n' >"$T/bad.nmea"   # one checksum reject

# ---- 1. symbolic links at the output names ----------------------------------------
# name | the output path (a link to victim is put there) | command line (OUT = that path)
victim=$T/victim.txt
while IFS='|' read -r name out line; do
    [ -z "$name" ] && continue
    out=${out//TMP/$T}; line=${line//TMP/$T}; line=${line//DB/$DB}; line=${line//OUT/$out}
    echo precious >"$victim"
    mkdir -p "$(dirname "$out")"; rm -f "$out"; ln -s "$victim" "$out"
    eval "set -- $line"
    "$PEL" "$@" >/dev/null 2>"$T/err"; rc=$?
    expect "$name: refused (exit 1)" 1 "$rc"
    grep -q "symbolic link" "$T/err" && ok "$name: says why" || bad "$name: message: $(cat "$T/err")"
    expect "$name: the link's target is untouched" precious "$(cat "$victim")"
    [ -L "$out" ] && ok "$name: the link itself is left alone" || bad "$name: the link was replaced"
done <<'EOF'
report report.html|TMP/rep1/report.html|report -q --db DB --out TMP/rep1
report findings.csv|TMP/rep2/findings.csv|report -q --db DB --out TMP/rep2
report tracks.geojson|TMP/rep3/tracks.geojson|report -q --db DB --out TMP/rep3
scan -o|TMP/scan.jsonl|scan -q --db DB -o OUT
vessels -o|TMP/vessels.jsonl|vessels --db DB -o OUT
vessels --rank -o|TMP/rank.jsonl|vessels --rank --db DB -o OUT
tracks -o|TMP/tracks.csv|tracks --db DB --format csv -o OUT
decode --rejects|TMP/dec.rej|decode -q --rejects OUT TMP/bad.nmea
ingest --rejects|TMP/ing.rej|ingest -q --db TMP/ing.db --rejects OUT TMP/bad.nmea
simulate ais.nmea|TMP/simlink/ais.nmea|simulate -q examples/scenario_small.json --out TMP/simlink
simulate truth.jsonl|TMP/simlink2/truth.jsonl|simulate -q examples/scenario_small.json --out TMP/simlink2
EOF
# a link at one report file stops the report before it replaces any other
"$PEL" ingest -q --db "$T/sim.db" "$T/sim/ais.nmea"
mkdir -p "$T/rep4"; "$PEL" report -q --db "$DB" --out "$T/rep4"
four() { cat "$T"/rep4/{findings.csv,findings.geojson,report.html,tracks.geojson} | md5sum; }
before=$(four)
echo precious >"$victim"; rm "$T/rep4/findings.kml"; ln -s "$victim" "$T/rep4/findings.kml"
"$PEL" report -q --db "$T/sim.db" --out "$T/rep4" 2>/dev/null; expect "report with a link at findings.kml fails" 1 $?
expect "and no file of the previous report was replaced" "$before" "$(four)"
expect "and the link's target is untouched" precious "$(cat "$victim")"

# ---- 2. kill -9 in the middle -------------------------------------------------------
# simulate's ais.nmea: the previous file, whole, after a kill half way through a bigger run
"$PEL" simulate -q examples/scenario_small.json --out "$T/simk" --seed 1
old=$(md5sum <"$T/simk/ais.nmea")
"$PEL" simulate -q examples/scenario_small.json --out "$T/simk" --seed 2 --scale 20 &
pid=$!; sleep 0.3; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
expect "simulate killed half way: ais.nmea is the previous one, whole" "$old" "$(md5sum <"$T/simk/ais.nmea")"
# the report, killed at many moments: every file is the old one or the new one, whole
rm -rf "$T/kill" "$T/new" "$T/old"
"$PEL" report -q --db "$DB" --out "$T/old"; "$PEL" report -q --db "$T/sim.db" --out "$T/new"
torn=0
for d in 0 0.002 0.004 0.006 0.008 0.01 0.015 0.02 0.03 0.05; do
    rm -rf "$T/kill"; cp -r "$T/old" "$T/kill"
    "$PEL" report -q --db "$T/sim.db" --out "$T/kill" & pid=$!
    sleep $d; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    for f in report.html findings.geojson findings.kml findings.csv tracks.geojson; do
        cmp -s "$T/kill/$f" "$T/new/$f" || cmp -s "$T/kill/$f" "$T/old/$f" ||
            { torn=$((torn + 1)); echo "  $f after a kill at ${d}s is neither the old nor the new one"; }
    done
done
expect "report killed at 10 moments: never a torn file" 0 "$torn"

# ---- 3. output lost on /dev/full ----------------------------------------------------------
while IFS='|' read -r name line; do
    [ -z "$name" ] && continue
    line=${line//TMP/$T}; line=${line//DB/$DB}
    eval "set -- $line"
    "$PEL" "$@" >/dev/full 2>"$T/err"; rc=$?
    expect "$name >/dev/full exits 1" 1 "$rc"
    grep -qi "no space left\|writing" "$T/err" && ok "$name >/dev/full says so" || bad "$name >/dev/full: $(head -c 300 "$T/err")"
done <<'EOF'
version|version
--version|--version
help|help
--help|--help
decode --help|decode --help
scan --help|scan --help
ingest --help|ingest --help
vessel --help|vessel --help
vessels --help|vessels --help
tracks --help|tracks --help
report --help|report --help
simulate --help|simulate --help
eval --help|eval --help
screen --help|screen --help
watchlist --help|watchlist --help
screen|screen --db DB
watchlist show|watchlist show --db DB
decode|decode -q examples/yellow_sea_day.nmea
decode --count|decode -q --count examples/yellow_sea_day.nmea
scan|scan -q --db DB
scan --format table|scan -q --db DB --format table
vessels|vessels --db DB
vessels --rank|vessels --rank --db DB
vessel|vessel --db DB 445111000
tracks|tracks --db DB
eval|eval TMP/sim/truth.jsonl TMP/sim/truth.jsonl
eval --json|eval --json TMP/sim/truth.jsonl TMP/sim/truth.jsonl
db-dump|db-dump --db DB
scan -o /dev/full|scan -q --db DB -o /dev/full
vessels -o /dev/full|vessels --db DB -o /dev/full
tracks -o /dev/full|tracks --db DB -o /dev/full
decode --rejects /dev/full|decode -q --count --rejects /dev/full TMP/bad.nmea
ingest --rejects /dev/full|ingest -q --db TMP/full.db --rejects /dev/full TMP/bad.nmea
EOF

# ---- 4. devices, descriptors and no leftovers ---------------------------------------------------
"$PEL" scan -q --db "$DB" >"$T/plain.jsonl"
expect "scan -o /dev/stdout into a pipe" "$(md5sum <"$T/plain.jsonl")" "$("$PEL" scan -q --db "$DB" -o /dev/stdout | md5sum)"
"$PEL" scan -q --db "$DB" -o /dev/stdout >"$T/redirected.jsonl"
expect "scan -o /dev/stdout into a file the shell opened" "$(md5sum <"$T/plain.jsonl")" "$(md5sum <"$T/redirected.jsonl")"
expect "scan -o - is standard output" "$(md5sum <"$T/plain.jsonl")" "$("$PEL" scan -q --db "$DB" -o - | md5sum)"
"$PEL" tracks --db "$DB" --format csv >"$T/tracks.csv" 2>/dev/null
expect "tracks -o /dev/stdout" "$(md5sum <"$T/tracks.csv")" "$("$PEL" tracks --db "$DB" --format csv -o /dev/stdout 2>/dev/null | md5sum)"
mkfifo "$T/fifo"
cat "$T/fifo" >"$T/from-fifo" & pid=$!
"$PEL" vessels --db "$DB" -o "$T/fifo"; expect "vessels -o FIFO exits 0" 0 $?
wait $pid
expect "the FIFO carried the output" "$("$PEL" vessels --db "$DB" | md5sum)" "$(md5sum <"$T/from-fifo")"
"$PEL" scan -q --db "$DB" -o "$T/out.jsonl"; expect "scan -o FILE" "$(md5sum <"$T/plain.jsonl")" "$(md5sum <"$T/out.jsonl")"
chmod 0600 "$T/out.jsonl"; "$PEL" scan -q --db "$DB" -o "$T/out.jsonl"
expect "scan -o over an existing file keeps its mode" 600 "$(stat -c %a "$T/out.jsonl")"
"$PEL" decode -q --rejects "$T/dec.rej2" "$T/bad.nmea" >/dev/null
expect "decode --rejects FILE" checksum "$(cut -f3 "$T/dec.rej2")"
"$PEL" scan -q --db "$DB" --set gap.min_gap_h=nan -o "$T/out.jsonl" 2>/dev/null
expect "a refused scan leaves the previous -o file" "$(md5sum <"$T/plain.jsonl")" "$(md5sum <"$T/out.jsonl")"
left=$(find "$T" -name '.*.tmp' ! -path "$T/simk/*" ! -path "$T/kill/*" | wc -l)
expect "no temporary file left by a finished command" 0 "$left"

echo "output: $pass passed, $fail failed"
[ $fail = 0 ]
