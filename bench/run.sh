#!/usr/bin/env bash
# gavel against the Python baseline (bench/reference/), in one run: installs what is missing,
# builds the release preset, then bench/compare.py generates the data, starts the stand-in
# judge, checks that both sides compute the same rewards sample by sample, and prints the table
# (also in build/perf/results.md and results.json).
#   bench/run.sh                  every section, 3 runs per figure (about 25 minutes on 2 cores)
#   bench/run.sh --runs 5         more runs per figure
#   bench/run.sh --only det,callgrind
#   bench/run.sh --quick --runs 1 small sizes, to check the harness (about a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)"
exec /usr/bin/python3 bench/compare.py "$@"
