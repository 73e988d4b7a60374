#!/usr/bin/env bash
# run.sh -- every test suite, in order; called by `make test` and `make
# check` (BUILD=build-san).  Each suite prints its own "N passed, M failed";
# this script ends with the total over suites: "tests: N passed, M failed".
# The store, ingest, scan, review and report suites run twice: on SQLite
# files, then (NAME-pg) unchanged on a throwaway PostgreSQL cluster
# (PELORUS_TEST_BACKEND=pg, tests/backend.sh).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
PEERS=${PELORUS_PEERS:-../shared/data/peers}
pass=0 fail=0
suite() { # name command...
    local name=$1; shift
    echo "== $name"
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "SUITE FAILED: $name"; fi
}
for t in "$BUILD"/tests/unit_*; do
    suite "$(basename "$t")" "$t"
done
suite format-check make -s --no-print-directory format-check
suite encode-gpsd tests/encode_gpsd.sh "$BUILD"
suite golden tests/golden.sh
suite scan-golden tests/scan_golden.sh
suite realdata tests/realdata_test.sh
suite realscan tests/realscan_test.sh
suite export-validate tests/export_validate.sh "$BUILD"
suite cli tests/cli_test.sh
suite args tests/args_test.sh "$BUILD"
suite output tests/output_test.sh "$BUILD"
suite display tests/display_test.sh "$BUILD"
suite messages tests/messages_test.sh "$BUILD"
suite store tests/store_test.sh
suite ingest tests/ingest_test.sh
suite dbopen tests/dbopen_test.sh
suite concurrency tests/concurrency_test.sh
suite pg-schema tests/pg_schema_test.sh
suite pg-backend tests/pg_backend_test.sh
suite pg-watch-readers tests/pg_watch_readers_test.sh
suite pg-qgis tests/pg_qgis_test.sh
suite pg-migrate tests/pg_migrate_test.sh
suite store-pg env PELORUS_TEST_BACKEND=pg tests/store_test.sh
suite ingest-pg env PELORUS_TEST_BACKEND=pg tests/ingest_test.sh
suite scan-pg env PELORUS_TEST_BACKEND=pg tests/scan_test.sh
suite review-pg env PELORUS_TEST_BACKEND=pg tests/review_test.sh
suite report-pg env PELORUS_TEST_BACKEND=pg tests/report_test.sh "$BUILD"
suite memory tests/memory_test.sh
suite equiv tests/equiv_test.sh
suite scan tests/scan_test.sh
suite resume tests/resume_test.sh
suite incremental tests/incremental_test.sh
suite replay tests/replay_test.sh
suite watch tests/watch_test.sh
suite case tests/case_test.sh
suite review tests/review_test.sh
suite screen tests/screen_test.sh
suite robust tests/robust_test.sh
suite eval-cli tests/eval_cli_test.sh "$BUILD"
suite sim tests/sim_test.sh "$BUILD"
suite report tests/report_test.sh "$BUILD"
suite dossier tests/dossier_test.sh "$BUILD"
suite browser tests/browser_test.sh "$BUILD"
suite segment-gfw "$BUILD/segment_gfw" "${PELORUS_REAL:-../shared/data/real}/gfw-gpsdio-segment"
suite peer-compare-selftest tests/peers/selftest.sh "$BUILD/peer_compare"
suite peer tests/peer_test.sh "$BUILD/pelorus" "$BUILD/peer_compare" "$PEERS"
suite fuzz-replay "$BUILD/fuzz_replay" fuzz/corpus/* tests/golden/*.nmea
echo "tests: $pass passed, $fail failed"
[ $fail = 0 ]
