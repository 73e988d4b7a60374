#!/usr/bin/env bash
# ingest_test.sh -- what an input is and when it counts as ingested, as a
# user meets it: inputs that are not understood are refused with a message
# and not recorded (issue 11 item 6); pipes, standard input and process
# substitution are read once and stored in full (issue 17 item 3); an input
# read with other settings is read again, one whose every line was refused
# can be read again, an interrupted one is finished only as it was begun;
# strict times (issue 17 item 2); the Kystverket, BarentsWatch and generic
# CSV readers through the command line, their rows as stored.  The
# adversarial reproducers 04_pipe_input.sh, 05_wrong_format_poisons_hash.sh
# and 16_time_parsing.sh are the sections marked R04, R05 and R16.
# PELORUS_TEST_BACKEND=pg runs it on a throwaway PostgreSQL cluster
# (tests/backend.sh; the rows queried with psql instead of sqlite3, every
# value the same), where n/a: an older database migrated (schema 1 to 5)
# and a version 3 or 4 database getting its coverage map rebuilt: SQLite's
# schema versions, all older than the PostgreSQL schema.
# Prints "ingest: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$BUILD/pelorus
. tests/backend.sh
be_start ingest
T=$BUILD/ingest-test
NOAA=../shared/data/real/noaa_marinecadastre_AIS_2022_01_03_first99999_gulf_tx_la.csv
KYST=tests/data/real-world/simula__damast/test_ais.csv
BW=tests/data/real-world/simula__damast/test_ais.barentswatch.csv
D=tests/data/csv
rm -rf "$T"; mkdir -p "$T/tmp"
TMPDIR=$(cd "$T/tmp" && pwd); export TMPDIR   # where streams are copied: must be empty at the end
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok ingest $1"; }
bad() { fail=$((fail + 1)); echo "FAIL ingest $1"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi; }
sql() { be_sql "$1" "$2" 2>/dev/null; }
[ -f "$NOAA" ] || { bad "the NOAA extract $NOAA is missing"; echo "ingest: $pass passed, $((fail)) failed"; exit 1; }

# ---- R04: pipes and standard input are read once, and stored in full -------
# (before: hashed, then read empty: "0 lines", recorded complete, and the
# real file was then "already present")
"$PEL" ingest -q --db "$T/file.db" "$NOAA"
want_pos=$(sql "$T/file.db" "select positions from inputs")
expect "R04 the NOAA extract stores 34140 positions (the 18 of MMSI 12345678 kept)" 34140 "$want_pos"
"$PEL" ingest -q --db "$T/p1.db" <(cat "$NOAA"); expect "R04 <(cat file) exits 0" 0 $?
expect "R04 <(cat file): recorded complete with every line and position" "complete|34141|$want_pos" \
    "$(sql "$T/p1.db" "select status, lines, positions from inputs")"
expect "R04 <(cat file): 2716 vessels" 2716 "$(sql "$T/p1.db" "select count(*) from vessels")"
"$PEL" ingest --db "$T/p1.db" "$NOAA" 2>"$T/p1.err"
grep -q '0 files ingested, 1 already present' "$T/p1.err"; expect "R04 the file itself is then already present, rightly" 0 $?
cat "$NOAA" | "$PEL" ingest -q --db "$T/p2.db" -
expect "R04 cat file | ingest -" "-|$want_pos" "$(sql "$T/p2.db" "select path, positions from inputs")"
cat "$NOAA" | "$PEL" ingest -q --db "$T/p3.db" /dev/stdin
expect "R04 cat file | ingest /dev/stdin" "/dev/stdin|$want_pos" "$(sql "$T/p3.db" "select path, positions from inputs")"
"$PEL" ingest -q --db "$T/p4.db" /dev/stdin <"$NOAA"
expect "R04 ingest /dev/stdin < file" "$want_pos" "$(sql "$T/p4.db" "select positions from inputs")"
exec 7<"$NOAA"
"$PEL" ingest -q --db "$T/p5.db" /dev/fd/7
exec 7<&-
expect "R04 ingest /dev/fd/7" "$want_pos" "$(sql "$T/p5.db" "select positions from inputs")"
gzip -c "$NOAA" >"$T/noaa.csv.gz"
gzip -c "$NOAA" | "$PEL" ingest -q --db "$T/p6.db" -
expect "R04 gzip through a pipe: stored, known by the hash of the compressed bytes" \
    "$want_pos|$(sha256sum <"$T/noaa.csv.gz" | cut -d' ' -f1)" "$(sql "$T/p6.db" "select positions, sha256 from inputs")"
"$PEL" db-dump --db "$T/file.db" | grep -v '^input|' >"$T/file.dump"
"$PEL" db-dump --db "$T/p1.db" | grep -v '^input|' | cmp -s - "$T/file.dump"
expect "R04 a pipe gives the rows a file gives" 0 $?
expect "R04 nothing left in TMPDIR" "" "$(ls -A "$T/tmp")"

# ---- R05: a file read in the wrong format is refused, not recorded ----------
# (before: read as NMEA, 34141 lines rejected, recorded complete, and the
# right reading was then "already present")
(echo; cat "$NOAA") >"$T/lead_blank.csv"
"$PEL" ingest -q --db "$T/a.db" "$T/lead_blank.csv"; expect "R05 a blank line before the header: exits 0" 0 $?
expect "R05 a blank line before the header: read as NOAA" "noaa|$want_pos" \
    "$(sql "$T/a.db" "select format, positions from inputs")"
"$PEL" ingest --db "$T/a.db" --format noaa "$T/lead_blank.csv" 2>"$T/a.err"
grep -q '0 files ingested, 1 already present' "$T/a.err"; expect "R05 --format noaa: the same reading, present" 0 $?
"$PEL" ingest --db "$T/b.db" --format nmea "$NOAA" 2>"$T/b.err"; expect "R05 --format nmea on a CSV exits 1" 1 $?
expect "R05 --format nmea on a CSV: the message" \
    "pelorus ingest: $NOAA: not understood as NMEA, not ingested: none of its 34141 lines is an AIS sentence (!AIVDM or !AIVDO); its first line is a NOAA MarineCadastre CSV header: use --format noaa (or no --format)" \
    "$(head -1 "$T/b.err")"
grep -q 'run again' "$T/b.err"; expect "R05 a wrong --format does not say 'run again'" 1 $?
expect "R05 --format nmea on a CSV: not recorded" 0 "$(sql "$T/b.db" "select count(*) from inputs")"
"$PEL" ingest -q --db "$T/b.db" "$NOAA"; expect "R05 then read right: exits 0" 0 $?
expect "R05 then read right: stored" "noaa|$want_pos" "$(sql "$T/b.db" "select format, positions from inputs")"

# ---- inputs that are not understood (issue 11 item 6) ----------------------
"$PEL" ingest --db "$T/u.db" "$D/aishub.csv" 2>"$T/u.err"; expect "an unknown CSV exits 1" 1 $?
expect "an unknown CSV: the message" \
    "pelorus ingest: $D/aishub.csv: not understood, not ingested: the first line looks like a CSV header with columns MMSI,TIME,LONGITUDE,LATITUDE,COG,SOG,HEADING,ROT,... (20, ','-separated): none of NOAA, DMA, Kystverket, BarentsWatch; use --format csv --columns mmsi=MMSI,time=TIME,lat=LATITUDE,lon=LONGITUDE,..." \
    "$(head -1 "$T/u.err")"
expect "an unknown CSV: not recorded" 0 "$(sql "$T/u.db" "select count(*) from inputs")"
"$PEL" ingest -q --db "$T/u.db" --format csv --time-format '%Y-%m-%d %H:%M:%S GMT' "$D/aishub.csv"
expect "an unknown CSV: ingested later with --format csv" "csv|4|5" \
    "$(sql "$T/u.db" "select format, positions, statics from inputs")"
printf 'hello world\nthis is text\n' >"$T/text.txt"
"$PEL" ingest --db "$T/u2.db" "$T/text.txt" 2>"$T/u2.err"; expect "a text file exits 1" 1 $?
expect "a text file: the message" \
    "pelorus ingest: $T/text.txt: not understood, not ingested: no AIS sentence (!AIVDM or !AIVDO) in its 2 lines, and its first line is not a CSV header (\"hello world\"); give --format if it is nmea, noaa, dma, kystverket, barentswatch or csv" \
    "$(head -1 "$T/u2.err")"
printf '\x89PNG\x1a\x00IHDR,a;b;c,\x01\x02,d;e\n\x00\x00\x7f,x,y,z\n' >"$T/junk.bin"   # a binary with delimiters in it
"$PEL" ingest --db "$T/u2.db" "$T/junk.bin" 2>"$T/u3.err"; expect "a binary file exits 1" 1 $?
grep -q "junk.bin: not understood, not ingested: it is not text" "$T/u3.err"; expect "a binary file: the message" 0 $?
"$PEL" ingest --db "$T/u2.db" --format kystverket "$BW" 2>"$T/u4.err"; expect "--format kystverket on BarentsWatch exits 1" 1 $?
expect "--format kystverket on BarentsWatch: the message" \
    "pelorus ingest: $BW: not a Kystverket CSV export (header \"courseOverGround,latitude,longitude,name,rateOfTurn,shipType,sp...\"); not ingested" \
    "$(head -1 "$T/u4.err")"
"$PEL" ingest --db "$T/u2.db" --columns mmsi=MMSI,time=BaseDateTime,lat=LAT,lon=LONGITUDE "$NOAA" 2>"$T/u5.err"
expect "a column map naming a column the file lacks: the message" \
    "pelorus ingest: $NOAA: no column 'longitude' (for lon) in the header (header \"MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSi...\"); not ingested" \
    "$(head -1 "$T/u5.err")"
grep -q 'run again' "$T/u2.err" "$T/u3.err" "$T/u4.err" "$T/u5.err"; expect "no refusal says 'run again'" 1 $?
expect "nothing refused was recorded" 0 "$(sql "$T/u2.db" "select count(*) from inputs")"
: >"$T/empty.nmea"
"$PEL" ingest -q --db "$T/u2.db" "$T/empty.nmea"; expect "an empty file is no error (nothing to store)" 0 $?

# a missing input does not stop the others (and the exit status says so)
printf '%s\n' '\s:x,c:1700000000*42\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A' >"$T/good.nmea"
"$PEL" ingest --db "$T/m.db" "$T/missing.nmea" "$T/good.nmea" 2>"$T/m.err"; expect "a missing file and a good one: exits 1" 1 $?
expect "a missing file is named" "pelorus ingest: $T/missing.nmea: No such file or directory" "$(head -1 "$T/m.err")"
grep -q '1 files ingested, 0 already present, 0 continued, 1 not ingested' "$T/m.err"; expect "the good one is ingested" 0 $?
expect "the good one is stored" "1" "$(sql "$T/m.db" "select positions from inputs where path like '%good.nmea'")"

# ---- an input is known by its content, format and settings ------------------
"$PEL" ingest -q --db "$T/k.db" "$KYST"
"$PEL" ingest --db "$T/k.db" "$KYST" 2>"$T/k.err"
grep -q '0 files ingested, 1 already present' "$T/k.err"; expect "the same settings: present" 0 $?
TF='%Y-%m-%d %H:%M:%S GMT'
"$PEL" ingest -q --db "$T/s.db" --format csv --time-format "$TF" "$D/aishub.csv"
"$PEL" ingest --db "$T/s.db" --format csv --time-format "$TF" "$D/aishub.csv" 2>"$T/s.err"
grep -q '0 files ingested, 1 already present' "$T/s.err"; expect "generic CSV, the same settings: present" 0 $?
"$PEL" ingest -q --db "$T/s.db" --columns 'MMSI = MMSI,time=TIME ,lat=Latitude,lon=LONGITUDE' --time-format "$TF" "$D/aishub.csv"
"$PEL" ingest --db "$T/s.db" --columns 'lon=longitude,lat=latitude,time=time,mmsi=mmsi' --time-format "$TF" \
    "$D/aishub.csv" 2>"$T/s2.err"
grep -q '0 files ingested, 1 already present' "$T/s2.err"; expect "a column map is compared canonically" 0 $?
BYNAME='mmsi=mmsi,time=time,lat=latitude,lon=longitude,speed=sog,course=cog,heading=heading,name=name,imo=imo,callsign=callsign,shiptype=type,status=navstat,draught=draught,destination=dest,eta=eta,to_bow=a,to_stern=b,to_port=c,to_starboard=d'
expect "the settings each reading is known by: the columns read, canonically" \
    "csv|columns=$BYNAME; time-format=$TF
csv|columns=mmsi=mmsi,time=time,lat=latitude,lon=longitude; time-format=$TF" \
    "$(sql "$T/s.db" "select format, settings from inputs order by id")"
"$PEL" ingest -q --db "$T/s.db" --format csv --time-format "$TF" --delimiter , "$D/aishub.csv"
expect "a --delimiter equal to the header's own changes nothing" 2 "$(sql "$T/s.db" "select count(*) from inputs")"
"$PEL" ingest -q --db "$T/s.db" --time-format "$TF" --columns "$BYNAME" "$D/aishub.csv"
expect "a map naming the columns found by name reads the same: present" 2 "$(sql "$T/s.db" "select count(*) from inputs")"

# --assume-time is part of an input's identity only when a record took it
cs_ok='\s:x,c:1700000000*42\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A'
no_t='!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A'
printf '%s\n' "$cs_ok" "$no_t" >"$T/mixed.nmea"
printf '%s\n' "$no_t" >"$T/notime.nmea"
"$PEL" ingest -q --db "$T/t.db" "$T/mixed.nmea"
"$PEL" ingest -q --db "$T/t.db" "$T/mixed.nmea"
"$PEL" ingest -q --db "$T/t.db" --assume-time 2023-11-14T00:00:00Z "$T/mixed.nmea"
"$PEL" ingest -q --db "$T/t.db" --assume-time 2023-11-14T00:00:00Z "$T/mixed.nmea"
"$PEL" ingest -q --db "$T/t.db" --assume-time 2023-11-14T00:00:00Z "$T/good.nmea"
"$PEL" ingest -q --db "$T/t.db" "$T/good.nmea"
"$PEL" ingest -q --db "$T/t.db" --assume-time 2023-11-15T00:00:00Z "$T/good.nmea"
expect "--assume-time: read again when it changes what is stored, not otherwise" \
    "mixed.nmea|1|1|assume-time=none|0
mixed.nmea|2|0|assume-time=2023-11-14T00:00:00Z|1
good.nmea|1|0||0" \
    "$(sql "$T/t.db" "select replace(path, '$T/', ''), positions, rejected, settings, assumed from inputs order by id")"
"$PEL" ingest -q --db "$T/t2.db" "$T/notime.nmea"
"$PEL" ingest -q --db "$T/t2.db" "$T/notime.nmea"
expect "an input whose every line was refused can be read again" "2|0" \
    "$(sql "$T/t2.db" "select count(*), sum(positions) from inputs")"
"$PEL" ingest -q --db "$T/t2.db" --assume-time 2023-11-14T00:00:00Z "$T/notime.nmea"
"$PEL" ingest -q --db "$T/t2.db" --assume-time 2023-11-14T00:00:00Z "$T/notime.nmea"
expect "... and then, stored with --assume-time, is present" "3|1" \
    "$(sql "$T/t2.db" "select count(*), sum(positions) from inputs")"

# an interrupted ingest is finished only as it was begun
gcc -O2 -std=c17 -o "$T/gen" bench/gen_nmea.c -lm || bad "build generator"
"$T/gen" --sentences 60000 --vessels 300 --seed 7 >"$T/day.nmea"
interrupted=no
for attempt in 1 2 3 4 5; do
    rm -f "$T/i.db" "$T/i.db-wal" "$T/i.db-shm"
    "$PEL" ingest -q --commit-every 10 --db "$T/i.db" "$T/day.nmea" &
    pid=$!
    for i in $(seq 300); do
        [ "$(sql "$T/i.db" "select case when lines_done > 0 then 1 else 0 end from inputs where status = 'partial'")" = 1 ] && break
        sleep 0.01
    done
    kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    [ "$(sql "$T/i.db" "select count(*) from inputs where status = 'partial'")" = 1 ] && { interrupted=yes; break; }
done
if [ $interrupted = yes ]; then
    "$PEL" ingest --db "$T/i.db" --assume-time 2023-11-14T00:00:00Z "$T/day.nmea" 2>"$T/i.err"
    expect "interrupted, then read with other settings: exits 1" 1 $?
    expect "interrupted, then read with other settings: the message" \
        "pelorus ingest: $T/day.nmea: an ingest of it as nmea was interrupted: run that again to finish it before reading it another way; not ingested" \
        "$(head -1 "$T/i.err")"
    "$PEL" ingest --db "$T/i.db" "$T/day.nmea" 2>"$T/i2.err"
    grep -q '1 continued' "$T/i2.err"; expect "interrupted, then run as begun: continued" 0 $?
    "$PEL" ingest -q --db "$T/iclean.db" "$T/day.nmea"
    "$PEL" db-dump --db "$T/i.db" | grep '^pos ' >"$T/i.pos"
    "$PEL" db-dump --db "$T/iclean.db" | grep '^pos ' | cmp -s - "$T/i.pos"
    expect "interrupted and finished: the positions of a clean run" 0 $?
else
    bad "could not interrupt an ingest in 5 attempts"
fi

# a database written before inputs had settings: the columns are added, the
# inputs it holds stay known (SQLite's schema versions; PostgreSQL's have
# their own, from its first)
if be_pg; then
    be_na "an older database migrated (schema 1 to 5)" "SQLite's schema versions, older than the PostgreSQL schema"
else
"$PEL" ingest -q --db "$T/old.db" "$KYST"
sql "$T/old.db" "ALTER TABLE inputs DROP COLUMN settings; ALTER TABLE inputs DROP COLUMN assumed; ALTER TABLE identities DROP COLUMN clocks; ALTER TABLE voyages DROP COLUMN clocks; UPDATE meta SET value = '1' WHERE key = 'schema_version'"
"$PEL" ingest --db "$T/old.db" "$KYST" 2>"$T/old.err"
grep -q '0 files ingested, 1 already present' "$T/old.err"; expect "an older database: its inputs stay known" 0 $?
expect "an older database: settings and assumed added" "|0" "$(sql "$T/old.db" "select settings, assumed from inputs")"
expect "an older database: migrated to the current schema version" 5 \
    "$(sql "$T/old.db" "select value from meta where key = 'schema_version'")"
fi

# ---- the coverage map (schema 5, docs/coverage.md) ----------------------------
# built at ingest: the same map whole, in batches of 1000, and after the same
# file again (already present: nothing added); each reception counted once, in
# its station's row; a version 3 or 4 database gets it rebuilt from its chunks
# when migrated
NM=tests/data/real-world/GlobalFishingWatch__ais-listener/nmea-with-tagblock.txt
covsum() { sql "$1" "select count(*), sum(positions), sum(seen % 1000003), sum(slots), count(distinct station) from coverage"; }
"$PEL" ingest -q --db "$T/cov1.db" "$NM"
"$PEL" ingest -q --db "$T/cov2.db" --commit-every 1000 "$NM"
"$PEL" ingest -q --db "$T/cov2.db" "$NM"
c1=$(covsum "$T/cov1.db")
expect "coverage: built at ingest, with station rows" 1 "$(sql "$T/cov1.db" "select case when count(*) > 0 and sum(case when station > 0 then 1 else 0 end) > 0 then 1 else 0 end from coverage")"
expect "coverage: in batches and again, the same map" "$c1" "$(covsum "$T/cov2.db")"
expect "coverage: each reception once, in its station's row" "$(sql "$T/cov1.db" "select sum(positions) from inputs")" \
    "$(sql "$T/cov1.db" "select sum(positions) from coverage")"
# pelorus coverage: the map as CSV and GeoJSON, filtered
C1=$T/cov1.db
ncell=$(sql "$C1" "select count(distinct cell) from coverage")
"$PEL" coverage --db "$C1" --format csv >"$T/cov.csv"; expect "coverage --format csv exits 0" 0 $?
expect "coverage csv: the header and a row per cell heard" "cell,lat,lon,lat0,lon0,lat1,lon1,hours,positions,vessel_hours,slots,baseline,stations|$((ncell + 1))" \
    "$(head -1 "$T/cov.csv")|$(wc -l <"$T/cov.csv")"
expect "coverage csv: the receptions add up to the map's" "$(sql "$C1" "select sum(positions) from coverage")" \
    "$(awk -F, 'NR > 1 { s += $9 } END { print s }' "$T/cov.csv")"
expect "coverage geojson: a polygon per cell" "$ncell Polygon" \
    "$("$PEL" coverage --db "$C1" | jq -r '[.features | length, (map(.geometry.type) | unique | join(","))] | join(" ")')"
st1=$(sql "$C1" "select name from sources where id = (select min(station) from coverage where station > 0)")
expect "coverage --station: that station's cells" \
    "$(sql "$C1" "select count(distinct cell) from coverage where station = (select id from sources where name = '$st1')")" \
    "$("$PEL" coverage --db "$C1" --format csv --station "$st1" | tail -n +2 | wc -l)"
"$PEL" coverage --db "$C1" --format csv --station no-such-station >"$T/nostation.out" 2>"$T/nostation.err"
expect "coverage --station unknown: exit 1" 1 $?
expect "coverage --station unknown: nothing written" 0 "$(wc -c <"$T/nostation.out")"
expect "coverage --station unknown: named, with the stations known" 1 \
    "$(grep -c "no station named \"no-such-station\" in the database (its stations: .*$st1" "$T/nostation.err")"
expect "coverage --bbox: every centre inside" 0 \
    "$("$PEL" coverage --db "$C1" --format csv --bbox 0,50,10,60 | awk -F, 'NR > 1 && ($2 < 50 || $2 > 60 || $3 < 0 || $3 > 10)' | wc -l)"
"$PEL" coverage --db "$C1" --format kml >/dev/null 2>&1; expect "coverage --format kml: a usage error" 2 $?
"$PEL" coverage --db "$C1" --from 2030-01-01T00:00:00Z --to 2020-01-01T00:00:00Z >/dev/null 2>&1
expect "coverage --from after --to: a usage error" 2 $?
if be_pg; then
    be_na "a version 3 or 4 database gets its coverage map rebuilt" "SQLite's schema versions, older than the PostgreSQL schema"
else
"$PEL" ingest -q --db "$T/cov3.db" "$KYST"
c3=$(covsum "$T/cov3.db")
sql "$T/cov3.db" "DROP TABLE coverage; UPDATE meta SET value = '3' WHERE key = 'schema_version'"
"$PEL" ingest -q --db "$T/cov3.db" "$KYST" 2>/dev/null
expect "coverage: a version 3 database migrated gets its map rebuilt" "5|$c3" \
    "$(sql "$T/cov3.db" "select value from meta where key = 'schema_version'")|$(covsum "$T/cov3.db")"
# version 4 kept every reception again as station 0: rebuilt without
sql "$T/cov3.db" "INSERT INTO coverage SELECT cell, 0, hour, sum(positions), max(seen), max(slots) FROM coverage GROUP BY cell, hour; UPDATE meta SET value = '4' WHERE key = 'schema_version'"
"$PEL" ingest -q --db "$T/cov3.db" "$KYST" 2>/dev/null
expect "coverage: a version 4 database migrated gets its map rebuilt" "5|$c3" \
    "$(sql "$T/cov3.db" "select value from meta where key = 'schema_version'")|$(covsum "$T/cov3.db")"
fi

# ---- R16: strict times --------------------------------------------------------
# (before: 30 and 31 February and an offset of -99:99 were stored)
printf 'MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass\n205125001,2022-02-30T00:00:00+00:00,29.9,-90.0,10,90,90,A,,C,70,0,100,20,5,70,A\n205125002,2022-02-31T12:00:00Z,29.9,-90.0,10,90,90,A,,C,70,0,100,20,5,70,A\n205125003,2022-02-30T00:00:00,29.9,-90.0,10,90,90,A,,C,70,0,100,20,5,70,A\n205125004,2022-01-03T00:00:00-99:99,29.9,-90.0,10,90,90,A,,C,70,0,100,20,5,70,A\n205125005,2024-02-29T23:59:59-14:00,29.9,-90.0,10,90,90,A,,C,70,0,100,20,5,70,A\n' >"$T/times.csv"
"$PEL" ingest --db "$T/r16.db" "$T/times.csv" 2>"$T/r16.err"
grep -q 'rejected 4 (time 4)' "$T/r16.err"; expect "R16 impossible dates and offsets are refused as 'time'" 0 $?
expect "R16 only the possible time is stored" "205125005|1709301599000" \
    "$(sql "$T/r16.db" "select mmsi, first_ms from vessels")"
# NMEA prefixes go through the same parser: an impossible one is no time
printf '%s\n' '2022-02-28T12:00:00Z !AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A' \
    '2022-02-30T12:00:00Z !AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A' \
    '2022-02-28T12:00:01+15:00 !AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A' >"$T/prefix.nmea"
"$PEL" ingest --db "$T/r16p.db" "$T/prefix.nmea" 2>"$T/r16p.err"
grep -q '1 positions, .*rejected 2 (no_time 2)' "$T/r16p.err"; expect "R16 NMEA prefixes: 30 February and +15:00 are no time" 0 $?
"$PEL" ingest -q --db "$T/r16b.db" --assume-time 2022-02-29T00:00:00Z "$T/good.nmea" 2>/dev/null
expect "R16 --assume-time 2022-02-29 is a usage error" 2 $?
"$PEL" tracks --db "$T/r16.db" --from 2022-02-30T00:00:00Z --format csv >/dev/null 2>&1
expect "R16 --from 2022-02-30 is a usage error" 2 $?
"$PEL" tracks --db "$T/r16.db" --to 2022-01-01T00:00:00+15:00 --format csv >/dev/null 2>&1
expect "R16 --to with an offset of 15 h is a usage error" 2 $?

# ---- the new readers, as stored and queried -----------------------------------
"$PEL" ingest -q --db "$T/n.db" "$KYST" "$BW"; expect "Kystverket and BarentsWatch samples: exit 0" 0 $?
expect "formats detected from the headers" "kystverket|13|13
barentswatch|3|3" "$(sql "$T/n.db" "select format, positions, statics from inputs order by id")"
"$PEL" tracks --db "$T/n.db" --mmsi 209318000,230666000,257027430 --format csv -o "$T/n.csv" 2>/dev/null
expect "tracks of the Kystverket and BarentsWatch rows" \
"mmsi,name,time,lat,lon,speed,course,heading,status,type,segment,flags,input,source,line
209318000,,2022-09-01T12:55:35Z,59.315900,5.329340,12.1,355.7,355,0,1,0,isolated,1,,2
230666000,,2022-09-01T18:14:31Z,59.407000,5.255030,10.7,130.5,131,0,1,0,,1,,6
230666000,,2022-09-01T18:14:41Z,59.406600,5.255940,10.7,130.7,131,0,1,0,,1,,7
230666000,,2022-09-01T18:14:52Z,59.406200,5.256700,10.7,130.9,131,0,1,0,,1,,8
230666000,,2022-09-01T18:15:01Z,59.405900,5.257430,10.7,130.9,131,0,1,0,,1,,9
230666000,,2022-09-01T18:15:12Z,59.405600,5.258120,10.7,131.2,131,0,1,0,,1,,10
230666000,,2022-09-01T18:15:21Z,59.405300,5.258690,10.7,131.3,131,0,1,0,,1,,11
230666000,,2022-09-01T18:15:31Z,59.405000,5.259420,10.7,131.2,130,0,1,0,,1,,12
230666000,,2022-09-01T18:15:41Z,59.404600,5.260290,10.6,130.8,131,0,1,0,,1,,13
230666000,,2022-09-01T18:15:52Z,59.404300,5.261020,10.6,130.0,133,0,1,0,,1,,14
257027430,SARNES 3,2026-06-30T05:49:19Z,70.981065,25.970162,0.0,,,0,1,0,,2,1,2
257027430,SARNES 3,2026-06-30T05:50:20Z,70.981062,25.970167,0.0,,,0,1,0,,2,1,3
257027430,SARNES 3,2026-06-30T05:53:20Z,70.981070,25.970137,0.0,,,0,1,0,,2,1,4" "$(cat "$T/n.csv")"
expect "BarentsWatch's stream is the source" "1|terra" "$(sql "$T/n.db" "select id, name from sources")"
"$PEL" vessel --db "$T/n.db" 230666000 | grep -q 'IMO 9100138  length 90 m  (9 reports; first at tests/data/real-world/simula__damast/test_ais.csv:6)'
expect "Kystverket: the identity (IMO, length) with its first line" 0 $?
"$PEL" vessel --db "$T/n.db" 257027430 | grep -q 'name "SARNES 3"  type 60  (3 reports'
expect "BarentsWatch: the identity (name, ship type)" 0 $?

# generic CSV through ingest and scan
MT='mmsi=MMSI,imo=IMO,lat=LAT,lon=LON,speed=SPEED/10,heading=HEADING,course=COURSE,status=STATUS,time=TIMESTAMP,source=DSRC,name=SHIPNAME,callsign=CALLSIGN,length=LENGTH,width=WIDTH,draught=DRAUGHT/10,destination=DESTINATION,eta=ETA'
"$PEL" ingest --db "$T/g.db" --columns "$MT" "$D/marinetraffic.csv" 2>"$T/g.err"
grep -q 'rejected 1 (time 1)' "$T/g.err"; expect "MarineTraffic-style export: one row refused, by reason" 0 $?
"$PEL" tracks --db "$T/g.db" --mmsi 412345000 --format csv -o "$T/g.csv" 2>/dev/null
expect "MarineTraffic-style export: SPEED/10, the network as source" \
    "412345000,YU JONG 2,2022-01-03T00:00:00Z,36.316670,123.916670,11.2,45.0,44,0,1,0,isolated,1,1,2" "$(sed -n 2p "$T/g.csv")"
"$PEL" vessel --db "$T/g.db" 636019825 | grep -q 'IMO 9606912  call sign D5AB2  size 180x32 m'
expect "MarineTraffic-style export: LENGTH and WIDTH" 0 $?
"$PEL" vessel --db "$T/g.db" 636019825 | grep -q '"RAJIN, KP"  draught 10.5 m'
expect "MarineTraffic-style export: DRAUGHT/10, a quoted destination" 0 $?
"$PEL" scan -q --db "$T/sc.db" --format-in csv --time-format "$TF" --delimiter , "$D/aishub.csv" >/dev/null
expect "scan takes --format-in csv, --time-format, --delimiter" 0 $?
expect "scan: the input as read" "csv|4|columns=$BYNAME; time-format=$TF" \
    "$(sql "$T/sc.db" "select format, positions, settings from inputs")"
"$PEL" scan -q --db "$T/sc2.db" --columns "$MT" "$D/marinetraffic.csv" >/dev/null
expect "scan takes --columns" "csv|4" "$(sql "$T/sc2.db" "select format, positions from inputs")"

expect "nothing left in TMPDIR at the end" "" "$(ls -A "$T/tmp")"
echo "ingest: $pass passed, $fail failed"
[ $fail = 0 ]
