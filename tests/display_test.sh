#!/usr/bin/env bash
# display_test.sh -- display spoofing (issue 17, item 8; reproducer
# 17_rtl_name_in_report.sh): names, call signs and destinations carrying
# bidirectional overrides, zero-width and invisible characters, controls and
# a terminal escape (tests/tools/display_fixture.py) are
#   - shown as visible marks "⟨U+202E⟩" and never as themselves in every
#     display: the tables and CSV of vessels, vessels --rank, scan, screen,
#     vessel, tracks' CSV and KML, the report's findings.csv, findings.kml and
#     report.html (whose bytes carry none of them: the data JSON has \u
#     escapes, report.js shows marks; tests/browser_test.sh checks the page);
#   - kept exactly in every JSON output (read back with a JSON parser);
#   - matched by screening on the text as received ("RATS KCALB", not the
#     "BLACK STAR" it displays as);
# and the policy's table is the same in src/util/display.c and
# data/web/report.js.  Prints "display: N passed, M failed".
# Usage: tests/display_test.sh [BUILD]
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
PEL=$BUILD/pelorus
T=$BUILD/display-test
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok display $1"; }
bad() { fail=$((fail + 1)); echo "FAIL display $1"; }

python3 tests/tools/display_fixture.py "$T/hostile.csv"
python3 tests/tools/display_fixture.py --names >"$T/names.json"
DB=$T/d.db
"$PEL" ingest -q --db "$DB" "$T/hostile.csv" || bad "the fixture ingests"
printf 'name,imo,mmsi,flag,program,source,listed_on\nRATS KCALB,,,,TEST,test,\nBLACK STAR,,,,TEST,test,\nABCDEF,,,,TEST,test,\n' >"$T/wl.csv"
"$PEL" watchlist import --db "$DB" "$T/wl.csv" 2>/dev/null || bad "the watchlist imports"

# ---- the outputs ----------------------------------------------------------------------
run() { # file args...: the command's standard output into $T/file
    local f=$1; shift
    "$PEL" "$@" >"$T/$f" 2>"$T/$f.err" || bad "pelorus $*: exit $? ($(head -c 200 "$T/$f.err"))"
}
run vessels.table vessels --db "$DB" --format table
run vessels.csv vessels --db "$DB" --format csv
run vessels.jsonl vessels --db "$DB" --format jsonl
run rank.table vessels --rank --db "$DB" --format table
run rank.csv vessels --rank --db "$DB" --format csv
run rank.jsonl vessels --rank --db "$DB" --format jsonl
run scan.table scan -q --db "$DB" --format table
run scan.csv scan -q --db "$DB" --format csv
run scan.jsonl scan -q --db "$DB" --format jsonl
run scan.geojson scan -q --db "$DB" --format geojson
run screen.table screen --db "$DB" --format table
run screen.csv screen --db "$DB" --format csv
run screen.jsonl screen --db "$DB" --format jsonl
run vessel.txt vessel --db "$DB" 219000011
run vessel15.txt vessel --db "$DB" 219000015
run tracks.csv tracks --db "$DB" --format csv
run tracks.kml tracks --db "$DB" --format kml
run tracks.geojson tracks --db "$DB" --format geojson
"$PEL" report -q --db "$DB" --out "$T/rep" || bad "report"
for f in report.html findings.csv findings.kml findings.geojson tracks.geojson; do cp "$T/rep/$f" "$T/rep.$f"; done

# ---- the checks, in python: the hidden set is read from src/util/display.c ------------------
python3 - "$T" >"$T/python.out" <<'EOF'
import json, re, sys
T = sys.argv[1]
src = open("src/util/display.c", encoding="utf-8").read()
table = src[src.index("hidden[][2] = {"):src.index("};", src.index("hidden[][2] = {"))]
ranges = [(int(a, 16), int(b, 16)) for a, b in re.findall(r"\{0x([0-9A-Fa-f]+), 0x([0-9A-Fa-f]+)\}", table)]
def hidden(c):
    return any(a <= ord(c) <= b for a, b in ranges)
names = json.load(open(T + "/names.json", encoding="utf-8"))
texts = [v for m in names.values() for v in m.values()]
npass = nfail = 0
def check(ok, what):
    global npass, nfail
    if ok:
        npass += 1
        print("ok display " + what)
    else:
        nfail += 1
        print("FAIL display " + what)
def mark(c):
    return "\u27e8U+%04X\u27e9" % ord(c)
def shown(s):
    return "".join(mark(c) if hidden(c) else c for c in s)
checked = set()
def read(f):
    b = open(T + "/" + f, "rb").read()
    try:
        s = b.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        s, valid = b.decode("utf-8", errors="replace"), False
    if f not in checked:
        checked.add(f)
        check(valid, "%s is valid UTF-8 (no character cut in half)" % f)
    return s

# 1. displays: no hidden character but line ends (and the tab of KML's
#    indentation, none here); the marks of the reproducer's override
for f in ["vessels.table", "vessels.csv", "rank.table", "rank.csv", "scan.table", "scan.csv", "screen.table",
          "screen.csv", "vessel.txt", "vessel15.txt", "tracks.csv", "tracks.kml", "rep.findings.csv",
          "rep.findings.kml"]:
    s = read(f)
    bad = sorted({"U+%04X" % ord(c) for c in s if hidden(c) and c != "\n"})
    check(not bad, "%s: no hidden character shown as itself %s" % (f, bad))
    if f not in ("screen.table", "vessel15.txt"):  # (the table cuts the details at 100 characters)
        check(mark("\u202e") in s, "%s: the override is shown as %s" % (f, mark("\u202e")))
# whole display forms where the output has room for them
for f, t in [("vessels.csv", names["219000011"]["name"]), ("rank.csv", names["219000012"]["name"]),
             ("tracks.csv", names["219000013"]["name"]), ("rep.findings.csv", names["219000014"]["name"]),
             ("vessel.txt", names["219000011"]["callsign"]), ("vessel.txt", names["219000011"]["destination"]),
             ("scan.csv", names["219000014"]["name"].replace('"', '""')), ("tracks.kml", names["219000012"]["name"])]:
    check(shown(t) in read(f), "%s shows %r as %s" % (f, t, shown(t)))
check("\x1b" not in read("vessel15.txt") and "\u27e8U+001B\u27e9[2J" in read("vessel15.txt"),
      "vessel: the terminal escape is shown, not sent to the terminal")

# 2. JSON outputs: no hidden byte, and the exact text read back
def strings(o):
    if isinstance(o, str):
        yield o
    elif isinstance(o, dict):
        for k, v in o.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(o, list):
        for v in o:
            yield from strings(v)
for f, lines in [("vessels.jsonl", True), ("rank.jsonl", True), ("scan.jsonl", True), ("screen.jsonl", True),
                 ("scan.geojson", False), ("tracks.geojson", False), ("rep.findings.geojson", False),
                 ("rep.tracks.geojson", False)]:
    s = read(f)
    bad = sorted({"U+%04X" % ord(c) for c in s if hidden(c) and c != "\n"})
    check(not bad, "%s: hidden characters only as \\u escapes %s" % (f, bad))
    try:
        docs = [json.loads(l) for l in s.split("\n") if l] if lines else [json.loads(s)]
    except ValueError as e:
        check(False, "%s parses as JSON: %s" % (f, e))
        continue
    got = set(x for d in docs for x in strings(d))
    check(any(names["219000011"]["name"] == g or names["219000011"]["name"] in g for g in got),
          "%s: the override name read back exactly" % f)
    if f in ("vessels.jsonl", "tracks.geojson", "rep.tracks.geojson"):
        for m, v in names.items():
            check(v["name"] in got, "%s: %s's name exact" % (f, m))
    if f == "scan.jsonl":
        for m, v in names.items():
            check(v["name"] in got and v["callsign"] in got, "%s: %s's name and call sign exact" % (f, m))
# the report's page: no hidden character of the fixture anywhere in its bytes,
# none at all in its data JSON, which parses to the exact texts
h = read("rep.report.html")
fixture_chars = {c for t in texts for c in t if hidden(c) and c not in "\n\t"}
raw = sorted("U+%04X" % ord(c) for c in fixture_chars if c in h)
check(not raw, "report.html: none of the fixture's hidden characters in its bytes %s" % raw)
m = re.search(r'<script id="pelorus-data"[^>]*>(.*?)</script>', h, re.S)
check(m is not None and not any(hidden(c) for c in m.group(1)), "report.html: no hidden character in the data JSON")
data = json.loads(m.group(1))
vn = {str(v["mmsi"]): v for v in data["vessels"]}
for mm, v in names.items():
    check(mm in vn and vn[mm]["name"] == v["name"] and vn[mm]["callsign"] == v["callsign"]
          and vn[mm]["destination"] == v["destination"], "report.html data: %s exact" % mm)

# 3. screening matches on the text as received
hits = {(d["mmsi"], d["entry_name"]) for d in map(json.loads, filter(None, read("screen.jsonl").split("\n")))}
check((219000011, "RATS KCALB") in hits, "screen: the override name matches its logical text RATS KCALB")
check(not any(e == "BLACK STAR" for _, e in hits), "screen: not the BLACK STAR it displays as")
check((219000012, "ABCDEF") in hits, "screen: zero-width characters do not split a name")

# 4. the JavaScript table is the C table
js = open("data/web/report.js", encoding="utf-8").read()
jt = js[js.find("// display-policy:begin"):js.find("// display-policy:end")] if "// display-policy:begin" in js else ""
jranges = [(int(a, 16), int(b, 16)) for a, b in re.findall(r"\[0x([0-9A-Fa-f]+), 0x([0-9A-Fa-f]+)\]", jt)]
check(jranges == ranges and len(ranges) > 30, "report.js's HIDDEN_RANGES equal display.c's table (%d ranges)" % len(ranges))
print("display-python: %d passed, %d failed" % (npass, nfail))
sys.exit(1 if nfail else 0)
EOF
cat "$T/python.out"
read -r np nf < <(sed -n 's/^display-python: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$T/python.out")
[ -n "${np:-}" ] && pass=$((pass + np)) && fail=$((fail + nf)) || bad "the python checks did not finish"

# the JavaScript function, run in node over every code point, agrees with the table
if command -v node >/dev/null; then
    { sed -n '/display-policy:begin/,/display-policy:end/p' data/web/report.js
      cat <<'EOF'
const fs = require('fs');
const src = fs.readFileSync('src/util/display.c', 'utf8');
const t = src.slice(src.indexOf('hidden[][2] = {'), src.indexOf('};', src.indexOf('hidden[][2] = {')));
const r = [...t.matchAll(/\{0x([0-9A-Fa-f]+), 0x([0-9A-Fa-f]+)\}/g)].map(m => [parseInt(m[1], 16), parseInt(m[2], 16)]);
let bad = 0;
for (let cp = 0; cp <= 0x10FFFF; cp++) {
    const hid = r.some(x => cp >= x[0] && cp <= x[1]);
    const s = String.fromCodePoint(cp), out = shown(s);
    const want = hid ? '\u27e8U+' + cp.toString(16).toUpperCase().padStart(4, '0') + '\u27e9' : s;
    if (out !== want && bad++ < 5) console.log('U+' + cp.toString(16) + ': ' + JSON.stringify(out));
}
process.exit(bad ? 1 : 0);
EOF
    } >"$T/policy.js"
    node "$T/policy.js" && ok "report.js shown() marks exactly the hidden code points, all 1114112" ||
        bad "report.js shown() disagrees with display.c"
else
    bad "node is not installed (apt-get install nodejs)"
fi

echo "display: $pass passed, $fail failed"
[ $fail = 0 ]
