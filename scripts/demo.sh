#!/usr/bin/env bash
# demo.sh -- the main job on the sample shipped in examples/: installs what
# is missing, builds, decodes the sample to build/demo/messages.jsonl and
# prints a summary.  (Later versions will run the full scan here.)
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make -s all
mkdir -p build/demo
build/pelorus decode --summary --rejects build/demo/rejects.tsv examples/sample.nmea.gz >build/demo/messages.jsonl
echo
echo "decoded messages: build/demo/messages.jsonl ($(wc -l <build/demo/messages.jsonl) lines)"
echo "rejected lines:   build/demo/rejects.tsv ($(wc -l <build/demo/rejects.tsv) lines)"
