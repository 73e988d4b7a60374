#!/usr/bin/env bash
# case_test.sh -- case files partners can verify (docs/case.md):
#   1. usage: no vessel, an existing --out, an unknown --finding (exit 2);
#   2. the simulated small scenario, the case of 445110001: the files a case
#      holds, every file in MANIFEST with its SHA-256, origin.jsonl the
#      scan's own findings of the vessel byte for byte, every evidence line
#      of them in the bundle byte for byte with its original line number,
#      the findings the case alone gives (7, every one byte for byte as the
#      database's), the same export twice = the same case (same MANIFEST,
#      same id);
#   3. verify: passes, also moved elsewhere with no input and no data
#      directory (nothing but the case); one byte of an evidence line changed, a line dropped,
#      a setting edited, a file added, findings.jsonl edited with MANIFEST
#      made to match: each fails (exit 1) and names the file and line;
#   4. signatures: key new, sign, verify --pubkey; another key, a case
#      changed after signing (MANIFEST re-hashed), an unsigned case with
#      --pubkey: each fails;
#   5. --zip: the same case in one file, verifies; a zip with an entry
#      leaving its directory is refused; --finding ID keeps that finding;
#   6. real-world files: GlobalFishingWatch's tag-block feed (three
#      vessels), AMSA's gzip and exactEarth $PGHP files, a DMA CSV and a
#      generic CSV by its columns: every finding given byte for byte by the
#      case alone, verify passes;
#   7. import (pelorus ingest CASE): into a fresh database (the case, its
#      signer and its findings listed as the partner's, its lines as
#      case:ID/ORIGINAL with the original line numbers, only its vessels'
#      positions), again (nothing added), into the database that already
#      holds the same lines (no position added: duplicates), with the wrong
#      key (refused), a tampered case (refused).
# Prints "case: N passed, M failed".  Usage: tests/case_test.sh (BUILD=build)
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$PWD/$BUILD/pelorus
T=$BUILD/case-test
REAL=$PWD/../shared/data/real-world
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok case $1"; }
bad() { fail=$((fail + 1)); echo "FAIL case $1"; }
check() { # description command...
    local d=$1; shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
cd "$T"

# ---- 1. usage
$PEL simulate -q "$OLDPWD/examples/scenario_small.json" --out sim
$PEL scan -q --db sim.db --watchlist sim/watchlist.csv sim/ais.nmea >all.jsonl 2>/dev/null
$PEL case export --db sim.db --out x 2>err; rc=$?
check "export without --vessel: exit 2" test $rc = 2
mkdir exists
$PEL case export --db sim.db --vessel 445110001 --out exists 2>err; rc=$?
check "export to an existing name: exit 2, names it" grep -q "exists exists: a case is written to a new name" err
check "  (exit 2)" test $rc = 2
$PEL case export --db sim.db --vessel 445110001 --finding 0123456789abcdef --out x 2>err; rc=$?
check "export of an unknown --finding: exit 2, names it" grep -q "no finding 0123456789abcdef" err
check "  (exit 2) and nothing written" test $rc = 2 -a ! -e x

# ---- 2. the case of 445110001
$PEL case export --db sim.db --vessel 445110001 --out c1 2>c1.err; rc=$?
check "export: exit 0" test $rc = 0
check "export says 7 findings, all 7 of the database's given byte for byte by the case alone, 2 vessels" \
    grep -q "7 findings, 7 of the database's 7 given byte for byte by the case alone; 2 vessels" c1.err
check "export names no finding the case alone gives otherwise" \
    test "$(grep -c 'is not given the same by the case alone' c1.err)" = 0
check "findings.jsonl is origin.jsonl, byte for byte" cmp -s c1/findings.jsonl c1/origin.jsonl
for f in case.json findings.jsonl origin.jsonl watchlist.jsonl ports.csv mid.csv zones.geojson \
    web/vendor/land-50m.json lines/01-ais.nmea lines/01-ais.nmea.index MANIFEST; do
    check "the case holds $f" test -s "c1/$f"
done
# MANIFEST: every file but itself, with its SHA-256 and size
python3 - c1 >manifest.check <<'EOF'
import hashlib, os, sys
d = sys.argv[1]
listed = {}
for i, line in enumerate(open(os.path.join(d, "MANIFEST"), encoding="utf-8")):
    if i == 0:
        assert line == "pelorus-case-manifest 1\n", line
        continue
    kind, h, size, path = line.rstrip("\n").split(" ", 3)
    if kind == "file":
        listed[path] = (h, int(size))
files = set()
for root, _, names in os.walk(d):
    for n in names:
        p = os.path.relpath(os.path.join(root, n), d)
        if p not in ("MANIFEST", "MANIFEST.sig"):
            files.add(p)
bad = [p for p in files if p not in listed]
bad += [p for p, (h, s) in listed.items()
        if hashlib.sha256(open(os.path.join(d, p), "rb").read()).hexdigest() != h or os.path.getsize(os.path.join(d, p)) != s]
print("ok" if not bad and len(files) == len(listed) else "bad %s" % bad)
EOF
check "MANIFEST lists every file with its SHA-256 and size" grep -qx ok manifest.check
check "MANIFEST names the original input with its SHA-256" \
    grep -qx "input $(sha256sum sim/ais.nmea | cut -c1-64) $(stat -c %s sim/ais.nmea) sim/ais.nmea" c1/MANIFEST
jq -c 'select(.mmsi == 445110001 or .mmsi2 == 445110001)' all.jsonl >own.jsonl
check "origin.jsonl: the scan's findings of the vessel, byte for byte" cmp -s <(jq -c . own.jsonl) <(jq -c . c1/origin.jsonl)
check "origin.jsonl: 7 findings" test "$(wc -l <c1/origin.jsonl)" = 7
check "findings.jsonl: 7 findings of the vessel" \
    test "$(jq -c 'select(.mmsi == 445110001 or .mmsi2 == 445110001)' c1/findings.jsonl | wc -l)" = 7
# every evidence line of the database's findings is in the bundle, byte for byte, under its number
python3 - c1 sim/ais.nmea >evidence.check <<'EOF'
import json, sys
d, src = sys.argv[1], sys.argv[2]
orig = open(src, "rb").read().split(b"\n")
idx = [int(l.split()[0]) for l in open(d + "/lines/01-ais.nmea.index")]
body = open(d + "/lines/01-ais.nmea", "rb").read().split(b"\n")
at = dict(zip(idx, body))
n = bad = 0
for line in open(d + "/origin.jsonl"):
    for e in json.loads(line)["evidence"]:
        n += 1
        if e["file"] != "sim/ais.nmea" or at.get(e["line"]) != orig[e["line"] - 1]:
            bad += 1
print(n, bad)
EOF
read -r nev nbad <evidence.check
check "every evidence line ($nev) is in the bundle byte for byte with its line number" test "$nev" -gt 100 -a "$nbad" = 0
check "the bundle's lines are the original's lines of the index, in order" python3 - c1 sim/ais.nmea <<'EOF'
import sys
d, src = sys.argv[1], sys.argv[2]
orig = open(src, "rb").read().split(b"\n")
idx = [int(l.split()[0]) for l in open(d + "/lines/01-ais.nmea.index")]
body = open(d + "/lines/01-ais.nmea", "rb").read().split(b"\n")[:-1]
sys.exit(0 if idx == sorted(set(idx)) and len(idx) == len(body) and all(orig[i - 1] == b for i, b in zip(idx, body)) else 1)
EOF
check "case.html: the dossier, every evidence line's text the case's own line" python3 - c1 <<'EOF'
import json, re, sys
d = sys.argv[1]
h = open(d + "/case.html", encoding="utf-8").read()
m = re.search(r'<script[^>]*id="pelorus-data"[^>]*>(.*?)</script>', h, re.S)
data = json.loads(m.group(1))
idx = [int(l.split()[0]) for l in open(d + "/lines/01-ais.nmea.index")]
body = open(d + "/lines/01-ais.nmea", encoding="utf-8").read().split("\n")
at = dict(zip(idx, body))
ev = [e for f in data["findings"] for e in f["evidence"]]
sys.exit(0 if len(ev) > 100 and all(e["text"] == at[e["line"]] for e in ev) and data["title"] == "Case 445110001" else 1)
EOF
check "the list entry matched is in watchlist.jsonl" test "$(jq -r .name c1/watchlist.jsonl)" = "KUMGANG STAR"
$PEL case export -q --db sim.db --vessel 445110001 --out c1b 2>/dev/null
check "the same export twice: the same MANIFEST (the same case id)" cmp -s c1/MANIFEST c1b/MANIFEST

# ---- 3. verify and tampering
$PEL case verify c1 >v.out; rc=$?
check "verify: exit 0, the rerun gives the 7 findings byte for byte" \
    grep -q "^ok case .*the rerun gives its 7 findings byte for byte" v.out
check "  (exit 0)" test $rc = 0
mkdir -p elsewhere && cp -r c1 elsewhere/c1
(cd elsewhere && PELORUS_DATA=/nonexistent $PEL case verify c1 >v.out); rc=$?
check "verify with nothing but the case (moved, no inputs, no data directory)" \
    test $rc = 0 -a ! -e elsewhere/sim -a "$(grep -c '^ok case' elsewhere/v.out)" = 1
L=$(grep -n '' c1/lines/01-ais.nmea | grep -m1 ':!AIVDM' | cut -d: -f1)
N=$(sed -n "${L}p" c1/lines/01-ais.nmea.index | cut -d' ' -f1)
cp -r c1 t1
sed -i "${L}s/!AIVDM/!AIVDX/" t1/lines/01-ais.nmea
$PEL case verify t1 >v.out; rc=$?
check "one byte of a line changed: fails, names the bundle's line and the original's" \
    grep -q "^FAIL lines/01-ais.nmea:$L: changed: not line $N of sim/ais.nmea as exported" v.out
check "  and the file's SHA-256" grep -q "^FAIL lines/01-ais.nmea: changed: SHA-256" v.out
check "  (exit 1)" test $rc = 1
cp -r c1 t2
sed -i "${L}d" t2/lines/01-ais.nmea
$PEL case verify t2 >v.out; rc=$?
check "a line dropped: fails, names the missing line" \
    grep -q "^FAIL lines/01-ais.nmea:$L: line $N of sim/ais.nmea is missing" v.out
check "  (exit 1)" test $rc = 1
cp -r c1 t3
sed -i 's/"settings": \[\]/"settings": ["gap.min_gap_h=6"]/' t3/case.json
$PEL case verify t3 >v.out; rc=$?
check "a setting edited: fails, names case.json" grep -q "^FAIL case.json: changed" v.out
check "  (exit 1)" test $rc = 1
cp -r c1 t4
echo extra >t4/notes.txt
$PEL case verify t4 >v.out; rc=$?
check "a file added: fails, 'not in MANIFEST'" grep -q "^FAIL notes.txt: not in MANIFEST" v.out
check "  (exit 1)" test $rc = 1
# findings.jsonl edited and MANIFEST made to match: the rerun catches it
cp -r c1 t5
sed -i '3s/"duration_h":[0-9.]*/"duration_h":99.00/' t5/findings.jsonl
h=$(sha256sum t5/findings.jsonl | cut -c1-64) s=$(stat -c %s t5/findings.jsonl)
sed -i "s|^file [0-9a-f]* [0-9]* findings.jsonl\$|file $h $s findings.jsonl|" t5/MANIFEST
$PEL case verify t5 >v.out; rc=$?
check "findings.jsonl edited, MANIFEST re-hashed: the rerun catches it at its line" \
    grep -q '^FAIL findings.jsonl:3: differs from the rerun' v.out
check "  and nothing else is wrong" test "$(grep -c ^FAIL v.out)" = 2
check "  (exit 1)" test $rc = 1

# a partner's directory is untrusted: links, pipes and paths out of the case refused, never followed
cp -r c1 t6 && rm t6/lines/01-ais.nmea && ln -s /etc/passwd t6/lines/01-ais.nmea
$PEL case verify t6 >v.out 2>err; rc=$?
check "a link in a case: refused, never followed" \
    test $rc = 1 -a "$(cat err)" = "pelorus case verify: t6: lines/01-ais.nmea is not a regular file: not a case"
cp -r c1 t7 && rm t7/findings.jsonl && mkfifo t7/findings.jsonl
timeout 20 $PEL case verify t7 >v.out 2>err; rc=$?
check "a named pipe in a case: refused at once (no hang)" \
    test $rc = 1 -a "$(cat err)" = "pelorus case verify: t7: findings.jsonl is not a regular file: not a case"
cp -r c1 t8 && sed -i 's|"lines": "lines/01-ais.nmea"|"lines": "../../../etc/passwd"|' t8/case.json
$PEL case verify t8 >v.out 2>err; rc=$?
check "case.json naming a file out of lines/: refused" \
    test $rc = 1 -a "$(cat err)" = "pelorus case verify: t8/case.json: an input's \"lines\" is not a file in lines/"

# ---- 4. signatures
$PEL key new --out alice 2>/dev/null && $PEL key new --out bob 2>/dev/null
check "key new: a secret key only its owner reads, a public key" test "$(stat -c %a alice.key)" = 600 -a -s alice.pub
cp -r c1 s1
$PEL case sign --key alice.key s1 2>/dev/null
$PEL case verify --pubkey alice.pub s1 >v.out; rc=$?
check "signed by alice, verified with alice's key" grep -q "^ok signature by key $(tail -1 alice.pub)" v.out
check "  (exit 0)" test $rc = 0
$PEL case verify --pubkey bob.pub s1 >v.out; rc=$?
check "verified with bob's key: fails" grep -q "^FAIL MANIFEST.sig: signed by another key" v.out
check "  (exit 1)" test $rc = 1
cp -r s1 s2
sed -i '1s/^/# /' s2/ports.README
h=$(sha256sum s2/ports.README | cut -c1-64) s=$(stat -c %s s2/ports.README)
sed -i "s|^file [0-9a-f]* [0-9]* ports.README\$|file $h $s ports.README|" s2/MANIFEST
$PEL case verify s2 >v.out; rc=$?
check "changed after signing, MANIFEST re-hashed: the signature fails" \
    grep -q "^FAIL MANIFEST.sig: the signature is not valid" v.out
check "  (exit 1)" test $rc = 1
$PEL case verify --pubkey alice.pub c1 >v.out; rc=$?
check "an unsigned case verified with a key: fails" grep -q "^FAIL MANIFEST.sig: missing" v.out
check "  (exit 1)" test $rc = 1

# ---- 5. zip, --finding
$PEL case export -q --db sim.db --vessel 445110001 --zip --out c1.zip 2>/dev/null
check "--zip: one file, every entry under c1/" \
    python3 -c 'import sys,zipfile; n=zipfile.ZipFile("c1.zip").namelist(); sys.exit(0 if n and all(x.startswith("c1/") for x in n) else 1)'
check "--zip: its MANIFEST is the directory's" cmp -s c1/MANIFEST <(python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile("c1.zip").read("c1/MANIFEST"))')
$PEL case verify c1.zip >v.out; rc=$?
check "--zip: verifies" test $rc = 0
$PEL case sign --key alice.key c1.zip 2>/dev/null
$PEL case verify --pubkey alice.pub c1.zip >v.out; rc=$?
check "--zip signed in place: verifies with the key" test $rc = 0
python3 -c 'import zipfile; z=zipfile.ZipFile("evil.zip","w"); z.writestr("c/case.json","{}"); z.writestr("../escaped","x"); z.close()'
$PEL case verify evil.zip >v.out 2>err; rc=$?
check "a zip with an entry leaving its directory: refused" grep -q 'entry "../escaped" would be written outside' err
check "  (exit 1) and nothing written outside" test $rc = 1 -a ! -e ../escaped
python3 -c '
import zipfile
z = zipfile.ZipFile("many.zip", "w")
z.writestr("c/case.json", "{}")
for i in range(100001):
    z.writestr("c/x%d" % i, "")
z.close()'
$PEL case verify many.zip >v.out 2>err; rc=$?
check "a zip of more entries than a case holds (100,002): refused before unpacking" \
    grep -q "many.zip: 100002 entries, more than a case holds (100000)" err
check "  (exit 1)" test $rc = 1
id=$(jq -r 'select(.event == "encounter") | .finding_id' c1/origin.jsonl)
$PEL case export -q --db sim.db --vessel 445110001 --finding "$id" --out c2 2>/dev/null
check "--finding ID: findings.jsonl holds that finding only" \
    test "$(jq -r .finding_id c2/findings.jsonl)" = "$id"
check "--finding ID: its partner's lines are held too" test "$(jq -c .involved c2/case.json)" = "[412400007,445110001]"
check "--finding ID: verifies" $PEL case verify c2 >/dev/null

$PEL case export --db sim.db --vessel 445110001 --from 2024-03-02T00:00:00Z --to 2024-03-02T12:00:00Z --out c3 2>c3.err
check "--from/--to: the findings meeting the period only (5), all byte for byte" \
    grep -q "5 findings, 5 of the database's 5 given byte for byte" c3.err
check "  each meets the period" \
    test "$(jq -r 'select(.end >= "2024-03-02T00:00:00Z" and .start <= "2024-03-02T12:00:00Z") | .finding_id' c3/findings.jsonl | wc -l)" = 5
check "  verifies" $PEL case verify c3 >/dev/null

# ---- 6. real-world files
rw() { # name vessels... -- inputs...
    local name=$1; shift
    local vs=() ins=()
    while [ "$1" != -- ]; do vs+=(--vessel "$1"); shift; done
    shift
    $PEL scan -q --db "$name.db" "$@" >/dev/null 2>&1
    $PEL case export --db "$name.db" "${vs[@]}" --out "$name" 2>"$name.err"
}
rw gfw 636022424 271046870 273444350 -- "$REAL/GlobalFishingWatch__ais-listener/nmea-with-tagblock.txt"
check "GFW tag blocks: 3 findings, all 3 given byte for byte by the case alone" \
    grep -q "3 findings, 3 of the database's 3 given byte for byte" gfw.err
check "GFW tag blocks: the OFAC entry of MONA (shipped list) is held" test "$(jq -r .name gfw/watchlist.jsonl)" = MONA
check "GFW tag blocks: verifies" $PEL case verify gfw >/dev/null
$PEL case export --db gfw.db --vessel 998809 --vessel 99880511 --out junk 2>junk.err
check "GFW: a case of two junk MMSIs (998809, 99880511: invalid_mmsi), both findings byte for byte" \
    grep -q "2 findings, 2 of the database's 2 given byte for byte" junk.err
rw amsa 367507090 305829000 239808000 -- "$REAL/amsa-code__risky/ais.txt.gz" "$REAL/amsa-code__risky/exact-earth-augmented.txt"
check "AMSA gzip + exactEarth \$PGHP: 3 findings, all given byte for byte" \
    grep -q "3 findings, 3 of the database's 3 given byte for byte" amsa.err
check "AMSA: the gzip input bundled decompressed, its lines as numbered" \
    python3 - amsa "$REAL/amsa-code__risky/ais.txt.gz" <<'EOF'
import gzip, sys
d, src = sys.argv[1], sys.argv[2]
orig = gzip.open(src).read().split(b"\n")
idx = [int(l.split()[0]) for l in open(d + "/lines/01-ais.txt.index")]
body = open(d + "/lines/01-ais.txt", "rb").read().split(b"\n")[:-1]
sys.exit(0 if idx and len(idx) == len(body) and all(orig[i - 1] == b for i, b in zip(idx, body)) else 1)
EOF
check "AMSA: verifies" $PEL case verify amsa >/dev/null
rw dma 219000203 -- "$OLDPWD/tests/data/csv/dma_aisdk.csv"
check "DMA CSV: the header is held as line 1" test "$(head -1 dma/lines/01-dma_aisdk.csv.index | cut -d' ' -f1)" = 1
check "DMA CSV: verifies" $PEL case verify dma >/dev/null
$PEL scan -q --db mt.db --columns 'mmsi=MMSI,time=TIMESTAMP,lat=LAT,lon=LON' "$OLDPWD/tests/data/csv/marinetraffic.csv" >/dev/null
$PEL case export --db mt.db --vessel 445110001 --out mt 2>mt.err
check "generic CSV by --columns: read back with its column map, all given byte for byte" \
    grep -q "2 findings, 2 of the database's 2 given byte for byte" mt.err
check "generic CSV: verifies" $PEL case verify mt >/dev/null

# ---- a live service's database: its journal is the input
cp sim/ais.nmea feed.nmea
$PEL watch --db w.db --once --follow feed.nmea --findings w.jsonl >/dev/null 2>&1
$PEL case export --db w.db --vessel 445110001 --out wc 2>wc.err; rc=$?
check "pelorus watch's database: a case from its journal (known by name: it grows), all byte for byte" \
    grep -q "6 findings, 6 of the database's 6 given byte for byte" wc.err
check "  the journal's content as read is named in MANIFEST" \
    grep -q "^input $(sha256sum w.db-live/*.nmea | cut -c1-64) $(stat -c %s w.db-live/*.nmea) w.db-live/" wc/MANIFEST
check "  verifies" $PEL case verify wc >/dev/null

# ---- inputs moved, gone or changed
mkdir -p mix moved
cp sim/ais.nmea mix/a.nmea
cp "$REAL/GlobalFishingWatch__ais-listener/nmea.txt" mix/other.nmea
$PEL scan -q --db mix.db mix/a.nmea mix/other.nmea >/dev/null 2>&1
rm mix/other.nmea
$PEL case export -q --db mix.db --vessel 445110001 --out m1 2>m1.err; rc=$?
check "an input gone that holds none of the vessels' positions: left out, named" \
    grep -q "left out, as it holds no position of the vessels in the window: input mix/other.nmea" m1.err
check "  (exit 0, the case verifies)" test $rc = 0 -a "$($PEL case verify m1 >/dev/null; echo $?)" = 0
mv mix/a.nmea moved/a.nmea
$PEL case export -q --db mix.db --vessel 445110001 --out m2 2>m2.err; rc=$?
check "an input gone that holds the vessels' positions: refused, named" \
    grep -q "input mix/a.nmea (SHA-256 $(sha256sum moved/a.nmea | cut -c1-16)...): mix/a.nmea: No such file or directory; it holds positions" m2.err
check "  (exit 1, nothing written)" test $rc = 1 -a ! -e m2
$PEL case export -q --db mix.db --vessel 445110001 --input-dir moved --out m3 2>/dev/null; rc=$?
check "--input-dir: the input found there by its name and SHA-256" test $rc = 0 -a -s m3/MANIFEST
echo "# changed" >>moved/a.nmea
$PEL case export -q --db mix.db --vessel 445110001 --input-dir moved --out m4 2>m4.err; rc=$?
check "an input changed since it was ingested: refused" test $rc = 1 -a ! -e m4

# ---- 7. import
$PEL ingest --db fresh.db s1 2>imp.err; rc=$?
cid=$(jq -r .id <($PEL case list --db fresh.db))
check "import into a fresh database: exit 0" test $rc = 0
check "  the partner's context counted, not stored: 2424 positions, 6400 records of other vessels ignored" \
    grep -q "10536 lines, 2424 positions stored, 215 duplicate receptions removed, 6400 records ignored" imp.err
check "  the case listed with its signer" \
    test "$($PEL case list --db fresh.db | jq -r '[.findings, .signer] | @tsv')" = "7	$(tail -1 alice.pub)"
check "  its findings as the partner's, each with the case's id and signer" \
    test "$($PEL case findings --db fresh.db | jq -r "select(.case == \"$cid\" and .signer == \"$(tail -1 alice.pub)\") | .finding_id" | sort | tr '\n' ' ')" \
    = "$(jq -r .finding_id c1/findings.jsonl | sort | tr '\n' ' ')"
check "  its lines as case:ID/ORIGINAL" \
    test "$(sqlite3 fresh.db 'select path from inputs')" = "case:$cid/sim/ais.nmea"
check "  pelorus vessel lists them under the partners' cases" \
    test "$($PEL vessel --db fresh.db 445110001 | sed -n "/^findings of partners' cases/,\$p" | grep -c "case $cid, signed by key")" = 7
$PEL scan -q --db fresh.db >fresh.jsonl
check "  one's own scan points at the partner's lines with their original numbers" \
    python3 - fresh.jsonl c1 "case:$cid/sim/ais.nmea" <<'EOF'
import json, sys
idx = {int(l.split()[0]) for l in open(sys.argv[2] + "/lines/01-ais.nmea.index")}
ev = [e for l in open(sys.argv[1]) for e in json.loads(l)["evidence"]]
sys.exit(0 if ev and all(e["file"] == sys.argv[3] and e["line"] in idx for e in ev) else 1)
EOF
check "  only the case's vessels stored (the other vessels' lines are its context)" \
    test "$(sqlite3 fresh.db 'select group_concat(mmsi) from (select distinct mmsi from vessels order by mmsi)')" = "412400007,445110001"
$PEL db-dump --db fresh.db >dump1 2>/dev/null
$PEL ingest --db fresh.db s1 2>imp.err; rc=$?
$PEL db-dump --db fresh.db >dump2 2>/dev/null
check "imported again: 'imported before', nothing added" grep -q "was imported before: nothing added" imp.err
check "  (the database's rows the same)" cmp -s dump1 dump2
cp sim.db own.db
before=$(sqlite3 own.db 'select sum(n) from chunks')
$PEL ingest --db own.db --pubkey alice.pub s1 2>imp.err; rc=$?
after=$(sqlite3 own.db 'select sum(n) from chunks')
check "into the database holding the same lines: no position added ($before, $after)" test "$before" = "$after" -a $rc = 0
check "  every line known as a duplicate" grep -q "2424 positions stored, 2424 duplicate receptions removed" imp.err
check "  the provenance kept: the case's input beside one's own" \
    test "$(sqlite3 own.db "select count(*) from inputs where path = 'case:$cid/sim/ais.nmea'")" = 1
$PEL case export --db fresh.db --vessel 445110001 --out again 2>again.err; rc=$?
check "a case from a database holding only a partner's lines: refused (theirs to share)" \
    grep -q "the lines of partners' cases imported are theirs to share" again.err
check "  (exit 2)" test $rc = 2
$PEL ingest --db other.db --pubkey bob.pub s1 2>imp.err; rc=$?
check "import with another key: refused" grep -q "does not verify (1 problem), not imported: MANIFEST.sig: signed by another key" imp.err
check "  (exit 1, no case recorded)" test $rc = 1 -a "$($PEL case list --db other.db 2>/dev/null | wc -l)" = 0
$PEL ingest --db other2.db t1 2>imp.err; rc=$?
check "a tampered case: refused, naming the change" grep -q "does not verify .*lines/01-ais.nmea" imp.err
check "  (exit 1)" test $rc = 1

echo "case: $pass passed, $fail failed"
[ $fail = 0 ]
