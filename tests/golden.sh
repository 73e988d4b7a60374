#!/usr/bin/env bash
# golden.sh -- decode each tests/golden/*.nmea and compare, byte for byte,
# the JSON Lines (NAME.out), the rejected lines (NAME.rej) and the summary
# (NAME.sum) with the checked-in expectations.
#   tests/golden.sh            compare; prints "golden: N passed, M failed"
#   tests/golden.sh --update   rewrite the expectations (review with git diff)
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$BUILD/pelorus
out=$BUILD/golden
mkdir -p "$out"
update=0
[ "${1:-}" = "--update" ] && update=1
pass=0 fail=0
for in in tests/golden/*.nmea; do
    name=${in%.nmea}
    base=$(basename "$name")
    "$PEL" decode --rejects "$out/$base.rej" "$in" >"$out/$base.out" 2>"$out/$base.sum"
    echo "exit $?" >>"$out/$base.sum"
    # the same input gzip-compressed must decode to the same messages
    gzip -c "$in" >"$out/$base.nmea.gz"
    "$PEL" decode --no-meta "$out/$base.nmea.gz" 2>/dev/null >"$out/$base.gz.out"
    "$PEL" decode --no-meta "$in" 2>/dev/null >"$out/$base.plain.out"
    if [ $update = 1 ]; then
        cp "$out/$base.out" "$name.out"; cp "$out/$base.rej" "$name.rej"; cp "$out/$base.sum" "$name.sum"
        echo "updated $name"
        continue
    fi
    ok=1
    for ext in out rej sum; do
        if ! cmp -s "$out/$base.$ext" "$name.$ext"; then
            echo "FAIL golden $base.$ext:"; diff "$name.$ext" "$out/$base.$ext" | head -20
            ok=0
        fi
    done
    if ! cmp -s "$out/$base.gz.out" "$out/$base.plain.out"; then
        echo "FAIL golden $base: gzip input decodes differently"; ok=0
    fi
    if [ $ok = 1 ]; then pass=$((pass + 1)); echo "ok golden $base"; else fail=$((fail + 1)); fi
done
echo "golden: $pass passed, $fail failed"
[ $fail = 0 ]
