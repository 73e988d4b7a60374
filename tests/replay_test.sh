#!/usr/bin/env bash
# replay_test.sh -- pelorus replay, what pelorus watch's tests are fed with:
#   1. --help, usage errors (exit 2, with messages), a missing file and a
#      port already taken (exit 1, with messages);
#   2. TCP: a tag-blocked file (plain and gzip, CRLF lines among them)
#      reaches a client byte for byte (CR before LF dropped, a last line
#      without LF given one), on the port said on standard error;
#   3. --speed 100 on tag times spanning 200 s takes about 2 s (loose: 1.5-6 s),
#      a time going backwards and an untimed line not waited for; --rate 20
#      on 11 lines takes about 0.5 s (loose: 0.3-4 s);
#   4. a client that leaves after 3 lines, and the next one gets the rest:
#      the lines a client took whole are not sent again, the one it got
#      part of (if any) is sent whole to the next; here, paced by --rate,
#      the first has exactly lines 1-3 and the second exactly 4-20;
#   5. UDP: every line arrives, in order, one datagram each (a listener of
#      our own, tests/tools/udp_recv.c: no nc or socat here).
# Prints "replay: N passed, M failed".  Usage: tests/replay_test.sh (BUILD=build)
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PEL=$BUILD/pelorus
T=$BUILD/replay-test
rm -rf "$T"; mkdir -p "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok replay $1"; }
bad() { fail=$((fail + 1)); echo "FAIL replay $1"; }
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done' EXIT

# runs pelorus "$@"; checks exit status and that stderr holds a fragment
check() { # name rc fragment args...
    local name=$1 want=$2 frag=$3; shift 3
    "$PEL" "$@" >"$T/out" 2>"$T/err" </dev/null; local rc=$?
    if [ "$rc" != "$want" ]; then bad "$name: exit $rc, wanted $want ($(head -c 300 "$T/err"))"; return; fi
    if [ -n "$frag" ] && ! grep -qF -- "$frag" "$T/err"; then
        bad "$name: stderr lacks [$frag]: $(head -c 300 "$T/err")"; return
    fi
    ok "$name"
}

# starts a replay in the background (stderr to $1); sets PID and PORT from
# its "serving tcp://127.0.0.1:PORT" line
start() { # errfile args...
    local errf=$1; shift
    rm -f "$errf" # else a look before the new process has opened it reads the last one's port
    "$PEL" replay "$@" 2>"$errf" </dev/null &
    PID=$!; pids+=("$PID"); PORT=
    for _ in $(seq 100); do
        PORT=$(sed -n 's|^pelorus replay: serving tcp://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$errf")
        [ -n "$PORT" ] && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    return 1
}

# waits (at most 20 s, then kills it) for the replay PID; rc its exit status
finish() {
    for _ in $(seq 200); do
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    kill "$PID" 2>/dev/null
    wait "$PID"; rc=$?
}

# what a client should receive: CR before LF dropped, every line ended by LF
expected() { awk '{ sub(/\r$/, ""); print }' "$1"; }

# ---- 1. usage and errors ----------------------------------------------------
"$PEL" replay --help >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && grep -q '^usage: pelorus replay FILE --serve tcp://HOST:PORT' "$T/out" && [ ! -s "$T/err" ] &&
    ok "--help on stdout, exit 0" || bad "--help: exit $rc"
check "no FILE" 2 "pelorus replay: which FILE?" replay --serve tcp://127.0.0.1:0
check "no --serve" 2 "pelorus replay: where to? --serve" replay tests/golden/tagblocks.nmea
check "bad scheme" 2 '--serve wants tcp://HOST:PORT or udp://HOST:PORT, not "http://127.0.0.1:80"' \
    replay tests/golden/tagblocks.nmea --serve http://127.0.0.1:80
check "no port" 2 'has no :PORT' replay tests/golden/tagblocks.nmea --serve tcp://localhost
check "port out of range" 2 'the port of "tcp://127.0.0.1:70000" is not 0 to 65535' \
    replay tests/golden/tagblocks.nmea --serve tcp://127.0.0.1:70000
check "udp port 0" 2 'is not 1 to 65535' replay tests/golden/tagblocks.nmea --serve udp://127.0.0.1:0
check "--speed 0" 2 '--speed wants a number from 1e-06 to 1000000 (times real time), not "0"' \
    replay tests/golden/tagblocks.nmea --serve tcp://127.0.0.1:0 --speed 0
check "--speed -1" 2 '--speed wants a number' replay tests/golden/tagblocks.nmea --serve tcp://127.0.0.1:0 --speed -1
check "--speed nan" 2 '--speed wants a number' replay tests/golden/tagblocks.nmea --serve tcp://127.0.0.1:0 --speed nan
check "--rate 0" 2 '--rate wants a number from 0.001 to 10000000 lines a second, not "0"' \
    replay tests/golden/tagblocks.nmea --serve tcp://127.0.0.1:0 --rate 0
check "--speed without a value" 2 "--speed needs a value" replay tests/golden/tagblocks.nmea --speed
check "unknown option" 2 "pelorus replay: unknown option --bogus" replay --bogus
check "two files" 2 "one FILE only" replay a.nmea b.nmea --serve tcp://127.0.0.1:0
check "missing file" 1 "pelorus replay: $T/none.nmea: No such file or directory" \
    replay "$T/none.nmea" --serve tcp://127.0.0.1:0
[ ! -s "$T/out" ] && ok "nothing on stdout" || bad "stdout: $(head -c 200 "$T/out")"

# ---- 2. TCP, byte for byte ----------------------------------------------------
F=$T/tags.nmea
{
    cat tests/golden/tagblocks.nmea
    printf '\\s:rX,c:1700000300*00\\!AIVDM,1,1,,B,crlf,0*00\r\n'
    printf 'a CR\rinside\n'
    printf '\n'
    printf '\\s:rX,c:1700000301*00\\!AIVDM,1,1,,B,last-without-lf,0*00'
} >"$F"
expected "$F" >"$T/tags.want"
gzip -c "$F" >"$F.gz"
for input in "$F" "$F.gz"; do
    name=$(basename "$input")
    if ! start "$T/tcp.err" "$input" --serve tcp://127.0.0.1:0; then
        bad "$name: no serving line: $(head -c 300 "$T/tcp.err")"; continue
    fi
    [ "$PORT" -gt 0 ] && ok "$name: port $PORT said on stderr" || bad "$name: port [$PORT]"
    # shellcheck disable=SC3025
    timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && cat <&3" >"$T/tcp.got"
    finish
    [ $rc = 0 ] && ok "$name: exit 0 after the first client" || bad "$name: exit $rc"
    cmp -s "$T/tcp.got" "$T/tags.want" && ok "$name: received byte for byte" ||
        bad "$name: received differs: $(cmp "$T/tcp.got" "$T/tags.want" 2>&1)"
    n=$(wc -l <"$T/tags.want")
    grep -Eq "^pelorus replay: $n lines sent in [0-9.]+ s to 1 client$" "$T/tcp.err" && ok "$name: summary" ||
        bad "$name: summary: $(tail -1 "$T/tcp.err")"
    [ "$(wc -l <"$T/tcp.err")" = 2 ] && ok "$name: two lines on stderr" || bad "$name: stderr: $(cat "$T/tcp.err")"
done

# an empty file: one client, closed at once
: >"$T/empty.nmea"
if start "$T/empty.err" "$T/empty.nmea" --serve tcp://127.0.0.1:0; then
    timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && cat <&3" >"$T/empty.got"
    finish
    [ $rc = 0 ] && [ ! -s "$T/empty.got" ] && grep -Eq '^pelorus replay: 0 lines sent in [0-9.]+ s to 1 client$' "$T/empty.err" &&
        ok "empty file: one client, nothing sent, exit 0" || bad "empty file: exit $rc: $(cat "$T/empty.err")"
else
    bad "empty file: did not start: $(cat "$T/empty.err")"
fi

# a port already taken is an I/O error naming it
if start "$T/hold.err" "$F" --serve tcp://127.0.0.1:0; then
    check "port taken" 1 "pelorus replay: cannot listen on tcp://127.0.0.1:$PORT: Address already in use" \
        replay "$F" --serve "tcp://127.0.0.1:$PORT"
    timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && cat <&3" >/dev/null
    finish
else
    bad "port taken: the first replay did not start"
fi

# ---- 3. --speed --------------------------------------------------------------
S=$T/speed.nmea
{
    printf '\\s:r1,c:1700000000*00\\!AIVDM,1,1,,A,first,0*00\n'
    printf '!AIVDM,1,1,,A,untimed,0*00\n'
    printf '\\s:r1,c:1700000050000*00\\!AIVDM,1,1,,A,ms,0*00\n'
    printf '\\s:r1,c:1700000010*00\\!AIVDM,1,1,,A,backwards,0*00\n'
    printf '2023-11-14T22:15:00Z !AIVDM,1,1,,A,iso-prefix,0*00\n'
    printf '\\s:r1,c:1700000200*00\\!AIVDM,1,1,,A,last,0*00\n'
} >"$S"
# 2023-11-14T22:15:00Z is 1700000100
if start "$T/speed.err" "$S" --serve tcp://127.0.0.1:0 --speed 100; then
    t0=$(date +%s.%N)
    timeout 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && cat <&3" >"$T/speed.got"
    t1=$(date +%s.%N)
    finish
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    awk -v s="$secs" 'BEGIN { exit !(s >= 1.5 && s <= 6) }' && ok "--speed 100 over 200 s took $secs s" ||
        bad "--speed 100 over 200 s took $secs s (wanted 1.5 to 6)"
    cmp -s "$T/speed.got" "$S" && ok "--speed: received byte for byte" || bad "--speed: received differs"
else
    bad "--speed: did not start: $(cat "$T/speed.err")"
fi

# --rate: 11 lines at 20 a second are 10 gaps of 50 ms (loose: 0.3-4 s)
head -11 tests/golden/tagblocks.nmea >"$T/rate.nmea"
while [ "$(wc -l <"$T/rate.nmea")" -lt 11 ]; do echo '!AIVDM,1,1,,A,pad,0*00' >>"$T/rate.nmea"; done
if start "$T/rate.err" "$T/rate.nmea" --serve tcp://127.0.0.1:0 --rate 20; then
    t0=$(date +%s.%N)
    timeout 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && cat <&3" >"$T/rate.got"
    t1=$(date +%s.%N)
    finish
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    awk -v s="$secs" 'BEGIN { exit !(s >= 0.3 && s <= 4) }' && ok "--rate 20 over 11 lines took $secs s" ||
        bad "--rate 20 over 11 lines took $secs s (wanted 0.3 to 4)"
    expected "$T/rate.nmea" | cmp -s "$T/rate.got" - && ok "--rate: received byte for byte" ||
        bad "--rate: received differs"
else
    bad "--rate: did not start: $(cat "$T/rate.err")"
fi

# ---- 4. a client that leaves, and the next -------------------------------------
R=$T/resume.nmea
for i in $(seq 20); do printf '\\s:r1,c:%d*00\\!AIVDM,1,1,,A,line%02d,0*00\n' $((1700000000 + i)) "$i"; done >"$R"
if start "$T/resume.err" "$R" --serve tcp://127.0.0.1:0 --rate 10; then
    # the first client reads 3 lines (bash reads a socket byte by byte) and closes
    timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && for i in 1 2 3; do IFS= read -r l <&3 && printf '%s\n' \"\$l\"; done; exec 3<&-" >"$T/c1"
    sleep 0.3
    timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && cat <&3" >"$T/c2"
    finish
    [ $rc = 0 ] && ok "resume: exit 0" || bad "resume: exit $rc"
    # in general: the whole lines of c1, then c2, are the file, and a part
    # of a line at the end of c1 is the start of c2's first line
    whole=$(awk 'END { print NR }' "$T/c1")
    tailpart=$(tail -c 1 "$T/c1" | od -An -c | tr -d ' ')
    if [ "$tailpart" = '\n' ] || [ ! -s "$T/c1" ]; then
        cat "$T/c1" "$T/c2" | cmp -s - "$R" && ok "resume: client 1 then client 2 is the file, nothing repeated" ||
            bad "resume: c1+c2 differs from the file"
    else
        bad "resume: client 1 ended inside a line (not expected when paced)"
    fi
    # here, exactly: paced at 10 lines a second, the first client leaves
    # before line 4 is due, so line 4 is the second client's first
    [ "$whole" = 3 ] && [ "$(head -1 "$T/c2")" = "$(sed -n 4p "$R")" ] && [ "$(wc -l <"$T/c2")" = 17 ] &&
        ok "resume: client 1 got lines 1-3, client 2 lines 4-20" ||
        bad "resume: client 1 got $whole lines, client 2 $(wc -l <"$T/c2")"
    grep -Eq '^pelorus replay: 20 lines sent in [0-9.]+ s to 2 clients$' "$T/resume.err" && ok "resume: summary" ||
        bad "resume: summary: $(tail -1 "$T/resume.err")"
else
    bad "resume: did not start: $(cat "$T/resume.err")"
fi

# ---- 5. UDP ------------------------------------------------------------------
RECV=$BUILD/tests/udp_recv
mkdir -p "$BUILD/tests"
if [ ! -x "$RECV" ] || [ tests/tools/udp_recv.c -nt "$RECV" ]; then
    ${CC:-gcc} -std=c17 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -o "$RECV" tests/tools/udp_recv.c ||
        bad "udp: cannot build the listener"
fi
U=$T/udp.nmea
for i in $(seq 3000); do printf '\\s:r1,c:%d*00\\!AIVDM,1,1,,A,udp%05d,0*00\n' $((1700000000 + i)) "$i"; done >"$U"
udp_case() { # name args...
    local name=$1; shift
    rm -f "$T/udp.port"
    "$RECV" "$T/udp.port" 1500 10000 >"$T/udp.got" &
    local rpid=$!
    pids+=("$rpid")
    for _ in $(seq 100); do [ -s "$T/udp.port" ] && break; sleep 0.05; done
    local port
    port=$(cat "$T/udp.port" 2>/dev/null)
    "$PEL" replay "$U" --serve "udp://127.0.0.1:$port" "$@" 2>"$T/udp.err"; local rc=$?
    wait "$rpid"
    [ $rc = 0 ] && ok "udp $name: exit 0" || bad "udp $name: exit $rc: $(cat "$T/udp.err")"
    cmp -s "$T/udp.got" "$U" && ok "udp $name: all 3000 lines, in order" ||
        bad "udp $name: got $(wc -l <"$T/udp.got") lines, differing: $(cmp "$T/udp.got" "$U" 2>&1)"
    [ "$(head -1 "$T/udp.err")" = "pelorus replay: sending to udp://127.0.0.1:$port" ] && ok "udp $name: says where" ||
        bad "udp $name: stderr: $(head -1 "$T/udp.err")"
    grep -Eq '^pelorus replay: 3000 lines sent in [0-9.]+ s$' "$T/udp.err" && ok "udp $name: summary" ||
        bad "udp $name: summary: $(tail -1 "$T/udp.err")"
}
udp_case "default pace"
udp_case "--speed 3000" --speed 3000

echo "replay: $pass passed, $fail failed"
[ $fail = 0 ]
