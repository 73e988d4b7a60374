#!/usr/bin/env bash
# equiv_test.sh -- the same traffic as NMEA, NOAA CSV and DMA CSV
# (tests/data/equiv/, written by make.py there) must ingest to the same
# positions and the same identity facts.  The formats differ in what they
# carry: NOAA has length and width but no destination, and a class B vessel
# sends its name and its call sign/type/size in separate NMEA messages (two
# identity rows) where a CSV row has them together; so identities are
# compared as facts per vessel: each name, IMO, call sign, type, size.
# Prints "equiv: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$BUILD/pelorus
T=$BUILD/equiv-test
D=tests/data/equiv
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok equiv $1"; }
bad() { fail=$((fail + 1)); echo "FAIL equiv $1"; }

facts() { # db -> per-vessel identity and voyage facts, sorted
    "$PEL" db-dump --db "$1" | awk -F'|' '
        $1 == "identity" {
            if ($3 != "") print $2, "name", $3
            if ($4 > 0) print $2, "imo", $4
            if ($5 != "") print $2, "callsign", $5
            if ($6 >= 0) print $2, "type", $6
            if ($7 >= 0) print $2, "size", $7 + $8 "x" $9 + $10
        }
        $1 == "voyage" && $4 >= 0 { print $2, "draught", $4 }' | sort -u
}

for f in same.nmea same_noaa.csv same_dma.csv; do
    "$PEL" ingest -q --db "$T/$f.db" "$D/$f"
    if [ $? = 0 ]; then ok "$f ingests"; else bad "$f does not ingest"; fi
    "$PEL" tracks --db "$T/$f.db" --format csv 2>/dev/null | cut -d, -f1,3-12 >"$T/$f.pos"
    facts "$T/$f.db" >"$T/$f.facts"
done
n=$(($(wc -l <"$T/same.nmea.pos") - 1))
[ "$n" = 75 ] && ok "75 positions from NMEA" || bad "expected 75 positions from NMEA, got $n"
for f in same_noaa.csv same_dma.csv; do
    if cmp -s "$T/same.nmea.pos" "$T/$f.pos"; then ok "$f: positions equal NMEA's"
    else bad "$f: positions differ from NMEA's"; diff "$T/same.nmea.pos" "$T/$f.pos" | head -5; fi
    if cmp -s "$T/same.nmea.facts" "$T/$f.facts"; then ok "$f: identity facts equal NMEA's"
    else bad "$f: identity facts differ from NMEA's"; diff "$T/same.nmea.facts" "$T/$f.facts" | head -8; fi
done
# destinations: NMEA and DMA carry them, NOAA does not
dn=$("$PEL" db-dump --db "$T/same.nmea.db" | awk -F'|' '$1 == "voyage" && $3 != "" { print $2, $3 }' | sort -u)
dd=$("$PEL" db-dump --db "$T/same_dma.csv.db" | awk -F'|' '$1 == "voyage" && $3 != "" { print $2, $3 }' | sort -u)
[ -n "$dn" ] && [ "$dn" = "$dd" ] && ok "destinations equal between NMEA and DMA" || bad "destinations differ: [$dn] [$dd]"
echo "equiv: $pass passed, $fail failed"
[ $fail = 0 ]
