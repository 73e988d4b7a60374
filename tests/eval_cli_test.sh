#!/usr/bin/env bash
# eval_cli_test.sh -- pelorus eval as a user meets it: exit codes with
# --min-f1 passing and failing, --json read back with jq, usage errors,
# standard input, a format error naming file:line.  Takes the build
# directory as $1 (default build).  Prints "eval-cli: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
PEL=$BUILD/pelorus
D=tests/data/eval
T=$BUILD/eval-cli-test
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok eval-cli $1"; }
bad() { fail=$((fail + 1)); echo "FAIL eval-cli $1"; }
expect() { # name expected actual
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2] got [$3]"; fi
}

# help and usage
"$PEL" eval --help >"$T/help"; expect "help exits 0" 0 $?
grep -q -- '--min-f1' "$T/help"; expect "help names --min-f1" 0 $?
"$PEL" eval >/dev/null 2>&1; expect "no files exits 2" 2 $?
"$PEL" eval $D/perfect.truth.jsonl >/dev/null 2>&1; expect "one file exits 2" 2 $?
"$PEL" eval a b c >/dev/null 2>&1; expect "three files exits 2" 2 $?
"$PEL" eval --bogus $D/perfect.truth.jsonl $D/perfect.findings.jsonl >/dev/null 2>&1
expect "unknown option exits 2" 2 $?
"$PEL" eval --min-f1 1.5 $D/perfect.truth.jsonl $D/perfect.findings.jsonl >/dev/null 2>&1
expect "min-f1 out of range exits 2" 2 $?
"$PEL" eval --slack-h x $D/perfect.truth.jsonl $D/perfect.findings.jsonl >/dev/null 2>&1
expect "bad slack exits 2" 2 $?
"$PEL" eval $D/perfect.truth.jsonl $D/perfect.findings.jsonl --min-f1 >/dev/null 2>&1
expect "missing value exits 2" 2 $?
"$PEL" eval - $D/perfect.findings.jsonl </dev/null >/dev/null 2>&1; expect "truth from stdin exits 2" 2 $?

# --min-f1 pass and fail
"$PEL" eval -q --min-f1 1 $D/perfect.truth.jsonl $D/perfect.findings.jsonl >"$T/out" 2>"$T/err"
expect "perfect passes min-f1 1" 0 $?
expect "quiet: nothing on stderr" "" "$(cat "$T/err")"
grep -q '^all  *3  *3  *3  *0  *0  *0  *1.000  *1.000  *1.000$' "$T/out"; expect "table all row" 0 $?
"$PEL" eval -q --min-f1 0.6 $D/errors.truth.jsonl $D/errors.findings.jsonl >/dev/null 2>"$T/err"
expect "errors fail min-f1 0.6" 1 $?
expect "failing rows named" "loitering port_visit" "$(sed -n 's/^pelorus eval: \([a-z_]*\): F1 .* below 0.6$/\1/p' "$T/err" | tr '\n' ' ' | sed 's/ $//')"
"$PEL" eval -q --min-f1 0 $D/errors.truth.jsonl $D/errors.findings.jsonl >/dev/null 2>&1
expect "min-f1 0 passes" 0 $?
# an event with optional truth only (port_visit, F1 undefined, nothing
# counted) is ignored; zone_entry (missed, F1 0) fails
"$PEL" eval -q --min-f1 0.5 $D/optional.truth.jsonl $D/optional.findings.jsonl >/dev/null 2>"$T/err"
expect "optional: fails" 1 $?
grep -q 'port_visit' "$T/err"; expect "undefined F1 without counted items ignored" 1 $?
grep -q 'zone_entry: F1 0.000 below' "$T/err"; expect "missed event named" 0 $?

# --slack-h
"$PEL" eval -q --json --slack-h 0.5 $D/slack.truth.jsonl $D/slack.findings.jsonl >"$T/j"
expect "slack 0.5 h: no match" 0 "$(jq -s 'map(select(.event=="all"))[0].tp' "$T/j")"
"$PEL" eval -q --json --slack-h 0 $D/slack.truth.jsonl $D/slack.findings.jsonl >"$T/j"
expect "slack 0 is no slack, not the default" 0 "$(jq -s 'map(select(.event=="all"))[0].tp' "$T/j")"
"$PEL" eval -q --json --slack-h 0 $D/perfect.truth.jsonl $D/perfect.findings.jsonl >"$T/j"
expect "slack 0: overlapping intervals match" 3 "$(jq -s 'map(select(.event=="all"))[0].tp' "$T/j")"

# --json read back
"$PEL" eval -q --json $D/errors.truth.jsonl $D/errors.findings.jsonl >"$T/j"; expect "json exits 0" 0 $?
expect "json rows" "gap loitering port_visit all" "$(jq -r .event "$T/j" | tr '\n' ' ' | sed 's/ $//')"
expect "json gap" "2 1 1 0 1 1 0.5" "$(jq -r 'select(.event=="gap") | "\(.truth) \(.found) \(.tp) \(.fp) \(.fn) \(.precision) \(.recall)"' "$T/j")"
expect "json null for NaN" "null" "$(jq -r 'select(.event=="port_visit") | .recall' "$T/j")"
expect "json f1 rounded" "0.666667" "$(jq -r 'select(.event=="gap") | .f1' "$T/j")"
expect "json members" 'event,truth,found,tp,fp,fn,precision,recall,f1' "$(jq -r 'keys_unsorted | join(",")' "$T/j" | sort -u)"

# standard input is the same as the file
"$PEL" eval -q $D/pairs.truth.jsonl $D/pairs.findings.jsonl >"$T/a"
"$PEL" eval -q $D/pairs.truth.jsonl - <$D/pairs.findings.jsonl >"$T/b"; expect "stdin exits 0" 0 $?
cmp -s "$T/a" "$T/b"; expect "stdin equals file" 0 $?
cat $D/pairs.findings.jsonl | "$PEL" eval -q $D/pairs.truth.jsonl - >"$T/c"
cmp -s "$T/a" "$T/c"; expect "pipe equals file" 0 $?

# format and I/O errors exit 1 and say where
"$PEL" eval $D/bad-shape.truth.jsonl $D/perfect.findings.jsonl >/dev/null 2>"$T/err"
expect "format error exits 1" 1 $?
grep -q 'bad-shape.truth.jsonl:3: ' "$T/err"; expect "format error names file:line" 0 $?
"$PEL" eval $D/perfect.truth.jsonl "$T/does-not-exist" >/dev/null 2>"$T/err"
expect "missing file exits 1" 1 $?
grep -q 'does-not-exist' "$T/err"; expect "missing file named" 0 $?

echo "eval-cli: $pass passed, $fail failed"
[ $fail = 0 ]
