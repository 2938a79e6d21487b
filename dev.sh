#!/usr/bin/env bash
# The project's two entry points on a fresh Debian machine:
#   ./dev.sh example   install packages, build (release), score the bundled example
#   ./dev.sh test      install packages, build with ASan+UBSan, run every test
set -euo pipefail
cd "$(dirname "$0")"

jobs=$(nproc 2>/dev/null || echo 2)

case "${1:-}" in
  example)
    scripts/setup-debian.sh
    cmake --preset release >/dev/null
    cmake --build --preset release -j "$jobs"
    # The contract-review rubric needs an LLM judge: the endpoint GAVEL_JUDGE_URL names, or else
    # the stand-in judge on loopback (it exits when this script does: its stdin closes).
    if [ -z "${GAVEL_JUDGE_URL:-}" ]; then
      coproc STANDIN { exec build/release/testing/standin_judge/gavel-standin-judge --exit-on-stdin-eof --latency-ms 100; }
      read -r line <&"${STANDIN[0]}"
      base=${line##* }
      export GAVEL_JUDGE_URL="$base/v1?model=gavel-standin"
      # Its port changes from run to run, so its replies are not worth keeping in the cache.
      export GAVEL_JUDGE_CACHE=off
      echo "No judge is configured (GAVEL_JUDGE_URL is not set), so contract_review uses the"
      echo "stand-in judge started on $base. Its verdicts are deterministic placeholders"
      echo "for trying gavel out, not real judgements. See the README to use a real judge."
    fi
    for name in math_answer support_reply contract_review; do
      out=build/example-$name-scores.jsonl
      build/release/apps/gavel/gavel score \
        --rubric rubrics/$name.lua \
        --input rubrics/examples/$name.jsonl \
        --output "$out"
      echo "--- rubrics/$name.lua on rubrics/examples/$name.jsonl: $out"
      cat "$out"
    done
    # The offline tool: two checkpoints' contract reviews compared (docs/offline.md).
    ex=rubrics/examples/contract_review
    build/release/apps/gavel/gavel bench --rubric rubrics/contract_review.lua \
      --checkpoint $ex/base.jsonl --checkpoint $ex/tuned.jsonl --out build/example-bench --fresh
    echo "--- gavel bench, base against tuned: build/example-bench/{summary.json,summary.md,report.html}"
    cat build/example-bench/summary.md
    ;;
  test)
    scripts/setup-debian.sh
    cmake --preset asan >/dev/null
    cmake --build --preset asan -j "$jobs"
    ctest --preset asan
    ;;
  *)
    echo "usage: ./dev.sh example | test" >&2
    exit 2
    ;;
esac
