#!/usr/bin/env bash
# browser_test.sh -- the evidence report in a real browser (Debian's
# headless Chromium, driven by playwright-core from node_modules):
#   1. the vendored map library and coastline equal the pinned npm packages;
#   2. the report of the simulated small scenario, written by `pelorus
#      report`: no console errors, no network request, the map, the land and
#      every finding with a geometry drawn, clicks show details and evidence;
#      a screenshot is saved (build/browser/report.png; docs/report.png is one);
#   3. a report of hostile AIS (a vessel named <script>alert(1)</script>, a
#      destination with quotes and ampersands): shown as text, no script runs;
#   4. a report of names with right-to-left overrides, zero-width and control
#      characters: every one shown as a visible mark (docs/report.md, "Display");
#   5. the case dossier (pelorus report --dossier) of the small scenario's
#      riskiest vessel and of the hostile AIS (tests/browser/dossier_check.mjs):
#      a timeline chart per vessel with its speed path, gap bands and draught,
#      every evidence line with its text, the print styles, and page.pdf()
#      gives a PDF; a screenshot is saved (build/browser/dossier.png;
#      docs/dossier.png is one);
#   6. the dossier of a case (case.html, pelorus case export) of the small
#      scenario and of the hostile AIS, the same checks.
# Prints "browser: N passed, M failed" (the checks of each page are listed by
# tests/browser/report_check.mjs).  Usage: tests/browser_test.sh [BUILD]
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
P=$BUILD/pelorus
O=build/browser
rm -rf "$O"
mkdir -p "$O"
pass=0 fail=0
step() { # description command...
    local d=$1; shift
    if "$@"; then pass=$((pass + 1)); echo "ok browser $d"; else fail=$((fail + 1)); echo "FAIL browser $d"; fi
}
# the number of findings the page must draw: those with a geometry
drawn() {
    python3 - "$1" <<'EOF'
import json, re, sys
h = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script[^>]*id="pelorus-data"[^>]*>(.*?)</script>', h, re.S)
d = json.loads(m.group(1))
print(sum(1 for f in d["findings"] if f.get("geometry")), len(d["vessels"]))
EOF
}

step "node, playwright-core and chromium are installed" \
    test -x /usr/bin/chromium -a -d node_modules/playwright-core
step "vendored assets equal the pinned npm packages" scripts/web-assets.sh --check

# the simulated small scenario, through the whole pipeline
$P simulate -q examples/scenario_small.json --out "$O/sim"
$P scan -q --db "$O/sim.db" --watchlist "$O/sim/watchlist.csv" "$O/sim/ais.nmea" >/dev/null 2>&1
$P report -q --db "$O/sim.db" --out "$O/report"
step "pelorus report wrote report.html" test -s "$O/report/report.html"
read -r nf nv < <(drawn "$O/report/report.html")
step "the small scenario has findings to draw ($nf, $nv vessels)" test "$nf" -ge 8
step "small scenario report in Chromium" \
    node tests/browser/report_check.mjs "$O/report/report.html" --expect-findings "$nf" --expect-vessels "$nv" \
    --screenshot "$O/report.png"
step "a screenshot was saved" test -s "$O/report.png"
step "the CSP lists the hash of every script and no 'unsafe-inline'" python3 tests/tools/csp_check.py "$O/report/report.html"

# hostile text
$P ingest -q --db "$O/hostile.db" tests/data/report/hostile_dma.csv
$P report -q --db "$O/hostile.db" --out "$O/hostile"
read -r nf nv < <(drawn "$O/hostile/report.html")
step "hostile report in Chromium: names shown as text, no script runs" \
    node tests/browser/report_check.mjs "$O/hostile/report.html" --expect-findings "$nf" --expect-vessels "$nv" --xss

# display spoofing: names with bidirectional overrides, zero-width and control
# characters (tests/tools/display_fixture.py) show as visible marks
python3 tests/tools/display_fixture.py "$O/display.csv"
$P ingest -q --db "$O/display.db" "$O/display.csv"
$P report -q --db "$O/display.db" --out "$O/display"
read -r nf nv < <(drawn "$O/display/report.html")
step "display-spoofing report in Chromium: hidden characters shown as marks, never obeyed" \
    node tests/browser/report_check.mjs "$O/display/report.html" --expect-findings "$nf" --expect-vessels "$nv" --display

# the case dossier: the riskiest vessel of the small scenario and its partner
$P report -q --db "$O/sim.db" --vessel 445110001 --dossier "$O/dossier.html" --title "Case 445110001"
step "pelorus report --dossier wrote the dossier" test -s "$O/dossier.html"
step "small scenario dossier in Chromium: charts, evidence, print to PDF" \
    node tests/browser/dossier_check.mjs "$O/dossier.html" --screenshot "$O/dossier.png" --pdf "$O/dossier.pdf"
step "a dossier screenshot and PDF were saved" test -s "$O/dossier.png" -a -s "$O/dossier.pdf"
step "the dossier's CSP lists the hash of its 5 scripts" python3 tests/tools/csp_check.py "$O/dossier.html" 5
# its input gone: every evidence line "(text not available)"
cp "$O/sim/ais.nmea" "$O/gone.nmea"
$P scan -q --db "$O/gone.db" --watchlist "$O/sim/watchlist.csv" "$O/gone.nmea" >/dev/null 2>&1
rm "$O/gone.nmea"
$P report -q --db "$O/gone.db" --vessel 445110001 --dossier "$O/dossier-gone.html"
step "dossier of an input gone in Chromium: every line (text not available)" \
    node tests/browser/dossier_check.mjs "$O/dossier-gone.html" --expect-missing
$P report -q --db "$O/hostile.db" --dossier "$O/dossier-hostile.html"
step "hostile dossier in Chromium: names shown as text, no script runs" \
    node tests/browser/dossier_check.mjs "$O/dossier-hostile.html" --xss

# the dossier inside a case (pelorus case export, docs/case.md): its evidence from the case's own lines
$P case export -q --db "$O/sim.db" --vessel 445110001 --out "$O/case" 2>/dev/null
step "pelorus case export wrote case.html" test -s "$O/case/case.html"
step "a case's case.html in Chromium: charts, evidence lines, print to PDF" \
    node tests/browser/dossier_check.mjs "$O/case/case.html" --pdf "$O/case.pdf"
$P case export -q --db "$O/hostile.db" --vessel 219000001 --vessel 219000003 --vessel 219000009 \
    --title '<script>alert(1)</script> & "case"' --out "$O/case-hostile" 2>/dev/null
step "a hostile case's case.html in Chromium: names shown as text, no script runs" \
    node tests/browser/dossier_check.mjs "$O/case-hostile/case.html" --xss

echo "browser: $pass passed, $fail failed"
[ $fail = 0 ]
