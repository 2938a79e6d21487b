#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz") and runs each one for a while on a scratch copy
# of its seed corpus; fails if any target finds a crash, a leak, a timeout or an out-of-memory.
#
#   tests/fuzz/run.sh [seconds] [--merge] [--no-build] [target ...]
#
#   seconds     time per target (default 30)
#   --merge     afterwards, add the inputs that found new coverage to tests/fuzz/corpus/<target>
#               (the repository's corpus is otherwise never written)
#   --no-build  use the targets already built in build/fuzz
#   target      sample_io, judge_reply, schema_validate, safety_scan, language_detect,
#               rubric_load (default: all, one after another)
#
# GAVEL_FUZZ_JOBS sets the build's parallelism (default: nproc). Findings are copied to
# build/fuzz/findings/<target>/; each one is reproduced with build/fuzz/tests/fuzz/fuzz_<target> <file>.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=30
merge=0
build=1
targets=()
for arg in "$@"; do
  case "$arg" in
    --merge) merge=1 ;;
    --no-build) build=0 ;;
    ''|*[!0-9]*) targets+=("$arg") ;;
    *) seconds=$arg ;;
  esac
done
all=(sample_io judge_reply schema_validate safety_scan language_detect rubric_load)
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

if [ "$build" = 1 ]; then
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "${GAVEL_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}"
fi

bin=build/fuzz/tests/fuzz
findings=build/fuzz/findings
scratch=$(mktemp -d "${TMPDIR:-/tmp}/gavel-fuzz-XXXXXX")
trap 'rm -rf "$scratch"' EXIT

symbolizer=$(command -v llvm-symbolizer || true)
[ -n "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH="$symbolizer"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# Longest input per target: long enough for nested JSON and small rubrics, short enough to keep
# executions fast.
max_len() {
  case "$1" in
    sample_io|judge_reply|rubric_load) echo 8192 ;;
    *) echo 4096 ;;
  esac
}
dict() {
  case "$1" in
    sample_io|judge_reply|schema_validate) echo tests/fuzz/dict/json.dict ;;
    rubric_load) echo tests/fuzz/dict/lua.dict ;;
  esac
}

failed=0
for t in "${targets[@]}"; do
  [ -x "$bin/fuzz_$t" ] || { echo "fuzz_$t: not built" >&2; failed=1; continue; }
  work="$scratch/$t"
  mkdir -p "$work/corpus" "$work/artifacts"
  [ -d "tests/fuzz/corpus/$t" ] && cp -r "tests/fuzz/corpus/$t/." "$work/corpus/"
  # The shipped rubrics seed rubric_load as they are, rather than as copies kept in the corpus.
  [ "$t" = rubric_load ] && cp rubrics/*.lua "$work/corpus/"
  seeds=$(find "$work/corpus" -type f | wc -l)
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$t")"
        -print_final_stats=1 -artifact_prefix="$work/artifacts/")
  d=$(dict "$t")
  [ -n "$d" ] && args+=(-dict="$d")
  status=0
  "$bin/fuzz_$t" "${args[@]}" "$work/corpus" >"$work/log" 2>&1 || status=$?

  # A run that stops early may print none of these.
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$work/log" | tail -1)
  cov=$({ grep -o 'cov: [0-9]*' "$work/log" || true; } | tail -1 | cut -d' ' -f2)
  ft=$({ grep -o 'ft: [0-9]*' "$work/log" || true; } | tail -1 | cut -d' ' -f2)
  corpus=$(find "$work/corpus" -type f | wc -l)
  found=$(find "$work/artifacts" -type f | wc -l)
  echo "fuzz_$t: ${seconds}s, ${execs:-?} execs (${rate:-?}/s), cov ${cov:-?}, ft ${ft:-?}," \
       "corpus $seeds -> $corpus, peak rss ${rss:-?} MB, findings $found, exit $status"

  if [ "$status" != 0 ] || [ "$found" != 0 ]; then
    failed=1
    mkdir -p "$findings/$t"
    cp "$work/log" "$findings/$t/log.txt"
    [ "$found" != 0 ] && cp "$work/artifacts/"* "$findings/$t/"
    grep -m1 -E 'ERROR: |runtime error|invariant broken' "$work/log" | sed 's/^/  /' || true
    echo "  log and inputs: $findings/$t/" >&2
    continue
  fi
  if [ "$merge" = 1 ]; then
    mkdir -p "tests/fuzz/corpus/$t"
    "$bin/fuzz_$t" -merge=1 -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
      "tests/fuzz/corpus/$t" "$work/corpus" >"$work/merge.log" 2>&1
    echo "  merged: tests/fuzz/corpus/$t holds $(find "tests/fuzz/corpus/$t" -type f | wc -l) inputs"
  fi
done
exit "$failed"
