#!/usr/bin/env bash
# watch_bench.sh -- the history and live benchmarks (not a test):
#   bench/watch_bench.sh PELORUS
# In one run:
#   1. history: scans of 30 and 90 generated days of 10,000 vessels (10
#      messages a vessel a day), each on its own database, with seconds and
#      peak memory, and their ratios (targets: time within 3.5x, memory
#      within 1.3x); then day 31 ingested on top of the 30 days and the
#      scan that follows (incremental: it judges from where the 30 days'
#      scan left each track), against a fresh scan of the 30 days and
#      against the 31 days judged whole (scan --full, findings compared);
#   2. throughput: a generated day (1,000,000 lines, 5,000 vessels) replayed
#      over TCP as fast as watch takes it, all detectors on (watch --once);
#   3. delay: the first 200,000 lines of it replayed at 10,000 lines a
#      second; the alerts' delay (median, 90th percentile) as watch reports
#      it (from the first line of the commit an alert came after); then day
#      31 (100,000 lines) at 10,000 lines a second into a watch on the 30
#      days of part 1 (their database as part 1's scan left it, its state
#      with it): a detection's cost with a month of history;
#   4. soak: 7 generated days (2,000 vessels, 3,500,000 lines) replayed at
#      50,000 lines a second (70 s, a commit and detection every second):
#      resident memory against the journal's size, every 10 s; then 14 days
#      (7,000,000 lines) at 70,000 lines a second with --window-days 1 (each
#      detection over the last day only).
# PARTS="1 2 3 4" (the default) chooses the parts.
set -eu
PEL=$(realpath "${1:?usage: watch_bench.sh PELORUS}")
cd "$(dirname "$0")/.."
B=build/bench
mkdir -p "$B"
[ -x /usr/bin/time ] || { echo "watch_bench: needs GNU time (apt-get install time)"; exit 1; }
GEN=build/gen_nmea
gcc -O2 -std=c17 -o "$GEN" bench/gen_nmea.c -lm
secs() { echo "$2 - $1" | bc -l; }
PARTS=${PARTS:-1 2 3 4}
part() { case " $PARTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# ---- 1. history ----
if part 1; then
D30=$B/hist_30.nmea D90=$B/hist_90.nmea D31=$B/hist_31.nmea
[ -s "$D30" ] || "$GEN" --sentences 3000000 --vessels 10000 --days 30 >"$D30"
[ -s "$D90" ] || "$GEN" --sentences 9000000 --vessels 10000 --days 90 >"$D90"
[ -s "$D31" ] || "$GEN" --sentences 100000 --vessels 10000 --days 1 --start $((1700000000 + 30 * 86400)) >"$D31"
for d in 30 90; do
    rm -f "$B/hist_$d.db"*
    "$PEL" ingest -q --db "$B/hist_$d.db" "$B/hist_$d.nmea" 2>/dev/null
done
scan() { # db tag -> "seconds rss_kib"
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f %M "$PEL" scan --db "$1" >"$B/hist_$2.jsonl" 2>"$B/hist_$2.log"
    t1=$(date +%s.%N)
    echo "$(secs "$t0" "$t1") $(tail -1 "$B/hist_$2.log")"
}
read -r s30 m30 < <(scan "$B/hist_30.db" 30)
read -r s90 m90 < <(scan "$B/hist_90.db" 90)
printf '\nhistory: scans of 10,000 vessels (10 messages a vessel a day)\n'
printf '%-8s %10s %12s %10s\n' days "scan s" "peak KiB" findings
printf '%-8s %10.2f %12s %10s\n' 30 "$s30" "$m30" "$(wc -l <"$B/hist_30.jsonl")"
printf '%-8s %10.2f %12s %10s\n' 90 "$s90" "$m90" "$(wc -l <"$B/hist_90.jsonl")"
printf 'ratios 90/30: time %.2f (target <= 3.5), memory %.2f (target <= 1.3)\n' \
    "$(echo "$s90 / $s30" | bc -l)" "$(echo "$m90 / $m30" | bc -l)"
rm -f "$B/hist_31.db"* # a -wal left by an earlier run would be read as this copy's
cp "$B/hist_30.db" "$B/hist_31.db"
t0=$(date +%s.%N)
"$PEL" ingest -q --db "$B/hist_31.db" "$D31" 2>/dev/null
t1=$(date +%s.%N)
read -r s31 m31 < <(scan "$B/hist_31.db" 31)
i31=$(secs "$t0" "$t1")
# the same 31 days judged whole (--full), side by side: the same findings
t0=$(date +%s.%N)
"$PEL" scan --full --db "$B/hist_31.db" >"$B/hist_31_full.jsonl" 2>"$B/hist_31_full.log"
t1=$(date +%s.%N)
f31=$(secs "$t0" "$t1")
same=different
cmp -s "$B/hist_31.jsonl" "$B/hist_31_full.jsonl" && same=identical
printf 'day 31 on top of 30 days (incremental, docs/incremental.md): ingest %.2f s + scan %.2f s = %.2f s, against a fresh scan of 30 days %.2f s (ratio %.2f)\n' \
    "$i31" "$s31" "$(echo "$i31 + $s31" | bc -l)" "$s30" "$(echo "($i31 + $s31) / $s30" | bc -l)"
printf 'day 31 judged whole (scan --full): %.2f s; incremental/full %.2f; findings %s (%s lines)\n' \
    "$f31" "$(echo "$s31 / $f31" | bc -l)" "$same" "$(wc -l <"$B/hist_31_full.jsonl")"
grep 'judged from where' "$B/hist_31.log" || true
# the same day scanned as a period with a day before it (scan --from)
P31=$((1700000000 + 29 * 86400))
t0=$(date +%s.%N)
/usr/bin/time -f %M "$PEL" scan --db "$B/hist_31.db" --from "$P31" >"$B/hist_p31.jsonl" 2>"$B/hist_p31.log"
t1=$(date +%s.%N)
sp=$(secs "$t0" "$t1")
printf 'day 31 as a period (scan --from day 30): %.2f s, peak %s KiB, %s findings; with its ingest %.2f s, ratio to a fresh scan of 30 days %.2f\n' \
    "$sp" "$(tail -1 "$B/hist_p31.log")" "$(wc -l <"$B/hist_p31.jsonl")" "$(echo "$i31 + $sp" | bc -l)" \
    "$(echo "($i31 + $sp) / $s30" | bc -l)"

fi

DAY=$B/live_day.nmea
[ -s "$DAY" ] || "$GEN" --sentences 1000000 --vessels 5000 --seed 5 >"$DAY"
WEEK=$B/live_week.nmea
[ -s "$WEEK" ] || "$GEN" --sentences 3500000 --vessels 2000 --days 7 --seed 7 >"$WEEK"
serve() { # file extra-args... -> sets RPID, PORT
    rm -f "$B/replay.err"
    "$PEL" replay "$@" --serve tcp://127.0.0.1:0 2>"$B/replay.err" &
    RPID=$!
    PORT=
    for _ in $(seq 200); do
        PORT=$(sed -n 's|^pelorus replay: serving tcp://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$B/replay.err" 2>/dev/null)
        [ -n "$PORT" ] && break
        sleep 0.05
    done
}
# ---- 2. throughput ----
through() { # file lines label
    rm -rf "$B/live.db"* "$B/live.alerts"
    serve "$1"
    local t0 t1 lt
    t0=$(date +%s.%N)
    /usr/bin/time -f %M "$PEL" watch --db "$B/live.db" --feed "tcp://127.0.0.1:$PORT#bench" --once --stats-interval 3600 \
        --alerts "$B/live.alerts" 2>"$B/live.err"
    t1=$(date +%s.%N)
    wait "$RPID"
    lt=$(secs "$t0" "$t1")
    printf '%s: %.2f s, %.0f lines/s, peak %s KiB; %s\n' "$3" "$lt" "$(echo "$2 / $lt" | bc -l)" "$(tail -1 "$B/live.err")" \
        "$(grep -m1 'pelorus watch: lines' "$B/live.err" | sed 's/^pelorus watch: //' | cut -d, -f1-5)"
}
if part 2; then
    printf '\nthroughput: replayed over TCP as fast as watch --once takes it, all detectors on (a detection every 2 s)\n'
    through "$DAY" 1000000 "one day, 5,000 vessels, 1,000,000 lines"
    through "$WEEK" 3500000 "7 days, 2,000 vessels, 3,500,000 lines"
    printf 'goal: at least 100,000 messages a second on one core\n'
fi

# ---- 3. delay at 10,000 lines a second ----
if part 3; then
for CI in 0.5 1 2; do
head -n 200000 "$DAY" >"$B/live_20s.nmea"
rm -rf "$B/delay.db"* "$B/delay.alerts"
serve "$B/live_20s.nmea" --rate 10000
"$PEL" watch --db "$B/delay.db" --feed "tcp://127.0.0.1:$PORT#bench" --once --commit-interval $CI --stats-interval 3600 \
    --alerts "$B/delay.alerts" 2>"$B/delay.err"
wait "$RPID"
printf '\ndelay: 200,000 lines at 10,000 a second, commits every %s s\n' $CI
grep -m1 -o 'alerts new.*' "$B/delay.err" || true
done
if [ -s "$B/hist_30.db" ] && [ -s "$B/hist_31.nmea" ]; then
    rm -rf "$B/delay.db"* "$B/delay.alerts"
    cp "$B/hist_30.db" "$B/delay.db"
    serve "$B/hist_31.nmea" --rate 10000
    "$PEL" watch --db "$B/delay.db" --feed "tcp://127.0.0.1:$PORT#bench" --once --commit-interval 1 \
        --stats-interval 3600 --alerts "$B/delay.alerts" 2>"$B/delay.err"
    wait "$RPID"
    printf '\ndelay with history: day 31 (100,000 lines) at 10,000 a second into a watch on the 30 days, commits every 1 s\n'
    grep -m1 -o 'scans.*' "$B/delay.err" || true
fi
printf 'goal: median under 2 s\n'
fi

# ---- 4. soak ----
part 4 || exit 0
soak() { # file rate label extra-watch-args...
    local file=$1 rate=$2 label=$3; shift 3
    rm -rf "$B/soak.db"* "$B/soak.alerts"
    serve "$file" --rate "$rate"
    "$PEL" watch --db "$B/soak.db" --feed "tcp://127.0.0.1:$PORT#bench" --once --stats-interval 3600 \
        --alerts "$B/soak.alerts" "$@" 2>"$B/soak.err" &
    local wpid=$! t0 rss jb
    printf '\nsoak: %s\n' "$label"
    printf '%8s %14s %12s\n' "s" "journal MiB" "RSS KiB"
    t0=$(date +%s)
    while kill -0 "$wpid" 2>/dev/null; do
        rss=$(awk '/^VmRSS/ {print $2}' "/proc/$wpid/status" 2>/dev/null || echo 0)
        jb=$(stat -c %s "$B"/soak.db-live/*.nmea 2>/dev/null | awk '{s += $1} END {print s + 0}')
        printf '%8s %14s %12s\n' "$(($(date +%s) - t0))" "$((jb / 1048576))" "$rss"
        sleep 10
    done
    wait "$wpid" || true
    wait "$RPID" || true
    grep -m1 'pelorus watch: lines' "$B/soak.err" | cut -c1-200
}
FORTNIGHT=$B/live_2week.nmea
[ -s "$FORTNIGHT" ] || "$GEN" --sentences 7000000 --vessels 2000 --days 14 --seed 7 >"$FORTNIGHT"
soak "$WEEK" 50000 "7 days (2,000 vessels, 3,500,000 lines) at 50,000 lines a second, the whole database"
soak "$FORTNIGHT" 70000 "14 days (2,000 vessels, 7,000,000 lines) at 70,000 lines a second, --window-days 1" --window-days 1
