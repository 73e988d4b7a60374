#!/usr/bin/env bash
# dossier_test.sh -- pelorus report --dossier end to end (docs/report.md,
# "Dossier"): the dossier of the simulated small scenario for one vessel --
# its data JSON parsed, the timeline series of the vessel and its partner
# held to the store (speeds as `pelorus tracks` lists the positions,
# draught spans as the voyages table holds them), every evidence line's
# text equal to that line of the input file (sed -n Np), byte-identical
# reruns, a gzip input read through zlib, an input file gone (text null,
# "(text not available)" on the page) or cut short (the lines past its end
# null), the period filter, hostile names and titles escaped, and the
# command line's errors.  The page in a browser is tests/browser_test.sh's.
# Usage: tests/dossier_test.sh [BUILD]  (default build).  Prints
# "dossier: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
PEL=$BUILD/pelorus
T=$BUILD/dossier-test
rm -rf "$T"
mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok dossier $1"; }
bad() { fail=$((fail + 1)); echo "FAIL dossier $1"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi; }

# the data JSON of a dossier, compact, on standard output (exit 1 if absent)
data_of() {
    python3 - "$1" <<'EOF'
import json, re, sys
h = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script id="pelorus-data"[^>]*>(.*?)</script>', h, re.S)
if not m:
    sys.exit(1)
print(json.dumps(json.loads(m.group(1)), ensure_ascii=False))
EOF
}
# a python expression over the data d of dossier $1
q() {
    python3 - "$1" "$2" <<'EOF'
import json, re, sys
h = open(sys.argv[1], encoding="utf-8").read()
d = json.loads(re.search(r'<script id="pelorus-data"[^>]*>(.*?)</script>', h, re.S).group(1))
v = eval(sys.argv[2])
print(v if not isinstance(v, (list, dict)) else json.dumps(v))
EOF
}

# ---- the simulated small scenario ---------------------------------------------
S=$T/sim
"$PEL" simulate -q examples/scenario_small.json --out "$S"
"$PEL" scan -q --db "$T/sim.db" --watchlist "$S/watchlist.csv" "$S/ais.nmea" >/dev/null 2>&1
V=445110001 # KUMGANG STAR: designated, an encounter, a gap, a port visit
"$PEL" report -q --db "$T/sim.db" --vessel $V --dossier "$T/d.html" --title "Case $V"
expect "report --dossier exits 0" 0 $?
[ -s "$T/d.html" ] && ok "the dossier was written" || bad "no dossier"
data_of "$T/d.html" >"$T/d.json" && ok "its data JSON parses" || bad "its data JSON does not parse"
expect "no other file beside it" "d.html d.json" "$(cd "$T" && ls d.* | tr '\n' ' ' | sed 's/ $//')"
expect "the title" "Case $V|Case $V" "$(q "$T/d.html" 'd["title"] + "|" + d["dossier"]["title"]')"
expect "the vessel and its encounter partner" "[445110001, 412400007]" "$(q "$T/d.html" '[v["mmsi"] for v in d["vessels"]]')"
expect "a series per vessel, in the ranking's order" "[445110001, 412400007]" \
    "$(q "$T/d.html" '[v["mmsi"] for v in d["dossier"]["vessels"]]')"
for m in 445110001 412400007; do
    # speeds: every position with a speed (the scenario is under RPT_SPEED_MAX, nothing thinned)
    want=$("$PEL" tracks --db "$T/sim.db" --mmsi $m --format csv 2>/dev/null | awk -F, 'NR > 1 && $6 != "" { n++ } END { print n + 0 }')
    got=$(q "$T/d.html" "len([v for v in d['dossier']['vessels'] if v['mmsi'] == $m][0]['speed'])")
    [ "$want" -gt 0 ] && expect "$m: a speed point per position with a speed ($want)" "$want" "$got" ||
        bad "$m: no positions with a speed"
    want=$("$PEL" tracks --db "$T/sim.db" --mmsi $m --format csv 2>/dev/null |
        python3 -c 'import csv, sys, datetime, json
r = [x for x in csv.DictReader(sys.stdin) if x["speed"] != ""]
print(json.dumps([[int(datetime.datetime.strptime(x["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()), float(x["speed"])] for x in r]))')
    got=$(q "$T/d.html" "[v for v in d['dossier']['vessels'] if v['mmsi'] == $m][0]['speed']")
    expect "$m: the speed series is the positions' times and speeds" "$want" "$got"
    want=$(sqlite3 "$T/sim.db" "SELECT count(*) FROM voyages WHERE mmsi = $m AND draught_dm >= 0")
    got=$(q "$T/d.html" "len([v for v in d['dossier']['vessels'] if v['mmsi'] == $m][0]['draught'])")
    [ "$want" -gt 0 ] && expect "$m: a draught span per voyage row with a draught ($want)" "$want" "$got" ||
        bad "$m: no voyage rows with a draught"
    want=$(sqlite3 -separator , "$T/sim.db" "SELECT first_ms / 1000, last_ms / 1000, draught_dm FROM voyages
        WHERE mmsi = $m AND draught_dm >= 0 ORDER BY first_ms, destination, draught_dm, eta" | md5sum)
    got=$(q "$T/d.html" "'\n'.join('%d,%d,%d' % (a, b, round(m * 10)) for a, b, m in [v for v in d['dossier']['vessels'] if v['mmsi'] == $m][0]['draught'])" | md5sum)
    expect "$m: the draught spans are the voyage rows (first, last, metres)" "$want" "$got"
done
expect "the vessel's findings: a gap, an encounter, a port visit, a list match" "True" \
    "$(q "$T/d.html" 'set(["gap", "encounter", "port_visit", "watchlist_match"]) <= set(f["event"] for f in d["findings"])')"

# every evidence line carries the exact text of that line of its input file
q "$T/d.html" '"\n".join("%s\t%d\t%s" % (e["file"], e["line"], json.dumps(e["text"])) for f in d["findings"] for e in f["evidence"])' >"$T/ev.tsv"
n=0 same=0 diff=0
while IFS=$'\t' read -r file line text; do
    n=$((n + 1))
    want=$(sed -n "${line}p" "$file" | python3 -c 'import sys, json; print(json.dumps(sys.stdin.buffer.read().decode("utf-8", "replace").rstrip("\n").rstrip("\r")))')
    if [ "$want" = "$text" ]; then same=$((same + 1)); else diff=$((diff + 1)); [ $diff -le 3 ] && echo "  $file:$line: [$text] != [$want]"; fi
done <"$T/ev.tsv"
[ $n -gt 20 ] && ok "$n evidence lines in the dossier" || bad "only $n evidence lines"
expect "every evidence line's text is that line of the file (sed -n Np)" "$n 0" "$same $diff"
expect "the count of lines and of texts" "$n $n" "$(q "$T/d.html" 'd["dossier"]["evidence_lines"]') $(q "$T/d.html" 'd["dossier"]["evidence_texts"]')"
expect "an evidence entry is {file, line, text}" '["file", "line", "text"]' "$(q "$T/d.html" 'sorted(d["findings"][0]["evidence"][0])')"

# byte-identical reruns
"$PEL" report -q --db "$T/sim.db" --vessel $V --dossier "$T/d2.html" --title "Case $V"
cmp -s "$T/d.html" "$T/d2.html" && ok "the same command twice gives the same bytes" || bad "two runs differ"

# the report and the dossier see the same vessels and findings
"$PEL" report -q --db "$T/sim.db" --vessel $V --out "$T/rep"
expect "the dossier's vessels, findings and ports are the report's" \
    "$(data_of "$T/rep/report.html" | python3 -c 'import json,sys; d=json.load(sys.stdin); [e.pop("text", 0) for f in d["findings"] for e in f["evidence"]]; print(json.dumps([d["vessels"], d["findings"], d["tracks"], d["ports"]]))' | md5sum)" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [e.pop("text") for f in d["findings"] for e in f["evidence"]]; print(json.dumps([d["vessels"], d["findings"], d["tracks"], d["ports"]]))' "$T/d.json" | md5sum)"

# ---- the period --------------------------------------------------------------------
"$PEL" report -q --db "$T/sim.db" --vessel $V --from 2024-03-01T12:00:00Z --to 2024-03-02T00:00:00Z --dossier "$T/p.html"
expect "--from/--to: every speed point within the period" "True" \
    "$(q "$T/p.html" 'all(1709294400 <= p[0] <= 1709337600 for v in d["dossier"]["vessels"] for p in v["speed"]) and len(d["dossier"]["vessels"][0]["speed"]) > 0')"
expect "--from/--to: every draught span overlaps the period" "True" \
    "$(q "$T/p.html" 'all(s[1] >= 1709294400 and s[0] <= 1709337600 for v in d["dossier"]["vessels"] for s in v["draught"])')"

# ---- a gzip input, an input gone, an input cut short -------------------------------
mkdir -p "$T/in"
gzip -c "$S/ais.nmea" >"$T/in/ais.nmea.gz"
"$PEL" scan -q --db "$T/gz.db" --watchlist "$S/watchlist.csv" "$T/in/ais.nmea.gz" >/dev/null 2>&1
"$PEL" report -q --db "$T/gz.db" --vessel $V --dossier "$T/gz.html"
q "$T/gz.html" '"\n".join("%d\t%s" % (e["line"], json.dumps(e["text"])) for f in d["findings"] for e in f["evidence"])' >"$T/gz.tsv"
n=0 same=0
while IFS=$'\t' read -r line text; do
    n=$((n + 1))
    want=$(zcat "$T/in/ais.nmea.gz" | sed -n "${line}p" | python3 -c 'import sys, json; print(json.dumps(sys.stdin.read().rstrip("\n")))')
    [ "$want" = "$text" ] && same=$((same + 1))
done <"$T/gz.tsv"
[ $n -gt 20 ] && expect "a gzip input: every evidence line's text, decompressed ($n)" "$n" "$same" || bad "gzip: only $n lines"
expect "a gzip input: the evidence file is the .gz" "True" "$(q "$T/gz.html" 'all(e["file"].endswith(".gz") for f in d["findings"] for e in f["evidence"])')"

cp "$S/ais.nmea" "$T/in/gone.nmea"
"$PEL" scan -q --db "$T/gone.db" --watchlist "$S/watchlist.csv" "$T/in/gone.nmea" >/dev/null 2>&1
rm "$T/in/gone.nmea"
"$PEL" report -q --db "$T/gone.db" --vessel $V --dossier "$T/gone.html"
expect "an input gone: the dossier is written all the same" 0 $?
expect "an input gone: every text null" "True 0" \
    "$(q "$T/gone.html" 'all(e["text"] is None for f in d["findings"] for e in f["evidence"]) and len(d["findings"]) > 0') $(q "$T/gone.html" 'd["dossier"]["evidence_texts"]')"

head -n 2000 "$S/ais.nmea" >"$T/in/short.nmea"
cp "$S/ais.nmea" "$T/in/full.nmea"
"$PEL" scan -q --db "$T/short.db" --watchlist "$S/watchlist.csv" "$T/in/full.nmea" >/dev/null 2>&1
mv "$T/in/short.nmea" "$T/in/full.nmea" # the input cut to its first 2000 lines
"$PEL" report -q --db "$T/short.db" --vessel $V --dossier "$T/short.html"
expect "an input cut short: lines past its end null, the others their text" "True True" \
    "$(q "$T/short.html" 'all(e["text"] is None for f in d["findings"] for e in f["evidence"] if e["line"] > 2000) and any(e["line"] > 2000 for f in d["findings"] for e in f["evidence"])') $(q "$T/short.html" 'all(e["text"] is not None for f in d["findings"] for e in f["evidence"] if e["line"] <= 2000) and any(e["line"] <= 2000 for f in d["findings"] for e in f["evidence"])')"

# ---- hostile names and titles ------------------------------------------------------
"$PEL" ingest -q --db "$T/hostile.db" tests/data/report/hostile_dma.csv
"$PEL" report -q --db "$T/hostile.db" --dossier "$T/hostile.html" --title '</script><script>alert(2)</script>'
expect "hostile: written" 0 $?
expect "hostile: no <script>alert in the page" 0 "$(grep -c '<script>alert' "$T/hostile.html")"
expect "hostile: the title and the name read back exactly" "</script><script>alert(2)</script> True" \
    "$(q "$T/hostile.html" 'd["title"]') $(q "$T/hostile.html" 'any(v["name"] == "<script>alert(1)</script>" for v in d["vessels"])')"
expect "hostile: the evidence texts read back exactly" "True" \
    "$(q "$T/hostile.html" 'all(e["text"] == open(e["file"], encoding="utf-8").read().split("\n")[e["line"] - 1].rstrip("\r") for f in d["findings"] for e in f["evidence"]) and sum(len(f["evidence"]) for f in d["findings"]) > 0')"
python3 tests/tools/csp_check.py "$T/hostile.html" 5 >/dev/null && ok "hostile: the CSP hashes the 5 scripts" || bad "hostile: CSP"

# ---- the command line ----------------------------------------------------------------
"$PEL" report -q --db "$T/sim.db" --out "$T/x" --dossier "$T/x.html" 2>"$T/err"
expect "--out with --dossier: exit 2" "2 1" "$? $(grep -c 'do not go together' "$T/err")"
"$PEL" report -q --db "$T/sim.db" --out "$T/x" --title T 2>"$T/err"
expect "--title without --dossier: exit 2" "2 1" "$? $(grep -c 'goes with --dossier' "$T/err")"
"$PEL" report -q --db "$T/sim.db" --dossier "$T/no/such/dir/d.html" 2>"$T/err"
expect "a dossier in a missing directory: exit 1, named" "1 1" "$? $(grep -c "$T/no/such/dir" "$T/err")"
ln -s "$T/target" "$T/link.html"
"$PEL" report -q --db "$T/sim.db" --dossier "$T/link.html" 2>"$T/err"
expect "a symbolic link at the name: refused, nothing written through it" "1 1 no" \
    "$? $(grep -c 'symbolic link' "$T/err") $([ -e "$T/target" ] && echo yes || echo no)"
"$PEL" report --help | grep -q -- '--dossier FILE' && ok "--help tells of --dossier" || bad "--help"
"$PEL" report --db "$T/sim.db" --vessel $V --dossier "$T/s.html" 2>"$T/err"
expect "the summary names the file" 1 "$(grep -c "$T/s.html: 2 vessels" "$T/err")"

echo "dossier: $pass passed, $fail failed"
[ $fail = 0 ]
