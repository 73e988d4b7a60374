#!/usr/bin/env bash
# pg_watch_readers_test.sh -- issue 15, "watch running while analysts query
# and report": on a throwaway PostgreSQL cluster (scripts/pg_cluster.sh,
# stopped by a trap on any exit), pelorus watch takes a scenario over TCP
# from pelorus replay at a steady rate (about 15 s, a commit and a
# detection every second) while an analyst runs scan, vessels --rank,
# vessel, tracks and report on the same database over and over.
# Checks: every reader exits 0, none waits on the writer (each under 10 s
# while the writer commits all along), the readers ran while watch was
# writing (the positions they saw grew), and once watch is done, nothing
# was lost or doubled: the database's vessels and the scan's findings equal
# those of the same file ingested into SQLite.
# Beside it, an ingest of another file (scenario_hard) runs to its end while
# watch still runs (watch takes the writer's lock for its track builds
# only), and a second watch on the database waits for the first to end;
# the database then holds what SQLite holds of the two files.  Then a
# watch killed with kill -9 in the middle of a followed file and started
# again with --once: the findings of a scan of the file, no alert sent
# twice as new.
# Prints "pg-watch-readers: N passed, M failed".
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
BUILD=${BUILD:-build}
PEL=$ROOT/$BUILD/pelorus
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok pg-watch-readers $1"; }
bad() { fail=$((fail + 1)); echo "FAIL pg-watch-readers $1"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi; }

dir=$(mktemp -d /tmp/pelorus-pgw.XXXXXX)
T=$(mktemp -d "${TMPDIR:-/tmp}/pg-watch-readers.XXXXXX")
RPID= WPID= W2PID=
cleanup() {
    [ -n "$WPID" ] && kill "$WPID" 2>/dev/null
    [ -n "$W2PID" ] && kill "$W2PID" 2>/dev/null
    [ -n "$RPID" ] && kill "$RPID" 2>/dev/null
    "$ROOT/scripts/pg_cluster.sh" stop "$dir" || true
}
trap 'cleanup; rm -rf "$dir" "$T"' EXIT
trap 'exit 1' INT TERM HUP
if ! conn=$(scripts/pg_cluster.sh start "$dir"); then
    bad "the cluster starts"
    echo "pg-watch-readers: $pass passed, $fail failed"
    exit 1
fi
psql "$conn" -X -q -c "CREATE DATABASE live" >/dev/null && url="postgresql:///live${conn#postgresql:///postgres}" &&
    psql "$url" -X -q -c 'CREATE EXTENSION postgis' >/dev/null
expect "a database with PostGIS" 0 $?

cd "$T" || exit 1
"$PEL" simulate -q "$ROOT/examples/scenario_small.json" --out sim || bad "simulate"
"$PEL" simulate -q "$ROOT/examples/scenario_hard.json" --out hard || bad "simulate"
lines=$(wc -l <sim/ais.nmea)

# the writer: replay at a rate that makes it last about 15 s
"$PEL" replay sim/ais.nmea --rate $((lines / 15 + 1)) --serve tcp://127.0.0.1:0 2>replay.err &
RPID=$!
PORT=
for _ in $(seq 200); do
    PORT=$(sed -n 's|^pelorus replay: serving tcp://127\.0\.0\.1:\([0-9]*\)$|\1|p' replay.err 2>/dev/null)
    [ -n "$PORT" ] && break
    sleep 0.05
done
expect "replay serves" 1 "$([ -n "$PORT" ] && echo 1)"
mkdir -p w && (cd w && exec "$PEL" watch -q --db "$url" --feed "tcp://127.0.0.1:$PORT#live" --once \
    --alerts a.jsonl 2>../watch.err) &
WPID=$!

# the analyst, until watch is done: each command timed
slowest=0 rounds=0 failed=0 seen=""
sleep 2
# another file ingested beside watch, and a second watch, which waits for the first
"$PEL" ingest -q --db "$url" hard/ais.nmea 2>ingest.err
irc=$?
ingest_while=$(kill -0 "$WPID" 2>/dev/null && echo 1)
: >empty.nmea
mkdir -p w2 && (cd w2 && exec "$PEL" watch -q --db "$url" --follow ../empty.nmea --once --alerts a.jsonl 2>../watch2.err) &
W2PID=$!
sleep 2
w2_waits=$(kill -0 "$W2PID" 2>/dev/null && kill -0 "$WPID" 2>/dev/null && echo 1)
while kill -0 "$WPID" 2>/dev/null; do
    rounds=$((rounds + 1))
    for cmd in "scan" "vessels --rank" "vessel 445110001" "tracks --format csv" "report --out rep"; do
        t0=$(date +%s%N)
        # shellcheck disable=SC2086
        if ! "$PEL" $cmd --db "$url" >out.txt 2>err.txt; then
            failed=$((failed + 1))
            echo "  $cmd failed: $(head -c 200 err.txt)"
        fi
        ms=$((($(date +%s%N) - t0) / 1000000))
        [ $ms -gt $slowest ] && slowest=$ms
    done
    seen="$seen $(psql "$url" -X -q -A -t -c 'SELECT coalesce(sum(n), 0) FROM pelorus.chunks')"
done
wait "$WPID"
wrc=$?
WPID=
wait "$W2PID"
w2rc=$?
W2PID=
wait "$RPID" 2>/dev/null
RPID=
expect "watch ran to the end of the feed" 0 "$wrc"
expect "an ingest of another file beside watch exits 0" 0 "$irc"
expect "  and ends while watch still runs" 1 "$ingest_while"
expect "a second watch on the database waits while the first runs" 1 "$w2_waits"
expect "  then ran (exit 0)" 0 "$w2rc"
expect "every analyst command succeeded while watch wrote ($rounds rounds)" 0 "$failed"
expect "no analyst command waited on the writer (slowest ${slowest} ms, under 10 s)" 1 "$([ "$slowest" -lt 10000 ] && echo 1)"
grown=$(echo "$seen" | tr ' ' '\n' | grep -v '^$' | sort -n -u | wc -l)
expect "the analyst saw the data grow while watch wrote (positions seen:$(echo "$seen" | cut -c1-60)...)" 1 \
    "$([ "$grown" -ge 2 ] && echo 1)"

# nothing lost or doubled: the same files ingested into SQLite
"$PEL" ingest -q --db s.db sim/ais.nmea hard/ais.nmea || bad "ingest into SQLite"
"$PEL" vessels --db s.db >sq.vessels
"$PEL" vessels --db "$url" >pg.vessels
cmp -s sq.vessels pg.vessels
expect "the vessels and their positions equal an SQLite ingest of the two files" 0 $?
# the evidence names the input: the file here, watch's journal there (its
# lines numbered as the file's)
"$PEL" scan -q --db s.db | jq -c 'del(.finding_id)' | sed 's#"file":"[^"]*"#"file":"F"#g' >sq.f
"$PEL" scan -q --db "$url" | jq -c 'del(.finding_id)' | sed 's#"file":"[^"]*"#"file":"F"#g' >pg.f
cmp -s sq.f pg.f
expect "the findings equal an SQLite ingest's, line for line ($(wc -l <sq.f); the input's name aside)" 0 $?
[ $fail = 0 ] || { diff sq.vessels pg.vessels | head -5; diff sq.f pg.f | head -5; }

# kill -9 in the middle, then a restart with --once (as tests/watch_test.sh
# on SQLite): the findings of the scan (evidence aside: journals there), no
# alert sent twice as new
psql "$conn" -X -q -c "CREATE DATABASE k9" >/dev/null && k9="postgresql:///k9${conn#postgresql:///postgres}" &&
    psql "$k9" -X -q -c 'CREATE EXTENSION postgis' >/dev/null
half=$(($(wc -l <sim/ais.nmea) / 2))
head -n "$half" sim/ais.nmea >k.nmea
mkdir -p k
(cd k && exec "$PEL" watch -q --db "$k9" --follow ../k.nmea --alerts a.jsonl --commit-interval 0.2 2>../k.err) &
WPID=$!
for _ in $(seq 200); do [ -s k/a.jsonl ] && break; sleep 0.05; done
tail -n +$((half + 1)) sim/ais.nmea >>k.nmea # more lines while it runs...
sleep 0.3
kill -9 "$WPID" 2>/dev/null # ... killed in the middle of them
wait "$WPID" 2>/dev/null
WPID=
(cd k && "$PEL" watch -q --db "$k9" --follow ../k.nmea --once --alerts a.jsonl --findings f.jsonl 2>../k2.err)
expect "kill -9, then a restart: exit 0" 0 $?
noev() { jq -c 'walk(if type == "object" then del(.evidence, .file, .line, .finding_id) else . end)' "$1" | sort; }
"$PEL" scan -q --db one.db sim/ais.nmea >one.f
[ -s k/f.jsonl ] && cmp -s <(noev k/f.jsonl) <(noev one.f)
expect "  the findings equal a scan of the file's ($(wc -l <one.f), evidence aside)" 0 $?
expect "  no alert sent twice as new" "" "$(jq -r 'select(.alert == "new") | .id' k/a.jsonl | sort | uniq -d)"
expect "  every finding's alert sent" "$(wc -l <one.f)" "$(jq -r 'select(.alert == "new") | .id' k/a.jsonl | sort -u | wc -l)"
echo "pg-watch-readers: $pass passed, $fail failed"
[ $fail = 0 ]
