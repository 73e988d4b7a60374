#!/usr/bin/env bash
# export_validate.sh BUILD_DIR -- the track export read back by real
# parsers.  unit_export --write produces sample.{geojson,csv,kml} (four
# vessels: a track with skipped positions, a lone outlier and unsegmented
# positions; parallel segments; the antimeridian; a hostile name) and
# empty.{geojson,csv,kml}; then:
#   GeoJSON  jq parses it; RFC 7946 structure (FeatureCollection, Features,
#            Point/LineString/MultiLineString/null, positions [lon,lat] in
#            range, LineStrings of 2+ positions, "points" = vertices drawn);
#            iconv checks it is UTF-8
#   KML      xmllint parses it (well-formed, UTF-8); with XPath: the KML 2.2
#            namespace, Folders/Placemarks/LineStrings/Points counted, the
#            hostile name read back intact, every coordinate tuple in range
#   CSV      a quote-aware awk reader: 15 fields on every row, RFC 4180
#            quoting, lat/lon empty or in range, the hostile name read back
#   across   per MMSI, GeoJSON points+skipped = CSV rows; the KML tuples are
#            the CSV positions that have a segment and both coordinates
# Needs jq, xmllint (libxml2-utils), iconv and awk.  Prints
# "export-validate: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
UNIT=$BUILD/tests/unit_export
T=$BUILD/export-validate
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok export $1"; }
bad() { fail=$((fail + 1)); echo "FAIL export $1"; }
expect() { # name expected actual
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi
}
finish() {
    echo "export-validate: $pass passed, $fail failed"
    [ $fail = 0 ]
    exit
}

for tool in jq xmllint iconv awk; do
    if command -v $tool >/dev/null; then ok "tool $tool"; else bad "tool $tool is missing"; fi
done
[ $fail = 0 ] || finish
if "$UNIT" --write "$T"; then ok "unit_export --write"; else bad "unit_export --write"; finish; fi

# a coordinate with six decimals (mawk has no {6})
D6='^-?[0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9]$'
# the exact name in GeoJSON (its \u0001 read back as the byte), its display
# form in KML and CSV (util/display.h: the control shown as a mark)
HOSTILE=$'<script>alert("x")</script> & \'Co\'\x01'
HOSTILE_SHOWN=$'<script>alert("x")</script> & \'Co\'\xE2\x9F\xA8U+0001\xE2\x9F\xA9'
KML_NS=http://www.opengis.net/kml/2.2

# ---- GeoJSON ---------------------------------------------------------------
# Prints one line per problem; nothing when the document is valid.
GEOJSON_CHECK='
def pos_ok: type == "array" and length == 2 and all(.[]; type == "number")
    and .[0] >= -180 and .[0] <= 180 and .[1] >= -90 and .[1] <= 90;
def line_ok: type == "array" and length >= 2 and all(.[]; pos_ok);
def vertices:
    if .type == "Point" then 1
    elif .type == "LineString" then (.coordinates | length)
    else (.coordinates | map(length) | add) - 2 * ((.coordinates | length) - 1) end;
def geometry_ok:
    if . == null then true
    elif .type == "Point" then (.coordinates | pos_ok)
    elif .type == "LineString" then (.coordinates | line_ok)
    elif .type == "MultiLineString" then (.coordinates | type == "array" and length >= 2 and all(.[]; line_ok))
    else false end;
if .type != "FeatureCollection" or (.features | type) != "array" then "not a FeatureCollection"
else
    .features | to_entries[] | .key as $i | .value as $f | $f.properties as $p |
    (if $f.type != "Feature" then "feature \($i): type" else empty end),
    (if ($p | type) != "object" then "feature \($i): properties" else empty end),
    (if ($p.mmsi | type) != "number" then "feature \($i): mmsi" else empty end),
    (if ($p.name | type) != "string" and $p.name != null then "feature \($i): name" else empty end),
    (if ($p.segment | type) != "number" and $p.segment != null then "feature \($i): segment" else empty end),
    (if ($p.points | type) != "number" or ($p.skipped | type) != "number" or $p.points + $p.skipped < 1
        then "feature \($i): points/skipped" else empty end),
    (if ($p.flags | type) != "string" or ($p.flagged | type) != "number" then "feature \($i): flags" else empty end),
    (if ($p.start == null) != ($p.end == null) or ($p.start != null and $p.start > $p.end)
        then "feature \($i): start/end" else empty end),
    (if ($f.geometry | geometry_ok) | not then "feature \($i): geometry" else empty end),
    (if $f.geometry == null and $p.points != 0 then "feature \($i): points without geometry" else empty end),
    (if $f.geometry != null and ($f.geometry | geometry_ok) and ($f.geometry | vertices) != $p.points
        then "feature \($i): points != vertices" else empty end)
end'

parsed=yes
for doc in sample empty; do
    f=$T/$doc.geojson
    if iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1; then ok "$doc.geojson is UTF-8"; else bad "$doc.geojson is not UTF-8"; fi
    if jq empty "$f" 2>"$T/jq.err"; then
        ok "$doc.geojson parses"
        problems=$(jq -r "$GEOJSON_CHECK" "$f" 2>&1)
        expect "$doc.geojson is RFC 7946 as we use it" "" "$problems"
    else
        bad "$doc.geojson: $(head -3 "$T/jq.err")"
        parsed=no
    fi
done
f=$T/sample.geojson
if [ $parsed = yes ]; then
expect "geojson: features" 8 "$(jq '.features | length' "$f")"
expect "geojson: geometry types" 'LineString=4 MultiLineString=1 Point=2 null=1' \
    "$(jq -r '[.features[].geometry | if . == null then "null" else .type end] | group_by(.)
              | map("\(.[0])=\(length)") | join(" ")' "$f")"
expect "geojson: parallel segments stay apart" '0 1 2' \
    "$(jq -r '[.features[] | select(.properties.mmsi == 987654321) | .properties.segment] | map(tostring) | join(" ")' "$f")"
expect "geojson: hostile name read back" "$HOSTILE" \
    "$(jq -r '.features[] | select(.properties.mmsi == 222222222) | .properties.name' "$f")"
expect "geojson: unnamed vessel" null "$(jq -c '[.features[] | select(.properties.mmsi == 987654321) | .properties.name] | unique | .[0]' "$f")"
expect "geojson: antimeridian cut" '[[179.9,10],[180,10.1]] [[-180,10.1],[-179.9,10.2],[-179.8,10.3]]' \
    "$(jq -c '.features[] | select(.properties.mmsi == 111111111) | .geometry.coordinates[]' "$f" | tr '\n' ' ' | sed 's/ $//')"
expect "geojson: empty collection" '[]' "$(jq -c '.features' "$T/empty.geojson")"
fi

# ---- KML -------------------------------------------------------------------
xp() { # file xpath
    xmllint --xpath "$2" "$1" 2>/dev/null
}
el() { # element name -> XPath step ignoring the namespace prefix
    echo "*[local-name()=\"$1\"]"
}
parsed=yes
for doc in sample empty; do
    f=$T/$doc.kml
    if xmllint --noout "$f" 2>"$T/xml.err"; then
        ok "$doc.kml is well-formed XML"
        expect "$doc.kml: root is kml in the KML 2.2 namespace" "kml $KML_NS" \
            "$(xp "$f" 'local-name(/*)') $(xp "$f" 'namespace-uri(/*)')"
        expect "$doc.kml: one Document" 1 "$(xp "$f" "count(/$(el kml)/$(el Document))")"
    else
        bad "$doc.kml: $(head -3 "$T/xml.err")"
        parsed=no
    fi
done
f=$T/sample.kml
: >"$T/kml.tuples"
if [ $parsed = yes ]; then
D="/$(el kml)/$(el Document)"
expect "kml: a Folder per vessel" 4 "$(xp "$f" "count($D/$(el Folder))")"
expect "kml: a Placemark per group" 8 "$(xp "$f" "count($D/$(el Folder)/$(el Placemark))")"
expect "kml: LineStrings" 5 "$(xp "$f" "count(//$(el Placemark)/$(el LineString))")"
expect "kml: Points" 2 "$(xp "$f" "count(//$(el Placemark)/$(el Point))")"
expect "kml: a Placemark without geometry" 1 \
    "$(xp "$f" "count(//$(el Placemark)[not($(el LineString) or $(el Point))])")"
expect "kml: TimeSpans" 8 "$(xp "$f" "count(//$(el Placemark)/$(el TimeSpan)[$(el begin) and $(el end)])")"
expect "kml: hostile name read back" "$HOSTILE_SHOWN (222222222)" "$(xp "$f" "string($D/$(el Folder)[4]/$(el name))")"
expect "kml: unnamed vessel is its MMSI" 987654321 "$(xp "$f" "string($D/$(el Folder)[2]/$(el name))")"
expect "kml: the name appears once" 1 "$(xp "$f" "count(//text()[contains(., 'script')])")"
expect "kml: ExtendedData" 64 "$(xp "$f" "count(//$(el ExtendedData)/$(el Data)/$(el value))")"
expect "kml: empty document has no Folder" 0 "$(xp "$T/empty.kml" "count(//$(el Folder))")"
# every coordinate tuple is lon,lat,0 in range; the tuples, one per line, to $T/kml.tuples
n=$(xp "$f" "count(//$(el coordinates))")
for i in $(seq 1 "$n"); do
    xp "$f" "string((//$(el coordinates))[$i])" | tr ' ' '\n' >>"$T/kml.tuples"
    echo >>"$T/kml.tuples"
done
sed -i '/^$/d' "$T/kml.tuples"
outside=$(awk -F, -v d6="$D6" 'NF != 3 || $3 != "0" || $1 !~ d6 || $2 !~ d6 ||
                                $1 + 0 < -180 || $1 + 0 > 180 || $2 + 0 < -90 || $2 + 0 > 90' "$T/kml.tuples")
expect "kml: coordinates lon,lat,0 in range" "" "$outside"
expect "kml: coordinate tuples" 14 "$(wc -l <"$T/kml.tuples" | tr -d ' ')"
fi

# ---- CSV -------------------------------------------------------------------
# csv.awk: RFC 4180 fields of one line into f[1..n]; -1 when malformed.
CSV_AWK='
function csvsplit(line, f,    n, i, c, q, cur, L) {
    split("", f); n = 0; cur = ""; q = 0; i = 1; L = length(line)
    while (i <= L) {
        c = substr(line, i, 1)
        if (q) {
            if (c == "\"") {
                if (substr(line, i + 1, 1) == "\"") { cur = cur "\""; i += 2; continue }
                q = 0; i++
                if (i <= L && substr(line, i, 1) != ",") return -1
                continue
            }
            cur = cur c; i++; continue
        }
        if (c == ",") { f[++n] = cur; cur = ""; i++; continue }
        if (c == "\"") { if (cur != "") return -1; q = 1; i++; continue }
        cur = cur c; i++
    }
    if (q) return -1
    f[++n] = cur
    return n
}'
HEADER='mmsi,name,time,lat,lon,speed,course,heading,status,type,segment,flags,input,source,line'
for doc in sample empty; do
    f=$T/$doc.csv
    if iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1; then ok "$doc.csv is UTF-8"; else bad "$doc.csv is not UTF-8"; fi
    expect "$doc.csv: header" "$HEADER" "$(head -1 "$f")"
    problems=$(awk -v d6="$D6" "$CSV_AWK"'
        { n = csvsplit($0, f) }
        n != 15 { print NR ": " n " fields"; next }
        NR > 1 && f[4] != "" && (f[4] !~ d6 || f[4] + 0 < -90 || f[4] + 0 > 90) { print NR ": lat " f[4] }
        NR > 1 && f[5] != "" && (f[5] !~ d6 || f[5] + 0 < -180 || f[5] + 0 > 180) { print NR ": lon " f[5] }
        NR > 1 && f[1] !~ /^[0-9]+$/ { print NR ": mmsi " f[1] }' "$f")
    expect "$doc.csv: 15 fields a row, coordinates in range" "" "$problems"
done
f=$T/sample.csv
expect "csv: a row per position" 16 "$(($(wc -l <"$f") - 1))"
expect "csv: hostile name read back" "$HOSTILE_SHOWN" \
    "$(awk "$CSV_AWK"' { csvsplit($0, f) } f[1] == "222222222" { print f[2] }' "$f")"
expect "csv: absent coordinates are empty fields" 2 \
    "$(awk "$CSV_AWK"' NR > 1 { csvsplit($0, f); if (f[4] == "" || f[5] == "") k++ } END { print k + 0 }' "$f")"

# ---- across formats --------------------------------------------------------
expect "across: GeoJSON points+skipped = CSV rows, per MMSI" \
    "$(awk "$CSV_AWK"' NR > 1 { csvsplit($0, f); k[f[1]]++ } END { for (m in k) print m, k[m] }' "$f" | sort)" \
    "$(jq -r '.features[] | "\(.properties.mmsi) \(.properties.points + .properties.skipped)"' "$T/sample.geojson" 2>/dev/null |
        awk '{ k[$1] += $2 } END { for (m in k) print m, k[m] }' | sort)"
expect "across: KML tuples = CSV positions with a segment and coordinates" \
    "$(awk "$CSV_AWK"' NR > 1 { csvsplit($0, f) } NR > 1 && f[11] != "" && f[4] != "" && f[5] != "" && f[12] !~ /bad_coord/ {
            print f[5] "," f[4] ",0" }' "$f" | sort)" \
    "$(sort "$T/kml.tuples")"

finish
