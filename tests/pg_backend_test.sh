#!/usr/bin/env bash
# pg_backend_test.sh -- the PostgreSQL backend (issue 15) against the
# SQLite one, command by command.  A throwaway cluster (scripts/pg_cluster.sh)
# in a temporary directory, stopped by a trap on any exit, a failed check
# included; a new database with PostGIS per case.  For the shipped
# scenarios scenario_small and scenario_hard (pelorus simulate) and the
# Yellow Sea day, the same steps run on an SQLite file and on PostgreSQL,
# and their outputs must be byte-identical (only what names the database
# is normalised):
#   1. scan INPUT (ingest, with the scenario's watchlist), then scan as
#      JSON Lines, CSV and GeoJSON; db-dump (every row and position);
#   2. vessels, vessels --rank, vessel MMSI (the first vessels), tracks
#      (GeoJSON, CSV), coverage, screen, watchlist show, report (every file);
#   3. review of a finding, then the reviews (their time normalised), a
#      scan and vessels --rank that carry it;
#   4. pelorus watch following the file (scenario_small): the same alerts and
#      findings; a case exported (the same files), verified, imported, listed; ingesting the same file again adds nothing (the rows
#      counted, the findings the same);
#   5. PELORUS_DB names the database when --db is not given.
# The PostGIS layers: track_days holds a line per vessel and day of the
# positions db-dump shows (also after vessels are rebuilt), the findings
# layer the last whole-store scan's lines, text for text (a re-scan
# replaces them, a period's scan leaves them), geometry_columns lists both.
# Then: an ingest killed with SIGKILL and run again ends with a clean run's
# rows; an ingest with a reader querying all along; two ingests of
# different files at once store what the two one after the other store;
# three ingests of the parts of one file at once, with one part given a
# second time, and two of one file at once, store and scan what one after
# the other do, the file given twice stored once, under a timeout (no
# deadlock), a reader querying all along; the schema is set up once by two first opens at the same time; a
# database without PostGIS that cannot get it is refused with a message;
# an unreachable server is an error, not a crash.
# Prints "pg-backend: N passed, M failed".  Usage: tests/pg_backend_test.sh
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
BUILD=${BUILD:-build}
PEL=$ROOT/$BUILD/pelorus
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok pg-backend $1"; }
bad() { fail=$((fail + 1)); echo "FAIL pg-backend $1"; }

dir=$(mktemp -d /tmp/pelorus-pgb.XXXXXX)
T=$(mktemp -d "${TMPDIR:-/tmp}/pg-backend.XXXXXX")
cleanup() {
    "$ROOT/scripts/pg_cluster.sh" stop "$dir" || true
}
trap 'cleanup; rm -rf "$dir" "$T"' EXIT
trap 'exit 1' INT TERM HUP
if ! conn=$(scripts/pg_cluster.sh start "$dir"); then
    bad "the cluster starts (scripts/install-deps.sh installs PostgreSQL 15 and PostGIS)"
    echo "pg-backend: $pass passed, $fail failed"
    exit 1
fi
ok "a throwaway cluster starts"

# newdb NAME [postgis]: a new database (with PostGIS unless told otherwise); prints its URI
newdb() {
    psql "$conn" -X -q -c "CREATE DATABASE $1" >/dev/null || return 1
    local uri="postgresql:///$1${conn#postgresql:///postgres}"
    [ "${2:-postgis}" = postgis ] && psql "$uri" -X -q -c 'CREATE EXTENSION postgis' >/dev/null
    echo "$uri"
}
# sql URI QUERY: one value
sql() { psql "$1" -X -q -A -t -c "$2"; }

# same NAME: compares sq.NAME and pg.NAME (database names normalised, and
# what the sed script NORM changes when set: times of the run)
same() {
    sed -i "s#$pgname#DB#g; s#s\.db#DB#g; ${NORM:-}" "sq.$1" "pg.$1"
    if cmp -s "sq.$1" "pg.$1"; then
        ok "$case: $1 identical"
    else
        bad "$case: $1 differs:"
        diff "sq.$1" "pg.$1" | head -8
    fi
}
# both NAME ARGS...: runs pelorus ARGS with --db on each backend (the word DB in
# ARGS replaced), standard output into sq.NAME and pg.NAME, then compares them
both() {
    local name=$1 a out
    shift
    for b in sq pg; do
        local args=()
        for a in "$@"; do
            if [ "$a" = DB ] || [ "$a" = DB_C ]; then
                if [ $b = pg ]; then args+=("$url"); elif [ "$a" = DB ]; then args+=(s.db); else args+=(c.db); fi
            elif [ "$a" = OUT ]; then
                args+=("rep.$b")
            else
                args+=("$a")
            fi
        done
        "$PEL" "${args[@]}" >"$b.$name" 2>"$b.$name.err"
        echo "rc=$?" >>"$b.$name"
    done
    same "$name"
}

# The layers track_days and findings (pg_layers.c):
# days_dump URL: mmsi|day (since 1970)|positions of every vessel's day, from db-dump's usable positions
days_dump() { "$PEL" db-dump --db "$1" | awk '$1 == "pos" && $12 >= 0 { c[$2 "|" int($3 / 86400000)]++ }
                                              END { for (k in c) print k "|" c[k] }' | sort; }
# days_layer URL: the same from track_days
days_layer() { sql "$1" "SELECT mmsi || '|' || (day - date '1970-01-01') || '|' || n FROM pelorus.track_days" | sort; }
# layer_lines URL: the findings layer's JSON lines, sorted
layer_lines() { sql "$1" "SELECT line FROM pelorus.findings" | sort; }
# layers URL JSONL: track_days holds every vessel's days, each line with its day's
# positions (one position: that point twice); the findings layer holds JSONL's
# lines (its last line is "rc=..."), text for text; geometry_columns lists both
layers() {
    local d l bad_lines
    d=$(days_dump "$1")
    l=$(days_layer "$1")
    bad_lines=$(sql "$1" "SELECT count(*) FROM pelorus.track_days WHERE ST_NPoints(geom) <> greatest(n, 2)
                         OR ST_SRID(geom) <> 4326 OR t0 > t1 OR (to_timestamp(t0 / 1000.0) AT TIME ZONE 'UTC')::date <> day")
    if [ -n "$d" ] && [ "$d" = "$l" ] && [ "$bad_lines" = 0 ]; then
        ok "$case: track_days, a line per vessel and day with its positions ($(echo "$l" | wc -l) lines)"
    else
        bad "$case: track_days ($bad_lines bad lines):"
        diff <(echo "$d") <(echo "$l") | head -5
    fi
    if [ "$(layer_lines "$1")" = "$(head -n -1 "$2" | sort)" ] &&
        [ "$(sql "$1" "SELECT count(*) FROM pelorus.findings")" = "$(($(wc -l <"$2") - 1))" ]; then
        ok "$case: the findings layer holds the scan's lines ($(($(wc -l <"$2") - 1)))"
    else
        bad "$case: the findings layer differs from the scan's lines"
        diff <(head -n -1 "$2" | sort) <(layer_lines "$1") | head -4
    fi
    if [ "$(sql "$1" "SELECT string_agg(f_table_name || ' ' || type || ' ' || srid, ',' ORDER BY f_table_name)
                      FROM geometry_columns WHERE f_table_schema = 'pelorus'")" = \
        "findings GEOMETRY 4326,track_days LINESTRING 4326" ]; then
        ok "$case: geometry_columns lists both layers"
    else bad "$case: geometry_columns"; fi
}

n=0
for case in scenario_small scenario_hard yellow_sea_day; do
    n=$((n + 1))
    w=$T/$case
    mkdir -p "$w"
    case $case in
    yellow_sea_day) cp examples/yellow_sea_day.nmea "$w/ais.nmea" ;;
    *) "$PEL" simulate -q "examples/$case.json" --out "$w" || {
        bad "$case: simulate"
        continue
    } ;;
    esac
    pgname=pgb$n
    url=$(newdb $pgname) || {
        bad "$case: a database"
        continue
    }
    cd "$w" || exit 1
    lists=()
    [ -f watchlist.csv ] && lists=(--watchlist watchlist.csv)
    # 1. ingest and scan
    both jsonl scan -q --db DB "${lists[@]}" ais.nmea
    both csv scan -q --db DB --format csv
    both geojson scan -q --db DB --format geojson
    both dump db-dump --db DB # every row, every position
    # the PostGIS layers: a track_days line per vessel and day with its usable
    # positions, the findings of the last scan (three scans so far: replaced,
    # not added to), both listed in geometry_columns for QGIS
    layers "$url" pg.jsonl
    # a period's scan leaves the findings layer to the whole store's
    "$PEL" scan -q --db "$url" --from 2000-01-01T00:00:00Z --to 2000-01-02T00:00:00Z >/dev/null 2>&1
    if [ "$(layer_lines "$url")" = "$(head -n -1 pg.jsonl | sort)" ]; then ok "$case: a period's scan leaves the layer"; else
        bad "$case: a period's scan changed the findings layer"
    fi
    # 2. the queries
    both vessels vessels --db DB --format jsonl
    both rank vessels --rank --db DB --format jsonl
    for m in $(jq -r '.mmsi' sq.vessels 2>/dev/null | head -n 3); do
        both "vessel-$m" vessel --db DB "$m"
    done
    both tracks.geojson tracks --db DB
    both tracks.csv tracks --db DB --format csv
    both coverage coverage --db DB --format csv
    both screen screen --db DB --format jsonl
    NORM='s/imported [0-9TZ:-]*/imported T/' both watchlist watchlist show --db DB
    both report report -q --db DB --out OUT
    for f in rep.sq/*; do
        f=${f#rep.sq/}
        cp "rep.sq/$f" "sq.report-$f"
        cp "rep.pg/$f" "pg.report-$f" 2>/dev/null || : >"pg.report-$f"
        same "report-$f"
    done
    # 3. a review
    id=$(head -n 1 sq.jsonl | jq -r .finding_id)
    if [ -n "$id" ] && [ "$id" != null ]; then
        both review-add review --db DB "$id" --status dismissed --note "seen by the patrol" --by ana
        NORM='s/"at":"[^"]*"/"at":"T"/g' both reviews review --db DB
        NORM='s/"at":"[^"]*"/"at":"T"/g' both reviewed.jsonl scan -q --db DB
        both reviewed-rank vessels --rank --db DB --format jsonl
        # the re-scan carrying the review replaced the layer's rows
        if [ "$(layer_lines "$url" | sed 's/"at":"[^"]*"/"at":"T"/g' | sort)" = "$(head -n -1 pg.reviewed.jsonl | sort)" ]; then
            ok "$case: a re-scan replaces the findings layer"
        else bad "$case: the findings layer after a re-scan"; fi
    fi
    # pelorus watch on a database of its own, the file followed to its end: the
    # same alerts and findings (journals' names, and the digests over them, normalised)
    if [ $case = scenario_small ]; then
        wurl=$(newdb pgwatch)
        mkdir -p wsq wpg
        (cd wsq && "$PEL" watch -q --db w.db --follow ../ais.nmea --once --alerts a.jsonl --findings f.jsonl)
        (cd wpg && "$PEL" watch -q --db "$wurl" --follow ../ais.nmea --once --alerts a.jsonl --findings f.jsonl)
        for f in a f; do
            sed -E 's#(w\.db-live|pelorus-live)/[^"]*\.nmea#J#g; s/"digest":"[^"]*"/"digest":"D"/' wsq/$f.jsonl >sq.watch-$f
            sed -E 's#(w\.db-live|pelorus-live)/[^"]*\.nmea#J#g; s/"digest":"[^"]*"/"digest":"D"/' wpg/$f.jsonl >pg.watch-$f
            same watch-$f
        done
    fi
    # a case exported from each (the same files but for the origin, which names
    # the database), verified, and imported into the other backend's database
    if [ $case = scenario_small ]; then
        "$PEL" case export -q --db s.db --vessel 445110001 --out case.sq 2>/dev/null
        "$PEL" case export -q --db "$url" --vessel 445110001 --out case.pg 2>/dev/null
        if [ -f case.pg/case.json ] && diff -r -x MANIFEST -x case.json case.sq case.pg >/dev/null &&
            "$PEL" case verify case.pg >/dev/null 2>&1; then
            ok "$case: a case exported, the same files, verified"
        else bad "$case: a case exported"; fi
        curl=$(newdb pgcase)
        rm -f c.db
        "$PEL" ingest -q --db c.db case.pg 2>/dev/null
        "$PEL" ingest -q --db "$curl" case.pg 2>/dev/null
        url0=$url
        url=$curl
        NORM='s/"imported":"[^"]*"/"imported":"T"/' both case-list case list --db DB_C
        both case-findings case findings --db DB_C
        url=$url0
    fi
    # 4. the same file again adds nothing
    count() { sql "$url" "SELECT (SELECT count(*) FROM pelorus.chunks), (SELECT sum(n) FROM pelorus.chunks),
                          (SELECT count(*) FROM pelorus.inputs), (SELECT sum(reports) FROM pelorus.identities)"; }
    before=$(count)
    "$PEL" ingest -q --db "$url" ais.nmea >/dev/null 2>&1
    after=$(count)
    if [ "$before" = "$after" ]; then ok "$case: ingesting again adds nothing ($after)"; else
        bad "$case: ingesting again changed the rows: $before -> $after"
    fi
    "$PEL" scan -q --db "$url" >pg.again 2>/dev/null
    echo "rc=$?" >>pg.again
    sed -i 's/"at":"[^"]*"/"at":"T"/g' pg.again
    if cmp -s pg.again pg.reviewed.jsonl; then ok "$case: the findings after ingesting again"; else
        bad "$case: the findings changed after ingesting again"
    fi
    # 5. PELORUS_DB
    PELORUS_DB=$url "$PEL" vessels --format jsonl >pg.env 2>&1
    if cmp -s pg.env <(head -n -1 pg.vessels); then ok "$case: PELORUS_DB"; else bad "$case: PELORUS_DB"; fi
    cd "$ROOT" || exit 1
done

# an ingest killed with SIGKILL at several moments and run again ends with the
# rows of a clean run (db-dump), the inputs' numbers included
gcc -O2 -std=c17 -o "$T/gen" bench/gen_nmea.c -lm || bad "build the generator"
"$T/gen" --sentences 30000 --vessels 200 --seed 7 >"$T/day.nmea"
dump() { "$PEL" db-dump --db "$1"; }
clean=$(newdb pgclean)
"$PEL" ingest -q --commit-every 2000 --db "$clean" "$T/day.nmea"
dump "$clean" >"$T/clean.dump"
timing=$(newdb pgtiming)
psql "$timing" -X -q -v ON_ERROR_STOP=1 -f src/store/pg_schema.sql
s0=$(date +%s%N)
"$PEL" ingest -q --commit-every 2000 --db "$timing" "$T/day.nmea"
total=$((($(date +%s%N) - s0) / 1000000))
resumed=0
for frac in 10 20 30 45 70 95; do
    db=$(newdb pgkill$frac)
    psql "$db" -X -q -v ON_ERROR_STOP=1 -f src/store/pg_schema.sql # set up before the clock starts
    "$PEL" ingest -q --commit-every 2000 --db "$db" "$T/day.nmea" &
    pid=$!
    sleep "$(awk -v t="$total" -v f="$frac" 'BEGIN { printf "%.3f", t * f / 100000 }')"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    "$PEL" ingest --commit-every 2000 --db "$db" "$T/day.nmea" 2>"$T/kill$frac.err"
    grep -q '1 continued' "$T/kill$frac.err" && resumed=$((resumed + 1))
    if dump "$db" | cmp -s "$T/clean.dump" -; then ok "killed at ~$frac% of ${total} ms, rerun equals a clean run"; else
        bad "killed at ~$frac%: rows differ"
        dump "$db" | diff "$T/clean.dump" - | head -5
    fi
done

if [ $resumed -ge 1 ]; then ok "$resumed of 6 reruns continued an interrupted file"; else
    bad "no rerun continued a file: the kills missed the reading phase"
fi

# two ingests of different files at once while a reader queries: the rows of
# both, as the two one after the other give; the reader never fails
"$T/gen" --sentences 20000 --vessels 150 --seed 11 >"$T/a.nmea"
"$T/gen" --sentences 20000 --vessels 150 --seed 12 >"$T/b.nmea"
seq=$(newdb pgseq)
"$PEL" ingest -q --db "$seq" "$T/a.nmea" && "$PEL" ingest -q --db "$seq" "$T/b.nmea"
par=$(newdb pgpar)
"$PEL" ingest -q --db "$par" "$T/a.nmea" 2>/dev/null # the schema, and a first file
"$PEL" ingest -q --db "$par" "$T/b.nmea" >"$T/pb.out" 2>&1 &
pb=$!
( while kill -0 $pb 2>/dev/null; do "$PEL" vessels --db "$par" --format jsonl >/dev/null || echo fail; done ) >"$T/reader.out" 2>&1 &
pr=$!
wait $pb
rb=$?
wait $pr
if [ $rb = 0 ] && ! grep -q fail "$T/reader.out"; then ok "an ingest with a reader querying all along"; else
    bad "an ingest with a reader: $rb $(head -c 300 "$T/reader.out")"
fi
# (the inputs' and sources' numbers depend on which ingest came first: the
# rows that carry them are left out)
both2=$(newdb pgboth)
"$PEL" ingest -q --db "$both2" "$T/a.nmea" >"$T/pa.out" 2>&1 &
pa=$!
"$PEL" ingest -q --db "$both2" "$T/b.nmea" >"$T/pb2.out" 2>&1
rb=$?
wait $pa
ra=$?
rows() { dump "$1" | grep -Ev '^(input|source|identity|voyage|coverage)\|' | sed -E 's/^(pos( [^ ]*){11}) [0-9]+ [0-9]+/\1 I S/'; }
if [ $ra = 0 ] && [ $rb = 0 ] && rows "$seq" >"$T/seq.dump" && rows "$both2" | cmp -s "$T/seq.dump" -; then
    ok "two ingests at once: the rows of the two one after the other ($(wc -l <"$T/seq.dump") rows)"
else
    bad "two ingests at once: $ra $rb $(head -c 200 "$T/pa.out" "$T/pb2.out")"
    rows "$both2" | diff "$T/seq.dump" - | head -5
fi

# several ingests at once (they read and stage side by side, issue 15):
# one file cut in three (the same vessels, identities and cells in each),
# ingested one after the other, then three at once plus the middle part a
# second time, batches small and paused so that they overlap for sure, under
# a timeout (a deadlock would hang or fail one); a reader queries all along.
# The rows (the numbers of inputs and sources, which follow the order the
# ingests reached them in, replaced by paths and names) and the scan must be
# those of the run one after the other; the part given twice stored once.
# norm: a db-dump with inputs' and sources' numbers replaced by paths and names
norm() {
    awk -F'|' -v OFS='|' '
        $1 == "input" { inp[$2] = $3; $2 = ""; print | "sort"; next }
        $1 == "source" { src[$2] = $3; print "source|" $3 | "sort"; next }
        $1 == "coverage" { if ($3 in src) $3 = src[$3]; print | "sort"; next }
        $1 == "identity" { $15 = inp[$15]; print; next }
        $1 == "voyage" { $9 = inp[$9]; print; next }
        /^pos / { n = split($0, f, " "); f[13] = inp[f[13]]; f[14] = src[f[14]]; s = f[1]
                  for (i = 2; i <= n; i++) s = s " " f[i]; print s; next }
        { print }
        END { fflush(); close("sort") }'
}
"$T/gen" --sentences 60000 --vessels 200 --seed 5 >"$T/whole.nmea"
(cd "$T" && split -n l/3 -d whole.nmea part)
seq3=$(newdb pgseq3)
for f in part00 part01 part02; do "$PEL" ingest -q --db "$seq3" "$T/$f"; done
dump "$seq3" | norm >"$T/seq3.dump"
"$PEL" scan --db "$seq3" >"$T/seq3.scan" 2>/dev/null
par3=$(newdb pgpar3)
"$PEL" vessels --db "$par3" >/dev/null 2>&1 # the schema
pids=()
k=0
for f in part00 part01 part02 part01; do
    # the first quick, so that it builds while the others stage (what they
    # stage meanwhile, their own builds take); the others slow
    pause=40 every=500
    [ $k = 0 ] && pause=0 every=100000
    k=$((k + 1))
    PELORUS_TEST_COMMIT_PAUSE_MS=$pause timeout 300 "$PEL" ingest --commit-every $every --db "$par3" "$T/$f" \
        >"$T/par3.$k.out" 2>&1 &
    pids+=($!)
done
(
    sleep 0.2
    while kill -0 "${pids[1]}" 2>/dev/null; do "$PEL" vessels --db "$par3" --format jsonl >/dev/null || echo fail; done
) >"$T/reader3.out" 2>&1 &
pr=$!
rcs=""
for p in "${pids[@]}"; do
    wait "$p"
    rcs="$rcs $?"
done
wait $pr
if [ "$rcs" = " 0 0 0 0" ]; then ok "four ingests at once (three files, one twice): all done, none timed out"; else
    bad "four ingests at once: exit codes$rcs: $(cat "$T"/par3.*.out | head -c 600)"
fi
if grep -q "another ingest of the same input" "$T"/par3.*.out; then
    ok "four ingests at once: the file given twice waited for the first"
else bad "four ingests at once: no wait for the same input"; fi
if [ "$(cat "$T"/par3.*.out | grep -c '0 files ingested, 1 already present')" = 1 ]; then
    ok "four ingests at once: the file given twice stored once"
else bad "four ingests at once: $(cat "$T"/par3.*.out | head -c 600)"; fi
if dump "$par3" | norm | cmp -s "$T/seq3.dump" -; then
    ok "four ingests at once: the rows of the three one after the other ($(wc -l <"$T/seq3.dump") rows)"
else
    bad "four ingests at once: rows differ"
    dump "$par3" | norm | diff "$T/seq3.dump" - | head -5
fi
if "$PEL" scan --db "$par3" 2>/dev/null | cmp -s "$T/seq3.scan" -; then
    ok "four ingests at once: the scan of the three one after the other ($(wc -l <"$T/seq3.scan") findings)"
else bad "four ingests at once: the scan differs"; fi
if ! grep -q fail "$T/reader3.out"; then ok "four ingests at once: a reader never failed"; else
    bad "four ingests at once: the reader: $(head -c 300 "$T/reader3.out")"
fi
# the same file by two at once, from the start: stored once, as by one
one=$(newdb pgone)
"$PEL" ingest -q --db "$one" "$T/whole.nmea"
dump "$one" | norm >"$T/one.dump"
twice=$(newdb pgtwice)
"$PEL" vessels --db "$twice" >/dev/null 2>&1
PELORUS_TEST_COMMIT_PAUSE_MS=20 timeout 300 "$PEL" ingest --commit-every 2000 --db "$twice" "$T/whole.nmea" \
    >"$T/tw1.out" 2>&1 &
t1=$!
PELORUS_TEST_COMMIT_PAUSE_MS=20 timeout 300 "$PEL" ingest --commit-every 2000 --db "$twice" "$T/whole.nmea" \
    >"$T/tw2.out" 2>&1
r2=$?
wait $t1
r1=$?
if [ $r1 = 0 ] && [ $r2 = 0 ] && dump "$twice" | norm | cmp -s "$T/one.dump" - &&
    [ "$(sql "$twice" "SELECT count(*) FROM pelorus.inputs")" = 1 ]; then
    ok "the same file by two ingests at once: stored once, the rows of one ingest"
else
    bad "the same file twice at once: $r1 $r2 $(head -c 300 "$T/tw1.out" "$T/tw2.out")"
    dump "$twice" | norm | diff "$T/one.dump" - | head -5
fi

# the schema set up once by two first opens at the same time
url=$(newdb pgtwo)
cp examples/yellow_sea_day.nmea "$T/two.nmea"
head -n 200 examples/yellow_sea_day.nmea >"$T/one.nmea"
"$PEL" ingest -q --db "$url" "$T/one.nmea" >"$T/i1.out" 2>&1 &
p1=$!
"$PEL" ingest -q --db "$url" "$T/two.nmea" >"$T/i2.out" 2>&1
r2=$?
wait $p1
r1=$?
if [ $r1 = 0 ] && [ $r2 = 0 ]; then ok "two first ingests at once: both done"; else
    bad "two first ingests at once: $r1 $r2: $(cat "$T/i1.out" "$T/i2.out" | head -c 300)"
fi
if [ "$(sql "$url" "SELECT count(*) FROM pelorus.inputs WHERE status = 'complete'")" = 2 ]; then
    ok "two first ingests at once: both inputs recorded"
else bad "two first ingests at once: inputs"; fi
# the second of them rebuilt the first's vessels: their days replaced, not doubled
if [ "$(days_dump "$url")" = "$(days_layer "$url")" ]; then ok "rebuilt vessels: track_days replaced"; else
    bad "rebuilt vessels: track_days"
    diff <(days_dump "$url") <(days_layer "$url") | head -5
fi

# an analyst (pelorus_analyst: may not write the findings layer) scans: the
# output as ever, the layer left as the last ingest role's scan made it
psql "$url" -X -q -v ON_ERROR_STOP=1 -f src/store/pg_roles.sql >/dev/null
psql "$conn" -X -q -c "CREATE ROLE ana LOGIN IN ROLE pelorus_analyst" >/dev/null
"$PEL" scan -q --db "$url" >"$T/owner.jsonl" 2>/dev/null
sql "$url" "DELETE FROM pelorus.findings WHERE finding_id IN (SELECT finding_id FROM pelorus.findings LIMIT 1)" >/dev/null
left=$(sql "$url" "SELECT count(*) FROM pelorus.findings")
"$PEL" scan -q --db "${url/user=postgres/user=ana}" >"$T/ana.jsonl" 2>"$T/ana.err"
rc=$?
if [ $rc = 0 ] && cmp -s "$T/owner.jsonl" "$T/ana.jsonl" && [ -s "$T/ana.jsonl" ] &&
    [ "$(sql "$url" "SELECT count(*) FROM pelorus.findings")" = "$left" ]; then
    ok "an analyst's scan: the same findings, the layer left as it was"
else bad "an analyst's scan: rc $rc, $(head -c 300 "$T/ana.err")"; fi

# no PostGIS, and no right to create it: refused with a message
nog=$(newdb pgnogis nopostgis)
psql "$conn" -X -q -c "CREATE ROLE plain LOGIN" >/dev/null
plain="${nog/user=postgres/user=plain}"
"$PEL" ingest -q --db "$plain" "$T/one.nmea" >/dev/null 2>"$T/nog.err"
rc=$?
if [ $rc = 1 ] && grep -q "PostGIS is not installed" "$T/nog.err"; then ok "no PostGIS: refused, saying why"; else
    bad "no PostGIS: rc $rc: $(head -c 300 "$T/nog.err")"
fi
# a server that is not there
"$PEL" vessels --db "postgresql:///none?host=$T&user=postgres" >/dev/null 2>"$T/none.err"
rc=$?
if [ $rc = 1 ] && grep -q "cannot connect" "$T/none.err"; then ok "no server: an error"; else
    bad "no server: rc $rc: $(head -c 300 "$T/none.err")"
fi

echo "pg-backend: $pass passed, $fail failed"
[ $fail = 0 ]
