#!/usr/bin/env bash
# demo.sh -- the main job, on the samples shipped in examples/: installs what
# is missing, builds, then
#   1. decodes the real Danish sample and summarises it;
#   2. scans the synthetic Yellow Sea day: ingest, every detector, findings
#      with their evidence;
#   3. exports the tracks and findings for QGIS and Google Earth.
# Everything it writes goes to build/demo/.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make -s all
out=build/demo
rm -rf "$out"; mkdir -p "$out"
echo "== 1. decode examples/sample.nmea.gz (28 s of the Danish shore network)"
build/pelorus decode --summary --rejects "$out/decode-rejects.tsv" examples/sample.nmea.gz >"$out/messages.jsonl"
echo
echo "== 2. scan examples/yellow_sea_day.nmea (synthetic, with known answers)"
build/pelorus scan --db "$out/pelorus.db" --rejects "$out/ingest-rejects.tsv" --format table \
    examples/yellow_sea_day.nmea | tee "$out/findings.txt"
build/pelorus scan -q --db "$out/pelorus.db" --format jsonl >"$out/findings.jsonl"
build/pelorus scan -q --db "$out/pelorus.db" --format geojson >"$out/findings.geojson"
echo
echo "== 3. one vessel and the tracks"
build/pelorus vessel --db "$out/pelorus.db" 445111000
build/pelorus tracks --db "$out/pelorus.db" --format geojson -o "$out/tracks.geojson"
build/pelorus tracks --db "$out/pelorus.db" --format kml -o "$out/tracks.kml"
echo
echo "written to $out/:"
echo "  findings.jsonl   one finding per line, with the input lines it rests on (docs/findings.md)"
echo "  findings.geojson and tracks.geojson for QGIS; tracks.kml for Google Earth"
echo "  messages.jsonl   the decoded Danish sample; pelorus.db the database (docs/schema.md)"
