#!/usr/bin/env bash
# pg_cluster.sh -- a throwaway PostgreSQL cluster for the tests (issue 15):
#
#   scripts/pg_cluster.sh start DIR    makes DIR (if missing) and a cluster
#                                      in DIR/data, starts it and prints its
#                                      libpq connection string on stdout
#   scripts/pg_cluster.sh stop DIR     stops it (pg_ctl -m fast); safe to
#                                      call twice, or on a DIR never started
#   scripts/pg_cluster.sh status DIR   exit 0 when it runs, 3 when it does not
#
# The cluster listens on a Unix socket in DIR only (listen_addresses = '',
# no TCP port is opened), trusts whoever can reach that socket (initdb
# --auth=trust; DIR is mode 700, so that is its owner and root), has a
# superuser named postgres, UTF-8 and the C locale.  It trades safety for
# speed (fsync, full-page writes and synchronous commit off, small
# buffers): it is for data a test throws away.  Its log is DIR/log.
#
# PostgreSQL refuses to run as root, so when run as root the cluster belongs
# to a system user, pelorus-test (made with useradd when missing), who owns
# DIR, and initdb and pg_ctl run as that user through runuser.  The
# binaries are PostgreSQL 15's (/usr/lib/postgresql/15/bin; PG_BIN to
# change).  The connection string is postgresql:///postgres?host=DIR&user=postgres
# (DIR percent-encoded); psql "$conn" and libpq take it as it is.
#
# Limits: a Unix socket's path is at most 107 bytes, so DIR may be at most
# about 90 characters long (refused otherwise); DIR's parents must be
# searchable by pelorus-test (a mktemp -d under /tmp is).
set -eu
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
TEST_USER=pelorus-test
usage() {
    echo "usage: $0 start|stop|status DIR" >&2
    exit 2
}
[ $# = 2 ] || usage
cmd=$1
case $2 in
/*) dir=$2 ;;
*) dir=$PWD/$2 ;;
esac
dir=${dir%/}
data=$dir/data

# as_owner CMD...: runs CMD as the cluster's user (as root: pelorus-test),
# from DIR (the caller's directory may be closed to that user).
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        (cd "$dir" && runuser -u "$TEST_USER" -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

# The libpq URI for DIR: everything but unreserved characters and / encoded.
conn_string() {
    local LC_ALL=C s=$1 out="" c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
        [A-Za-z0-9/._~-]) out+=$c ;;
        *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf 'postgresql:///postgres?host=%s&user=postgres\n' "$out"
}

running() {
    [ -f "$data/PG_VERSION" ] && as_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1
}

start() {
    if [ ${#dir} -gt 90 ]; then
        echo "pg_cluster: $dir: too long for a Unix socket's path (at most 90 characters here)" >&2
        exit 1
    fi
    [ -x "$PG_BIN/initdb" ] || {
        echo "pg_cluster: no PostgreSQL in $PG_BIN (scripts/install-deps.sh installs postgresql-15)" >&2
        exit 1
    }
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
        id -u "$TEST_USER" >/dev/null 2>&1 ||
            useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$TEST_USER"
        chown "$TEST_USER:" "$dir"
    fi
    chmod 700 "$dir"
    if ! as_owner test -w "$dir"; then
        echo "pg_cluster: $dir cannot be reached or written by $TEST_USER (a parent directory closed to it?)" >&2
        exit 1
    fi
    if running; then
        conn_string "$dir"
        return
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
        as_owner "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C \
            --no-sync --no-instructions >"$dir/initdb.log" 2>&1 || {
            echo "pg_cluster: initdb failed:" >&2
            tail -n 20 "$dir/initdb.log" >&2
            exit 1
        }
        local q=${dir//\'/\'\'} # the directory in a quoted setting
        cat >>"$data/postgresql.conf" <<EOF

# pg_cluster.sh: a throwaway test cluster, Unix socket in its directory only
listen_addresses = ''
unix_socket_directories = '"$q"'
unix_socket_permissions = 0700
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 20
max_wal_size = 256MB
EOF
    fi
    if ! as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$dir/log" -w -t 30 start >/dev/null 2>&1; then
        echo "pg_cluster: the server did not start:" >&2
        tail -n 20 "$dir/log" >&2 || true
        exit 1
    fi
    conn_string "$dir"
}

stop() {
    [ -d "$dir" ] || return 0
    running || return 0
    as_owner "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null
}

case $cmd in
start) start ;;
stop) stop ;;
status) if running; then exit 0; else exit 3; fi ;;
*) usage ;;
esac
