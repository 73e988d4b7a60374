# shellcheck shell=bash
# backend.sh -- the backend a suite's databases are on (issue 15), sourced
# by tests/store_test.sh, scan_test.sh, review_test.sh, report_test.sh and
# ingest_test.sh after they set PEL:
#
#   PELORUS_TEST_BACKEND=sqlite (or unset)  the databases are SQLite files
#                                           at the paths the suite names
#   PELORUS_TEST_BACKEND=pg                 each path stands for a database
#                                           on a throwaway PostgreSQL cluster
#
# be_start SUITE: in pg mode starts the cluster (scripts/pg_cluster.sh) in a
# new directory under /tmp, stopped and removed by a trap on any exit (a
# failed check included), makes a template database with PostGIS, and sets
# PEL to tests/pel_pg.sh, which runs pelorus with each --db PATH replaced by
# PATH's database (made anew when PATH does not exist, a copy when PATH was
# copied from another: see that file).  The suite's commands and the values
# its checks expect stay the same on both backends.
#   be_pg                 true in pg mode
#   be_na WHAT WHY        a check that concerns an SQLite file, not made in
#                         pg mode: prints "n/a SUITE (sqlite file): WHAT: WHY"
#   be_sql PATH QUERY     QUERY on PATH's database (sqlite3, or psql with the
#                         schema pelorus first on the search path); rows as
#                         sqlite3 prints them (a|b), errors to stderr
#   be_uri PATH           pg mode: PATH's database made sure of, its URI
# In pg mode BE_DIR is the cluster's directory and PELORUS_TEST_PGCONN its
# conninfo URI (database postgres, the superuser); what a suite mounts under
# BE_DIR (a tablespace's tmpfs) is unmounted by the trap (be_stop).
BE=${PELORUS_TEST_BACKEND:-sqlite}
be_pg() { [ "$BE" = pg ]; }
be_na() { echo "n/a $BE_SUITE (sqlite file): $1: $2"; }

be_start() {
    BE_SUITE=$1
    case $BE in
    sqlite) return 0 ;;
    pg) ;;
    *)
        echo "FAIL $BE_SUITE: PELORUS_TEST_BACKEND=$BE: neither sqlite nor pg"
        exit 1
        ;;
    esac
    BE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    BE_DIR=$(mktemp -d /tmp/pelorus-be.XXXXXX)
    trap 'be_stop' EXIT
    trap 'exit 1' INT TERM HUP
    local conn
    if ! conn=$("$BE_ROOT/scripts/pg_cluster.sh" start "$BE_DIR") ||
        ! psql "$conn" -X -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE pelorus_template' >/dev/null ||
        ! psql "postgresql:///pelorus_template${conn#postgresql:///postgres}" -X -q -v ON_ERROR_STOP=1 \
            -c 'CREATE EXTENSION postgis' >/dev/null; then
        echo "FAIL $BE_SUITE: no PostgreSQL cluster with PostGIS (scripts/install-deps.sh installs them)"
        echo "$BE_SUITE: 0 passed, 1 failed"
        exit 1
    fi
    export PELORUS_TEST_PEL PELORUS_TEST_PGDIR=$BE_DIR PELORUS_TEST_PGCONN=$conn
    PELORUS_TEST_PEL=$(realpath "$PEL")
    PEL=$BE_ROOT/tests/pel_pg.sh
    echo "(backend: PostgreSQL, a cluster in $BE_DIR)"
}

# be_stop: the cluster stopped, what a suite mounted in its directory (a
# tablespace's tmpfs) unmounted, the directory removed
be_stop() {
    "$BE_ROOT/scripts/pg_cluster.sh" stop "$BE_DIR" >/dev/null 2>&1
    awk -v d="$BE_DIR/" 'index($2, d) == 1 { print $2 }' /proc/mounts | while read -r m; do umount "$m"; done
    rm -rf "$BE_DIR"
}

be_uri() { "$BE_ROOT/tests/pel_pg.sh" --uri "$1"; }

be_sql() {
    if be_pg; then
        local uri
        uri=$(be_uri "$1") || return 1
        PGOPTIONS='-c search_path=pelorus,public' psql "$uri" -X -q -A -t -v ON_ERROR_STOP=1 -c "$2"
    else
        sqlite3 "$1" "$2"
    fi
}
