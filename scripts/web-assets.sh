#!/usr/bin/env bash
# web-assets.sh -- copies the report's third-party front-end files from
# node_modules (installed by `npm ci` from package-lock.json) into
# data/web/vendor/, and writes data/web/licences.json from their LICENSE
# files plus the credits of Pelorus's own data sources.  The copies are
# committed, so `pelorus report` needs no node; this script is only run by a
# person upgrading a package, and by the tests with --check.
#
#   scripts/web-assets.sh           copy (after `npm ci`)
#   scripts/web-assets.sh --check   exit 1 if the committed copies differ
#                                   from node_modules' or from what this
#                                   script would write
#
# Every copied file, and our own report.js, report.css, dossier.js and
# dossier.css, is also checked
# for the byte sequences the C report writer refuses inside a <script> or
# <style> element ("</script", "</style", any case) and for the template's
# own marker "<!--PELORUS:".
set -eu
cd "$(dirname "$0")/.."

check=0
case "${1:-}" in
    --check) check=1 ;;
    "") ;;
    *) echo "usage: scripts/web-assets.sh [--check]" >&2; exit 2 ;;
esac

nm=node_modules
[ -d "$nm" ] || { echo "web-assets: no $nm (run 'npm ci' first)" >&2; exit 1; }
command -v node >/dev/null || { echo "web-assets: node not found" >&2; exit 1; }

# package@version, as pinned in package.json / package-lock.json
for pv in leaflet@1.9.4 topojson-client@3.1.0 world-atlas@2.0.2; do
    p=${pv%@*} v=${pv#*@}
    got=$(node -p "require('./$nm/$p/package.json').version")
    [ "$got" = "$v" ] || { echo "web-assets: $p is $got in $nm, expected $v (run 'npm ci')" >&2; exit 1; }
done

# source in node_modules -> name under data/web/vendor
files="
leaflet/dist/leaflet.js                      leaflet.js
leaflet/dist/leaflet.css                     leaflet.css
leaflet/LICENSE                              LICENSE-leaflet.txt
topojson-client/dist/topojson-client.min.js  topojson-client.min.js
topojson-client/LICENSE                      LICENSE-topojson-client.txt
world-atlas/land-50m.json                    land-50m.json
world-atlas/LICENSE                          LICENSE-world-atlas.txt
"

out=data/web/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/vendor"

echo "$files" | while read -r src dst; do
    [ -n "$src" ] || continue
    cp "$nm/$src" "$work/vendor/$dst"
done

# licences.json: the packages' LICENSE files verbatim, and our data sources
node - "$work/vendor" data/LICENSE-mid-Apache-2.0.txt > "$work/licences.json" <<'EOF'
const fs = require('fs');
const [vendor, midLicence] = process.argv.slice(2);
const read = (f) => fs.readFileSync(f, 'utf8');
const usGov = 'Public domain (work of the U.S. Government, 17 U.S.C. 105)';
const out = [
  { name: 'Leaflet 1.9.4', licence: 'BSD-2-Clause',
    text: read(vendor + '/LICENSE-leaflet.txt') },
  { name: 'Natural Earth (land polygons, 1:50m, version 4.1.0)', licence: 'Public domain',
    text: 'Map data: Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.\n' +
          'Natural Earth puts all its map data in the public domain ' +
          '(https://www.naturalearthdata.com/about/terms-of-use/).\n' +
          'Used here as land-50m.json of world-atlas 2.0.2 (TopoJSON), credited below.\n' },
  { name: 'world-atlas 2.0.2 (Natural Earth as TopoJSON)', licence: 'ISC',
    text: read(vendor + '/LICENSE-world-atlas.txt') },
  { name: 'topojson-client 3.1.0', licence: 'ISC',
    text: read(vendor + '/LICENSE-topojson-client.txt') },
  { name: 'World Port Index (NGA Pub. 150)', licence: usGov,
    text: 'Port names and positions: the World Port Index (Pub. 150) of the U.S. National ' +
          'Geospatial-Intelligence Agency, plus one hand-added port (data/ports.README). ' +
          'No endorsement by NGA is implied.\n' },
  { name: 'OFAC Specially Designated Nationals list', licence: usGov,
    text: 'Default watchlist: the vessel entries of the SDN list and their aliases, published by ' +
          'the U.S. Department of the Treasury, Office of Foreign Assets Control (data/watchlist/README). ' +
          'A snapshot, not a live list.\n' },
  { name: 'MIDs (michaeljfazio/MIDs)', licence: 'Apache-2.0',
    text: 'Countries of Maritime Identification Digits: data/mid.csv, derived (modified) from ' +
          'github.com/michaeljfazio/MIDs by Michael Fazio; the changes are listed in data/mid.README.\n\n' +
          read(midLicence) },
];
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
EOF

bad=0
for f in "$work"/vendor/* "$work/licences.json" data/web/report.js data/web/report.css data/web/dossier.js data/web/dossier.css; do
    if LC_ALL=C grep -qiE '</script|</style|<!--PELORUS:' "$f"; then
        echo "web-assets: $(basename "$f") contains </script, </style or <!--PELORUS: (the report writer refuses it)" >&2
        bad=1
    fi
done
[ $bad = 0 ] || exit 1

if [ $check = 1 ]; then
    rc=0
    for f in "$work"/vendor/*; do
        b=$(basename "$f")
        cmp -s "$f" "$out/$b" || { echo "web-assets: $out/$b differs from node_modules (run scripts/web-assets.sh)" >&2; rc=1; }
    done
    for f in "$out"/*; do
        [ -e "$work/vendor/$(basename "$f")" ] || { echo "web-assets: $f is not a vendored file" >&2; rc=1; }
    done
    cmp -s "$work/licences.json" data/web/licences.json ||
        { echo "web-assets: data/web/licences.json is out of date (run scripts/web-assets.sh)" >&2; rc=1; }
    [ $rc = 0 ] && echo "web-assets: vendored copies match node_modules"
    exit $rc
fi

mkdir -p "$out"
rm -f "$out"/*
cp "$work"/vendor/* "$out"/
cp "$work/licences.json" data/web/licences.json
echo "web-assets: wrote $out ($(ls "$out" | wc -l) files) and data/web/licences.json"
