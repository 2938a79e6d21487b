#!/usr/bin/env bash
# The Lambda soak test at full size: builds the release preset's bootstrap and soak driver, then
# runs 10,000 invocations (or the number given) against the stand-in Runtime API and the faulty
# stand-in judge, checking every answer and that memory stays flat after the warm-up.
#
#   testing/lambda_soak/run.sh [invocations] [driver options ...]
#
# Driver options (see testing/lambda_soak/soak.cpp): --batch B, --seed S, --warmup F,
# --max-growth-kb KB, --max-slope BYTES, --no-memory-check. GAVEL_SOAK_JOBS sets the build's
# parallelism (default 2). Exit code: the driver's (0 passed, 1 a check failed, 2 usage).
set -euo pipefail
cd "$(dirname "$0")/../../.."

invocations=10000
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
  invocations=$1
  shift
fi
cmake --preset release >/dev/null
cmake --build --preset release -j "${GAVEL_SOAK_JOBS:-2}" --target gavel_lambda_soak gavel_lambda_bootstrap
exec build/release/testing/lambda_soak/gavel-lambda-soak --invocations "$invocations" "$@"
