#!/usr/bin/env bash
# pg_migrate_test.sh -- the PostgreSQL schema's migrations (issue 15;
# src/store/pg_migrate_V.sql, run by pg_open.c; docs/schema.md,
# "PostgreSQL") against a throwaway cluster (scripts/pg_cluster.sh) in a
# temporary directory, stopped by a trap on any exit, a failed check
# included.
#
# A version 1 database with data: scenario_small ingested by this pelorus
# into a database owned by a role ais_owner (as docs/deployment.md sets one
# up, pg_roles.sql loaded), then taken back to version 1 by
# tests/data/pg_migrate/downgrade_2.sql (the reverse of pg_migrate_1.sql).
# That its schema is then exactly version 1's is checked first, against
# tests/data/pg_migrate/schema_v1.sql (pg_schema.sql as it was at version
# 1) loaded into an empty database: so the data are what this pelorus
# writes, and the schema is what an older one set up.  Then:
#   1. a reading command refuses it with a message saying who runs what,
#      the database untouched (pg_dump, schema and data, the same after);
#   2. a writing command of a role that is not the owner (feeder, in
#      pelorus_ingest) is refused, naming the owner, untouched;
#   3. version 3 (newer) is refused by reading and writing commands, untouched;
#   4. two first writing opens at the same time (both held at the setup's
#      advisory lock, then let go) both succeed and migrate it once (the
#      server's log of DDL statements holds the migration once);
#   5. the owner's writing command migrates it: version 2; db-dump and
#      scan give what they give on a fresh database given the same input;
#      pg_dump --schema-only of the two is the same (both owned by
#      ais_owner with pg_roles.sql's grants: nothing normalised but the
#      monthly partitions, the same months in both); the ingest role writes
#      to it afterwards (its grants kept).
# Prints "pg-migrate: N passed, M failed".  Usage: tests/pg_migrate_test.sh
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
BUILD=${BUILD:-build}
PEL=$ROOT/$BUILD/pelorus
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok pg-migrate $1"; }
bad() { fail=$((fail + 1)); echo "FAIL pg-migrate $1"; }
check() { # description expected actual
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected '$2', got '$3'"; fi
}
# has DESCRIPTION TEXT ACTUAL: ACTUAL contains TEXT
has() {
    case $3 in
    *"$2"*) ok "$1" ;;
    *) bad "$1: no '$2' in: $3" ;;
    esac
}

dir=$(mktemp -d /tmp/pelorus-pgm.XXXXXX)
T=$(mktemp -d "${TMPDIR:-/tmp}/pg-migrate.XXXXXX")
cleanup() {
    "$ROOT/scripts/pg_cluster.sh" stop "$dir" || true
}
trap 'cleanup; rm -rf "$dir" "$T"' EXIT
trap 'exit 1' INT TERM HUP
if ! conn=$(scripts/pg_cluster.sh start "$dir"); then
    bad "the cluster starts (scripts/install-deps.sh installs PostgreSQL 15 and PostGIS)"
    echo "pg-migrate: $pass passed, $fail failed"
    exit 1
fi
ok "a throwaway cluster starts"

# uri DB [ROLE]: the database's URI, as ROLE (the superuser postgres by default)
uri() {
    local u="postgresql:///$1${conn#postgresql:///postgres}"
    echo "${u%user=postgres}user=${2:-postgres}"
}
# sql URI QUERY: the rows, unaligned, and any error
sql() { psql "$1" -X -q -A -t -v ON_ERROR_STOP=1 -c "$2" 2>&1; }
sqlf() { psql "$1" -X -q -v ON_ERROR_STOP=1 -f "$2" 2>&1; }
version() { sql "$(uri "$1")" "SELECT value FROM pelorus.meta WHERE key = 'schema_version'"; }
# state DB: everything in it, schema and data (to show it untouched)
state() { pg_dump -d "$(uri "$1")" --no-comments --restrict-key=pelorus | md5sum; }
# schema DB: its schema, the monthly partitions of chunks left out
schema() { pg_dump -d "$(uri "$1")" --schema-only --no-comments --restrict-key=pelorus -T 'pelorus.chunks_y*'; }
# newdb NAME: a database owned by ais_owner with PostGIS (made by the superuser)
newdb() {
    sql "$conn" "CREATE DATABASE $1 OWNER ais_owner" && sql "$(uri "$1")" 'CREATE EXTENSION postgis'
}
KEY="x'70656c6f72757302'::bigint" # pg_open.c's SETUP_KEY

# the roles of docs/deployment.md: the owner, the groups (pg_roles.sql makes
# them when missing, which the owner may not), an ingest login
check "roles" "" "$(sql "$conn" "CREATE ROLE ais_owner LOGIN; CREATE ROLE pelorus_ingest NOLOGIN;
    CREATE ROLE pelorus_analyst NOLOGIN; CREATE ROLE feeder LOGIN IN ROLE pelorus_ingest")"
"$PEL" simulate -q examples/scenario_small.json --out "$T/sim" || bad "simulate"
in=$T/sim/ais.nmea
head -n 2000 "$in" >"$T/more.nmea"

# fresh: version 2 as this pelorus sets it up; old: the same, then version 1
for d in fresh old; do
    check "$d: made" "" "$(newdb $d)"
    "$PEL" ingest -q --db "$(uri $d ais_owner)" "$in" 2>"$T/$d.err" || bad "$d: ingest: $(cat "$T/$d.err")"
    check "$d: pg_roles.sql loads" "" "$(sqlf "$(uri $d ais_owner)" src/store/pg_roles.sql)"
done
check "fresh: version 2" "2" "$(version fresh)"
check "old: downgraded" "" "$(sqlf "$(uri old ais_owner)" tests/data/pg_migrate/downgrade_2.sql)"
check "old: version 1" "1" "$(version old)"
check "old: has data" "t" "$(sql "$(uri old)" "SELECT count(*) > 100 FROM pelorus.coverage")"
newdb v1ref >/dev/null
check "version 1's schema loads" "" "$(sqlf "$(uri v1ref ais_owner)" tests/data/pg_migrate/schema_v1.sql)"
sqlf "$(uri v1ref ais_owner)" src/store/pg_roles.sql >/dev/null
schema old >"$T/old.schema"
schema v1ref >"$T/v1ref.schema"
if cmp -s "$T/old.schema" "$T/v1ref.schema"; then
    ok "old: its schema is version 1's ($(grep -c 'CREATE' "$T/old.schema") CREATE statements)"
else
    bad "old: its schema is not version 1's:"
    diff "$T/v1ref.schema" "$T/old.schema" | head -10
fi
# copies, before anything touches old
for d in old3 oldc; do
    sql "$conn" "CREATE DATABASE $d TEMPLATE old OWNER ais_owner" >/dev/null
done

# ---- 1. a reading command
before=$(state old)
out=$("$PEL" vessels --db "$(uri old)" 2>&1)
check "read: refused" "1" "$?"
has "read: says who runs what" "old: schema version 1, older than this Pelorus reads (2): run a writing command \
(pelorus ingest) once as the schema's owner (ais_owner) to migrate it; left untouched" "$out"
check "read: untouched" "$before" "$(state old)"

# ---- 2. a writing command of the ingest role
out=$("$PEL" ingest -q --db "$(uri old feeder)" "$T/more.nmea" 2>&1)
check "non-owner: refused" "1" "$?"
has "non-owner: names the owner and what to run" "old: schema version 1, older than this Pelorus reads (2), and \
only the schema's owner (ais_owner) may migrate it, not feeder: run pelorus ingest once as ais_owner" "$out"
check "non-owner: untouched" "$before" "$(state old)"
check "non-owner: nothing half done (version 1, coverage.positions bigint)" "1|bigint" \
    "$(sql "$(uri old)" "SELECT (SELECT value FROM pelorus.meta WHERE key = 'schema_version'),
        format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'pelorus.coverage'::regclass
        AND attname = 'positions'")"

# ---- 3. a newer version
sql "$(uri old3)" "UPDATE pelorus.meta SET value = '3' WHERE key = 'schema_version'" >/dev/null
before3=$(state old3)
out=$("$PEL" vessels --db "$(uri old3)" 2>&1)
has "version 3: a read refused" "schema version 3, newer than this Pelorus reads (2): use a newer pelorus" "$out"
out=$("$PEL" ingest -q --db "$(uri old3 ais_owner)" "$T/more.nmea" 2>&1)
has "version 3: the owner's write refused" "schema version 3, newer than this Pelorus reads (2)" "$out"
check "version 3: untouched" "$before3" "$(state old3)"

# ---- 4. two first writing opens at once
log_count() { grep -c 'statement: -- pg_migrate_1.sql' "$dir/log" 2>/dev/null; }
check "log_statement = ddl" "t" "$(sql "$conn" "ALTER SYSTEM SET log_statement = 'ddl'" &&
    sql "$conn" "SELECT pg_reload_conf()")"
n0=$(log_count)
psql "$(uri oldc)&application_name=holder" -X -q -c "SELECT pg_advisory_lock($KEY)" -c "SELECT pg_sleep(60)" \
    >/dev/null 2>&1 &
holder=$!
# the holder has the lock before the opens start (else they may migrate first)
for _ in $(seq 100); do
    [ "$(sql "$conn" "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
        WHERE d.datname = 'oldc' AND l.locktype = 'advisory' AND l.granted")" = 1 ] && break
    sleep 0.1
done
"$PEL" ingest -q --db "$(uri oldc ais_owner)" "$in" >"$T/c1.out" 2>&1 &
p1=$!
"$PEL" ingest -q --db "$(uri oldc ais_owner)" "$T/more.nmea" >"$T/c2.out" 2>&1 &
p2=$!
waiting=0
for _ in $(seq 100); do
    waiting=$(sql "$conn" "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
        WHERE d.datname = 'oldc' AND l.locktype = 'advisory' AND NOT l.granted")
    [ "$waiting" = 2 ] && break
    sleep 0.1
done
check "concurrent: both opens wait at the setup's lock" "2" "$waiting"
sql "$conn" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'holder'" >/dev/null
wait $holder
wait $p1
r1=$?
wait $p2
r2=$?
check "concurrent: both succeed" "0 0" "$r1 $r2"
[ "$r1 $r2" = "0 0" ] || cat "$T/c1.out" "$T/c2.out"
check "concurrent: version 2" "2" "$(version oldc)"
sleep 0.2 # the log written
check "concurrent: migrated once (the server's log)" "1" "$(($(log_count) - n0))"

# ---- 5. the owner's writing command
out=$("$PEL" ingest -q --db "$(uri old ais_owner)" "$in" 2>&1)
check "owner: the writing command succeeds" "0" "$?"
check "owner: migrated, version 2" "2" "$(version old)"
for d in old fresh; do
    "$PEL" db-dump --db "$(uri $d)" >"$T/$d.dump" 2>&1
    "$PEL" scan -q --db "$(uri $d)" >"$T/$d.scan" 2>&1
done
if cmp -s "$T/old.dump" "$T/fresh.dump"; then
    ok "migrated: db-dump as a fresh database's ($(wc -l <"$T/old.dump") lines, $(grep -c '^coverage' "$T/old.dump") coverage rows)"
else
    bad "migrated: db-dump differs from a fresh database's:"
    diff "$T/fresh.dump" "$T/old.dump" | head -6
fi
if cmp -s "$T/old.scan" "$T/fresh.scan" && [ -s "$T/old.scan" ]; then
    ok "migrated: scan as a fresh database's ($(wc -l <"$T/old.scan") findings)"
else
    bad "migrated: scan differs from a fresh database's:"
    diff "$T/fresh.scan" "$T/old.scan" | head -6
fi
schema old >"$T/old.schema"
schema fresh >"$T/fresh.schema"
if cmp -s "$T/old.schema" "$T/fresh.schema"; then
    ok "migrated: pg_dump --schema-only as a fresh database's"
else
    bad "migrated: pg_dump --schema-only differs from a fresh database's:"
    diff "$T/fresh.schema" "$T/old.schema" | head -10
fi
out=$("$PEL" ingest -q --db "$(uri old feeder)" "$T/more.nmea" 2>&1)
check "migrated: the ingest role writes to it" "0" "$?"

echo "pg-migrate: $pass passed, $fail failed"
[ $fail = 0 ]
