#!/usr/bin/env bash
# pel_pg.sh -- pelorus with every database path it is given on PostgreSQL:
# what tests/backend.sh sets a suite's $PEL to when PELORUS_TEST_BACKEND=pg,
# so that the suite's commands and checks stay as they are.
#
#   tests/pel_pg.sh ARGS...       runs pelorus ARGS (exec: the same process,
#                                 so "kill -9 $!" reaches pelorus), each
#                                 --db PATH or --db=PATH replaced by the URI
#                                 of PATH's database (a URI is left alone)
#   tests/pel_pg.sh --uri PATH    makes sure of PATH's database, prints its URI
#
# PATH's database is named after PATH's file name (s.db: a database "s.db",
# which is what the report and the messages then name), or after a digest
# of the whole path when another path has that name already or the name
# cannot be one.  The file PATH stands for the database: it holds one line,
# "pelorus-test-pg NAME".  When PATH does not exist (never used, or removed
# by the suite's "rm -f x.db*" or "rm -rf $T") the database is dropped and
# made anew from the template (PostGIS in it, no Pelorus schema: the first
# open sets that up, as on SQLite); when PATH names another database (the
# suite copied the file: cp a.db b.db) PATH's database is made a copy of
# that one; when it names PATH's own database it is used as it is.  When
# PATH's directory does not exist, PATH is passed on unchanged (pelorus then
# fails to make it, as on SQLite).
#
# Set by tests/backend.sh: PELORUS_TEST_PEL (the real pelorus),
# PELORUS_TEST_PGDIR (the cluster's directory: its socket, the lock and the
# names taken), PELORUS_TEST_PGCONN (its conninfo URI, database postgres).
set -u
real=${PELORUS_TEST_PEL:?set by tests/backend.sh}
dir=${PELORUS_TEST_PGDIR:?set by tests/backend.sh}
conn=${PELORUS_TEST_PGCONN:?set by tests/backend.sh}

# uri_of PATH: PATH's database made sure of; its URI on stdout
uri_of() {
    local abs name base
    case $1 in
    postgresql://* | postgres://*)
        echo "$1"
        return 0
        ;;
    esac
    abs=$(realpath -m -- "$1")
    if [ ! -d "${abs%/*}" ]; then
        echo "$1"
        return 0
    fi
    base=${abs##*/}
    name=$base
    if [[ ! $base =~ ^[A-Za-z0-9._-]{1,50}$ ]] || [ "$base" = postgres ] || [[ $base == pelorus_* ]]; then
        name=t$(printf %s "$abs" | md5sum | cut -c1-16)
    fi
    (
        flock 9 || exit 1
        # a name is taken by the first path that used it
        if [ -f "$dir/names/$name" ] && [ "$(cat "$dir/names/$name")" != "$abs" ]; then
            name=t$(printf %s "$abs" | md5sum | cut -c1-16)
        fi
        mkdir -p "$dir/names"
        printf '%s\n' "$abs" >"$dir/names/$name"
        local tag="" from=""
        if [ -e "$abs" ]; then
            read -r tag from <"$abs"
            if [ "$tag" != pelorus-test-pg ]; then
                echo "pel_pg: $abs is not a stand-in for a test database (pelorus-test-pg NAME)" >&2
                exit 1
            fi
            [ "$from" = "$name" ] && exit 0
        fi
        local tmpl=pelorus_template
        [ -n "$from" ] && tmpl=$from
        PGOPTIONS="-c client_min_messages=warning" psql "$conn" -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" \
            -c "CREATE DATABASE \"$name\" TEMPLATE \"$tmpl\"" >/dev/null || exit 1
        rm -f "$abs" # (a copy may have kept its source's mode, 444)
        echo "pelorus-test-pg $name" >"$abs"
    ) 9>>"$dir/lock" || return 1
    # the name again (the subshell may have changed it)
    name=$(cut -d' ' -f2 "$abs" 2>/dev/null)
    echo "postgresql:///$name${conn#postgresql:///postgres}"
}

if [ "${1:-}" = --uri ]; then
    uri_of "$2"
    exit
fi
args=()
while [ $# -gt 0 ]; do
    case $1 in
    --db)
        if [ $# -ge 2 ]; then
            u=$(uri_of "$2") || exit 1
            args+=(--db "$u")
            shift 2
            continue
        fi
        ;;
    --db=*)
        u=$(uri_of "${1#--db=}") || exit 1
        args+=("--db=$u")
        shift
        continue
        ;;
    --) # the rest are not options
        args+=("$@")
        break
        ;;
    esac
    args+=("$1")
    shift
done
exec "$real" "${args[@]}"
