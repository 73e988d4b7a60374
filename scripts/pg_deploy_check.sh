#!/usr/bin/env bash
# pg_deploy_check.sh -- runs the commands of docs/deployment.md against
# throwaway clusters and checks what the document says of them:
#   scripts/pg_deploy_check.sh [PELORUS]     (default build/pelorus)
# A primary (scripts/pg_cluster.sh, then listening on 127.0.0.1 at a free
# port with scram-sha-256 passwords, as a team's server would) and a
# streaming replica of it (pg_basebackup -R), both in a temporary directory
# and stopped by a trap on any exit.  Steps (docs/deployment.md's sections):
# the database, PostGIS and the owner; the schema set up by the first
# ingest (and, in a second database, loaded by hand from pg_schema.sql);
# pg_roles.sql; an ingest role and an analyst role reaching the server
# through a password file (PGPASSFILE) and PELORUS_DB; two ingests and a
# watch at once; the analyst's scan, vessels --rank, report and review
# (and what the ingest role and the analyst are refused); the PostGIS
# layers; the replica serving the read-only commands and refusing writes;
# a month detached, dumped, dropped (the other month's scan unchanged),
# restored and attached again (the full scan unchanged); pg_dump and
# pg_restore, pg_basebackup, pg_dumpall --roles-only; the schema version:
# an upgrade (a database taken back to version 1 by
# tests/data/pg_migrate/downgrade_2.sql) refused to the analyst and the
# ingest role, migrated by the owner's ingest, and by the owner's psql;
# a newer version refused.
# Prints "ok ..." / "FAIL ..." lines and "pg-deploy: N passed, M failed";
# the commands and their output go to $LOG (default /tmp/pg_deploy_check.log).
# Not in make test: it opens a TCP port on 127.0.0.1 for the run.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
PEL=$(realpath "${1:-build/pelorus}")
LOG=${LOG:-/tmp/pg_deploy_check.log}
: >"$LOG"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok pg-deploy $1"; }
bad() { fail=$((fail + 1)); echo "FAIL pg-deploy $1"; }
# run CMD...: logs the command and its output, returns its status
run() {
    echo "\$ $*" >>"$LOG"
    "$@" >>"$LOG" 2>&1
    local rc=$?
    echo "[rc=$rc]" >>"$LOG"
    return $rc
}
# expect_ok WHAT CMD... / expect_fail WHAT PATTERN CMD...
expect_ok() {
    local what=$1
    shift
    if run "$@"; then ok "$what"; else bad "$what (see $LOG)"; fi
}
expect_fail() {
    local what=$1 pat=$2
    shift 2
    echo "\$ $*" >>"$LOG"
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    echo "$out" >>"$LOG"
    echo "[rc=$rc]" >>"$LOG"
    if [ $rc != 0 ] && grep -q -- "$pat" <<<"$out"; then ok "$what"; else bad "$what (rc $rc; see $LOG)"; fi
}

W=$(mktemp -d /tmp/pelorus-dep.XXXXXX)
chmod 755 "$W"
P=$W/p R=$W/r
PG_BIN=/usr/lib/postgresql/15/bin
as_pg() { # CMD...: as the clusters' user (pelorus-test when root)
    if [ "$(id -u)" = 0 ]; then (cd "$W" && runuser -u pelorus-test -- "$@"); else (cd "$W" && "$@"); fi
}
cleanup() {
    [ -f "$R/data/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$R/data" -m fast -w stop >/dev/null 2>&1
    "$ROOT/scripts/pg_cluster.sh" stop "$P" >/dev/null 2>&1
}
trap 'cleanup; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
trap 'exit 1' INT TERM HUP

# ---- the server: a cluster on 127.0.0.1, passwords for TCP
su=$(scripts/pg_cluster.sh start "$P") || {
    bad "a cluster starts"
    exit 1
}
port=$((40000 + $$ % 20000))
while (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
rport=$((port + 1))
psql "$su" -X -q -c "ALTER SYSTEM SET listen_addresses = '127.0.0.1'" -c "ALTER SYSTEM SET port = $port" \
    -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET wal_level = replica" >>"$LOG" 2>&1
cat >"$P/data/pg_hba.conf" <<EOF
local   all             postgres                                trust
local   replication     postgres                                trust
host    all             all             127.0.0.1/32            scram-sha-256
host    replication     replicator      127.0.0.1/32            scram-sha-256
EOF
[ "$(id -u)" = 0 ] && chown pelorus-test: "$P/data/pg_hba.conf"
scripts/pg_cluster.sh stop "$P"
su=$(scripts/pg_cluster.sh start "$P") || {
    bad "the cluster restarts on 127.0.0.1:$port"
    exit 1
}
su=${su}\&port=$port
ok "a primary listening on 127.0.0.1:$port (scram-sha-256)"
sql() { psql "$su" -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
sqld() { # DB ARGS...: as postgres, in database DB
    local db=$1
    shift
    psql "postgresql:///$db${su#postgresql:///postgres}" -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}

# data: 30 days of 200 vessels, cut into two halves (two UTC months), and a day after
GEN=$W/gen_nmea
gcc -O2 -std=c17 -o "$GEN" bench/gen_nmea.c -lm
"$GEN" --sentences 40000 --vessels 200 --days 30 >"$W/all.nmea"
awk -v a="$W/half1.nmea" -v b="$W/half2.nmea" \
    '!cut && NR > 20000 && $0 !~ /!AIVDM,[0-9],[2-9],/ { cut = 1 } { print > (cut ? b : a) }' "$W/all.nmea"
"$GEN" --sentences 2000 --vessels 200 --days 1 --start $((1700000000 + 30 * 86400)) --seed 3 >"$W/day31.nmea"
head -n 1000 "$W/all.nmea" >"$W/first.nmea"

# ---- 1. the database, its owner, PostGIS
expect_ok "roles and database made by the superuser" sql \
    -c "CREATE ROLE ais_owner LOGIN PASSWORD 'owner-secret'" \
    -c "CREATE ROLE pelorus_ingest NOLOGIN" -c "CREATE ROLE pelorus_analyst NOLOGIN" \
    -c "CREATE ROLE feeder LOGIN PASSWORD 'feeder-secret' IN ROLE pelorus_ingest" \
    -c "CREATE ROLE alice LOGIN PASSWORD 'alice-secret' IN ROLE pelorus_analyst" \
    -c "CREATE DATABASE ais OWNER ais_owner"
expect_ok "CREATE EXTENSION postgis by the superuser" sqld ais -c "CREATE EXTENSION postgis"

# the password file
export PGPASSFILE=$W/pgpass
cat >"$PGPASSFILE" <<EOF
127.0.0.1:*:*:ais_owner:owner-secret
127.0.0.1:*:*:feeder:feeder-secret
127.0.0.1:*:*:alice:alice-secret
127.0.0.1:*:*:own3:own3-secret
127.0.0.1:*:replication:replicator:replica-secret
EOF
chmod 600 "$PGPASSFILE"
OWNER=postgresql://ais_owner@127.0.0.1:$port/ais
FEEDER=postgresql://feeder@127.0.0.1:$port/ais
ALICE=postgresql://alice@127.0.0.1:$port/ais

# ---- 2. the schema: the first ingest (by the owner) sets it up; pg_roles.sql
sql -c "CREATE DATABASE ais4 OWNER ais_owner" >>"$LOG" 2>&1
sqld ais4 -c "CREATE EXTENSION postgis" >>"$LOG" 2>&1
expect_fail "the ingest role cannot make the schema (the first open is the owner's)" "permission denied" \
    "$PEL" ingest -q --db "postgresql://feeder@127.0.0.1:$port/ais4" "$W/first.nmea"
expect_fail "a reading command refuses a database without the schema" "schema" "$PEL" vessels --db "$ALICE"
expect_ok "the owner's first ingest sets the schema up" "$PEL" ingest -q --db "$OWNER" "$W/first.nmea"
v=$(sqld ais -c "SELECT value FROM pelorus.meta WHERE key = 'schema_version'")
[ "$v" = 2 ] && ok "schema_version 2" || bad "schema_version is '$v'"
expect_ok "pg_roles.sql loaded by the owner (the group roles made already)" \
    psql "$OWNER" -X -q -v ON_ERROR_STOP=1 -f src/store/pg_roles.sql
# a second database: the schema loaded by hand by a DBA, then the roles
sql -c "CREATE DATABASE ais2 OWNER ais_owner" >>"$LOG" 2>&1
sqld ais2 -c "CREATE EXTENSION postgis" >>"$LOG" 2>&1
expect_ok "pg_schema.sql loaded by hand" psql "postgresql://ais_owner@127.0.0.1:$port/ais2" -X -q -v ON_ERROR_STOP=1 \
    -f src/store/pg_schema.sql
expect_ok "pg_roles.sql on the second database" psql "postgresql://ais_owner@127.0.0.1:$port/ais2" -X -q \
    -v ON_ERROR_STOP=1 -f src/store/pg_roles.sql
expect_ok "an ingest into the hand-made schema (as the ingest role)" \
    "$PEL" ingest -q --db "postgresql://feeder@127.0.0.1:$port/ais2" "$W/first.nmea"
# pg_roles.sql by an owner that may not create roles, when they are missing
sql -c "CREATE ROLE own3 LOGIN PASSWORD 'own3-secret'" -c "CREATE DATABASE ais3 OWNER own3" >>"$LOG" 2>&1
sqld ais3 -c "CREATE EXTENSION postgis" >>"$LOG" 2>&1
psql "postgresql:///ais3${su#postgresql:///postgres}" -X -q -c "SET ROLE own3" -f src/store/pg_schema.sql >>"$LOG" 2>&1
sqld ais3 -c "ALTER SCHEMA pelorus OWNER TO own3" >>"$LOG" 2>&1
sql -c "ALTER ROLE pelorus_ingest RENAME TO pelorus_ingest_x" >>"$LOG" 2>&1
expect_fail "pg_roles.sql by an owner without CREATEROLE, the roles missing: refused" "permission denied to create role" \
    psql "postgresql://own3@127.0.0.1:$port/ais3" -X -q -v ON_ERROR_STOP=1 -f src/store/pg_roles.sql
sql -c "ALTER ROLE pelorus_ingest_x RENAME TO pelorus_ingest" >>"$LOG" 2>&1

# ---- 3. ingest role: two ingests and a watch at once
(
    mkdir -p "$W/watch" && cd "$W/watch" &&
        PELORUS_DB=$FEEDER timeout 300 "$PEL" watch -q --follow "$W/day31.nmea" --once --alerts alerts.jsonl \
            --findings findings.jsonl
) >"$W/watch.log" 2>&1 &
pw=$!
PELORUS_DB=$FEEDER timeout 300 "$PEL" ingest -q "$W/half1.nmea" >"$W/i1.log" 2>&1 &
p1=$!
PELORUS_DB=$FEEDER timeout 300 "$PEL" ingest -q "$W/half2.nmea" >"$W/i2.log" 2>&1 &
p2=$!
rc=0
wait $p1 || rc=1
wait $p2 || rc=2
wait $pw || rc=3
cat "$W/i1.log" "$W/i2.log" "$W/watch.log" >>"$LOG"
[ $rc = 0 ] && ok "two ingests and a watch at once, as the ingest role (PELORUS_DB, PGPASSFILE)" ||
    bad "two ingests and a watch at once (rc $rc; see $LOG)"
[ -s "$W/watch/alerts.jsonl" ] && ok "watch wrote alerts ($(wc -l <"$W/watch/alerts.jsonl"))" || bad "watch wrote no alerts"
[ -d "$W/watch/pelorus-live" ] && ok "watch's journals in ./pelorus-live/" || bad "no pelorus-live/ journals"
# the same positions as one SQLite ingest of the same files
"$PEL" ingest -q --db "$W/ref.db" "$W/first.nmea" "$W/half1.nmea" "$W/half2.nmea" "$W/day31.nmea" 2>>"$LOG"
n_sq=$("$PEL" vessels --db "$W/ref.db" --format jsonl | md5sum)
n_pg=$("$PEL" vessels --db "$ALICE" --format jsonl | md5sum)
[ "$n_sq" = "$n_pg" ] && ok "the vessels equal one SQLite ingest of the same files" ||
    bad "the vessels differ from one SQLite ingest of the same files"
# a watch that keeps running: does an ingest wait for it?
(cd "$W/watch" && PELORUS_DB=$FEEDER exec "$PEL" watch -q --follow "$W/day31.nmea" --alerts a2.jsonl) >>"$LOG" 2>&1 &
pw=$!
sleep 3
expect_fail "an ingest waits while a watch runs (the writer's lock; given up after 10 s here)" \
    "waiting for another ingest" env PELORUS_DB="$FEEDER" timeout 10 "$PEL" ingest -q "$W/all.nmea"
kill -TERM $pw 2>/dev/null
wait $pw 2>/dev/null

# ---- 4. the analyst
expect_ok "analyst: scan" "$PEL" scan -q --db "$ALICE" -o "$W/a.jsonl"
expect_ok "analyst: vessels --rank" "$PEL" vessels --rank --db "$ALICE" --format jsonl --limit 5
expect_ok "analyst: report" "$PEL" report -q --db "$ALICE" --out "$W/report"
expect_ok "analyst: tracks" "$PEL" tracks --db "$ALICE" --format csv -o "$W/t.csv"
expect_ok "analyst: tracks as GeoJSON (for QGIS)" "$PEL" tracks --db "$ALICE" -o "$W/tracks.geojson"
expect_ok "analyst: findings as GeoJSON (for QGIS)" "$PEL" scan -q --db "$ALICE" --format geojson -o "$W/findings.geojson"
jq -e '.features | length > 0' "$W/tracks.geojson" "$W/findings.geojson" >/dev/null &&
    ok "both GeoJSON files have features" || bad "a GeoJSON file without features"
id=$(head -n 1 "$W/a.jsonl" | jq -r .finding_id)
expect_ok "analyst: review" "$PEL" review --db "$ALICE" "$id" --status confirmed --note "seen by the patrol" --by alice
expect_ok "analyst: the reviews" "$PEL" review --db "$ALICE" "$id"
"$PEL" scan -q --db "$ALICE" | grep -q '"review"' && ok "the review shows in the analyst's next scan" ||
    bad "the review is not in the next scan"
expect_fail "analyst: ingest refused" "permission denied" "$PEL" ingest -q --db "$ALICE" "$W/day31.nmea"
expect_fail "analyst: changing a review refused" "permission denied" psql "$ALICE" -X -q -v ON_ERROR_STOP=1 \
    -c "UPDATE pelorus.reviews SET status = 'open'"
expect_fail "ingest role: review refused" "permission denied" \
    "$PEL" review --db "$FEEDER" "$id" --status dismissed --note x --by feeder
expect_fail "ingest role: removing a review refused" "permission denied" psql "$FEEDER" -X -q -v ON_ERROR_STOP=1 \
    -c "DELETE FROM pelorus.reviews"

# ---- 5. the PostGIS layers
layers=$(psql "$ALICE" -X -A -t -c "SELECT string_agg(f_table_name || ':' || type, ' ' ORDER BY f_table_name)
    FROM geometry_columns WHERE f_table_schema = 'pelorus'")
echo "layers: $layers" >>"$LOG"
[ "$layers" = "findings:GEOMETRY track_days:LINESTRING" ] && ok "geometry_columns lists pelorus.findings and pelorus.track_days" ||
    bad "geometry_columns: '$layers'"
rows=$(psql "$ALICE" -X -A -t -c "SELECT (SELECT count(*) FROM pelorus.track_days) || ' ' || (SELECT count(*) FROM pelorus.findings)")
echo "layers' rows (track_days findings): $rows" >>"$LOG"
ok "layers' rows after ingest and scan: track_days, findings = $rows"

# ---- 6. a streaming replica
expect_ok "a replication role" sql -c "CREATE ROLE replicator REPLICATION LOGIN PASSWORD 'replica-secret'"
mkdir -p "$R" && chmod 700 "$R"
[ "$(id -u)" = 0 ] && chown pelorus-test: "$R"
cp "$PGPASSFILE" "$W/pgpass.pg" && chmod 600 "$W/pgpass.pg"
[ "$(id -u)" = 0 ] && chown pelorus-test: "$W/pgpass.pg"
expect_ok "pg_basebackup -R (the replica's copy)" as_pg env PGPASSFILE="$W/pgpass.pg" "$PG_BIN/pg_basebackup" \
    -h 127.0.0.1 -p "$port" -U replicator -D "$R/data" -R -X stream -c fast
printf "port = %s\nunix_socket_directories = '%s'\n" "$rport" "$R" >>"$R/data/postgresql.auto.conf"
expect_ok "the replica starts" as_pg "$PG_BIN/pg_ctl" -D "$R/data" -l "$R/log" -w -t 60 start
RALICE=postgresql://alice@127.0.0.1:$rport/ais
[ "$(psql "$RALICE" -X -A -t -c 'SELECT pg_is_in_recovery()')" = t ] && ok "the replica is in recovery (read-only)" ||
    bad "the replica is not a standby"
"$PEL" ingest -q --db "$FEEDER" "$W/day31.nmea" 2>>"$LOG" # already there: adds nothing; a commit to stream
lsn=$(psql "$su" -X -A -t -c "SELECT pg_current_wal_lsn()")
for _ in $(seq 50); do
    [ "$(psql "$RALICE" -X -A -t -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] && break
    sleep 0.2
done
expect_ok "replica: scan" "$PEL" scan -q --db "$RALICE" -o "$W/r.jsonl"
cmp -s "$W/r.jsonl" <("$PEL" scan -q --db "$ALICE") && ok "replica: the primary's findings" ||
    bad "replica: findings differ from the primary's"
expect_ok "replica: vessels --rank" "$PEL" vessels --rank --db "$RALICE" --format jsonl --limit 5
expect_ok "replica: vessel" "$PEL" vessel --db "$RALICE" "$(head -n 1 "$W/a.jsonl" | jq -r .mmsi)"
expect_ok "replica: report" "$PEL" report -q --db "$RALICE" --out "$W/report-r"
expect_ok "replica: review (the list)" "$PEL" review --db "$RALICE"
expect_fail "replica: a review refused (read-only)" "read-only" \
    "$PEL" review --db "$RALICE" "$id" --status open --note y --by alice
expect_fail "replica: an ingest refused (read-only)" "read-only" \
    "$PEL" ingest -q --db "postgresql://feeder@127.0.0.1:$rport/ais" "$W/first.nmea"

# ---- 7. detaching a month (as the owner), archiving it, the other month's scans
DEC_FROM=2023-12-01T00:00:00Z
"$PEL" scan -q --db "$ALICE" --from "$DEC_FROM" -o "$W/dec.before.jsonl" 2>>"$LOG"
"$PEL" scan -q --db "$ALICE" -o "$W/all.before.jsonl" 2>>"$LOG"
"$PEL" tracks --db "$ALICE" --from "$DEC_FROM" --format csv -o "$W/dec.tracks.before.csv" 2>>"$LOG"
sqld ais -c "SELECT tableoid::regclass, count(*), sum(n) FROM pelorus.chunks GROUP BY 1 ORDER BY 1" >>"$LOG"
expect_ok "detach November" psql "$OWNER" -X -q -v ON_ERROR_STOP=1 \
    -c "ALTER TABLE pelorus.chunks DETACH PARTITION pelorus.chunks_y2023m11 CONCURRENTLY"
expect_ok "dump it" pg_dump -d "$OWNER" -t pelorus.chunks_y2023m11 -Fc -f "$W/chunks_2023-11.dump"
expect_ok "drop it" psql "$OWNER" -X -q -v ON_ERROR_STOP=1 -c "DROP TABLE pelorus.chunks_y2023m11"
expect_ok "scan of December after the detach" "$PEL" scan -q --db "$ALICE" --from "$DEC_FROM" -o "$W/dec.after.jsonl"
# what reaches into the detached month changes or goes with it (a gap from
# November into December, a zone entered from a November position); every
# finding that names no November time is unchanged
grep -v '"2023-11-' "$W/dec.before.jsonl" | sort >"$W/dec.kept"
gone=$(sort "$W/dec.after.jsonl" | comm -23 "$W/dec.kept" - | wc -l)
same_n=$(sort "$W/dec.before.jsonl" | comm -12 - <(sort "$W/dec.after.jsonl") | wc -l)
if [ "$gone" = 0 ]; then
    ok "December's findings after the detach: those naming no November time unchanged ($same_n of $(wc -l <"$W/dec.before.jsonl") identical, $(wc -l <"$W/dec.after.jsonl") now)"
else
    bad "December's findings: $gone that name no November time changed"
fi
"$PEL" tracks --db "$ALICE" --from "$DEC_FROM" --format csv -o "$W/dec.tracks.after.csv" 2>>"$LOG"
cmp -s "$W/dec.tracks.before.csv" "$W/dec.tracks.after.csv" && ok "December's tracks unchanged" ||
    bad "December's tracks changed"
expect_ok "a whole scan after the detach runs" "$PEL" scan -q --db "$ALICE" -o "$W/all.detached.jsonl"
echo "whole scan: $(wc -l <"$W/all.before.jsonl") findings before the detach, $(wc -l <"$W/all.detached.jsonl") after" >>"$LOG"
# an ingest while November is away, of a day of the same vessels: they are
# rebuilt from the chunks at hand
"$GEN" --sentences 2000 --vessels 200 --days 1 --start $((1700000000 + 31 * 86400)) >"$W/day32.nmea"
expect_ok "an ingest of later days while November is detached" "$PEL" ingest -q --db "$FEEDER" "$W/day32.nmea"
expect_ok "restore November" pg_restore -d "$OWNER" "$W/chunks_2023-11.dump"
expect_ok "attach it again" psql "$OWNER" -X -q -v ON_ERROR_STOP=1 \
    -c "ALTER TABLE pelorus.chunks ATTACH PARTITION pelorus.chunks_y2023m11 FOR VALUES FROM (1698796800000) TO (1701388800000)"
"$PEL" scan -q --db "$ALICE" -o "$W/all.after.jsonl" 2>>"$LOG"
"$PEL" ingest -q --db "$W/ref.db" "$W/day32.nmea" 2>>"$LOG"
"$PEL" scan -q --db "$W/ref.db" -o "$W/ref.jsonl" 2>>"$LOG"
"$PEL" tracks --db "$W/ref.db" --format csv 2>>"$LOG" | cut -d, -f1-12 >"$W/ref.tracks"
# like_ref WHAT: the scan (evidence aside: inputs are numbered otherwise; and
# alice's review) and
# the tracks (inputs and lines aside) as SQLite's of every file
like_ref() {
    "$PEL" scan -q --db "$ALICE" -o "$W/pg.jsonl" 2>>"$LOG"
    "$PEL" tracks --db "$ALICE" --format csv 2>>"$LOG" | cut -d, -f1-12 >"$W/pg.tracks"
    if cmp -s <(jq -c 'del(.evidence, .review)' "$W/ref.jsonl") <(jq -c 'del(.evidence, .review)' "$W/pg.jsonl") &&
        cmp -s "$W/ref.tracks" "$W/pg.tracks"; then
        echo "$1: the scan and tracks as SQLite's of every file" >>"$LOG"
        return 0
    fi
    echo "$1: $(wc -l <"$W/ref.jsonl") findings on SQLite, $(wc -l <"$W/pg.jsonl") here;" \
        "$(diff "$W/ref.tracks" "$W/pg.tracks" | grep -c '^<') track rows differ" >>"$LOG"
    return 1
}
# the vessels rebuilt while November was away had their segments numbered
# without it: re-attached, their November and December segments disagree
like_ref "re-attached" && bad "re-attached after an ingest: expected the rebuilt vessels to disagree" ||
    ok "re-attached after an ingest: the vessels rebuilt meanwhile disagree, as docs/deployment.md says"
expect_ok "re-attached: every vessel marked for rebuilding" psql "$OWNER" -X -q -v ON_ERROR_STOP=1 \
    -c "UPDATE pelorus.vessels SET dirty = 1"
expect_ok "re-attached: an ingest (of a file stored already) rebuilds them" "$PEL" ingest -q --db "$FEEDER" "$W/day32.nmea"
like_ref "rebuilt" && ok "rebuilt: the scan and tracks as SQLite's of every file" ||
    bad "rebuilt: the scan or tracks differ from SQLite's of every file"
expect_ok "analyst reads the re-attached month directly" psql "$ALICE" -X -q -v ON_ERROR_STOP=1 \
    -c "SELECT count(*) FROM pelorus.chunks_y2023m11"

# ---- 8. backups
"$PEL" scan -q --db "$ALICE" -o "$W/pre-dump.jsonl" 2>>"$LOG"
expect_ok "pg_dump -Fc of the database" pg_dump -d "$OWNER" -Fc -f "$W/ais.dump"
expect_ok "pg_dumpall --roles-only" pg_dumpall -d "$su" --roles-only -f "$W/roles.sql"
expect_ok "a new database to restore into" sql -c "CREATE DATABASE ais_restored OWNER ais_owner"
expect_ok "pg_restore (as the superuser: CREATE EXTENSION postgis)" \
    pg_restore -d "postgresql:///ais_restored${su#postgresql:///postgres}" "$W/ais.dump"
"$PEL" scan -q --db "postgresql://alice@127.0.0.1:$port/ais_restored" -o "$W/restored.jsonl" 2>>"$LOG"
cmp -s "$W/pre-dump.jsonl" "$W/restored.jsonl" && ok "the restored database's scan as the original's" ||
    bad "the restored database's scan differs"
expect_ok "pg_basebackup, tar and compressed" pg_basebackup -d "postgresql://replicator@127.0.0.1:$port" \
    -D "$W/base.tar" -Ft -z -X stream -c fast
expect_ok "pg_basebackup, plain" pg_basebackup -d "postgresql://replicator@127.0.0.1:$port" \
    -D "$W/base" -Fp -X stream -c fast
expect_ok "pg_verifybackup of the plain one" "$PG_BIN/pg_verifybackup" "$W/base"

# ---- 9. the schema version: upgrades (as from a database of an older pelorus)
RST_OWNER=postgresql://ais_owner@127.0.0.1:$port/ais_restored
for how in ingest psql; do
    expect_ok "ais_restored taken back to version 1 (tests/data/pg_migrate/downgrade_2.sql)" \
        psql "$RST_OWNER" -X -q -v ON_ERROR_STOP=1 -f tests/data/pg_migrate/downgrade_2.sql
    if [ $how = ingest ]; then
        expect_fail "version 1: the analyst's read refused, naming the owner" \
            "once as the schema's owner (ais_owner) to migrate it" \
            "$PEL" vessels --db "postgresql://alice@127.0.0.1:$port/ais_restored"
        expect_fail "version 1: the ingest role's write refused" "only the schema's owner (ais_owner) may migrate it" \
            "$PEL" ingest -q --db "postgresql://feeder@127.0.0.1:$port/ais_restored" "$W/day31.nmea"
        expect_ok "a backup before the upgrade" pg_dump -d "$RST_OWNER" -Fc -f "$W/pre-upgrade.dump"
        expect_ok "the owner's ingest migrates it" "$PEL" ingest -q --db "$RST_OWNER" "$W/first.nmea"
    else
        expect_ok "the owner's psql migrates it" psql "$RST_OWNER" -X -q -v ON_ERROR_STOP=1 -f src/store/pg_migrate_1.sql
        expect_fail "the migration run again is refused" "takes schema version 1 to 2, and this database is at version 2" \
            psql "$RST_OWNER" -X -q -v ON_ERROR_STOP=1 -f src/store/pg_migrate_1.sql
    fi
    v=$(sqld ais_restored -c "SELECT value FROM pelorus.meta WHERE key = 'schema_version'")
    [ "$v" = 2 ] && ok "migrated ($how): schema_version 2" || bad "migrated ($how): schema_version is '$v'"
done
"$PEL" scan -q --db "postgresql://alice@127.0.0.1:$port/ais_restored" -o "$W/migrated.jsonl" 2>>"$LOG"
cmp -s "$W/pre-dump.jsonl" "$W/migrated.jsonl" && ok "the migrated database's scan as the original's" ||
    bad "the migrated database's scan differs"
sqld ais_restored -c "UPDATE pelorus.meta SET value = '3' WHERE key = 'schema_version'" >>"$LOG" 2>&1
expect_fail "a newer schema version refused" "newer than this Pelorus" \
    "$PEL" vessels --db "postgresql://alice@127.0.0.1:$port/ais_restored"

echo "pg-deploy: $pass passed, $fail failed"
[ $fail = 0 ]
