#!/usr/bin/env bash
# Hardening in one command: fuzzing, the hostile-sample tests, the sandbox red team and the soak
# test of the Lambda bootstrap (docs/security.md).
#
#   tests/harden.sh          the full campaign: every fuzz target for GAVEL_FUZZ_SECONDS (default
#                            600) each, the hostile-sample and red-team tests under ASan and
#                            UBSan, and the soak test at full size (10,000 invocations, release)
#   tests/harden.sh --ci     what CI adds to ./dev.sh test (which already ran the hostile-sample,
#                            red-team and CI-sized soak tests): every fuzz target for 30 s
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--ci" ]; then
  tests/fuzz/run.sh 30
  exit 0
fi
[ $# -eq 0 ] || { echo "usage: tests/harden.sh [--ci]" >&2; exit 2; }

scripts/setup-debian.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
build/asan/tests/gavel_engine_tests '[sandbox]'    # the sandbox red team
ctest --preset asan -R '^(hostile/|lambda/soak)'
tests/fuzz/run.sh "${GAVEL_FUZZ_SECONDS:-600}"
testing/lambda_soak/run.sh 10000                      # the soak test at full size (release)
