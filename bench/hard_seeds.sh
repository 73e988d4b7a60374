#!/usr/bin/env bash
# hard_seeds.sh -- a scenario over many seeds (not a test):
#   bench/hard_seeds.sh PELORUS [SEEDS [SCENARIO]]
# Simulates SCENARIO (examples/scenario_hard.json) with seeds 1..SEEDS (10),
# scans each stream with its watchlist, scores the findings against the
# truth (pelorus eval --json) and prints per-event true positives, false
# alarms, misses, precision and recall summed over every seed -- how the
# detectors fare beyond the one seed the test suite holds them to.  Each
# seed's files stay in build/bench/seeds/<seed>/ (the database and stream
# removed) for a look at what went wrong.
set -eu
PEL=${1:?usage: hard_seeds.sh PELORUS [SEEDS [SCENARIO]]}
SEEDS=${2:-10}
SC=${3:-examples/scenario_hard.json}
cd "$(dirname "$0")/.."
command -v jq >/dev/null || { echo "hard_seeds: needs jq"; exit 1; }
B=build/bench/seeds
mkdir -p "$B"
: >"$B/rows.jsonl"
for seed in $(seq 1 "$SEEDS"); do
    H=$B/$seed
    rm -rf "$H"
    "$PEL" simulate -q "$SC" --seed "$seed" --out "$H"
    "$PEL" scan -q --db "$H/db" --watchlist "$H/watchlist.csv" "$H/ais.nmea" >"$H/findings.jsonl" 2>/dev/null
    "$PEL" eval -q --json "$H/truth.jsonl" "$H/findings.jsonl" | jq -c --arg seed "$seed" '. + {seed: $seed}' >>"$B/rows.jsonl" || true
    "$PEL" eval -q "$H/truth.jsonl" "$H/findings.jsonl" >"$H/eval.txt" 2>&1 || true
    rm -f "$H/db"* "$H/ais.nmea"
done
printf '%s over %s seeds (sums of every seed; per seed: %s/<seed>/eval.txt)\n' "$SC" "$SEEDS" "$B"
jq -s -r 'group_by(.event)[] | {event: .[0].event, tp: (map(.tp) | add), fp: (map(.fp) | add), fn: (map(.fn) | add)}
  | [.event, .tp, .fp, .fn,
     (if .tp + .fp > 0 then (.tp / (.tp + .fp) * 1000 | round / 1000) else "-" end),
     (if .tp + .fn > 0 then (.tp / (.tp + .fn) * 1000 | round / 1000) else "-" end)] | @tsv' "$B/rows.jsonl" |
    awk 'BEGIN { printf "%-16s %6s %6s %6s %9s %7s\n", "event", "tp", "fp", "fn", "precision", "recall" }
         { printf "%-16s %6s %6s %6s %9s %7s\n", $1, $2, $3, $4, $5, $6 }'
