#!/usr/bin/env bash
# store_test.sh -- the store as a user meets it: ingesting twice adds nothing;
# an ingest killed with SIGKILL at any moment and run again ends with exactly
# the rows of a clean run; a read-only database fails clearly and loses
# nothing; vessel and tracks queries answer.  Prints "store: N passed, M failed".
# PELORUS_TEST_BACKEND=pg runs it on a throwaway PostgreSQL cluster
# (tests/backend.sh; every check and value the same), where:
#   the read-only database is a copy whose sessions are read-only
#     (default_transaction_read_only), not a file of mode 444 or a
#     read-only mount;
#   the full disk is a tablespace on a tmpfs of 3 MB holding the database's
#     tables (not a tmpfs of 2 MB holding the .db file and its WAL), room
#     made again by enlarging it; the message is PostgreSQL's ("No space
#     left on device", where SQLite says "full").
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$BUILD/pelorus
. tests/backend.sh
be_start store
T=$BUILD/store-test
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok store $1"; }
bad() { fail=$((fail + 1)); echo "FAIL store $1"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi; }

# a day of traffic: 60,000 sentences from 300 vessels, with tag blocks
gcc -O2 -std=c17 -o "$T/gen" bench/gen_nmea.c -lm || { bad "build generator"; exit 1; }
"$T/gen" --sentences 60000 --vessels 300 --seed 7 >"$T/day.nmea"
small="--commit-every 2000"   # many commits, so that kills land between them

# clean run, then the same again: nothing added
"$PEL" ingest -q $small --db "$T/clean.db" "$T/day.nmea"; expect "clean ingest exits 0" 0 $?
"$PEL" db-dump --db "$T/clean.db" >"$T/clean.dump"
n=$(grep -c '^pos ' "$T/clean.dump")
[ "$n" -gt 40000 ] && ok "clean run stored $n positions" || bad "clean run stored only $n positions"
"$PEL" ingest --db "$T/clean.db" "$T/day.nmea" 2>"$T/again.err"; expect "second ingest exits 0" 0 $?
grep -q '0 files ingested, 1 already present' "$T/again.err"; expect "second ingest skips the file" 0 $?
"$PEL" db-dump --db "$T/clean.db" >"$T/again.dump"
cmp -s "$T/clean.dump" "$T/again.dump"; expect "second ingest adds nothing" 0 $?

# the same content under another name is the same input
cp "$T/day.nmea" "$T/copy.nmea"
"$PEL" ingest -q --db "$T/clean.db" "$T/copy.nmea"
"$PEL" db-dump --db "$T/clean.db" | cmp -s - "$T/clean.dump"; expect "a renamed copy adds nothing" 0 $?

# kill -9 at different moments, then run again to the end: same rows (on
# PostgreSQL each database is made first, so that neither the timing nor a
# kill falls in the making of it)
be_pg && be_uri "$T/timing.db" >/dev/null
clean_ms=$( { /usr/bin/time -f %e "$PEL" ingest -q $small --db "$T/timing.db" "$T/day.nmea"; } 2>&1 | tail -1)
total=$(awk -v s="$clean_ms" 'BEGIN { printf "%d", s * 1000 }')
[ "$total" -lt 50 ] && total=50
resumed=0
for frac in 5 15 30 45 60 75 90 97; do
    db="$T/kill$frac.db"
    be_pg && be_uri "$db" >/dev/null
    "$PEL" ingest -q $small --db "$db" "$T/day.nmea" &
    pid=$!
    sleep "$(awk -v t="$total" -v f="$frac" 'BEGIN { printf "%.3f", t * f / 100000 }')"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    # a second kill during the rerun, then the final run
    "$PEL" ingest -q $small --db "$db" "$T/day.nmea" &
    pid=$!
    sleep "$(awk -v t="$total" 'BEGIN { printf "%.3f", t / 4000 }')"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    "$PEL" ingest $small --db "$db" "$T/day.nmea" 2>"$T/kill$frac.err"
    grep -q '1 continued' "$T/kill$frac.err" && resumed=$((resumed + 1))
    "$PEL" db-dump --db "$db" >"$T/kill$frac.dump"
    if cmp -s "$T/clean.dump" "$T/kill$frac.dump"; then ok "killed at ~$frac%, rerun equals a clean run"
    else bad "killed at ~$frac%: rows differ"; diff "$T/clean.dump" "$T/kill$frac.dump" | head -5; fi
done
[ $resumed -ge 2 ] && ok "$resumed of 8 reruns continued an interrupted file" || bad "only $resumed reruns continued a file: the kills missed the reading phase"

# many vessels in one batch (the table of vessels grows while a batch is
# written): every stored position belongs to the MMSI of its input line
"$T/gen" --sentences 30000 --vessels 6000 --seed 3 >"$T/many.nmea"
"$PEL" ingest -q --db "$T/many.db" "$T/many.nmea"
"$PEL" decode --no-meta "$T/many.nmea" 2>/dev/null | wc -l >/dev/null
"$PEL" decode "$T/many.nmea" 2>/dev/null | jq -r 'select(.type <= 3 or .type == 18) | "\(.line) \(.mmsi)"' | sort >"$T/many.want"
"$PEL" db-dump --db "$T/many.db" | awk '$1 == "pos" { print $15, $2 }' | sort >"$T/many.got"
wrong=$(comm -13 "$T/many.want" "$T/many.got" | wc -l)
expect "6,000 vessels in one batch: every position under its own MMSI" 0 "$wrong"
expect "6,000 vessels in one batch: every position stored" "$(wc -l <"$T/many.want")" "$(wc -l <"$T/many.got")"

# a read-only database: a clear error, nothing lost (on PostgreSQL a copy of
# the database whose sessions are read-only, default_transaction_read_only)
cp "$T/clean.db" "$T/ro.db"
chmod 444 "$T/ro.db"
printf '%s\n' '\s:x,c:1700000000*33\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A' >"$T/one.nmea"
if be_pg; then
    be_sql "$T/ro.db" "DO \$\$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_read_only = on', current_database()); END \$\$"
    "$PEL" ingest --db "$T/ro.db" "$T/one.nmea" >/dev/null 2>"$T/ro.err"; expect "read-only database exits 1" 1 $?
    grep -qi 'read' "$T/ro.err"; expect "read-only database is reported" 0 $?
elif [ "$(id -u)" = 0 ]; then
    # root ignores file modes: use a read-only bind of the directory instead
    mkdir -p "$T/rodir"; cp "$T/clean.db" "$T/rodir/ro.db"
    if mount --bind -o ro "$T/rodir" "$T/rodir" 2>/dev/null || mount -o remount,ro,bind "$T/rodir" 2>/dev/null; then
        "$PEL" ingest --db "$T/rodir/ro.db" "$T/one.nmea" >/dev/null 2>"$T/ro.err"; rc=$?
        umount "$T/rodir" 2>/dev/null
        expect "read-only database exits 1" 1 $rc
        grep -qi 'read' "$T/ro.err"; expect "read-only database is reported" 0 $?
    else
        ok "read-only check skipped by design: not permitted to mount here (checked as non-root below)"
    fi
else
    "$PEL" ingest --db "$T/ro.db" "$T/one.nmea" >/dev/null 2>"$T/ro.err"; expect "read-only database exits 1" 1 $?
fi
"$PEL" db-dump --db "$T/ro.db" | cmp -s - "$T/clean.dump"; expect "read-only database unchanged" 0 $?

# a full disk: a clear error, what was committed is kept, and with room
# again the same command finishes with the rows of a clean run
mkdir -p "$T/full"
if be_pg; then
    # the database's tables in a tablespace on a tmpfs of 3 MB (its first open
    # makes them there, default_tablespace), then room again: the tmpfs made larger
    sp=$BE_DIR/space
    mkdir -p "$sp"
    if mount -t tmpfs -o size=3M tmpfs "$sp" 2>/dev/null && chown --reference="$BE_DIR" "$sp" &&
        psql "$PELORUS_TEST_PGCONN" -X -q -c "CREATE TABLESPACE small LOCATION '$sp'" >/dev/null; then
        be_sql "$T/full.db" "DO \$\$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_tablespace = small', current_database()); END \$\$"
        "$PEL" ingest $small --db "$T/full.db" "$T/day.nmea" >/dev/null 2>"$T/full.err"; rc=$?
        expect "full disk exits 1" 1 $rc
        # (PostgreSQL's words: "could not extend file ...: No space left on device")
        grep -q 'No space left on device' "$T/full.err" && grep -q 'run again to continue' "$T/full.err"; expect "full disk is reported, with what was stored" 0 $?
        mount -o remount,size=64M "$sp"
        "$PEL" ingest -q $small --db "$T/full.db" "$T/day.nmea"; expect "rerun after a full disk exits 0" 0 $?
        "$PEL" db-dump --db "$T/full.db" | cmp -s - "$T/clean.dump"; expect "rerun after a full disk equals a clean run" 0 $?
    else
        bad "full-disk check needs a tmpfs mount (root) for a tablespace; it could not be made here"
    fi
elif mount -t tmpfs -o size=2M tmpfs "$T/full" 2>/dev/null; then
    "$PEL" ingest $small --db "$T/full/f.db" "$T/day.nmea" >/dev/null 2>"$T/full.err"; rc=$?
    expect "full disk exits 1" 1 $rc
    grep -q 'full' "$T/full.err" && grep -q 'run again to continue' "$T/full.err"; expect "full disk is reported, with what was stored" 0 $?
    cp "$T/full/f.db" "$T/full.db"; [ -f "$T/full/f.db-wal" ] && cp "$T/full/f.db-wal" "$T/full.db-wal"
    umount "$T/full"
    "$PEL" ingest -q $small --db "$T/full.db" "$T/day.nmea"; expect "rerun after a full disk exits 0" 0 $?
    "$PEL" db-dump --db "$T/full.db" | cmp -s - "$T/clean.dump"; expect "rerun after a full disk equals a clean run" 0 $?
else
    bad "full-disk check needs a tmpfs mount (root); it could not be made here"
fi

# queries
mmsi=$(grep '^vessel|' "$T/clean.dump" | head -1 | cut -d'|' -f2)
"$PEL" vessel --db "$T/clean.db" "$mmsi" >"$T/vessel.out"; expect "vessel exits 0" 0 $?
grep -q "^MMSI $mmsi" "$T/vessel.out"; expect "vessel names the MMSI" 0 $?
grep -q 'identities' "$T/vessel.out" && grep -q 'segments' "$T/vessel.out" && grep -q 'periods of silence' "$T/vessel.out"
expect "vessel shows identities, segments and silences" 0 $?
"$PEL" vessel --db "$T/clean.db" 123456789 >/dev/null 2>&1; expect "unknown vessel exits 1" 1 $?
"$PEL" tracks --db "$T/clean.db" --mmsi "$mmsi" --format csv -o "$T/one.csv" 2>/dev/null; expect "tracks csv exits 0" 0 $?
want=$(grep -c "^pos $mmsi " "$T/clean.dump")
expect "tracks csv has every position of the vessel" "$want" "$(($(wc -l <"$T/one.csv") - 1))"
"$PEL" tracks --db "$T/clean.db" --format geojson -o "$T/all.geojson" 2>/dev/null
jq -e '.type == "FeatureCollection" and (.features | length) > 0' "$T/all.geojson" >/dev/null; expect "tracks geojson parses" 0 $?
"$PEL" tracks --db "$T/clean.db" --format kml -o "$T/all.kml" 2>/dev/null
xmllint --noout "$T/all.kml" 2>/dev/null; expect "tracks kml is well-formed" 0 $?
# a box and a period: every returned position inside both
"$PEL" tracks --db "$T/clean.db" --bbox 120,30,125,35 --from 2023-11-14T23:00:00Z --to 2023-11-15T02:00:00Z \
    --format csv -o "$T/box.csv" 2>/dev/null
inbox=$(awk -F, 'NR > 1 { n++; if ($4 >= 30 && $4 <= 35 && $5 >= 120 && $5 <= 125 && $3 >= "2023-11-14T23" && $3 <= "2023-11-15T02:00:00Z") k++ } END { print (n > 0 && n == k) ? "yes" : "no:" n "/" k }' "$T/box.csv")
expect "box and period filter" yes "$inbox"
# bad rows: counted by reason, written to the rejects file, kept out of tracks
"$PEL" ingest --db "$T/bad.db" --rejects "$T/bad.rej" tests/data/csv/ingest_bad.csv 2>"$T/bad.err"
expect "bad rows: ingest exits 0" 0 $?
cmp -s "$T/bad.rej" tests/data/csv/ingest_bad.rejects; expect "bad rows: rejects file as expected" 0 $?
grep -q 'rejected 5 (syntax 1, mmsi 1, bad_time 2, bad_position 1)' "$T/bad.err"; expect "bad rows: counted by reason" 0 $?
expect "bad rows: only the two good positions stored" 2 "$("$PEL" db-dump --db "$T/bad.db" | grep -c '^pos ')"
# no receive time: counted, or given one on request
printf '%s\n' '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A' >"$T/notime.nmea"
"$PEL" ingest --db "$T/nt.db" "$T/notime.nmea" 2>"$T/nt.err"
grep -q 'rejected 1 (no_time 1)' "$T/nt.err"; expect "no receive time is counted, not stored" 0 $?
"$PEL" ingest -q --db "$T/nt2.db" --assume-time 2023-11-14T00:00:00Z "$T/notime.nmea"
expect "--assume-time stores it at that time" "pos 371798000 1699920000000" "$("$PEL" db-dump --db "$T/nt2.db" | grep '^pos ' | cut -d' ' -f1-3)"
# finding a vessel by IMO and by name (spacing and case ignored)
"$PEL" ingest -q --db "$T/eq.db" tests/data/equiv/same_noaa.csv
"$PEL" vessel --db "$T/eq.db" IMO9179842 | head -1 | grep -q 'MMSI 273456000'; expect "vessel by IMO" 0 $?
"$PEL" vessel --db "$T/eq.db" 'yu-jong 2' | head -1 | grep -q 'MMSI 412345000'; expect "vessel by name" 0 $?

echo "store: $pass passed, $fail failed"
[ $fail = 0 ]
