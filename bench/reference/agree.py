#!/usr/bin/python3
"""Checks that gavel (rubrics/contract_review_full.lua) and the Python baseline (reward.py)
compute the same deterministic part, sample by sample.

  /usr/bin/python3 bench/reference/agree.py [--gavel PATH] [--standin PATH] [--with-judge]
                                            FILE.jsonl...

For every file: runs `gavel score` with the stand-in judge (GAVEL_JUDGE_CACHE=off) and
reward.py --deterministic-only on the same samples, then compares per sample: the same ids in
the same order, the same gates run with the same outcomes (safe, well_formed), the same error
metrics, and language, length and deterministic within 1e-9 where gavel reports them. With
--with-judge the baseline also calls the same stand-in judge, and the judge's quality and the
aggregate reward are compared too (the stand-in's verdict depends only on the messages, so both
sides get the same verdict). Prints the first disagreements with both values; exits 1 if any.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_BUILD = ROOT / "build" / "release"
TOLERANCE = 1e-9
COMPARED = ["safe", "well_formed", "language", "length", "deterministic"]
WITH_JUDGE = ["quality", "judge_error"]


def start_standin(path):
    proc = subprocess.Popen([str(path), "--exit-on-stdin-eof"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    return proc, line.rsplit(" ", 1)[-1]


def read_jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def metrics_of(score):
    return {m["name"]: m["value"] for m in score["metrics_list"]}


def compare(name, gavel_scores, python_scores, with_judge, limit, problems):
    if len(gavel_scores) != len(python_scores):
        problems.append("%s: gavel scored %d samples, the baseline %d"
                        % (name, len(gavel_scores), len(python_scores)))
        return
    names = COMPARED + (WITH_JUDGE if with_judge else [])
    for index, (g, p) in enumerate(zip(gavel_scores, python_scores)):
        where = "%s line %d (id %r)" % (name, index + 1, g.get("id"))
        if g.get("id") != p.get("id"):
            problems.append("%s: ids differ: gavel %r, baseline %r" % (where, g.get("id"), p.get("id")))
            continue
        gm, pm = metrics_of(g), metrics_of(p)
        g_errors = sorted(k for k in gm if k.startswith("error."))
        p_errors = sorted(k for k in pm if k.startswith("error."))
        if g_errors != p_errors:
            detail = g.get("details", {}).get("errors")
            problems.append("%s: errors differ: gavel %s %s, baseline %s" % (where, g_errors, detail or "", p_errors))
            continue
        for metric in names:
            if (metric in gm) != (metric in pm):
                problems.append("%s: %s reported by %s only (gavel %s, baseline %s)" % (
                    where, metric, "gavel" if metric in gm else "the baseline", gm.get(metric), pm.get(metric)))
            elif metric in gm and abs(gm[metric] - pm[metric]) > TOLERANCE:
                details = g.get("details", {})
                why = details.get(metric) or details.get("gate") or ""
                problems.append("%s: %s: gavel %r, baseline %r %s" % (where, metric, gm[metric], pm[metric], why))
        if with_judge and abs(g["aggregate_reward_score"] - p["aggregate_reward_score"]) > TOLERANCE:
            problems.append("%s: reward: gavel %r, baseline %r" % (
                where, g["aggregate_reward_score"], p["aggregate_reward_score"]))
        if len(problems) >= limit:
            return


def main():
    parser = argparse.ArgumentParser(description="gavel and the Python baseline agree sample by sample")
    parser.add_argument("inputs", nargs="+", help="JSONL files of Nova RFT samples")
    parser.add_argument("--gavel", default=str(DEFAULT_BUILD / "apps/gavel/gavel"))
    parser.add_argument("--standin", default=str(DEFAULT_BUILD / "testing/standin_judge/gavel-standin-judge"))
    parser.add_argument("--with-judge", action="store_true",
                        help="also run the baseline's judge calls and compare quality and reward")
    parser.add_argument("--show", type=int, default=20, help="disagreements to print")
    args = parser.parse_args()

    standin, base_url = start_standin(args.standin)
    judge_url = base_url + "/v1?model=m"
    env = dict(os.environ, GAVEL_JUDGE_URL=judge_url, GAVEL_JUDGE_CACHE="off")
    problems, total = [], 0
    try:
        for path in args.inputs:
            gavel = subprocess.run(
                [args.gavel, "score", "--rubric", str(ROOT / "rubrics/contract_review_full.lua"),
                 "--input", path, "--format", "jsonl"],
                env=env, capture_output=True, text=True, check=True)
            baseline_cmd = [sys.executable, str(HERE / "reward.py"), "--input", path]
            baseline_cmd += ["--judge-url", judge_url] if args.with_judge else ["--deterministic-only"]
            baseline = subprocess.run(baseline_cmd, env=env, capture_output=True, text=True, check=True)
            g, p = read_jsonl(gavel.stdout), read_jsonl(baseline.stdout)
            before = len(problems)
            compare(path, g, p, args.with_judge, args.show, problems)
            gates_failed = sum(1 for s in g if metrics_of(s).get("safe") == 0 or metrics_of(s).get("well_formed") == 0)
            print("%s: %d samples, %d rejected by a gate, %d disagreements" % (
                path, len(g), gates_failed, len(problems) - before))
            total += len(g)
            if len(problems) >= args.show:
                break
    finally:
        standin.stdin.close()
        standin.wait(timeout=10)
    for problem in problems[:args.show]:
        print("DISAGREE " + problem)
    print("%d samples compared, %d disagreements%s" % (
        total, len(problems), " (stopped at --show)" if len(problems) >= args.show else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
