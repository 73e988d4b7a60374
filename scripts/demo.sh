#!/usr/bin/env bash
# demo.sh -- the main job on the sample shipped in examples/: installs what
# is missing, builds, decodes the sample (summary), stores it in a database,
# shows one vessel and exports the tracks for QGIS and Google Earth.
# (The full behaviour scan will take this place when it lands.)
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make -s all
out=build/demo
rm -rf "$out"; mkdir -p "$out"
sample=examples/sample.nmea.gz
echo "== decode: $sample"
build/pelorus decode --summary --rejects "$out/decode-rejects.tsv" "$sample" >"$out/messages.jsonl"
echo
echo "== ingest into $out/pelorus.db"
build/pelorus ingest --db "$out/pelorus.db" --rejects "$out/ingest-rejects.tsv" "$sample"
vessel=$(build/pelorus db-dump --db "$out/pelorus.db" | awk -F'|' '$1 == "vessel" { print $6, $2 }' | sort -rn | head -1 | cut -d' ' -f2)
echo
echo "== the vessel with the most positions: pelorus vessel --db $out/pelorus.db $vessel"
build/pelorus vessel --db "$out/pelorus.db" "$vessel"
echo
echo "== tracks"
build/pelorus tracks --db "$out/pelorus.db" --format geojson -o "$out/tracks.geojson"
build/pelorus tracks --db "$out/pelorus.db" --format kml -o "$out/tracks.kml"
build/pelorus tracks --db "$out/pelorus.db" --format csv -o "$out/tracks.csv"
echo
echo "written:"
echo "  $out/messages.jsonl      decoded messages, one JSON object per line ($(wc -l <"$out/messages.jsonl"))"
echo "  $out/pelorus.db          the database (docs/schema.md)"
echo "  $out/tracks.geojson      tracks for QGIS; tracks.kml for Google Earth; tracks.csv for spreadsheets"
echo "  $out/*-rejects.tsv       every rejected line with its reason"
