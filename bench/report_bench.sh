#!/usr/bin/env bash
# report_bench.sh -- the evidence report on a month of a busy area (not a
# test):  bench/report_bench.sh PELORUS
# Simulates bench/scenario_month.json (2,000 background vessels, 30 days),
# scans it, writes the report, and opens report.html in headless Chromium
# (tests/browser/report_check.mjs): how long the report takes to write, how
# big it is, how many track points are drawn (simplified) against those kept
# in tracks.geojson, and how long the page takes to be ready.
set -eu
PEL=${1:?usage: report_bench.sh PELORUS}
cd "$(dirname "$0")/.."
B=build/bench/report
rm -rf "$B"
mkdir -p "$B"
t0=$(date +%s.%N)
"$PEL" simulate -q bench/scenario_month.json --out "$B/sim"
t1=$(date +%s.%N)
"$PEL" scan -q --db "$B/db" --watchlist "$B/sim/watchlist.csv" "$B/sim/ais.nmea" >/dev/null 2>&1
t2=$(date +%s.%N)
/usr/bin/time -f %M "$PEL" report --db "$B/db" --out "$B/report" 2>"$B/report.log"
t3=$(date +%s.%N)
printf '\nreport benchmark: a month, %s lines simulated in %.1f s, scanned in %.1f s\n' \
    "$(wc -l <"$B/sim/ais.nmea")" "$(echo "$t1 - $t0" | bc -l)" "$(echo "$t2 - $t1" | bc -l)"
grep 'pelorus report:' "$B/report.log"
printf 'report written in %.1f s (scan included), peak RSS %s KiB; report.html %s bytes, tracks.geojson %s bytes\n' \
    "$(echo "$t3 - $t2" | bc -l)" "$(tail -1 "$B/report.log")" "$(stat -c %s "$B/report/report.html")" \
    "$(stat -c %s "$B/report/tracks.geojson")"
set -- $(python3 - "$B/report/report.html" <<'PY'
import json, re, sys
h = open(sys.argv[1], encoding="utf-8").read()
d = json.loads(re.search(r'<script[^>]*id="pelorus-data"[^>]*>(.*?)</script>', h, re.S).group(1))
print(sum(1 for f in d["findings"] if f.get("geometry")), len(d["vessels"]))
PY
)
node tests/browser/report_check.mjs "$B/report/report.html" --expect-findings "$1" --expect-vessels "$2" \
    --screenshot "$B/report.png" | grep -E '^(load|drawn|browser):'
printf 'target: a month of a busy area opens in a few seconds\n'
