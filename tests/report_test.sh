#!/usr/bin/env bash
# report_test.sh -- pelorus vessels --rank and pelorus report end to end
# (docs/report.md): the ranking of examples/yellow_sea_day.nmea with scores
# checked by hand against the default weights, the report's five files
# (parsed with jq, xmllint and python3), byte-identical reruns, the vessel
# and period filters, the template's marker rules, and hostile text (names,
# call signs, destinations with < > & " ' and U+2028) escaped in every file
# yet read back exactly.  Uses a template of its own (so it does not depend
# on data/web/), and also the shipped one when data/web/report.html exists.
# PELORUS_TEST_BACKEND=pg runs it on a throwaway PostgreSQL cluster
# (tests/backend.sh), every check and value the same, none left out (the
# coverage cells counted with psql instead of sqlite3; the database "ys.db"
# is named as the file is).
# Usage: tests/report_test.sh [BUILD]  (default build).  Prints
# "report: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
PEL=$BUILD/pelorus
. tests/backend.sh
be_start report
T=$BUILD/report-test
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok report $1"; }
bad() { fail=$((fail + 1)); echo "FAIL report $1"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi; }

# ---- a data directory with a minimal template of our own -------------------------
D=$T/data
mkdir -p "$D/web/vendor"
cp data/ports.csv data/mid.csv data/zones.geojson "$D/"
cp data/web/vendor/land-50m.json "$D/web/vendor/" # the scan's land mask
cp -r data/watchlist "$D/"
cat >"$D/web/report.html" <<'EOF'
<!doctype html>
<html><head><meta charset="utf-8"><title>test</title>
<style><!--PELORUS:INCLUDE report.css--></style>
<script><!--PELORUS:INCLUDE vendor/lib.js--></script>
</head><body>
<script id="pelorus-data" type="application/json"><!--PELORUS:DATA--></script>
<script><!--PELORUS:INCLUDE  report.js --></script>
</body></html>
EOF
echo 'body { color: black }' >"$D/web/report.css"
echo 'var lib = 1;' >"$D/web/vendor/lib.js"
echo 'var data = JSON.parse(document.getElementById("pelorus-data").textContent);' >"$D/web/report.js"
echo '[{"name": "test asset", "licence": "MIT"}]' >"$D/web/licences.json"

# the data JSON of a report.html, pretty-printed by python (exits 1 if absent)
data_of() {
    python3 - "$1" <<'EOF'
import json, re, sys
h = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script id="pelorus-data"[^>]*>(.*?)</script>', h, re.S)
if not m:
    sys.exit(1)
print(json.dumps(json.loads(m.group(1)), ensure_ascii=False, indent=1))
EOF
}

# ---- the ranking ------------------------------------------------------------------
DB=$T/ys.db
"$PEL" ingest -q --db "$DB" examples/yellow_sea_day.nmea
expect "ingest exits 0" 0 $?
R() { "$PEL" vessels --rank --db "$DB" --data-dir "$D" "$@"; }
R --format table >"$T/rank.txt"; expect "vessels --rank exits 0" 0 $?
echo "---- the ranking of examples/yellow_sea_day.nmea"; cat "$T/rank.txt"; echo "----"
R --format jsonl >"$T/rank.jsonl"
jq -e . "$T/rank.jsonl" >/dev/null 2>&1; expect "every jsonl line is JSON" 0 $?
expect "13 vessels ranked" 13 "$(wc -l <"$T/rank.jsonl")"
# By hand, default weights:
#  445111000 CHON MA SAN (no IMO broadcast): name match on OFAC SDN CHON MA SAN, corroborated by the flag
#            (MID 445, entry flag North Korea), 40 x 1.00 + encounter 15 (partner not designated)
#            + gap 1 (cause sparse: a day of a dozen vessels, no cell on its path can tell) + draught changed 10
#            + MID 445 20 = 86
#  445333000 SONG RIM: Nampo visit 25 + MID 20 + invalid IMO (a data-quality note) 2 + its 2 zone entries
#            (the Nampo and Songnim approaches) 20 + gap 1 (sparse, as above) = 68; its two crossings of the
#            Korea Bay transfer area at sea speed are transits (a dwell zone), not findings
#  445444000, 445444100: Nampo visit 25 + MID 20 + 2 zones 20 = 65
#  445999000: parallel segments 20 + MID 20 + coverage gap 1 = 41 (the position that starts
#            the parallel segment is not also an impossible jump; its two transfer areas, crossed at sea
#            speed, are transits)
#  412222000: encounter 15 + partner designated 20 = 35
#  412888000: name change 10 + call sign change 3 + coverage gap 1 = 14
expect "order and scores" \
    "445111000:86:high 445333000:68:high 445444000:65:high 445444100:65:high 445999000:41:medium 412222000:35:medium 412888000:14:low" \
    "$(jq -r '"\(.mmsi):\(.score):\(.level)"' "$T/rank.jsonl" | head -7 | tr '\n' ' ' | sed 's/ $//')"
expect "ties by MMSI; the rest low" "412777000 412555000 412555100 412666000 412666100 412999000" \
    "$(jq -r '.mmsi' "$T/rank.jsonl" | tail -6 | tr '\n' ' ' | sed 's/ $//')"
# zone policies: SONG RIM's crossings of the Korea Bay transfer area (a dwell zone) at sea speed are
# transits in its history, its stays in the Nampo and Songnim approaches (entry zones) findings
"$PEL" vessel --db "$DB" --data-dir "$D" 445333000 >"$T/v445333000.txt"; expect "vessel exits 0" 0 $?
expect "vessel: zone stays, transits and findings" \
    "finding Nampo:1 finding Songnim:1 transit Korea:2" \
    "$(sed -n '/^zone stays/,$p' "$T/v445333000.txt" | awk 'NR > 1 { print $4 " " $7 }' | sed 's/ \([A-Za-z]*\).*/ \1/' |
        sort | uniq -c | awk '{ printf "%s%s %s:%s", (NR > 1 ? " " : ""), $2, $3, $1 }')"
# --set as for scan: with any speed slow and no minimum stay, its crossings of the dwell zone count
"$PEL" vessel --db "$DB" --data-dir "$D" --set zone_entry.dwell_max_speed_kn=50 --set zone_entry.dwell_min_h=0 \
    445333000 >"$T/v445333000-set.txt"
expect "vessel --set: the dwell zone's crossings become findings" \
    "finding Korea:2 finding Nampo:1 finding Songnim:1" \
    "$(sed -n '/^zone stays/,$p' "$T/v445333000-set.txt" | awk 'NR > 1 { print $4 " " $7 }' | sed 's/ \([A-Za-z]*\).*/ \1/' |
        sort | uniq -c | awk '{ printf "%s%s %s:%s", (NR > 1 ? " " : ""), $2, $3, $1 }')"
"$PEL" vessel --db "$DB" --data-dir "$D" --set zone_entry.dwell_min_h=-1 445333000 >/dev/null 2>"$T/vset.err"
expect "vessel --set: a value out of range exits 2" 2 $?
expect "vessel --set: the setting is named" 1 "$(grep -c 'zone_entry.dwell_min_h' "$T/vset.err")"
printf '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Box","policy":"linger"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}' >"$T/badpolicy.geojson"
"$PEL" vessel --db "$DB" --data-dir "$D" --zones "$T/badpolicy.geojson" 445333000 >/dev/null 2>"$T/badpolicy.err"
expect "vessel: a bad zone policy exits 1" 1 $?
expect "a bad zone policy is named" 1 "$(grep -c 'feature 1 ("Box"): properties.policy "linger" is neither "entry" nor "dwell"' "$T/badpolicy.err")"
"$PEL" scan -q --db "$DB" --data-dir "$D" --zones "$T/badpolicy.geojson" >/dev/null 2>"$T/badpolicy-scan.err"
expect "scan: a bad zone policy exits 1" 1 $?
expect "scan: the bad policy is named" 1 "$(grep -c 'properties.policy "linger" is neither' "$T/badpolicy-scan.err")"
expect "445111000's reasons, points descending" \
    "watchlist_match:40 mmsi_country:20 encounter:15 gap:11" \
    "$(jq -r 'select(.mmsi == 445111000) | [.reasons[] | "\(.event):\(.points)"] | join(" ")' "$T/rank.jsonl")"
expect "the designation in words" 1 \
    "$(jq -r 'select(.mmsi == 445111000) | .reasons[0].text' "$T/rank.jsonl" | grep -c '^Matched OFAC SDN entry CHON MA SAN (DPRK4) on the name CHON MA SAN')"
expect "the dark period in words" 1 \
    "$(jq -r 'select(.mmsi == 445111000) | .reasons[] | select(.event == "gap") | .text' "$T/rank.jsonl" | grep -c '^Silent for 14.1 h from 2023-11-15 01:58 UTC where too little is heard to tell.*draught 5.0 → 11.0 m')"
expect "the encounter in words, from the partner's side" 1 \
    "$(jq -r 'select(.mmsi == 412222000) | .reasons[0].text' "$T/rank.jsonl" | grep -c '^Met designated vessel 445111000 (CHON MA SAN) for 2.7 h at 35.50N 123.22E, 244 km from Weihai')"
expect "the MID in words" "Broadcast an MMSI allocated to North Korea (445)" \
    "$(jq -r 'select(.mmsi == 445111000) | .reasons[] | select(.event == "mmsi_country") | .text' "$T/rank.jsonl")"
expect "table: header and 445111000 first" 1 "$(sed -n 2p "$T/rank.txt" | grep -c '^ *1  *86.0 high   445111000 CHON MA SAN')"
R --format csv >"$T/rank.csv"
expect "csv: header and 13 rows" 14 "$(wc -l <"$T/rank.csv")"
expect "csv: first row" '1,445111000,"CHON MA SAN",,86.0,high' "$(sed -n 2p "$T/rank.csv" | cut -d, -f1-6)"
expect "--limit 2" 2 "$(R --format jsonl --limit 2 | wc -l)"
expect "risk.flag_dprk=0 lowers 445111000 to 66" 66 \
    "$(R --format jsonl --set risk.flag_dprk=0 | jq -r 'select(.mmsi == 445111000) | .score')"
expect "risk.high=100 makes it medium" medium \
    "$(R --format jsonl --set risk.high=100 | jq -r 'select(.mmsi == 445111000) | .level')"
R --set risk.nonsense=1 >/dev/null 2>"$T/err"; expect "an unknown weight is a usage error" 2 $?
expect "... naming it" 1 "$(grep -c 'risk.nonsense' "$T/err")"
R --set encounter.max_distance_m=100 --format jsonl >"$T/r100.jsonl"; expect "detector settings pass through" 0 $?
expect "... and take effect (no encounter at 100 m: the 145 m meeting is gone)" 0 \
    "$(jq -r 'select(.mmsi == 412222000) | .score' "$T/r100.jsonl" | wc -l)"
expect "--vessel 445111000: it and its encounter partner" "445111000 412222000" \
    "$(R --format jsonl --vessel 445111000 | jq -r .mmsi | tr '\n' ' ' | sed 's/ $//')"
expect "vessels without --rank lists the 13 vessels" 13 "$("$PEL" vessels --db "$DB" --format jsonl | wc -l)"
"$PEL" vessels --help >/dev/null; expect "vessels --help exits 0" 0 $?
"$PEL" vessels --rank --format xml --db "$DB" 2>/dev/null; expect "a bad format is a usage error" 2 $?

# ---- the report -----------------------------------------------------------------------
O=$T/out1
"$PEL" report --db "$DB" --out "$O" --data-dir "$D" 2>"$T/report.err"; expect "report exits 0" 0 $?
cat "$T/report.err"
expect "the summary names report.html" 1 "$(grep -c "$O/report.html" "$T/report.err")"
for f in report.html findings.geojson tracks.geojson findings.kml findings.csv; do
    [ -s "$O/$f" ] && ok "$f written" || bad "$f missing"
done
NF=$(jq -s 'length' "$T/../report-test/rank.jsonl" >/dev/null; "$PEL" scan -q --db "$DB" --data-dir "$D" --format jsonl | wc -l)
expect "findings.geojson: a Feature per finding" "$NF" "$(jq '.features | length' "$O/findings.geojson")"
expect "findings.geojson: ids 0.." "$((NF - 1))" "$(jq '.features[-1].properties.id' "$O/findings.geojson")"
expect "the gap of 445111000 is a line from where it went dark to where it reappeared" \
    '[[123.229855,35.5],[123.230708,36.5]]' \
    "$(jq -c '.features[] | select(.properties.event == "gap" and .properties.mmsi == 445111000) | .geometry.coordinates' "$O/findings.geojson")"
expect "an identity change has no geometry" null \
    "$(jq -c '[.features[] | select(.properties.event == "identity_change")][0].geometry' "$O/findings.geojson")"
expect "tracks.geojson: the 13 vessels" 13 "$(jq '[.features[].properties.mmsi] | unique | length' "$O/tracks.geojson")"
expect "tracks.geojson: every position" 1640 "$(jq '[.features[].properties.points + .features[].properties.skipped] | add' "$O/tracks.geojson" >/dev/null; jq '[.features[] | .properties.points + .properties.skipped] | add' "$O/tracks.geojson")"
xmllint --noout "$O/findings.kml" 2>"$T/xml.err"; expect "findings.kml is well-formed" 0 $?
expect "findings.kml: a Placemark per finding" "$NF" \
    "$(xmllint --xpath 'count(//*[local-name()="Placemark"])' "$O/findings.kml")"
expect "findings.kml: names say event and vessel" "watchlist_match — CHON MA SAN (445111000)" \
    "$(xmllint --xpath 'string(//*[local-name()="Placemark"][.//*[local-name()="Data"][@name="event"]/*="watchlist_match"]/*[local-name()="name"])' "$O/findings.kml")"
expect "findings.csv: header and a row per finding" "$((NF + 1))" "$(wc -l <"$O/findings.csv")"
data_of "$O/report.html" >"$T/data.json"; expect "report.html holds the data JSON" 0 $?
expect "data: top-level members" "title version database period weights vessels findings tracks zones ports coverage stats licences" \
    "$(jq -r 'keys_unsorted | join(" ")' "$T/data.json")"
expect "data: the coverage layer, a cell per cell heard, each [lat0, lon0, lat1, lon1, share, hours]" \
    "$(be_sql "$DB" "select count(distinct cell) from coverage") false true" \
    "$(jq -r '.coverage | "\(.cells | length) \(.truncated) \(all(.cells[]; length == 6 and .[0] < .[2] and .[1] < .[3] and .[4] > 0 and .[4] <= 1))"' "$T/data.json")"
expect "data: stats" "13 $NF 1640" "$(jq -r '.stats | "\(.vessels) \(.findings) \(.track_points)"' "$T/data.json")"
expect "data: vessels ranked as vessels --rank" \
    "$(jq -r .mmsi "$T/rank.jsonl" | tr '\n' ' ')" "$(jq -r '.vessels[].mmsi' "$T/data.json" | tr '\n' ' ')"
expect "data: the first vessel" '445111000 CHON MA SAN null HMYX 80 86 high 82' \
    "$(jq -r '.vessels[0] | "\(.mmsi) \(.name) \(.imo) \(.callsign) \(.shiptype) \(.score) \(.level) \(.positions)"' "$T/data.json")"
expect "data: its country from the MID table" "Democratic People's Republic of Korea" "$(jq -r '.vessels[0].country' "$T/data.json")"
expect "data: reasons point at its findings" true \
    "$(jq '.vessels[0] as $v | [$v.reasons[] | select(.finding != null) | .finding] | all(. as $i | $v.findings | index($i) != null)' "$T/data.json")"
expect "data: period" "2023-11-14T22:13:20Z 2023-11-15T22:08:20Z" "$(jq -r '"\(.period.from) \(.period.to)"' "$T/data.json")"
expect "data: database name" ys.db "$(jq -r .database "$T/data.json")"
expect "data: a track per vessel" 13 "$(jq '.tracks | length' "$T/data.json")"
expect "data: drawn points = stats.drawn_points" "$(jq '.stats.drawn_points' "$T/data.json")" \
    "$(jq '[.tracks[].segments[].coords | length] | add' "$T/data.json")"
expect "data: no coordinate is NaN or null" 0 "$(jq '[.tracks[].segments[].coords[][] | select(type != "number")] | length' "$T/data.json")"
expect "data: Nampo among the ports, of concern" true "$(jq '[.ports[] | select(.name == "Nampo")][0].concern' "$T/data.json")"
expect "data: zones and licences" "12 test asset" "$(jq -r '"\(.zones.features | length) \(.licences[0].name)"' "$T/data.json")"
expect "data: weights" "60 30" "$(jq -r '"\(.weights.designation_imo) \(.weights | length)"' "$T/data.json")"
expect "report.html: the includes are in" 3 "$(grep -c -e 'body { color: black }' -e 'var lib = 1;' -e 'var data = JSON.parse' "$O/report.html")"
expect "report.html: no marker left" 0 "$(grep -c 'PELORUS:' "$O/report.html")"

# deterministic
"$PEL" report -q --db "$DB" --out "$T/out2" --data-dir "$D"
same=1
for f in report.html findings.geojson tracks.geojson findings.kml findings.csv; do
    cmp -s "$O/$f" "$T/out2/$f" || same=0
done
expect "a second run gives byte-identical files" 1 $same

# a small drawing budget
"$PEL" report -q --db "$DB" --out "$T/small" --data-dir "$D" --set report.max_points_per_vessel=2 --set report.simplify_deg=0
expect "report.max_points_per_vessel=2: at most 2 points a segment end pair" 0 \
    "$(data_of "$T/small/report.html" | jq '[.tracks[] | select(([.segments[].coords | length] | add) > ([.segments[]] | length) * 2)] | length')"

# filters
"$PEL" report -q --db "$DB" --out "$T/v" --data-dir "$D" --vessel 445111000
expect "--vessel: its findings (match, encounter, gap)" "3" "$(jq '.features | length' "$T/v/findings.geojson")"
expect "--vessel: it and its partner" "445111000 412222000" "$(data_of "$T/v/report.html" | jq -r '[.vessels[].mmsi] | join(" ")')"
expect "--vessel: their tracks only" "412222000 445111000" "$(jq -r '[.features[].properties.mmsi] | unique | join(" ")' "$T/v/tracks.geojson")"
FROM=2023-11-15T10:00:00Z TO=2023-11-15T20:00:00Z
"$PEL" report -q --db "$DB" --out "$T/p" --data-dir "$D" --from $FROM --to $TO
expect "--from/--to: the findings overlapping the period" \
    "$(jq --arg f $FROM --arg t $TO '[.features[].properties | select(.end >= $f and .start <= $t)] | length' "$O/findings.geojson")" \
    "$(jq '.features | length' "$T/p/findings.geojson")"
expect "--from/--to: period clipped" "$FROM 2023-11-15T20:00:00Z" "$(data_of "$T/p/report.html" | jq -r '"\(.period.from) \(.period.to)"')"
expect "--from/--to: track positions within the period" 0 \
    "$(jq --arg f $FROM --arg t $TO '[.features[].properties | select(.start < $f or .end > $t)] | length' "$T/p/tracks.geojson")"

# usage and template rules
"$PEL" report --db "$DB" --data-dir "$D" 2>/dev/null; expect "report without --out is a usage error" 2 $?
"$PEL" report --help >/dev/null; expect "report --help exits 0" 0 $?
cp -r "$D" "$T/bad1"
sed -i 's#INCLUDE report.css#INCLUDE ../report.css#' "$T/bad1/web/report.html"
"$PEL" report -q --db "$DB" --out "$T/b1" --data-dir "$T/bad1" 2>"$T/err"; expect "an include with .. is refused" 1 $?
expect "... saying so" 1 "$(grep -c 'refusing to include' "$T/err")"
cp -r "$D" "$T/bad2"
echo 'var s = "</SCRIPT>";' >"$T/bad2/web/report.js"
"$PEL" report -q --db "$DB" --out "$T/b2" --data-dir "$T/bad2" 2>"$T/err"; expect "an include holding </script is refused" 1 $?
expect "... naming it" 1 "$(grep -c 'report.js contains </script' "$T/err")"
cp -r "$D" "$T/bad3"
sed -i 's#INCLUDE report.css#INCLUDE /etc/passwd#' "$T/bad3/web/report.html"
"$PEL" report -q --db "$DB" --out "$T/b3" --data-dir "$T/bad3" 2>/dev/null; expect "an absolute include is refused" 1 $?
cp -r "$D" "$T/bad4"
rm "$T/bad4/web/licences.json"
"$PEL" report -q --db "$DB" --out "$T/b4" --data-dir "$T/bad4"; expect "no licences.json: still a report" 0 $?
expect "... with an empty licences array" 0 "$(data_of "$T/b4/report.html" | jq '.licences | length')"

# ---- hostile text ----------------------------------------------------------------------
# A DMA aisdk CSV: vessel 219000001 broadcasts a name that is a script, a call
# sign of quotes and an ampersand, and a destination with all three; it goes
# dark for 15 h (a gap) and comes back with another call sign (an identity
# change) while 219000009 keeps the feed alive (a silence of the whole feed is
# a hole in the data, not a gap).  219000003's name holds U+2028 and '&'.
# (tests/data/report/hostile_dma.csv, shared with tests/browser_test.sh)
H=tests/data/report/hostile_dma.csv
HDB=$T/hostile.db
"$PEL" ingest -q --db "$HDB" "$H"; expect "the hostile CSV ingests" 0 $?
HO=$T/hostile
"$PEL" report -q --db "$HDB" --out "$HO" --data-dir "$D"; expect "the hostile report is written" 0 $?
NAME='<script>alert(1)</script>' CALL="A'&\"B" DEST='"A&B" <x>' NAME3=$(printf 'LINE\342\200\250SEP & CO')
expect "a gap and a call sign change for 219000001" "gap identity_change" \
    "$(jq -r '[.features[].properties | select(.mmsi == 219000001) | .event] | sort | join(" ")' "$HO/findings.geojson")"
expect "report.html has no <script>alert" 0 "$(grep -c '<script>alert' "$HO/report.html")"
expect "report.html has no raw U+2028" 0 "$(grep -c "$(printf '\342\200\250')" "$HO/report.html")"
expect "report.html: the data has no raw < > & (all \\u escapes)" 0 \
    "$(python3 -c 'import re,sys; h=open(sys.argv[1],encoding="utf-8").read(); m=re.search(r"<script id=\"pelorus-data\"[^>]*>(.*?)</script>",h,re.S); print(sum(m.group(1).count(c) for c in "<>&"))' "$HO/report.html")"
data_of "$HO/report.html" >"$T/hdata.json"; expect "the hostile data decodes" 0 $?
V1='.vessels[] | select(.mmsi == 219000001)'
expect "data: the name exactly" "$NAME" "$(jq -r "$V1 | .name" "$T/hdata.json")"
expect "data: the destination exactly" "$DEST" "$(jq -r "$V1 | .destination" "$T/hdata.json")"
expect "data: the first call sign exactly" "$CALL" "$(jq -r "$V1 | .identities[0].callsign" "$T/hdata.json")"
expect "data: the identity change from that call sign" "$CALL" \
    "$(jq -r '.findings[] | select(.event == "identity_change" and .mmsi == 219000001) | .from' "$T/hdata.json")"
expect "data: the U+2028 name exactly" "$NAME3" "$(jq -r '.vessels[] | select(.mmsi == 219000003) | .name' "$T/hdata.json")"
expect "GeoJSON: the name exactly" "$NAME" \
    "$(jq -r '.features[] | select(.properties.event == "gap" and .properties.mmsi == 219000001) | .properties.vessel_name' "$HO/findings.geojson")"
expect "GeoJSON: the call sign exactly" "$CALL" \
    "$(jq -r '.features[] | select(.properties.event == "identity_change" and .properties.mmsi == 219000001) | .properties.from' "$HO/findings.geojson")"
expect "tracks.geojson: the name exactly" "$NAME" \
    "$(jq -r '[.features[] | select(.properties.mmsi == 219000001)][0].properties.name' "$HO/tracks.geojson")"
xmllint --noout "$HO/findings.kml"; expect "the hostile KML is well-formed" 0 $?
expect "KML: no raw <script" 0 "$(grep -c '<script' "$HO/findings.kml")"
KP='//*[local-name()="Placemark"][*[local-name()="ExtendedData"]/*[@name="mmsi"]/*="219000001"]'
# KML texts are HTML-escaped under the XML escaping (Google Earth renders them as HTML)
html() { python3 -c 'import html,sys; print(html.escape(sys.argv[1]).replace("&#x27;", "&#39;"))' "$1"; }
expect "KML: the name read back HTML-escaped" "$(html "$NAME")" \
    "$(xmllint --xpath "string(($KP/*[local-name()=\"ExtendedData\"]/*[@name=\"vessel_name\"]/*)[1])" "$HO/findings.kml")"
expect "KML: the call sign read back HTML-escaped" "$(html "$CALL")" \
    "$(xmllint --xpath "string($KP/*[local-name()=\"ExtendedData\"][*[@name=\"event\"]/*=\"identity_change\"]/*[@name=\"from\"]/*)" "$HO/findings.kml")"
expect "KML: the placemark name" "gap — $(html "$NAME") (219000001)" \
    "$(xmllint --xpath "string($KP[*[local-name()=\"ExtendedData\"]/*[@name=\"event\"]/*=\"gap\"]/*[local-name()=\"name\"])" "$HO/findings.kml")"
expect "CSV: the name quoted, read back exactly" "$NAME" \
    "$(python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1],encoding="utf-8"))); print([x["vessel_name"] for x in r if x["event"]=="gap" and x["mmsi"]=="219000001"][0])' "$HO/findings.csv")"

# ---- the shipped front end, when it is there ----------------------------------------------
if [ -f data/web/report.html ]; then
    "$PEL" report -q --db "$HDB" --out "$T/real" --data-dir data; expect "report with data/web/ exits 0" 0 $?
    data_of "$T/real/report.html" >"$T/rdata.json"; expect "data/web/'s page holds the data" 0 $?
    expect "... the hostile name exactly" "$NAME" "$(jq -r "$V1 | .name" "$T/rdata.json")"
    expect "... no <script>alert" 0 "$(grep -c '<script>alert' "$T/real/report.html")"
    expect "... no marker left" 0 "$(grep -c '<!--PELORUS:' "$T/real/report.html")"
else
    echo "(data/web/report.html absent: the shipped front end is not tested)"
fi

echo "report: $pass passed, $fail failed"
[ $fail = 0 ]
