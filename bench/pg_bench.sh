#!/usr/bin/env bash
# pg_bench.sh -- SQLite against PostgreSQL, side by side in one run (issue 15;
# a benchmark, not a test):
#   bench/pg_bench.sh PELORUS [N_SENTENCES] [VESSELS] [DAYS]
# Generates N sentences (default 3,000,000) from VESSELS vessels (10,000)
# over DAYS days (30: two UTC months, so two partitions of chunks), as
# bench/watch_bench.sh's history does (`make bench` runs it so, sparse
# traffic: 10 messages a vessel a day, so the coverage map has about a row
# for every 1.6 positions; and again over 1 day, 300 a vessel a day, nearer
# a receiver network's density: a row for every 13), and cuts it into two halves at the
# middle line (a two-sentence message is never cut; the first half is the
# first 15 days, the second the last 15).  Then, on each backend:
#   1. one ingester: `pelorus ingest` of both halves in one process, into a
#      new database: messages/s, end to end (NMEA to committed, built tracks);
#   2. two ingesters: the two halves by two processes started at once into
#      one new database: messages/s over the wall time of both (SQLite
#      serialises writers, and so does the PostgreSQL backend today: its
#      writer's lock); their vessels (`pelorus vessels`) must equal the one
#      ingester's;
#   3. bytes per position: SQLite, the file (and its WAL) / positions;
#      PostgreSQL, pg_total_relation_size (table, TOAST, indexes) of chunks'
#      partitions and staging / positions, and of the whole database (and
#      of it less an empty database with PostGIS and the schema), right after
#      the ingest and after a VACUUM, with the largest tables;
#   4. scan of the one ingester's database: seconds, peak memory; the two
#      backends' findings must be byte-identical (cmp).
# Ratios PostgreSQL / SQLite, and the issue's goals (>= 250,000 msg/s with
# two ingesters, scan within 2x of SQLite, < 60 bytes a position).
#
# The server: a throwaway cluster of scripts/pg_cluster.sh in a temporary
# directory, stopped by a trap on any exit, but made durable as SQLite's WAL
# with synchronous=NORMAL is (fsync and full-page writes on; commits not
# waited for: synchronous_commit = off) and given a server's memory
# (shared_buffers 512MB, max_wal_size 4GB).  PG_BENCH_FAST=1 keeps the test
# settings instead (fsync off, 16MB of buffers).  Everything runs on this
# one machine: the client, the server and the other processes share its
# cores, so the figures are this machine's, not a server's.
set -eu
shopt -s inherit_errexit
PEL=$(realpath "${1:?usage: pg_bench.sh PELORUS [N] [VESSELS] [DAYS]}")
N=${2:-3000000}
V=${3:-10000}
D=${4:-30}
cd "$(dirname "$0")/.."
ROOT=$PWD
B=$ROOT/build/bench
mkdir -p "$B"
[ -x /usr/bin/time ] || { echo "pg_bench: needs GNU time (apt-get install time)"; exit 1; }
command -v psql >/dev/null || { echo "pg_bench: needs psql (scripts/install-deps.sh)"; exit 1; }
GEN=build/gen_nmea
gcc -O2 -std=c17 -o "$GEN" bench/gen_nmea.c -lm
F=$B/pgb_${N}_${V}_${D}.nmea
H1=$B/pgb_${N}_${V}_${D}_a.nmea
H2=$B/pgb_${N}_${V}_${D}_b.nmea
[ -s "$F" ] || "$GEN" --sentences "$N" --vessels "$V" --days "$D" >"$F"
if [ ! -s "$H1" ] || [ ! -s "$H2" ]; then
    # the second half starts at the first line after the middle that is not
    # a later fragment of a message (",2,2," in !AIVDM,2,2,...)
    awk -v mid=$((N / 2)) -v a="$H1" -v b="$H2" '
        !cut && NR > mid && $0 !~ /!AIVDM,[0-9],[2-9],/ { cut = 1 }
        { print > (cut ? b : a) }' "$F"
fi
lines=$(wc -l <"$F")

W=$(mktemp -d /tmp/pelorus-pgbench.XXXXXX)
chmod 755 "$W" # the cluster's user (pelorus-test, as root) enters it
CL=$W/pg
trap '"$ROOT/scripts/pg_cluster.sh" stop "$CL" >/dev/null 2>&1 || true; rm -rf "$W"' EXIT
trap 'exit 1' INT TERM HUP
conn=$(scripts/pg_cluster.sh start "$CL")
if [ "${PG_BENCH_FAST:-0}" != 1 ]; then
    psql "$conn" -X -q -v ON_ERROR_STOP=1 \
        -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET full_page_writes = on" \
        -c "ALTER SYSTEM SET synchronous_commit = off" -c "ALTER SYSTEM SET shared_buffers = '512MB'" \
        -c "ALTER SYSTEM SET max_wal_size = '4GB'"
    scripts/pg_cluster.sh stop "$CL"
    conn=$(scripts/pg_cluster.sh start "$CL")
fi
settings=$(psql "$conn" -X -A -t -c "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name)
    FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'max_wal_size', 'full_page_writes')")
pgver=$(psql "$conn" -X -A -t -c "SHOW server_version")

# newdb NAME: a new database with PostGIS; prints its URI
newdb() {
    psql "$conn" -X -q -c "CREATE DATABASE $1" >/dev/null
    local uri="postgresql:///$1${conn#postgresql:///postgres}"
    psql "$uri" -X -q -c 'CREATE EXTENSION postgis' >/dev/null
    echo "$uri"
}
sql() { psql "$1" -X -q -A -t -c "$2"; }
now() { date +%s.%N; }
calc() { echo "$1" | bc -l; }

SQ1=$W/one.db SQ2=$W/two.db
PG1=$(newdb pgb_one)
PG2=$(newdb pgb_two)
PG0=$(newdb pgb_empty) # the baseline: PostGIS and the schema, no rows
psql "$PG0" -X -q -v ON_ERROR_STOP=1 -f src/store/pg_schema.sql >/dev/null

# one LABEL DB: one ingester of both halves; prints seconds
one() {
    local t0 t1
    t0=$(now)
    "$PEL" ingest --db "$2" "$H1" "$H2" 2>"$W/$1.log"
    t1=$(now)
    calc "$t1 - $t0"
}
# two LABEL DB: two ingesters at once, a half each; prints the wall seconds
two() {
    local t0 t1 p1 p2 rc=0
    t0=$(now)
    "$PEL" ingest --db "$2" "$H1" 2>"$W/$1.a.log" &
    p1=$!
    "$PEL" ingest --db "$2" "$H2" 2>"$W/$1.b.log" &
    p2=$!
    wait $p1 || rc=1
    wait $p2 || rc=1
    t1=$(now)
    [ $rc = 0 ] || { echo "pg_bench: an ingester of $1 failed:" >&2; cat "$W/$1".?.log >&2; exit 1; }
    calc "$t1 - $t0"
}
# scan LABEL DB: prints "seconds peak_rss_kib"; findings in $W/LABEL.jsonl
scan() {
    local t0 t1
    t0=$(now)
    /usr/bin/time -f %M "$PEL" scan --db "$2" >"$W/$1.jsonl" 2>"$W/$1.log"
    t1=$(now)
    echo "$(calc "$t1 - $t0") $(tail -1 "$W/$1.log")"
}
# pgbytes DB: bytes of chunks' partitions and staging, of the database, of
# the database less the empty one
pgbytes() {
    sql "$1" "SELECT (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('pelorus.chunks'))
                   + pg_total_relation_size('pelorus.staging'),
                     pg_database_size(current_database()),
                     pg_database_size(current_database()) - pg_database_size('pgb_empty')" | tr '|' ' '
}

echo "pg_bench: $lines lines, $V vessels, $D days; PostgreSQL $pgver ($settings)" >&2
s_sq1=$(one sq1 "$SQ1")
s_pg1=$(one pg1 "$PG1")
s_sq2=$(two sq2 "$SQ2")
s_pg2=$(two pg2 "$PG2")
pos=$(grep -o '[0-9]* positions,' "$W/sq1.log" | head -1 | cut -d' ' -f1)
pos_pg=$(grep -o '[0-9]* positions,' "$W/pg1.log" | head -1 | cut -d' ' -f1)
[ "$pos" = "$pos_pg" ] || echo "pg_bench: positions stored differ: SQLite $pos, PostgreSQL $pos_pg" >&2

# the two ingesters stored what the one did (vessels, positions, times)
for b in sq pg; do
    if [ $b = sq ]; then d1=$SQ1 d2=$SQ2; else d1=$PG1 d2=$PG2; fi
    "$PEL" vessels --db "$d1" --format jsonl >"$W/$b.v1"
    "$PEL" vessels --db "$d2" --format jsonl >"$W/$b.v2"
    if cmp -s "$W/$b.v1" "$W/$b.v2"; then eval "same_$b=yes"; else eval "same_$b=NO"; fi
done

sq_bytes=$(stat -c %s "$SQ1")
[ -f "$SQ1-wal" ] && sq_bytes=$((sq_bytes + $(stat -c %s "$SQ1-wal")))
read -r pg_pos_b pg_db_b pg_net_b < <(pgbytes "$PG1")
biggest=$(sql "$PG1" "SELECT string_agg(format('%s %s', t, round(b::numeric / $pos, 1)), ', ' ORDER BY b DESC)
    FROM (SELECT coalesce(i.parentrelid, c.oid)::regclass::text AS t, sum(pg_total_relation_size(c.oid)) AS b
          FROM pg_class c LEFT JOIN pg_partition_tree('pelorus.chunks') i ON i.relid = c.oid
          WHERE c.relnamespace = 'pelorus'::regnamespace AND c.relkind = 'r' GROUP BY 1 ORDER BY 2 DESC LIMIT 6) x")
psql "$PG1" -X -q -c 'VACUUM ANALYZE' >/dev/null
read -r pg_pos_v pg_db_v pg_net_v < <(pgbytes "$PG1")

read -r t_sq m_sq < <(scan scan_sq "$SQ1")
read -r t_pg m_pg < <(scan scan_pg "$PG1")
if cmp -s "$W/scan_sq.jsonl" "$W/scan_pg.jsonl"; then same_scan=yes; else same_scan=NO; fi
nfind=$(wc -l <"$W/scan_sq.jsonl")

rate() { calc "$lines / $1"; }
row() { printf '%-46s %12s %12s %8s\n' "$@"; }
printf '\nPostgreSQL benchmark: %s lines (%s positions stored), %s vessels, %s days; PostgreSQL %s\n' \
    "$lines" "$pos" "$V" "$D" "$pgver"
printf 'server: %s\n' "$settings"
row "" SQLite PostgreSQL PG/SQ
row "one ingester, seconds" "$(printf %.2f "$s_sq1")" "$(printf %.2f "$s_pg1")" "$(printf %.2f "$(calc "$s_pg1 / $s_sq1")")"
row "one ingester, messages/s" "$(printf %.0f "$(rate "$s_sq1")")" "$(printf %.0f "$(rate "$s_pg1")")" \
    "$(printf %.2f "$(calc "$s_sq1 / $s_pg1")")"
row "two ingesters at once, seconds (wall)" "$(printf %.2f "$s_sq2")" "$(printf %.2f "$s_pg2")" \
    "$(printf %.2f "$(calc "$s_pg2 / $s_sq2")")"
row "two ingesters at once, messages/s" "$(printf %.0f "$(rate "$s_sq2")")" "$(printf %.0f "$(rate "$s_pg2")")" \
    "$(printf %.2f "$(calc "$s_sq2 / $s_pg2")")"
row "  their vessels equal the one ingester's" "$same_sq" "$same_pg" ""
row "scan, seconds" "$(printf %.2f "$t_sq")" "$(printf %.2f "$t_pg")" "$(printf %.2f "$(calc "$t_pg / $t_sq")")"
row "scan, peak RSS KiB (the client)" "$m_sq" "$m_pg" "$(printf %.2f "$(calc "$m_pg / $m_sq")")"
row "  findings ($nfind) byte-identical (cmp)" "$same_scan" "" ""
bp() { printf %.1f "$(calc "$1 / $pos")"; }
row "bytes/position, positions (SQ: the file)" "$(bp "$sq_bytes")" "$(bp "$pg_pos_b")" \
    "$(printf %.2f "$(calc "$pg_pos_b / $sq_bytes")")"
row "  PG after VACUUM" "" "$(bp "$pg_pos_v")" "$(printf %.2f "$(calc "$pg_pos_v / $sq_bytes")")"
row "bytes/position, whole database" "$(bp "$sq_bytes")" "$(bp "$pg_db_b")" \
    "$(printf %.2f "$(calc "$pg_db_b / $sq_bytes")")"
row "  PG less an empty database" "" "$(bp "$pg_net_b")" "$(printf %.2f "$(calc "$pg_net_b / $sq_bytes")")"
row "  PG less an empty database, after VACUUM" "" "$(bp "$pg_net_v")" "$(printf %.2f "$(calc "$pg_net_v / $sq_bytes")")"
printf 'PostgreSQL bytes/position by table (partitions summed, before VACUUM): %s\n' "$biggest"
grep -o '([0-9.]* s reading, [0-9.]* s building)' "$W/sq1.log" | sed 's/^/phases, SQLite one ingester:     /'
grep -o '([0-9.]* s reading, [0-9.]* s building)' "$W/pg1.log" | sed 's/^/phases, PostgreSQL one ingester: /'
printf 'goals (issue 15): >= 250000 messages/s with two ingesters (PG: %.0f), scan within 2x of SQLite (PG: %.2fx),\n' \
    "$(rate "$s_pg2")" "$(calc "$t_pg / $t_sq")"
printf '                  < 60 bytes a position (PG positions: %s; whole database less an empty one: %s)\n' \
    "$(bp "$pg_pos_b")" "$(bp "$pg_net_b")"
