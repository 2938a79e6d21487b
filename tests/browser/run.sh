#!/usr/bin/env bash
# The HTML reports in headless Chromium: renders real reports of `gavel bench` and
# `gavel judge-eval` on the bundled contract-review example (stand-in judge), checks that each
# opens with no console errors, no page errors and no request besides the page, and keeps a
# screenshot of each. The checker is first shown to reject a page that has all three faults.
#
#   tests/browser/run.sh <gavel binary> <stand-in judge binary> <output folder>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
gavel=$1 standin=$2 out=$3

if [ ! -x /usr/bin/chromium ] || [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "browser check: needs Debian's chromium and 'npm ci --prefix tests/browser' (scripts/setup-debian.sh does both)" >&2
  # In CI the setup script has run, so a missing browser is a failure, not a skip.
  [ "${CI:-}" = "true" ] && exit 1
  exit 77
fi
rm -rf "$out"
mkdir -p "$out"

if node "$here/check_html.mjs" "$here/selftest_bad.html" "$out/selftest_bad.png" >"$out/selftest_bad.txt" 2>&1; then
  echo "browser check: the checker accepted selftest_bad.html, which has a console error, an exception and an outside request" >&2
  cat "$out/selftest_bad.txt" >&2
  exit 1
fi
node "$here/check_html.mjs" "$here/selftest_good.html" "$out/selftest_good.png"

# Two stand-in judges: one that always gives the same verdict for the same question, one that
# changes its mind on 30% of verdicts. They exit when this script does (their stdin closes).
mkfifo "$out/hold"
exec 3<>"$out/hold"
start_judge() {  # name, extra options
  # Reads the fifo, which only this script writes to (fd 3), so it sees the end when we exit.
  "$standin" --exit-on-stdin-eof "${@:2}" <"$out/hold" 3>&- >"$out/$1.url" 2>"$out/$1.log" &
  for _ in $(seq 100); do
    [ -s "$out/$1.url" ] && break
    sleep 0.1
  done
  local line
  line=$(head -n1 "$out/$1.url")
  echo "${line##* }/v1?model=gavel-standin-$1"
}
clean=$(start_judge clean)
noisy=$(start_judge noisy --noise 0.3 --seed 7)
export GAVEL_JUDGE_URL=$clean
ex=rubrics/examples/contract_review
cd "$root"
"$gavel" bench --rubric rubrics/contract_review.lua --checkpoint $ex/base.jsonl --checkpoint $ex/tuned.jsonl \
  --no-judge-cache --out "$out/bench" 2>"$out/bench.log"
"$gavel" judge-eval --rubric rubrics/contract_review.lua --input $ex/base.jsonl --repeats 3 \
  --judge "clean=$clean" --judge "noisy=$noisy" \
  --labels $ex/labels.jsonl --cases $ex/cases.jsonl --out "$out/judge-eval" 2>"$out/judge-eval.log"
for report in bench judge-eval; do
  node "$here/check_html.mjs" "$out/$report/report.html" "$out/$report.png"
done
