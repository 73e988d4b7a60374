#!/usr/bin/env bash
# review_test.sh -- analysts' reviews of findings (pelorus review,
# docs/review.md), on the simulated small scenario:
#   1. usage: no such id, a malformed id, a status not known, no reviewer,
#      a note without a status (exit 2, nothing recorded);
#   2. a review kept to its finding across scans: the scenario ingested in
#      two parts, the loitering of 412400007 reviewed while it is 4.5 h old;
#      after the second part it has grown to 5 h, keeps its id and its review;
#   3. scan output: the finding's "review" member, exactly; no other finding
#      has one;
#   4. vessels --rank: the dismissed finding stops counting (40 -> 35 for
#      412400007), its reason shown with the dismissal and +0.0; confirmed
#      again, it counts again and says so;
#   5. the history: every review kept, in order, who and when;
#   6. the report: the reason as vessels --rank gives it;
#   7. a case carries the reviews of its findings (reviews.jsonl), its
#      findings carry their review, and verify reruns them; a review changed
#      in the case (MANIFEST re-hashed) fails verify.
# PELORUS_TEST_BACKEND=pg runs it on a throwaway PostgreSQL cluster
# (tests/backend.sh), every check and value the same, none left out.
# Prints "review: N passed, M failed".  Usage: tests/review_test.sh (BUILD=build)
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$PWD/$BUILD/pelorus
. tests/backend.sh
be_start review
T=$BUILD/review-test
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok review $1"; }
bad() { fail=$((fail + 1)); echo "FAIL review $1"; }
check() { # description command...
    local d=$1; shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
cd "$T"
unset USER

$PEL simulate -q "$OLDPWD/examples/scenario_small.json" --out sim
# the scenario in two parts: the first ends at 2024-03-01T14:30Z, in the middle of a loitering
cut=$(awk -F'c:' 'NF > 1 { split($2, a, /[,*]/); if (a[1] >= 1709303400) { print NR; exit } }' sim/ais.nmea)
head -n $((cut - 1)) sim/ais.nmea >part1.nmea
tail -n +"$cut" sim/ais.nmea >part2.nmea
$PEL watchlist import --db r.db sim/watchlist.csv >/dev/null 2>&1
$PEL ingest -q --db r.db part1.nmea
$PEL scan -q --db r.db >s1.jsonl
id=$(jq -r 'select(.event == "loitering" and .mmsi == 412400007) | .finding_id' s1.jsonl)
check "the loitering of 412400007 is found in the first part, to 14:28" \
    test "$(jq -r "select(.finding_id == \"$id\") | .end" s1.jsonl)" = 2024-03-01T14:28:00Z

# ---- 1. usage
$PEL review --db r.db 0123456789abcdef --status dismissed --by ana 2>err; rc=$?
check "an id no finding has: exit 2, says so" grep -q "no finding 0123456789abcdef in this database" err
check "  (exit 2)" test $rc = 2
$PEL review --db r.db 0123 --status dismissed --by ana 2>err; rc=$?
check "a malformed id: exit 2" test $rc = 2 -a "$(grep -c 'is no finding id' err)" = 1
$PEL review --db r.db "$id" --status maybe --by ana 2>err; rc=$?
check "an unknown status: exit 2" test $rc = 2 -a "$(grep -c 'wants confirmed, dismissed or open' err)" = 1
$PEL review --db r.db "$id" --status dismissed 2>err; rc=$?
check "no reviewer (no --by, no \$USER): exit 2" test $rc = 2 -a "$(grep -c 'needs who made it' err)" = 1
$PEL review --db r.db "$id" --note "x" 2>err; rc=$?
check "a note without a status: exit 2" test $rc = 2
check "  nothing recorded" test -z "$($PEL review --db r.db)"

# ---- 2. kept across scans as the finding grows
$PEL review --db r.db "$id" --status dismissed --note 'a trawler drifting; "seen" by patrol' --by ana 2>err
check "review recorded: review 1 of it" grep -q "finding $id dismissed by ana (review 1 of it)" err
$PEL ingest -q --db r.db part2.nmea
$PEL scan -q --db r.db >s2.jsonl
check "after the second part the loitering has grown to 14:58, same id" \
    test "$(jq -r "select(.finding_id == \"$id\") | .end" s2.jsonl)" = 2024-03-01T14:58:00Z
check "... and keeps its review" test "$(jq -r "select(.finding_id == \"$id\") | .review.status" s2.jsonl)" = dismissed

# ---- 3. scan output
at=$($PEL review --db r.db "$id" | jq -r .at)
check "scan: the review member, exactly, before finding_id" \
    grep -qF "\"review\":{\"status\":\"dismissed\",\"note\":\"a trawler drifting; \\\"seen\\\" by patrol\",\"by\":\"ana\",\"at\":\"$at\",\"reviews\":1},\"clocks\"" s2.jsonl
check "scan: no other finding has a review" test "$(grep -c '"review":' s2.jsonl)" = 1
check "scan: the rest of the file as without the review" \
    cmp -s <(sed 's/"review":{[^}]*},//' s2.jsonl) <($PEL scan -q --db r.db | sed 's/"review":{[^}]*},//')

# ---- 4. the ranking
rank() { $PEL vessels --rank --db r.db --format jsonl | jq -c "select(.mmsi == $1)"; }
r=$(rank 412400007)
check "vessels --rank: the dismissed loitering no longer counts (35, was 40)" test "$(jq .score <<<"$r")" = 35
check "  its reason shown with the dismissal and 0 points" \
    test "$(jq -r '.reasons[] | select(.event == "loitering") | "\(.points) \(.text)"' <<<"$r")" = \
    "0 Loitered for 5.0 h at 36.31N 123.92E, 113 nm from Weihai (mean speed 0.4 kn) from 2024-03-01 10:00 UTC [dismissed by ana, ${at:0:10}: a trawler drifting; \"seen\" by patrol]"
$PEL review --db r.db "$id" --status confirmed --note "second look: transfer" --by bo 2>/dev/null
r=$(rank 412400007)
check "confirmed again: it counts again (40)" test "$(jq .score <<<"$r")" = 40
check "  and says so" \
    test "$(jq -r '.reasons[] | select(.event == "loitering") | .points' <<<"$r")" = 5
check "  (the text)" jq -e '.reasons[] | select(.event == "loitering") | .text | endswith("[confirmed by bo, '"${at:0:10}"': second look: transfer]")' <<<"$r" >/dev/null

# ---- 5. the history
$PEL review --db r.db "$id" --status dismissed --note "third: the patrol's report" --by ana 2>/dev/null
$PEL review --db r.db "$id" >h.jsonl
check "history: every review kept, in order" \
    test "$(jq -r '"\(.seq) \(.status) \(.by)"' h.jsonl | tr '\n' ';')" = "1 dismissed ana;2 confirmed bo;3 dismissed ana;"
check "history: when, to the second" jq -e 'select(.at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"))' h.jsonl >/dev/null
check "scan: the latest review, and how many" \
    test "$($PEL scan -q --db r.db | jq -c "select(.finding_id == \"$id\") | [.review.status, .review.by, .review.reviews]")" = '["dismissed","ana",3]'

# ---- 6. the report
$PEL report -q --db r.db --out rep
python3 - rep/report.html >rep.reasons <<'EOF'
import json, re, sys
h = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script[^>]*id="pelorus-data"[^>]*>(.*?)</script>', h, re.S)
d = json.loads(m.group(1))
for v in d["vessels"]:
    if v["mmsi"] == 412400007:
        print(v["score"])
        for r in v["reasons"]:
            print(r["points"], r["text"])
EOF
check "report: the vessel's score without the dismissed finding" test "$(head -1 rep.reasons)" = 35.0
check "report: its reason with the dismissal" grep -q "^0.0 Loitered for 5.0 h .*\[dismissed by ana, ${at:0:10}: third: the patrol's report\]" rep.reasons

# ---- 7. cases carry the reviews
$PEL case export -q --db r.db --vessel 412400007 --out c 2>/dev/null
check "case: reviews.jsonl holds the finding's three reviews" \
    test "$(jq -r .finding_id c/reviews.jsonl | sort -u)" = "$id" -a "$(wc -l <c/reviews.jsonl)" = 3
check "case: its finding carries the review" \
    test "$(jq -r "select(.finding_id == \"$id\") | .review.status" c/findings.jsonl)" = dismissed
check "case: verifies (the rerun gives the review too)" $PEL case verify c >/dev/null
sed -i '3s/"dismissed"/"confirmed"/' c/reviews.jsonl
h=$(sha256sum c/reviews.jsonl | cut -c1-64) s=$(stat -c %s c/reviews.jsonl)
sed -i "s|^file [0-9a-f]* [0-9]* reviews.jsonl\$|file $h $s reviews.jsonl|" c/MANIFEST
$PEL case verify c >v.out; rc=$?
check "case: a review changed, MANIFEST re-hashed: the rerun's finding differs" \
    grep -q '^FAIL findings.jsonl:[0-9]*: differs from the rerun' v.out
check "  (exit 1)" test $rc = 1

echo "review: $pass passed, $fail failed"
[ $fail = 0 ]
