#!/usr/bin/env bash
# watch_test.sh -- pelorus watch end to end, on the simulated small
# scenario (examples/scenario_small.json, 61,653 lines):
#   1. usage: no feed, a feed of the wrong scheme, a refused setting (exit 2);
#   2. --follow FILE --once: the findings left standing (--findings) equal
#      pelorus scan of the same file byte for byte but for the evidence's
#      file (the journal instead of the input; one feed from its start, so
#      the journal's line numbers are the input's), and there is one alert
#      "new" per finding, ids unique, sequence numbers 1..N;
#   3. the same file replayed over TCP (pelorus replay) and over UDP into
#      watch --once: the same findings; paced over TCP with a new journal
#      every 5,000 lines, too (evidence aside: each journal numbers its own);
#      Two feeds at once, one of random bytes: counted on its own, the
#      findings those of the good one;
#   4. idle on a silent feed, watch takes (almost) no CPU; late data: a
#      position of 445110001 from 23:00 on day 1 (a satellite's,
#      arriving after everything else) splits its 14-hour gap into two of 7:
#      the gap's alert is retracted (same id), nothing else changes;
#   5. kill -9 in the middle of a followed file, then a restart with --once:
#      the findings equal the scan's (evidence aside: the second journal
#      numbers its own lines), no id is sent twice as "new", and every line
#      is stored once (positions as the scan's ingest);
#      The same, killed five times at other moments while the file grows;
#      alerts written but not committed when killed are read back, not sent
#      again;
#      --window-days 1: the findings of pelorus scan --from the last day;
#      paced so that the window slides: each finding sent new once, none
#      retracted;
#   6. standard input (--once: the same findings; without it, SIGUSR1 prints
#      the status at once, and the end of the input ends the run);
#   7. --exec: the command gets every alert on its standard input; failures
#      are counted; a command holds none of the service's files.
# Prints "watch: N passed, M failed".  Usage: tests/watch_test.sh (BUILD=build)
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$PWD/$BUILD/pelorus
T=$BUILD/watch-test
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok watch $1"; }
bad() { fail=$((fail + 1)); echo "FAIL watch $1"; }
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done' EXIT

# waits (up to 30 s) until command succeeds
wait_for() {
    for _ in $(seq 300); do
        if eval "$1"; then return 0; fi
        sleep 0.1
    done
    return 1
}

# the findings with the evidence's file names left out
nofile() { sed 's/"file":"[^"]*"/"file":"-"/g' "$1"; }
# ... and the evidence itself (anywhere: partners quote their lines too)
noev() { python3 -c '
import json, sys
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in ("evidence", "file", "line")}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
for l in open(sys.argv[1]):
    print(json.dumps(strip(json.loads(l)), sort_keys=True))' "$1"; }

# ---- 1. usage ----
usage() { # name fragment args...
    local name=$1 frag=$2; shift 2
    "$PEL" watch "$@" >"$T/out" 2>"$T/err" </dev/null; local rc=$?
    if [ $rc = 2 ] && grep -qF -- "$frag" "$T/err"; then ok "$name"; else bad "$name: exit $rc: $(head -c 300 "$T/err")"; fi
}
usage "no feed" "no feed" --db "$T/u.db"
usage "feed scheme" "--feed wants tcp://HOST:PORT" --db "$T/u.db" --feed udp://127.0.0.1:1
usage "listen scheme" "--listen wants udp://ADDR:PORT" --db "$T/u.db" --listen tcp://127.0.0.1:1
usage "bad setting" "no.such" --db "$T/u.db" --set no.such=1 -
[ ! -e "$T/u.db" ] && ok "usage errors make no database" || bad "usage errors made a database"
"$PEL" watch -q --db "$T/nf.db" --follow "$T/no-such.nmea" --once >/dev/null 2>"$T/nf.err"
rc=$?
if [ $rc = 1 ] && grep -qF "feed no-such.nmea (file:$T/no-such.nmea): $T/no-such.nmea: No such file or directory" "$T/nf.err"; then
    ok "--once with a file that is not there: exit 1, saying so"
else bad "--once, missing file: exit $rc: $(head -c 300 "$T/nf.err")"; fi

# ---- the scenario and its scan ----
"$PEL" simulate examples/scenario_small.json -o "$T/sim" >/dev/null 2>&1
F=$T/sim/ais.nmea
"$PEL" scan -q --db "$T/scan.db" "$F" >"$T/scan.jsonl" 2>/dev/null
N=$(wc -l <"$T/scan.jsonl")
[ "$N" = 17 ] && ok "scan: 17 findings" || bad "scan: $N findings, wanted 17"

# the standing findings of a run against the scan's
same_as_scan() { # name findings alerts
    if cmp -s <(nofile "$2") <(nofile "$T/scan.jsonl"); then ok "$1: findings equal the scan's"; else
        bad "$1: findings differ from the scan's: $(diff <(nofile "$2") <(nofile "$T/scan.jsonl") | head -c 600)"; fi
    local nn ids seqs
    nn=$(grep -c '"alert":"new"' "$3")
    ids=$(grep -o '"id":"[0-9a-f]*"' "$3" | sort -u | wc -l)
    seqs=$(grep -o '"seq":[0-9]*' "$3" | cut -d: -f2 | tr '\n' ' ')
    want=$(seq -s ' ' 1 "$(grep -c . "$3")")
    if [ "$nn" = "$N" ] && [ "$ids" = "$N" ] && [ "$seqs" = "$want " ] && ! grep -q '"retract"' "$3"; then
        ok "$1: $N alerts new (and updates as they grew), no retraction, ids unique, seq 1..$(grep -c . "$3")"
    else bad "$1: $nn new, $ids ids, seq [$seqs]"; fi
}

# ---- 2. a followed file, --once ----
"$PEL" watch -q --db "$T/f.db" --follow "$F#sim-ais.nmea" --once --alerts "$T/f.alerts" --findings "$T/f.jsonl" 2>"$T/f.err"
rc=$?
[ $rc = 0 ] && ok "follow --once: exit 0" || bad "follow --once: exit $rc: $(head -c 300 "$T/f.err")"
same_as_scan "follow" "$T/f.jsonl" "$T/f.alerts"
J=$(ls "$T"/f.db-live/*.nmea 2>/dev/null | head -1)
if [ -n "$J" ] && cmp -s <(sed 's/,[rx]sim-ais\.nmea,[0-9]*$//' "$J") "$F" && [ "$(grep -c ',[rx]sim-ais\.nmea,1[0-9]\{12\}$' "$J")" = "$(grep -c '^[!\\].*\*[0-9A-Fa-f][0-9A-Fa-f]$' "$F")" ]; then
    ok "follow: the journal holds every line as received, sentences with feed and arrival time"
else bad "follow: journal [$J] differs from the input"; fi
if grep -qF "\"file\":\"$J\"" "$T/f.jsonl"; then ok "follow: the evidence names the journal"; else bad "follow: evidence does not name $J"; fi

# ---- 3. TCP and UDP ----
start_replay() { # serve [options] -> sets RPID (and PORT for TCP)
    rm -f "$T/replay.err"
    "$PEL" replay "$F" --serve "$@" 2>"$T/replay.err" &
    RPID=$!; pids+=("$RPID")
}
start_replay tcp://127.0.0.1:0
PORT=
wait_for '[ -s "$T/replay.err" ] && PORT=$(sed -n "s|^pelorus replay: serving tcp://127\.0\.0\.1:\([0-9]*\)$|\1|p" "$T/replay.err") && [ -n "$PORT" ]'
"$PEL" watch -q --db "$T/t.db" --feed "tcp://127.0.0.1:$PORT#rx-tcp" --once --alerts "$T/t.alerts" --findings "$T/t.jsonl" 2>"$T/t.err"
rc=$?
wait "$RPID"
[ $rc = 0 ] && ok "tcp --once: exit 0" || bad "tcp --once: exit $rc: $(head -c 300 "$T/t.err")"
same_as_scan "tcp" "$T/t.jsonl" "$T/t.alerts"

# paced, with a new journal every 5,000 lines: the findings are the same
start_replay tcp://127.0.0.1:0 --rate 30000
PORT=
wait_for '[ -s "$T/replay.err" ] && PORT=$(sed -n "s|^pelorus replay: serving tcp://127\.0\.0\.1:\([0-9]*\)$|\1|p" "$T/replay.err") && [ -n "$PORT" ]'
"$PEL" watch -q --db "$T/r.db" --feed "tcp://127.0.0.1:$PORT#rx-tcp" --once --journal-lines 5000 --commit-interval 0.2 \
    --alerts "$T/r.alerts" --findings "$T/r.jsonl" 2>"$T/r.err"
wait "$RPID"
nj=$(ls "$T"/r.db-live/*.nmea | wc -l)
if [ "$nj" -ge 5 ] && [ "$(cat "$T"/r.db-live/*.nmea | wc -l)" = 61653 ] && \
    [ "$(sqlite3 "$T/r.db" "SELECT count(*) = sum(status = 'complete') AND sum(lines_done) = 61653 FROM inputs")" = 1 ]; then
    ok "journal rotation: $nj journals, every line in one, all complete"
else bad "journal rotation: $nj journals: $(sqlite3 "$T/r.db" "SELECT path, status, lines_done FROM inputs" | head -c 400)"; fi
if cmp -s <(noev "$T/r.jsonl") <(noev "$T/scan.jsonl"); then ok "journal rotation: findings equal the scan's"
else bad "journal rotation: findings differ: $(diff <(noev "$T/r.jsonl") <(noev "$T/scan.jsonl") | head -c 600)"; fi

# two feeds at once, one of them garbage (random bytes over TCP): the
# garbage is counted, and the findings are the scan's of the good feed
head -c 3000000 /dev/urandom >"$T/garbage.bin"
rm -f "$T/replay.err"
"$PEL" replay "$T/garbage.bin" --serve tcp://127.0.0.1:0 2>"$T/replay.err" &
RPID=$!; pids+=("$RPID")
PORT=
wait_for '[ -s "$T/replay.err" ] && PORT=$(sed -n "s|^pelorus replay: serving tcp://127\.0\.0\.1:\([0-9]*\)$|\1|p" "$T/replay.err") && [ -n "$PORT" ]'
"$PEL" watch --db "$T/x.db" --feed "tcp://127.0.0.1:$PORT#junk" --follow "$F#good" --once --stats-interval 3600 \
    --alerts "$T/x.alerts" --findings "$T/x.jsonl" 2>"$T/x.err"
rc=$?
wait "$RPID"
if [ $rc = 0 ] && cmp -s <(noev "$T/x.jsonl") <(noev "$T/scan.jsonl"); then ok "garbage beside a good feed: the good feed's findings"
else bad "garbage beside a good feed: exit $rc: $(diff <(noev "$T/x.jsonl") <(noev "$T/scan.jsonl") | head -c 400) $(head -c 300 "$T/x.err")"; fi
if grep -q '^pelorus watch: feed junk (tcp://127.0.0.1:[0-9]*): ended, lines [1-9][0-9]*, messages 0, rejects [1-9][0-9]* binary [1-9]' "$T/x.err" &&
    grep -q '^pelorus watch: feed good (file:.*): ended, lines 61653, messages 51715, rejects 119 malformed 5 checksum 100 fragment_orphan 9 fragment_stale 5,' "$T/x.err"; then
    ok "garbage: counted on its own feed (no message, rejects by reason); the good feed's counts as alone"
else bad "garbage: $(grep 'feed ' "$T/x.err" | head -c 600)"; fi

UPORT=$((20000 + RANDOM % 20000))
"$PEL" watch --db "$T/u2.db" --listen "udp://127.0.0.1:$UPORT#rx-udp" --once --udp-idle 2 --stats-interval 3600 \
    --alerts "$T/u.alerts" --findings "$T/u.jsonl" 2>"$T/u.err" &
WPID=$!; pids+=("$WPID")
sleep 0.5
start_replay "udp://127.0.0.1:$UPORT"
wait "$RPID"
wait "$WPID"; rc=$?
[ $rc = 0 ] && ok "udp --once: exit 0" || bad "udp --once: exit $rc: $(head -c 300 "$T/u.err")"
same_as_scan "udp" "$T/u.jsonl" "$T/u.alerts"
if grep -q "feed rx-udp (udp://127.0.0.1:$UPORT): ended, lines 61653," "$T/u.err"; then ok "udp: status line counts every line"
else bad "udp: status: $(grep 'feed rx-udp' "$T/u.err" | head -c 300)"; fi

# ---- 4. late data retracts a gap ----
LATE=$(python3 - <<'EOF'
import sys
sys.path.insert(0, 'tests/tools')
import aisenc
# 445110001 at 23:00 on day 1, a little north of where its gap began, heard by a satellite
print(aisenc.tag('s:sat-1,c:1709334000') + aisenc.sentence(*aisenc.armor(
    aisenc.t1(445110001, aisenc.deg(36.60), aisenc.deg(124.10), speed=80, course=200))))
EOF
)
cp "$F" "$T/late.nmea"
"$PEL" watch -q --db "$T/l.db" --follow "$T/late.nmea" --alerts "$T/l.alerts" --commit-interval 0.2 2>"$T/l.err" &
WPID=$!; pids+=("$WPID")
wait_for '[ "$(grep -c . "$T/l.alerts" 2>/dev/null)" = "$N" ]'
GAP=$(grep '"event":"gap","mmsi":445110001,' "$T/l.alerts" | grep -o '"id":"[0-9a-f]*"' | head -1)
# a silent feed costs nothing: the CPU time watch takes while idle for 2 s
# (clock ticks of /proc/PID/stat, 100 a second; a loop polling without
# waiting took all 200)
cpu() { awk '{ print $14 + $15 }' "/proc/$WPID/stat"; }
c0=$(cpu); sleep 2; c1=$(cpu)
if [ $((c1 - c0)) -lt 40 ]; then ok "idle on a silent feed: $((c1 - c0)) ticks of CPU in 2 s"
else bad "idle on a silent feed: $((c1 - c0)) ticks of CPU in 2 s (a busy loop)"; fi
printf '%s\n' "$LATE" >>"$T/late.nmea"
wait_for '[ "$(grep -c . "$T/l.alerts")" -gt "$N" ]'
sleep 1
kill "$WPID"; wait "$WPID"
TAIL=$(tail -n +$((N + 1)) "$T/l.alerts")
if [ -n "$GAP" ] && [ "$(printf '%s\n' "$TAIL" | wc -l)" = 1 ] && printf '%s\n' "$TAIL" | grep -q "\"alert\":\"retract\",$GAP,\"seq\":$((N + 1)),\"event\":\"gap\",\"mmsi\":445110001,\"start\":\"2024-03-01T15:56:05Z\""; then
    ok "late position: the gap it splits is retracted, nothing else"
else bad "late position: gap $GAP, then: $(printf '%s' "$TAIL" | head -c 600)"; fi

# ---- 5. kill -9 and restart ----
half=$(( $(wc -l <"$F") / 2 ))
head -n "$half" "$F" >"$T/k.nmea"
"$PEL" watch -q --db "$T/k.db" --follow "$T/k.nmea" --alerts "$T/k.alerts" --commit-interval 0.2 2>"$T/k.err" &
WPID=$!; pids+=("$WPID")
wait_for '[ -s "$T/k.alerts" ]'
tail -n +$((half + 1)) "$F" >>"$T/k.nmea" # more lines while it runs...
sleep 0.3
kill -9 "$WPID"; wait "$WPID" 2>/dev/null # ... killed in the middle of them
"$PEL" watch -q --db "$T/k.db" --follow "$T/k.nmea" --once --alerts "$T/k.alerts" --findings "$T/k.jsonl" 2>"$T/k2.err"
rc=$?
[ $rc = 0 ] && ok "restart: exit 0" || bad "restart: exit $rc: $(head -c 300 "$T/k2.err")"
if cmp -s <(noev "$T/k.jsonl") <(noev "$T/scan.jsonl"); then ok "restart: findings equal the scan's"
else bad "restart: findings differ: $(diff <(noev "$T/k.jsonl") <(noev "$T/scan.jsonl") | head -c 600)"; fi
dup=$(grep '"alert":"new"' "$T/k.alerts" | grep -o '"id":"[0-9a-f]*"' | sort | uniq -d | wc -l)
[ "$dup" = 0 ] && ok "restart: no id sent twice as new" || bad "restart: $dup ids sent twice as new"
sp=$(sqlite3 "$T/scan.db" "SELECT sum(positions) FROM inputs")
kp=$(sqlite3 "$T/k.db" "SELECT sum(positions) FROM inputs")
jl=$(cat "$T"/k.db-live/*.nmea | grep -c ',[rx]k\.nmea,1[0-9]*$')
[ "$sp" = "$kp" ] && [ "$jl" -gt 61000 ] && ok "restart: every position stored once ($kp)" || bad "restart: $kp positions (scan $sp)"

# killed between writing its alerts and committing them: the store has
# forgotten them (rolled back by hand here), the alerts file has not; the
# next run reads them back and sends none again
cp "$T/f.alerts" "$T/f2.alerts"
sqlite3 "$T/f.db" "DELETE FROM live_alerts; UPDATE live_state SET value = '0' WHERE key = 'alert_seq'"
"$PEL" watch -q --db "$T/f.db" --follow "$F#sim-ais.nmea" --once --alerts "$T/f2.alerts" 2>"$T/f2.err"
rc=$?
if [ $rc = 0 ] && [ "$(wc -l <"$T/f2.alerts")" = "$N" ] && [ "$(sqlite3 "$T/f.db" "SELECT count(*) FROM live_alerts")" = "$N" ] &&
    [ "$(sqlite3 "$T/f.db" "SELECT value FROM live_state WHERE key = 'alert_seq'")" = "$N" ]; then
    ok "alerts written but not committed: read back, none sent again"
else bad "alerts read back: exit $rc, $(wc -l <"$T/f2.alerts") alert lines: $(tail -n +$((N + 1)) "$T/f2.alerts" | head -c 300)"; fi

# killed again and again while the file grows: five runs, each killed at
# another moment, then one to the end
: >"$T/m.nmea"
for part in 1 2 3 4 5; do
    sed -n "$(((part - 1) * 10000 + 1)),$((part * 10000))p" "$F" >>"$T/m.nmea"
    "$PEL" watch -q --db "$T/m.db" --follow "$T/m.nmea" --alerts "$T/m.alerts" --commit-interval 0.1 2>>"$T/m.err" &
    WPID=$!; pids+=("$WPID")
    sleep "0.$((part * 2 - 1))"
    kill -9 "$WPID"; wait "$WPID" 2>/dev/null
done
tail -n +50001 "$F" >>"$T/m.nmea"
"$PEL" watch -q --db "$T/m.db" --follow "$T/m.nmea" --once --alerts "$T/m.alerts" --findings "$T/m.jsonl" 2>>"$T/m.err"
rc=$?
if [ $rc = 0 ] && cmp -s <(noev "$T/m.jsonl") <(noev "$T/scan.jsonl"); then ok "killed five times: the findings equal the scan's"
else bad "killed five times: exit $rc: $(diff <(noev "$T/m.jsonl") <(noev "$T/scan.jsonl") | head -c 400) $(head -c 300 "$T/m.err")"; fi
dup=$(grep '"alert":"new"' "$T/m.alerts" | grep -o '"id":"[0-9a-f]*"' | sort | uniq -d | wc -l)
seqs=$(grep -o '"seq":[0-9]*' "$T/m.alerts" | cut -d: -f2 | tr '\n' ' ')
[ "$dup" = 0 ] && [ "$seqs" = "$(seq -s ' ' 1 "$(grep -c . "$T/m.alerts")") " ] &&
    [ "$(sqlite3 "$T/m.db" "SELECT sum(positions) FROM inputs")" = "$(sqlite3 "$T/scan.db" "SELECT sum(positions) FROM inputs")" ] &&
    ok "killed five times: no id twice as new, sequence unbroken, every position once" ||
    bad "killed five times: $dup ids twice as new; seq [$(printf '%s' "$seqs" | head -c 200)]"

# a window: each detection over the last day of data; the findings left are
# pelorus scan's of that period on the same database
"$PEL" watch -q --db "$T/w1.db" --follow "$F" --once --window-days 1 --alerts "$T/w1.alerts" --findings "$T/w1.jsonl" 2>"$T/w1.err"
rc=$?
LAST=$(sqlite3 "$T/w1.db" "SELECT max(last_ms) FROM vessels WHERE positions > 0")
"$PEL" scan -q --db "$T/w1.db" --from $((LAST - 86400000)) >"$T/w1s.jsonl" 2>/dev/null
if [ $rc = 0 ] && [ -s "$T/w1.jsonl" ] && cmp -s "$T/w1.jsonl" "$T/w1s.jsonl"; then
    ok "window of a day: the findings of scan --from (the last day)"
else bad "window: exit $rc: $(diff "$T/w1.jsonl" "$T/w1s.jsonl" | head -c 400) $(head -c 300 "$T/w1.err")"; fi

# ... and paced, so that the window slides over the data: every finding of
# the whole scan is sent as new once (by event, vessels and start), what the
# window leaves behind is settled, never retracted
start_replay tcp://127.0.0.1:0 --rate 30000
PORT=
wait_for '[ -s "$T/replay.err" ] && PORT=$(sed -n "s|^pelorus replay: serving tcp://127\.0\.0\.1:\([0-9]*\)$|\1|p" "$T/replay.err") && [ -n "$PORT" ]'
"$PEL" watch -q --db "$T/w2.db" --feed "tcp://127.0.0.1:$PORT#rx" --once --window-days 1 --commit-interval 0.2 \
    --alerts "$T/w2.alerts" 2>"$T/w2.err"
wait "$RPID"
key() { grep -o '"event":"[a-z_]*","mmsi":[0-9]*,\("mmsi2":[0-9]*,\)\?"start":"[^"]*"' | sort; }
if cmp -s <(grep '"alert":"new"' "$T/w2.alerts" | key) <(key <"$T/scan.jsonl") && ! grep -q '"alert":"retract"' "$T/w2.alerts"; then
    ok "sliding window: every finding of the whole scan sent new once, none retracted"
else bad "sliding window: $(diff <(grep '"alert":"new"' "$T/w2.alerts" | key) <(key <"$T/scan.jsonl") | head -c 400) $(grep -c retract "$T/w2.alerts") retracted"; fi

# ---- standard input, and SIGUSR1 ----
"$PEL" watch -q --db "$T/s.db" - --once --findings "$T/s.jsonl" <"$F" >"$T/s.alerts" 2>"$T/s.err"
rc=$?
[ $rc = 0 ] && ok "stdin --once: exit 0" || bad "stdin --once: exit $rc: $(head -c 300 "$T/s.err")"
same_as_scan "stdin" "$T/s.jsonl" "$T/s.alerts"
mkfifo "$T/fifo"
"$PEL" watch --db "$T/g.db" - --stats-interval 3600 <"$T/fifo" >/dev/null 2>"$T/g.err" &
WPID=$!; pids+=("$WPID")
exec 7>"$T/fifo"
head -n 1000 "$F" >&7
sleep 0.5
kill -USR1 "$WPID"
wait_for 'grep -q "^pelorus watch: feed stdin (-): up, lines 1000," "$T/g.err"'
exec 7>&-
wait "$WPID"; rc=$?
if [ $rc = 0 ] && [ "$(grep -c '^pelorus watch: feed stdin (-): ' "$T/g.err")" = 2 ] && grep -q "^pelorus watch: feed stdin (-): ended, lines 1000," "$T/g.err"; then
    ok "SIGUSR1: status now; standard input closed: the end"
else bad "SIGUSR1: exit $rc: $(head -c 600 "$T/g.err")"; fi

# ---- 6. --exec ----
"$PEL" watch -q --db "$T/e.db" --follow "$F" --once --alerts "$T/e.alerts" --exec "cat >>$T/exec.out" --exec-jobs 1 2>"$T/e.err"
if cmp -s "$T/e.alerts" "$T/exec.out"; then ok "exec: the command got every alert"; else bad "exec: $(wc -l <"$T/exec.out") lines for $(wc -l <"$T/e.alerts") alerts"; fi
"$PEL" watch --db "$T/e2.db" --follow "$F" --once --alerts /dev/null --exec "cat >/dev/null; exit 3" 2>"$T/e2.err"
if grep -q "exec ok 0 failed $N dropped 0" "$T/e2.err"; then ok "exec: failing commands counted ($N)"; else bad "exec: $(grep 'exec ok' "$T/e2.err" | head -c 300)"; fi
# a command holds nothing of the service's (not the database, its lock, the
# journal or a socket): it sees its input, output, error and nothing else
"$PEL" watch -q --db "$T/e3.db" --follow "$F" --once --alerts /dev/null --exec-jobs 1 \
    --exec "cat >/dev/null; ls /proc/self/fd | tr '\\n' ' ' >>$T/fds; echo >>$T/fds" 2>/dev/null
if [ "$(sort -u "$T/fds" 2>/dev/null)" = "0 1 2 3 " ] && [ "$(wc -l <"$T/fds")" = "$N" ]; then
    ok "exec: each command has only its standard files (ls's own directory aside)"
else bad "exec: the commands' files: $(sort "$T/fds" 2>/dev/null | uniq -c | head -c 300)"; fi

echo "watch: $pass passed, $fail failed"
[ $fail = 0 ]
