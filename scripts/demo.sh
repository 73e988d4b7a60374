#!/usr/bin/env bash
# demo.sh -- the main job, on what examples/ ships: installs what is
# missing, builds, then
#   1. decodes the real Danish sample and summarises it;
#   2. simulates two days in the Yellow Sea with known answers
#      (examples/scenario_small.json);
#   3. scans them: ingest, screening against the scenario's list, every
#      detector, findings with their evidence;
#   4. scores the findings against the truth;
#   5. ranks the vessels by risk, with the reasons;
#   6. writes the evidence report: report.html (opens offline), GeoJSON,
#      KML, CSV.
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
echo "== 2. simulate examples/scenario_small.json (two days, known answers)"
build/pelorus simulate examples/scenario_small.json --out "$out/sim"
echo
echo "== 3. scan the simulated stream"
build/pelorus scan --db "$out/pelorus.db" --watchlist "$out/sim/watchlist.csv" --rejects "$out/ingest-rejects.tsv" \
    --format table "$out/sim/ais.nmea" | tee "$out/findings.txt"
build/pelorus scan -q --db "$out/pelorus.db" --format jsonl >"$out/findings.jsonl"
echo
echo "== 4. the findings scored against the truth"
build/pelorus eval "$out/sim/truth.jsonl" "$out/findings.jsonl"
echo
echo "== 5. vessels by risk"
build/pelorus vessels --rank --db "$out/pelorus.db" --format table --limit 10
echo
echo "== 6. the evidence report"
build/pelorus report --db "$out/pelorus.db" --out "$out/report"
echo
echo "written to $out/:"
echo "  report/report.html   the evidence report: map, ranked vessels, timelines, evidence lines (opens offline)"
echo "  report/findings.geojson, report/tracks.geojson for QGIS; report/findings.kml for Google Earth; report/findings.csv"
echo "  findings.jsonl       one finding per line, with the input lines it rests on (docs/findings.md)"
echo "  sim/                 the simulated stream (ais.nmea), its truth, fleet and watchlist (docs/simulate.md)"
echo "  messages.jsonl       the decoded Danish sample; pelorus.db the database (docs/schema.md)"
echo
echo "open $(pwd)/$out/report/report.html in a browser"
