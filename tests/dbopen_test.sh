#!/usr/bin/env bash
# dbopen_test.sh -- what `--db` accepts (docs/schema.md, "Opening"): a file
# that is not a Pelorus database, or of a newer or unknown schema version,
# is refused by every command and left byte for byte as it was (no table
# added, no switch to WAL, nothing created beside it); a database in a
# read-only directory or on read-only media is read (immutable when no -wal
# holds changes, refused with a reason when one does), and a writing command
# there fails saying why.  Issue 17 items 4 and 7, reproducer 09.
# Prints "dbopen: N passed, M failed"; a case that cannot be exercised here
# is printed as NOT RUN with the reason.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$PWD/$BUILD/pelorus
T=$PWD/$BUILD/dbopen-test
rm -rf "$T"; mkdir -p "$T"; chmod 755 "$T"
pass=0 fail=0 notrun=0
ok() { pass=$((pass + 1)); echo "ok dbopen $1"; }
bad() { fail=$((fail + 1)); echo "FAIL dbopen $1"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi; }
has() { if grep -q -- "$2" "$3"; then ok "$1"; else bad "$1: no [$2] in $(head -c 300 "$3")"; fi; }
not_run() { notrun=$((notrun + 1)); echo "NOT RUN dbopen $1"; }
sidecars() { ls "$1"-wal "$1"-shm "$1"-journal 2>/dev/null | wc -l; }

# a Pelorus database of the small scenario, and the inputs the commands use
"$PEL" simulate examples/scenario_small.json --out "$T/sim" -q
"$PEL" ingest -q --db "$T/p.db" "$T/sim/ais.nmea"; expect "the reference database is made" 0 $?
cp tests/data/wl/own.csv "$T/own.csv"
printf '%s\n' '\s:x,c:1700000000*33\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A' >"$T/one.nmea"
chmod -R a+rX "$T"

# every command that takes --db: the readers, then the writers
readers=("vessels" "vessels --rank" "vessel 217005678" "scan" "screen" "tracks --format csv" "report --out $T/rep"
         "watchlist show")
writers=("ingest $T/one.nmea" "scan $T/one.nmea" "watchlist import $T/own.csv")

# ---- files that are not Pelorus databases, or not of this version: refused, untouched ----
sqlite3 "$T/foreign.db" "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
sqlite3 "$T/foreign-wal.db" "PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES (1);" >/dev/null
printf 'not a database at all\n' >"$T/text.db"
sqlite3 "$T/nometa.db" "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('generation', '0');"
CUR=$(sqlite3 "$T/p.db" "SELECT value FROM meta WHERE key = 'schema_version'")  # this binary's version
NEXT=$((CUR + 1))
for v in $NEXT 0 abc; do
    cp "$T/p.db" "$T/v$v.db"; sqlite3 "$T/v$v.db" "UPDATE meta SET value = '$v' WHERE key = 'schema_version'"
done
check_refused() { # file message
    local f=$T/$1 sum0 rc
    sum0=$(sha256sum <"$f")
    for cmd in "${readers[@]}" "${writers[@]}"; do
        $PEL $cmd --db "$f" >/dev/null 2>"$T/err"; rc=$?
        if [ $rc = 1 ] && grep -q -- "$2" "$T/err"; then ok "$1: $cmd refused"; else bad "$1: $cmd: rc $rc, $(head -c 200 "$T/err")"; fi
    done
    expect "$1: the file is byte for byte as it was" "$sum0" "$(sha256sum <"$f")"
    expect "$1: nothing created beside it" 0 "$(sidecars "$f")"
}
check_refused foreign.db "not a Pelorus database (an SQLite database without Pelorus's meta table); left untouched"
check_refused foreign-wal.db "not a Pelorus database (an SQLite database without Pelorus's meta table)"
check_refused text.db "not a Pelorus database (not an SQLite database at all)"
check_refused nometa.db "not a Pelorus database (its meta table has no schema_version)"
check_refused v$NEXT.db "schema version $NEXT, newer than this Pelorus reads ($CUR): use a newer pelorus"
check_refused v0.db "schema version 0, older than this Pelorus reads ($CUR), and there is no migration from it"
check_refused vabc.db "not a Pelorus database (its schema_version is not a whole number)"
expect "the foreign database keeps its one table" "t" "$(sqlite3 "$T/foreign.db" .tables)"
expect "the foreign database stays in rollback mode" "delete" "$(sqlite3 "$T/foreign.db" 'PRAGMA journal_mode')"

# an empty file: nothing to read yet, but ingest makes it a database
: >"$T/empty.db"
"$PEL" vessels --db "$T/empty.db" >/dev/null 2>"$T/err"; expect "empty file: vessels refused" 1 $?
has "... saying it is empty" "not a Pelorus database yet (empty, or its setup was interrupted)" "$T/err"
"$PEL" ingest -q --db "$T/empty.db" "$T/sim/ais.nmea"; expect "empty file: ingest sets it up" 0 $?
"$PEL" vessels --db "$T/empty.db" >/dev/null; expect "... and it is read afterwards" 0 $?

# a setup killed after its first table by an older binary (meta still
# empty, only Pelorus's tables): set up again by a writing command
sqlite3 "$T/half.db" "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
"$PEL" vessels --db "$T/half.db" >/dev/null 2>"$T/err"; expect "interrupted setup: vessels refused" 1 $?
has "... saying so" "setup was interrupted" "$T/err"
"$PEL" ingest -q --db "$T/half.db" "$T/sim/ais.nmea"; expect "interrupted setup: ingest completes it" 0 $?
"$PEL" vessels --db "$T/half.db" | cmp -s - <("$PEL" vessels --db "$T/p.db"); expect "... with the rows of a clean run" 0 $?

# ---- read-only places ----
# the answers a writable copy gives
"$PEL" vessels --db "$T/p.db" >"$T/want.vessels"
"$PEL" scan -q --db "$T/p.db" >"$T/want.scan"
"$PEL" tracks --db "$T/p.db" --format csv -o "$T/want.csv" 2>/dev/null
# a database whose -wal holds committed changes (a writer killed before its checkpoint)
walled() { # dir
    cp "$T/p.db" "$1/w.db"
    python3 -c "
import os, sqlite3
c = sqlite3.connect('$1/w.db'); c.execute('PRAGMA wal_autocheckpoint=0')
c.execute(\"INSERT INTO meta VALUES ('left', 'in the wal')\"); c.commit(); os._exit(0)"
    rm -f "$1/w.db-shm"
}
check_ro() { # label run-prefix dir
    local label=$1 run=$2 d=$3 sum0 rc
    sum0=$(sha256sum <"$d/p.db")
    $run "$PEL" vessels --db "$d/p.db" >"$T/got.vessels" 2>"$T/err"; rc=$?
    expect "$label: vessels reads the database (09)" 0 $rc
    cmp -s "$T/want.vessels" "$T/got.vessels"; expect "$label: vessels gives what a writable copy gives" 0 $?
    $run "$PEL" scan -q --db "$d/p.db" >"$T/got.scan" 2>"$T/err"; rc=$?
    expect "$label: scan reads it" 0 $rc
    cmp -s "$T/want.scan" "$T/got.scan"; expect "$label: scan gives the same findings" 0 $?
    $run "$PEL" tracks --db "$d/p.db" --format csv >"$T/got.csv" 2>/dev/null
    cmp -s "$T/want.csv" "$T/got.csv"; expect "$label: tracks gives the same positions" 0 $?
    for cmd in "screen" "vessels --rank" "vessel 217005678" "watchlist show"; do
        $run "$PEL" $cmd --db "$d/p.db" >/dev/null 2>"$T/err"; expect "$label: $cmd reads it" 0 $?
    done
    $run "$PEL" report --db "$d/p.db" --out "$T/rep-$label" >/dev/null 2>"$T/err"; expect "$label: report reads it" 0 $?
    $run "$PEL" ingest --db "$d/p.db" "$T/one.nmea" >/dev/null 2>"$T/err"; rc=$?
    expect "$label: ingest cannot write: exit 1" 1 $rc
    has "$label: ... and says why" "p.db: the database is read-only (the file or its directory cannot be written" "$T/err"
    $run "$PEL" watchlist import --db "$d/p.db" "$T/own.csv" >/dev/null 2>"$T/err"; expect "$label: watchlist import cannot write: exit 1" 1 $?
    has "$label: ... and says why" "the database is read-only" "$T/err"
    expect "$label: the database is unchanged" "$sum0" "$(sha256sum <"$d/p.db")"
    expect "$label: nothing created beside it" 0 "$(sidecars "$d/p.db")"
    $run "$PEL" vessels --db "$d/w.db" >/dev/null 2>"$T/err"; rc=$?
    expect "$label: a -wal with changes and no -shm: refused, not read stale" 1 $rc
    has "$label: ... saying why" "w.db-wal holds committed changes, and reading them needs" "$T/err"
}

# a directory the user cannot write (reproducer 09): as root, file modes do
# not stop writes, so the commands run as nobody (setpriv)
mkdir -p "$T/rodir"; cp "$T/p.db" "$T/rodir/"; walled "$T/rodir"
chmod 444 "$T/rodir/"*; chmod 555 "$T/rodir"; mkdir -p "$T/rep-rodir"; chmod 777 "$T/rep-rodir"
if [ "$(id -u)" != 0 ]; then
    check_ro rodir "" "$T/rodir"
elif command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    check_ro rodir "setpriv --reuid=65534 --regid=65534 --clear-groups" "$T/rodir"
else
    not_run "read-only directory: running as root and setpriv cannot switch to another user here"
fi
chmod 755 "$T/rodir"

# read-only media: a read-only bind mount (root only)
mkdir -p "$T/media"; cp "$T/p.db" "$T/media/"; walled "$T/media"; mkdir -p "$T/rep-media"
if [ "$(id -u)" = 0 ] && mount --bind -o ro "$T/media" "$T/media" 2>/dev/null; then
    if touch "$T/media/x" 2>/dev/null; then
        rm -f "$T/media/x"; not_run "read-only media: the bind mount came out writable"
    else
        check_ro media "" "$T/media"
    fi
    umount "$T/media"
else
    not_run "read-only media: mounting a read-only bind needs root with CAP_SYS_ADMIN, not available here"
fi

nr=; [ $notrun -gt 0 ] && nr=", $notrun NOT RUN (see above)"
echo "dbopen: $pass passed, $fail failed$nr"
[ $fail = 0 ]
