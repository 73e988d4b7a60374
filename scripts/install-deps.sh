#!/usr/bin/env bash
# install-deps.sh -- installs what Pelorus needs on Debian 12 (bookworm):
# the build (gcc, make, zlib, SQLite, nettle for SHA-256 and Ed25519, libzip for case files, libcsv), the tests (jansson for the peer comparison,
# gzip, GNU time for the memory check, clang for the fuzz build, clang-format for make format-check) and the
# benchmark's peer (gpsd-clients for gpsdecode), PostgreSQL 15 with PostGIS
# for the tests of the PostgreSQL schema (they start their own throwaway
# cluster, scripts/pg_cluster.sh, and need no server running), QGIS's
# Python bindings and providers (python3-qgis, qgis-providers: the test of
# the PostGIS layers as QGIS reads them, tests/pg_qgis_test.sh), and for the
# report's browser test Debian's Chromium with its fonts, plus Node.js and
# npm when the machine has none; then `npm ci` installs the pinned front-end
# packages (package-lock.json: Leaflet, world-atlas, topojson-client,
# playwright-core -- which downloads no browser).  Skips the package manager
# when everything is there already.  Run as root (or with sudo available).
set -eu
pkgs="build-essential make gcc zlib1g-dev libzstd-dev libsqlite3-dev libpq-dev nettle-dev libzip-dev libcsv-dev libjansson-dev libxml2-dev gzip time clang libclang-rt-14-dev clang-format gpsd-clients sqlite3 jq libxml2-utils bc chromium fonts-liberation fonts-dejavu-core python3 postgresql-15 postgresql-15-postgis-3 python3-qgis qgis-providers"
command -v node >/dev/null && command -v npm >/dev/null || pkgs="$pkgs nodejs npm"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
npm_ci() (
    cd "$(dirname "$0")/.."
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        echo "install-deps: npm ci (pinned front-end packages)"
        npm ci --no-audit --no-fund --loglevel=error >/dev/null
    fi
)
if [ -z "$missing" ]; then
    npm_ci
    echo "install-deps: all present"
    exit 0
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "install-deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
npm_ci
