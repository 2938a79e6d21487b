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
    for name in math_answer support_reply; do
      out=build/example-$name-scores.jsonl
      build/release/apps/gavel/gavel score \
        --rubric rubrics/$name.lua \
        --input rubrics/examples/$name.jsonl \
        --output "$out"
      echo "--- rubrics/$name.lua on rubrics/examples/$name.jsonl: $out"
      cat "$out"
    done
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
