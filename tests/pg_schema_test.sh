#!/usr/bin/env bash
# pg_schema_test.sh -- the PostgreSQL schema (src/store/pg_schema.sql and
# pg_roles.sql; issue 15) against a real server: a throwaway cluster
# (scripts/pg_cluster.sh) in a temporary directory, stopped by a trap on
# any exit, a failed check included.  It loads both files into a new
# database with PostGIS and checks:
#   1. the schema version row is 2; every table exists;
#   2. chunks is partitioned by range of t0; chunk_months makes the months
#      asked for (2024-02..2024-04: 3) and nothing when called again; a chunk
#      of 2024-03-15 lands in March's partition; one crossing a month's end,
#      or of a month without a partition, is refused; March detached, its
#      chunk is gone from chunks and kept in the detached table;
#   3. PostGIS: geometry_columns lists track_days.geom (LineString) and
#      findings.geom with SRID 4326, each with a GiST index; a box (&&)
#      and a distance (ST_DWithin) find the rows inserted, a box elsewhere
#      none;
#   4. bytes per position: 1,000 chunks of 1,024 positions at 40 packed
#      bytes a position (docs/schema.md's format runs 17 to about 45 bytes;
#      real NOAA data packs to 20) in one month's partition, measured with
#      pg_total_relation_size (table, TOAST, indexes); under 60;
#   5. roles: the analyst reads findings and adds reviews, and may not
#      write chunks nor change a review; ingest writes chunks, makes a
#      month's partition (chunk_months) and may not add a review;
#   6. the cluster is stopped at the end (pg_ctl status: no server), and
#      when a run fails part way (this script run again with PG_TEST_ABORT,
#      which fails a check once its cluster is up).
# Prints "pg-schema: N passed, M failed".  Usage: tests/pg_schema_test.sh
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok pg-schema $1"; }
bad() { fail=$((fail + 1)); echo "FAIL pg-schema $1"; }
check() { # description expected actual
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected '$2', got '$3'"; fi
}

dir=$(mktemp -d /tmp/pelorus-pg.XXXXXX)
cleanup() {
    "$ROOT/scripts/pg_cluster.sh" stop "$dir" || true
}
trap 'cleanup; rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM HUP
if ! conn=$(scripts/pg_cluster.sh start "$dir"); then
    bad "the cluster starts (scripts/install-deps.sh installs PostgreSQL 15 and PostGIS)"
    echo "pg-schema: $pass passed, $fail failed"
    exit 1
fi
ok "a throwaway cluster starts in $dir"
if [ -n "${PG_TEST_ABORT:-}" ]; then
    # tells the run that checks this one its directory and server's process
    echo "$dir $(head -n 1 "$dir/data/postmaster.pid")" >"$PG_TEST_DIR_OUT"
    bad "deliberately (PG_TEST_ABORT): the trap must stop the cluster"
    exit 1
fi

# q SQL...: runs the statements as the superuser in the test database; prints
# the rows (unaligned, |-separated) and any error on stdout
db="postgresql:///pgtest${conn#postgresql:///postgres}"
q() { psql "$db" -X -q -A -t -v ON_ERROR_STOP=1 -c "$*" 2>&1; }
psql "$conn" -X -q -c 'CREATE DATABASE pgtest' >/dev/null
check "PostGIS installs" "" "$(q 'CREATE EXTENSION postgis')"
check "pg_schema.sql loads" "" "$(psql "$db" -X -q -v ON_ERROR_STOP=1 -f src/store/pg_schema.sql 2>&1)"
check "pg_roles.sql loads" "" "$(psql "$db" -X -q -v ON_ERROR_STOP=1 -f src/store/pg_roles.sql 2>&1)"
check "pg_roles.sql loads twice (roles exist)" "" "$(psql "$db" -X -q -v ON_ERROR_STOP=1 -f src/store/pg_roles.sql 2>&1)"

# ---- 1. version and tables
check "schema version 2" "2" "$(q "SELECT value FROM pelorus.meta WHERE key = 'schema_version'")"
for t in meta inputs sources chunks staging vessels segments identities voyages coverage watchlists watch_entries \
    reviews case_imports case_findings track_days findings; do
    check "table $t" "pelorus.$t" "$(q "SELECT to_regclass('pelorus.$t')")"
done
check "indexes as SQLite's: chunks (mmsi, t0), inputs (sha256), identities (imo) and (nname)" \
    "chunks_by_vessel|(mmsi, t0)
identities_by_imo|(imo) WHERE (imo > 0)
identities_by_name|(nname) WHERE (nname <> ''::text)
inputs_by_hash|(sha256)" \
    "$(q "SELECT indexname, regexp_replace(indexdef, '.* USING btree ', '') FROM pg_indexes
          WHERE schemaname = 'pelorus' AND indexname IN ('chunks_by_vessel', 'inputs_by_hash', 'identities_by_imo',
          'identities_by_name') ORDER BY 1")"

# ---- 2. partitions by month
ms() { echo "(extract(epoch FROM timestamptz '$1') * 1000)::bigint"; }
parts() { q "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'pelorus.chunks'::regclass"; }
check "chunks partitioned by range of t0" "RANGE (t0)" "$(q "SELECT pg_get_partkeydef('pelorus.chunks'::regclass)")"
check "chunk_months 2024-02..2024-04 makes 3" "3" \
    "$(q "SELECT pelorus.chunk_months($(ms 2024-02-01Z), $(ms '2024-04-30 23:59:59Z'))")"
check "chunk_months again makes none" "0" \
    "$(q "SELECT pelorus.chunk_months($(ms 2024-02-10Z), $(ms 2024-04-01Z))")"
check "the partitions" "chunks_y2024m02 chunks_y2024m03 chunks_y2024m04" "$(parts)"
check "March's bounds" "FOR VALUES FROM ('1709251200000') TO ('1711929600000')" \
    "$(q "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = 'pelorus.chunks_y2024m03'::regclass")"
check "a chunk of 2024-03-15 lands in March" "pelorus.chunks_y2024m03" \
    "$(q "INSERT INTO pelorus.chunks (mmsi, t0, t1, n, lat0, lat1, lon0, lon1, data)
          VALUES (244660000, $(ms '2024-03-15 10:00Z'), $(ms '2024-03-15 11:00Z'), 2, 1, 2, 3, 4, '\\x01')
          RETURNING tableoid::regclass")"
check "a chunk crossing a month's end is refused" "chunks_one_month" \
    "$(q "INSERT INTO pelorus.chunks (mmsi, t0, t1, n, data)
          VALUES (1, $(ms '2024-03-31 23:00Z'), $(ms '2024-04-01 01:00Z'), 2, '\\x01')" |
        grep -o chunks_one_month | head -n 1)"
check "a chunk of a month without a partition is refused" "no partition of relation" \
    "$(q "INSERT INTO pelorus.chunks (mmsi, t0, t1, n, data) VALUES (1, $(ms 2025-01-05Z), $(ms 2025-01-05Z), 1, '\\x01')" |
        grep -o 'no partition of relation' | head -n 1)"
check "March detached" "" "$(q 'ALTER TABLE pelorus.chunks DETACH PARTITION pelorus.chunks_y2024m03')"
check "its chunk gone from chunks" "0" "$(q 'SELECT count(*) FROM pelorus.chunks WHERE mmsi = 244660000')"
check "and kept in the detached table" "1" "$(q 'SELECT count(*) FROM pelorus.chunks_y2024m03')"
check "the partitions left" "chunks_y2024m02 chunks_y2024m04" "$(parts)"

# ---- 3. PostGIS layers
check "geometry_columns: track_days and findings, SRID 4326" \
    "findings|geom|4326|GEOMETRY
track_days|geom|4326|LINESTRING" \
    "$(q "SELECT f_table_name, f_geometry_column, srid, type FROM geometry_columns
          WHERE f_table_schema = 'pelorus' ORDER BY 1")"
check "GiST indexes on both geometries" "findings_geom
track_days_geom" \
    "$(q "SELECT indexname FROM pg_indexes WHERE schemaname = 'pelorus' AND indexdef LIKE '%USING gist (geom)%' ORDER BY 1")"
check "a day's track and a finding inserted" "" \
    "$(q "INSERT INTO pelorus.track_days VALUES (244660000, '2024-03-15', $(ms '2024-03-15 10:00Z'),
            $(ms '2024-03-15 11:00Z'), 3, ST_GeomFromText('LINESTRING(4.00 51.90, 4.05 51.95, 4.10 52.00)', 4326));
          INSERT INTO pelorus.findings (finding_id, event, mmsi, start_ms, end_ms, line, geom)
          VALUES ('f1', 'loitering', 244660000, $(ms '2024-03-15 10:00Z'), $(ms '2024-03-15 11:00Z'),
            '{\"event\": \"loitering\", \"mmsi\": 244660000, \"duration_h\": 1.0}',
            ST_SetSRID(ST_MakePoint(4.05, 51.95), 4326))")"
check "a box (&&) finds the track" "244660000|2024-03-15" \
    "$(q "SELECT mmsi, day FROM pelorus.track_days WHERE geom && ST_MakeEnvelope(4.04, 51.94, 4.06, 51.96, 4326)")"
check "a box elsewhere finds nothing" "0" \
    "$(q "SELECT count(*) FROM pelorus.track_days WHERE geom && ST_MakeEnvelope(10, 50, 11, 51, 4326)")"
check "ST_DWithin finds the finding (1 km)" "f1|loitering|1.0" \
    "$(q "SELECT finding_id, event, line::jsonb->>'duration_h' FROM pelorus.findings
          WHERE ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(4.06, 51.95), 4326)::geography, 1000)")"
check "the finding's time as timestamptz (QGIS's time filter)" "2024-03-15 10:00:00+00" \
    "$(q "SET TIME ZONE 'UTC'; SELECT start_at FROM pelorus.findings WHERE finding_id = 'f1'")"

# ---- 4. bytes per position: 1,000 chunks of 1,024 positions, 40 bytes each, in May 2024
packed=40
q "SELECT pelorus.chunk_months($(ms 2024-05-01Z), $(ms 2024-05-01Z))" >/dev/null
out=$(q "INSERT INTO pelorus.chunks (mmsi, t0, t1, n, lat0, lat1, lon0, lon1, data)
         SELECT 200000000 + g, $(ms 2024-05-01Z) + g * 1000, $(ms 2024-05-01Z) + g * 1000 + 86400000, 1024,
                31000000, 31100000, 2400000, 2500000,
                decode(string_agg(md5(g::text || ':' || i::text || random()::text), ''), 'hex')
         FROM generate_series(1, 1000) g, generate_series(1, $packed * 1024 / 16) i GROUP BY g")
out=$out$(q "VACUUM ANALYZE pelorus.chunks_y2024m05")
check "1,000 chunks of 1,024 positions stored" "1000|1024000|$((packed * 1024 * 1000))" \
    "$(q "SELECT count(*), sum(n), sum(length(data)) FROM pelorus.chunks_y2024m05")$out"
bpp=$(q "SELECT round(pg_total_relation_size('pelorus.chunks_y2024m05') / 1024000.0, 1)")
echo "pg-schema: bytes per position: $bpp (pg_total_relation_size of a month's partition: table, TOAST, indexes;" \
    "1,000 chunks of 1,024 positions packed at $packed bytes each, stored uncompressed)"
if awk -v b="$bpp" 'BEGIN { exit !(b > 0 && b < 60) }'; then ok "bytes per position $bpp < 60"; else
    bad "bytes per position $bpp, not under 60"
fi

# ---- 5. roles
check "analyst reads findings" "1" "$(q 'SET ROLE pelorus_analyst; SELECT count(*) FROM pelorus.findings')"
check "analyst adds a review" "1" \
    "$(q "SET ROLE pelorus_analyst; INSERT INTO pelorus.reviews VALUES ('f1', 1, 'confirmed', 'seen', 'alice',
          '2024-03-16T09:00:00Z') RETURNING seq")"
check "analyst may not write chunks" "permission denied for table chunks" \
    "$(q "SET ROLE pelorus_analyst; INSERT INTO pelorus.chunks (mmsi, t0, t1, n, data)
          VALUES (1, $(ms 2024-04-02Z), $(ms 2024-04-02Z), 1, '\\x01')" | grep -o 'permission denied.*')"
check "analyst may not change a review" "permission denied for table reviews" \
    "$(q "SET ROLE pelorus_analyst; UPDATE pelorus.reviews SET status = 'dismissed'" | grep -o 'permission denied.*')"
check "ingest writes chunks" "1" \
    "$(q "SET ROLE pelorus_ingest; INSERT INTO pelorus.chunks (mmsi, t0, t1, n, data)
          VALUES (1, $(ms 2024-04-02Z), $(ms 2024-04-02Z), 1, '\\x01') RETURNING n")"
check "ingest makes a month's partition" "1" \
    "$(q "SET ROLE pelorus_ingest; SELECT pelorus.chunk_months($(ms 2024-06-03Z), $(ms 2024-06-03Z))")"
check "ingest may not add a review" "permission denied for table reviews" \
    "$(q "SET ROLE pelorus_ingest; INSERT INTO pelorus.reviews VALUES ('f1', 2, 'open', '', 'bob', '')" |
        grep -o 'permission denied.*')"

# ---- 6. stopped at the end, and when a run fails part way
cleanup
"$ROOT/scripts/pg_cluster.sh" status "$dir"
check "stopped at the end (pg_ctl status: no server)" "3" "$?"
check "its socket gone" "no" "$([ -e "$dir/.s.PGSQL.5432" ] && echo yes || echo no)"
check "stop again is harmless" "0" "$(cleanup >/dev/null 2>&1; echo $?)"
if [ -z "${PG_TEST_ABORT:-}" ]; then
    child=$dir.child
    PG_TEST_ABORT=1 PG_TEST_DIR_OUT=$child tests/pg_schema_test.sh >"$dir/child.out" 2>&1
    rc=$?
    read -r cdir cpid <"$child" 2>/dev/null
    rm -f "$child"
    check "a run failing part way exits non-zero" "1" "$rc"
    check "its cluster was up when it failed" "1" "$(grep -c '^ok pg-schema a throwaway cluster starts' "$dir/child.out")"
    if [ -n "${cpid:-}" ]; then
        # (pg_ctl stop -w returns when the server removed its pid file, a moment
        # before it exits; a zombie is gone: where PID 1 reaps no orphans, one stays;
        # its state read from /proc, not ps: procps is not on every fresh machine)
        check "and its server is stopped by its trap" "gone" "$(for _ in 1 2 3 4 5 6 7 8 9 10; do
            case $(awk '{print $3}' "/proc/$cpid/stat" 2>/dev/null) in '' | Z*) echo gone && break ;; esac
            sleep 0.2
        done)"
        check "and its directory removed" "no" "$([ -e "$cdir" ] && echo yes || echo no)"
    else
        bad "the failing run named its directory"
    fi
fi

echo "pg-schema: $pass passed, $fail failed"
[ $fail = 0 ]
