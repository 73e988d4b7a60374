#!/usr/bin/env bash
#
# decode_bench.sh -- Pelorus decode benchmark (run by `make bench`).
#
# Usage: bench/decode_bench.sh PELORUS_BINARY [N_SENTENCES]     (N default 5000000)
#
# Generates a synthetic AIS file of N sentences once, with bench/gen_nmea.c,
# into build/bench/ais_N.nmea (reused on later runs while gen_nmea.c is
# unchanged), then measures on that same file, side by side:
#   (a) PELORUS decode FILE > /dev/null        JSON Lines output
#   (b) PELORUS decode --count FILE            decodes everything, no per-message output
#   (c) gpsdecode -j < FILE > /dev/null        the reference decoder (gpsd-clients)
#   (d) wc -l FILE                             the floor: just reading the lines
# For each: wall seconds (best of BENCH_RUNS runs, default 3; gpsdecode runs
# once when its first run takes longer than GPSDECODE_SLOW seconds, default
# 20), lines per second, MB/s and peak RSS (KiB).  Peak RSS and exit status
# come from /usr/bin/time -f '%e %M'; wall time is taken around it with
# bash's microsecond clock ($EPOCHREALTIME), as %e only has 10 ms steps
# (both figures go to the log).  The page cache is warmed first.
#
# Then it prints the project's two targets:
#   JSON throughput ratio  pelorus decode / gpsdecode -j   target >= 20x
#   count-mode time / wc -l time                           target <= 3x
# and a memory check: peak RSS of `decode --count` on N/5 and on N sentences,
# which must not grow by more than 10% (decoding is meant to stream).
#
# The stderr of every measured command goes to build/bench/decode_bench.log;
# the output of (b) is kept in build/bench/count_output.txt.
#
# Exit status: 0 when everything ran (targets missed or not), 1 when a
# measured command failed, 2 for usage or set-up errors.  With BENCH_STRICT=1
# a missed target also gives 1.
#
# Environment: BENCH_RUNS (3), GPSDECODE_SLOW (20), BENCH_STRICT (0), CC (gcc).

set -euo pipefail

# ---------------------------------------------------------------------------
# Arguments and set-up
# ---------------------------------------------------------------------------

# Print usage to stderr and exit 2.
usage() {
    echo "usage: $0 PELORUS_BINARY [N_SENTENCES]   (N default 5000000, at least 5)" >&2
    exit 2
}

# Print a message to stderr and exit 2.
die() {
    echo "decode_bench: $*" >&2
    exit 2
}

[[ $# -ge 1 && $# -le 2 ]] || usage
[[ $1 == -h || $1 == --help ]] && usage
PELORUS=$1
N=${2:-5000000}
[[ $N =~ ^[0-9]{1,12}$ ]] || die "N_SENTENCES must be a whole number >= 5, got '$N'"
N=$((10#$N))
((N >= 5)) || die "N_SENTENCES must be at least 5, got $N"
N_SMALL=$((N / 5))

RUNS=${BENCH_RUNS:-3}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive number"
GPSD_SLOW=${GPSDECODE_SLOW:-20}
[[ $GPSD_SLOW =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "GPSDECODE_SLOW must be a number of seconds"
STRICT=${BENCH_STRICT:-0}

[[ -n ${EPOCHREALTIME:-} ]] || die "needs bash 5 or later (for \$EPOCHREALTIME)"
if [[ ! -x /usr/bin/time ]]; then
    die "/usr/bin/time not found (needed for peak RSS); install the Debian package 'time': sudo apt-get install time"
fi
command -v wc >/dev/null || die "wc not found"

# The binary under test, as an absolute path (a bare name is looked up in PATH).
if [[ $PELORUS != */* ]]; then
    PELORUS=$(command -v -- "$PELORUS") || die "pelorus binary '$1' not found"
fi
[[ -f $PELORUS && -x $PELORUS ]] || die "pelorus binary '$PELORUS' is not an executable file"
PELORUS=$(cd "$(dirname -- "$PELORUS")" && pwd)/$(basename -- "$PELORUS")

HAVE_GPSD=1
if ! command -v gpsdecode >/dev/null; then
    HAVE_GPSD=0
    echo "decode_bench: gpsdecode not found (Debian package gpsd-clients); skipping (c)" >&2
fi

ROOT=$(cd "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
OUTDIR=$ROOT/build/bench
GEN=$ROOT/build/gen_nmea
GEN_SRC=$ROOT/bench/gen_nmea.c
LOG=$OUTDIR/decode_bench.log
mkdir -p "$OUTDIR"
: >"$LOG"
TIMEFILE=$(mktemp "$OUTDIR/.time.XXXXXX")
trap 'rm -f "$TIMEFILE"' EXIT

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

# Seconds since an $EPOCHREALTIME reading $1, as a decimal.
elapsed_since() {
    local now=$EPOCHREALTIME
    awk -v a="$1" -v b="$now" 'BEGIN { printf "%.6f", b - a }'
}

# Build the generator when it is missing or older than its source.
build_generator() {
    if [[ ! -x $GEN || $GEN_SRC -nt $GEN ]]; then
        echo "building $GEN" >&2
        "${CC:-gcc}" -O2 -std=c17 -Wall -Wextra -o "$GEN" "$GEN_SRC" -lm
    fi
}

# Make sure build/bench/ais_$1.nmea holds $1 generated sentences.  A file
# is reused when its stamp (ais_N.nmea.stamp: a checksum of gen_nmea.c and
# the arguments) still matches, so rebuilding the generator from the same
# source (make bench always does) does not force a new file.  Prints the
# path on stdout.
ensure_file() {
    local n=$1 f=$OUTDIR/ais_$1.nmea
    local stamp
    stamp="$(cksum <"$GEN_SRC" | cut -d' ' -f1-2) --sentences $n"
    if [[ -s $f && -f $f.stamp && $(cat "$f.stamp") == "$stamp" ]]; then
        echo "reusing $f" >&2
    else
        rm -f "$f.stamp"
        local t0=$EPOCHREALTIME
        if ! "$GEN" --sentences "$n" >"$f.tmp"; then
            rm -f "$f.tmp"
            echo "decode_bench: generating $f failed" >&2
            exit 2
        fi
        mv -f "$f.tmp" "$f"
        echo "$stamp" >"$f.stamp"
        printf 'generated %s (%d sentences) in %.2f s\n' "$f" "$n" "$(elapsed_since "$t0")" >&2
    fi
    echo "$f"
}

# Run a command once under /usr/bin/time.
#   run_once LABEL STDIN STDOUT CMD...
# Sets R_WALL (seconds), R_RSS (KiB), R_RC (exit status).  stderr goes to
# the log, after a header line.
run_once() {
    local label=$1 in=$2 out=$3
    shift 3
    printf '== %s: %s\n' "$label" "$*" >>"$LOG"
    local t0=$EPOCHREALTIME
    R_RC=0
    /usr/bin/time -f '%e %M' -o "$TIMEFILE" "$@" <"$in" >"$out" 2>>"$LOG" || R_RC=$?
    R_WALL=$(elapsed_since "$t0")
    # On failure time(1) writes "Command exited with non-zero status" first.
    local e m
    read -r e m < <(tail -n 1 "$TIMEFILE")
    R_RSS=${m:-0}
    printf '   exit %s, wall %s s (time: %s s), peak RSS %s KiB\n' \
        "$R_RC" "$R_WALL" "${e:-?}" "$R_RSS" >>"$LOG"
}

# Measure a command up to $RUNS times.
#   measure KEY LABEL MAX_SECONDS STDIN STDOUT CMD...
# Stops after the first run when it took longer than MAX_SECONDS (0: never).
# Sets WALL[KEY] (best), RSS[KEY] (highest), NRUNS[KEY], FAILED[KEY].
declare -A WALL RSS NRUNS FAILED LABEL
measure() {
    local key=$1 label=$2 slow=$3 in=$4 out=$5
    shift 5
    local best="" peak=0 k
    LABEL[$key]=$label
    FAILED[$key]=0
    for ((k = 1; k <= RUNS; k++)); do
        run_once "$label (run $k)" "$in" "$out" "$@"
        if ((R_RC != 0)); then
            FAILED[$key]=$R_RC
            echo "  $label: exit status $R_RC (see $LOG)" >&2
        fi
        if [[ -z $best ]] || awk -v a="$R_WALL" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$R_WALL
        fi
        ((R_RSS > peak)) && peak=$R_RSS
        printf '  %-34s run %d: %8.3f s  %9s KiB\n' "$label" "$k" "$R_WALL" "$R_RSS" >&2
        if ((R_RC != 0)); then
            break
        fi
        if [[ $slow != 0 ]] && awk -v a="$R_WALL" -v b="$slow" 'BEGIN { exit !(a > b) }'; then
            break
        fi
    done
    WALL[$key]=$best
    RSS[$key]=$peak
    NRUNS[$key]=$((k > RUNS ? RUNS : k))
}

# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------

build_generator
FILE=$(ensure_file "$N")
SMALL=$(ensure_file "$N_SMALL")
BYTES=$(wc -c <"$FILE")
LINES=$(wc -l <"$FILE")
((LINES == N)) || die "$FILE has $LINES lines, expected $N (delete it and rerun)"

# Warm the page cache so that every command reads from memory.
cat "$FILE" "$SMALL" >/dev/null

echo
echo "Pelorus decode benchmark"
printf '  file       %s: %d sentences, %.1f MB\n' "${FILE#"$ROOT"/}" "$N" "$(awk -v b="$BYTES" 'BEGIN { print b / 1e6 }')"
printf '  pelorus    %s\n' "$PELORUS"
if ((HAVE_GPSD)); then
    printf '  gpsdecode  %s\n' "$(gpsdecode -V 2>&1 | head -n 1)"
fi
printf '  machine    %s, %s CPUs, %s\n' \
    "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo '?')" \
    "$(nproc 2>/dev/null || echo '?')" "$(uname -sr)"
printf '  runs       best of %d (gpsdecode: one run if it takes over %s s)\n' "$RUNS" "$GPSD_SLOW"
echo

# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------

echo "measuring (stderr of the commands goes to ${LOG#"$ROOT"/}):" >&2
measure json "pelorus decode FILE > /dev/null" 0 /dev/null /dev/null \
    "$PELORUS" decode "$FILE"
measure count "pelorus decode --count FILE" 0 /dev/null "$OUTDIR/count_output.txt" \
    "$PELORUS" decode --count "$FILE"
if ((HAVE_GPSD)); then
    measure gpsd "gpsdecode -j < FILE > /dev/null" "$GPSD_SLOW" "$FILE" /dev/null \
        gpsdecode -j
fi
measure wc "wc -l FILE" 0 /dev/null /dev/null wc -l "$FILE"
measure small "pelorus decode --count FILE/5" 0 /dev/null /dev/null \
    "$PELORUS" decode --count "$SMALL"
echo >&2

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

# One table row for measurement KEY.
row() {
    local key=$1 runs=${NRUNS[$1]}
    local note=""
    ((${FAILED[$key]} != 0)) && note="  FAILED (exit ${FAILED[$key]})"
    [[ $key == gpsd ]] && ((runs < RUNS)) && note="  (slow: ran once)"
    awk -v label="${LABEL[$key]}" -v runs="$runs" -v w="${WALL[$key]}" -v n="$N" \
        -v b="$BYTES" -v rss="${RSS[$key]}" -v note="$note" 'BEGIN {
            lps = w > 0 ? n / w : 0; mbs = w > 0 ? b / w / 1e6 : 0
            printf "%-34s %4d %9.3f %13.0f %9.1f %12d%s\n", label, runs, w, lps, mbs, rss, note
        }'
}

printf '%-34s %4s %9s %13s %9s %12s\n' "command" "runs" "wall s" "lines/s" "MB/s" "peak RSS KiB"
printf '%-34s %4s %9s %13s %9s %12s\n' "-------" "----" "------" "-------" "----" "------------"
row json
row count
((HAVE_GPSD)) && row gpsd
row wc
echo
echo "count-mode output: $(head -c 300 "$OUTDIR/count_output.txt" | tr '\n' ' ')"
echo

MISSED=0
# Print a target line: NAME VALUE OP TARGET (OP is >= or <=).
target() {
    local name=$1 value=$2 op=$3 want=$4 verdict
    if awk -v v="$value" -v t="$want" -v op="$op" \
        'BEGIN { exit !((op == ">=") ? v >= t : v <= t) }'; then
        verdict=PASS
    else
        verdict=MISS
        MISSED=1
    fi
    printf '%-52s %7.2fx   (target %s %sx)  %s\n' "$name" "$value" "$op" "$want" "$verdict"
}

echo "targets:"
if ((HAVE_GPSD)); then
    target "JSON throughput, pelorus decode / gpsdecode -j" \
        "$(awk -v p="${WALL[json]}" -v g="${WALL[gpsd]}" 'BEGIN { print (p > 0 ? g / p : 0) }')" ">=" 20
else
    echo "JSON throughput ratio: not measured (no gpsdecode)"
fi
target "count-mode time / wc -l time" \
    "$(awk -v c="${WALL[count]}" -v w="${WALL[wc]}" 'BEGIN { print (w > 0 ? c / w : 0) }')" "<=" 3
echo

echo "memory (peak RSS of pelorus decode --count):"
printf '  %9d sentences: %9d KiB\n' "$N_SMALL" "${RSS[small]}"
printf '  %9d sentences: %9d KiB\n' "$N" "${RSS[count]}"
GROWTH=$(awk -v a="${RSS[small]}" -v b="${RSS[count]}" 'BEGIN { printf "%.1f", (a > 0 ? (b - a) * 100 / a : 0) }')
if awk -v g="$GROWTH" 'BEGIN { exit !(g > 10) }'; then
    echo "  RSS grew by ${GROWTH}% from N/5 to N: more than 10% -- MISS (memory should not grow with input size)"
    MISSED=1
else
    echo "  RSS grew by ${GROWTH}% from N/5 to N: within 10% -- PASS"
fi
echo
echo "log: ${LOG#"$ROOT"/}"

for key in "${!FAILED[@]}"; do
    if ((${FAILED[$key]} != 0)); then
        echo "decode_bench: '${LABEL[$key]}' failed; figures above are not meaningful" >&2
        exit 1
    fi
done
if ((MISSED && STRICT == 1)); then
    exit 1
fi
exit 0
