#!/usr/bin/python3
"""gavel against the reward function users would otherwise write (bench/reference/reward.py).

Run through bench/run.sh, which builds the release preset first:
  bench/run.sh [--runs N] [--quick] [--out DIR] [--only SECTION,...]

Both sides compute the contract-review reward through their Lambda entry points, warm, on the
same generated samples: gavel's bootstrap through the stand-in Runtime API
(gavel-lambda-batch-time), the Python handler in-process (bench/reference/time_handler.py, which
also parses the event and serialises the response, as the Python runtime does). The judge is
the stand-in judge on loopback. Before any timing is printed, the two sides' results are
compared sample by sample: the deterministic rewards must be equal, and so must the judged
rewards when the judge has no faults. Each figure is the median of --runs runs, with the
minimum and the maximum. Writes DIR/results.json and DIR/results.md (the table).

Sections: det (10,000 samples of about 2 KB, deterministic rubric, one core and all cores),
judge (batches of 64, 512 and 2,048 with the judge at 200 ms), faults (512 with 10% 429,
5% 503, 1% hangs), scaling (rules 10 to 1,000; answers 200 B to 64 KB), cold (process start to
ready), overhead (the engine with an empty rubric), callgrind (instructions per sample).
"""

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = "/usr/bin/python3"  # Debian's, which sees python3-jsonschema and python3-langdetect
SECTIONS = ["det", "judge", "faults", "scaling", "cold", "overhead", "callgrind"]


def log(message):
    print(message, file=sys.stderr, flush=True)


def fail(message):
    log("bench/compare.py: " + message)
    sys.exit(1)


# ---- data ------------------------------------------------------------------------------------

def generate(out, ids, k, seed="perf"):
    """contract-review samples from the example generator, ids made unique (s00001, ...)."""
    gen = out / "gen"
    subprocess.run([PYTHON, str(ROOT / "rubrics/examples/contract_review/generate.py"), "--out", str(gen),
                    "--ids", str(ids), "--k", str(k), "--seed", seed], check=True, stdout=subprocess.DEVNULL)
    samples = [json.loads(line) for line in (gen / "base.jsonl").read_text(encoding="utf-8").splitlines() if line]
    for n, s in enumerate(samples, 1):
        s["id"] = "s%05d" % n
    shutil.rmtree(gen)
    return samples


def write_jsonl(path, samples):
    with open(path, "w", encoding="utf-8") as f:
        for s in samples:
            f.write(json.dumps(s, ensure_ascii=False) + "\n")
    return path


def answer_of(sample):
    return sample["messages"][-1]["content"]


def with_answer(sample, answer, sid):
    s = json.loads(json.dumps(sample))
    s["messages"][-1]["content"] = answer
    s["id"] = sid
    return s


def sized_answers(samples, size, count, rng):
    """`count` samples whose answers are valid reviews of about `size` bytes: at most 20
    comments (the schema's limit), each issue made of sentences from the pool."""
    sys.path.insert(0, str(ROOT / "bench/reference"))
    import safety_rules  # noqa: E402  (the baseline's scanner: a comment must pass both gates)
    import jsonschema  # noqa: E402
    schema = jsonschema.Draft7Validator(json.loads((ROOT / "schemas/contract_comments.json").read_text()))
    guard = safety_rules.Guard([ROOT / "rubrics/rules/injection.json", ROOT / "rubrics/rules/secrets.json"],
                               actions={"injection": "zero", "secret": "zero"})
    pool, comments = [], []
    for s in samples:
        try:
            review = json.loads(answer_of(s))
        except ValueError:
            continue
        if isinstance(review, dict) and isinstance(review.get("comments"), list):
            for c in review["comments"]:
                if (schema.is_valid({"comments": [c]}) and guard.scan(json.dumps(c, ensure_ascii=False))["action"] != "zero"):
                    comments.append(c)
                    pool.append(c["issue"])
    if not comments:
        fail("no well-formed review in the generated data")
    out = []
    for n in range(count):
        base = samples[n % len(samples)]
        parts = max(1, min(20, size // 600))
        per = max(1, size // parts - 120)
        review = []
        for p in range(parts):
            c = dict(rng.choice(comments))
            issue = c["issue"]
            while len(issue.encode()) < per:
                issue += " " + rng.choice(pool)
            c["issue"] = issue[:per] if size < 600 else issue
            review.append(c)
        answer = json.dumps({"comments": review}, ensure_ascii=False)
        if size < 600:  # shorten the suggestion too, so the whole answer is near `size`
            c = review[0]
            c["suggestion"] = c["suggestion"][:max(1, size - len(json.dumps({"comments": [dict(c, suggestion="")]})))]
            answer = json.dumps({"comments": review}, ensure_ascii=False)
        out.append(with_answer(base, answer, "a%d-%05d" % (size, n + 1)))
    return out


def rule_pack(path, count, rng):
    """A pack of `count` rules of the shipped packs' shape (phrases with flexible spacing and
    optional words), which the generated answers do not hit."""
    verbs = ["ignore", "disregard", "override", "bypass", "forget", "skip", "rewrite", "reveal"]
    rules = []
    for i in range(count):
        w1 = "".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(3))
        w2 = "".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(3))
        pattern = r"(?i)\b(?:%s|%s)\s+(?:(?:the|all|your)\s+){0,2}%s\s+%s%d\b" % (
            rng.choice(verbs), rng.choice(verbs), w1, w2, i)
        rules.append({"name": "generated_%d" % i, "pattern": pattern,
                      "examples": {"match": [], "no_match": []}})
    pack = {"pack": "generated%d" % count, "description": "bench/run.sh: %d generated rules" % count,
            "defaults": {"category": "injection", "severity": "high"}, "rules": rules}
    path.write_text(json.dumps(pack, indent=1), encoding="utf-8")
    return path


def rubric_with_packs(out, packs):
    """A copy of the deterministic rubric that scans `packs` instead of the shipped packs, in a
    rubrics folder of its own under `out` (with the schema and the shared module beside it)."""
    rubrics = out / "rubrics"
    (rubrics / "lib").mkdir(parents=True, exist_ok=True)
    (rubrics / "rules").mkdir(exist_ok=True)
    (out / "schemas").mkdir(exist_ok=True)
    shutil.copy(ROOT / "rubrics/lib/contract_review.lua", rubrics / "lib")
    shutil.copy(ROOT / "schemas/contract_comments.json", out / "schemas")
    names = []
    for p in packs:
        shutil.copy(p, rubrics / "rules")
        names.append('"rules/%s"' % p.name)
    path = rubrics / ("deterministic_%s.lua" % "_".join(p.stem for p in packs))
    path.write_text('local contract = require "lib.contract_review"\n'
                    'local steps = contract.steps { packs = { %s }, actions = { injection = "zero" } }\n'
                    'return rubric { name = "contract-review-deterministic", neutral = 0.5,\n'
                    '  gates = steps.gates, checks = steps.checks,\n'
                    '  score = function(_, r) return r.checks.deterministic end }\n' % ", ".join(names),
                    encoding="utf-8")
    return path


# ---- the stand-in judge ----------------------------------------------------------------------

class Judge:
    def __init__(self, build, *flags):
        self.proc = subprocess.Popen([str(build / "testing/standin_judge/gavel-standin-judge"), "--exit-on-stdin-eof",
                                      *flags], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            fail("the stand-in judge did not start: " + line)
        self.base = line.split()[-1]
        self.url = self.base + "/v1?model=gavel-standin"

    def stats(self):
        with urllib.request.urlopen(self.base + "/stats", timeout=10) as r:
            return json.loads(r.read())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


# ---- the two sides ---------------------------------------------------------------------------

def clean_env(extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GAVEL_", "JUDGE_URL", "DETERMINISTIC_ONLY", "SAFETY_PACKS"))}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def pinned(cmd, one_core):
    return (["taskset", "-c", "0"] + cmd) if one_core else cmd


def run_gavel(build, data, batch, runs, env, save, one_core=False, warmup=True):
    cmd = [str(build / "testing/lambda_bench/gavel-lambda-batch-time"), "--input", str(data), "--batch", str(batch),
           "--runs", str(runs), "--save", str(save)] + (["--warmup"] if warmup else [])
    r = subprocess.run(pinned(cmd, one_core), env=clean_env(env), capture_output=True, text=True)
    if r.returncode != 0:
        fail("gavel-lambda-batch-time failed: " + r.stderr[-2000:])
    report = json.loads(r.stdout.strip().splitlines()[-1])
    report["ready_ms"] = report["init_ms"]
    return report


def run_python(data, batch, runs, env, save, one_core=False, warmup=True):
    cmd = [PYTHON, str(ROOT / "bench/reference/time_handler.py"), "--input", str(data), "--batch", str(batch),
           "--runs", str(runs), "--save", str(save)] + (["--warmup"] if warmup else [])
    start = time.perf_counter()
    proc = subprocess.Popen(pinned(cmd, one_core), env=clean_env(env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()
    ready_ms = (time.perf_counter() - start) * 1000
    out, err = proc.communicate()
    if proc.returncode != 0 or first.strip() != "ready":
        fail("time_handler.py failed: " + (first + err)[-2000:])
    report = json.loads(out.strip().splitlines()[-1])
    report["ready_ms"] = ready_ms
    return report


def per_run_totals(report):
    return [sum(run) for run in report["batches_ms"]]


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


# ---- agreement -------------------------------------------------------------------------------

def read_results(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line]


def metrics(result):
    return {m["name"]: m["value"] for m in result.get("metrics_list", [])}


def compare(label, gavel_file, python_file, whole_reward, problems):
    """Sample by sample: ids, the deterministic metrics, and the reward (when `whole_reward`)."""
    g, p = read_results(gavel_file), read_results(python_file)
    if len(g) != len(p):
        problems.append("%s: %d results from gavel, %d from Python" % (label, len(g), len(p)))
        return
    bad = 0
    for a, b in zip(g, p):
        ma, mb = metrics(a), metrics(b)
        same = a["id"] == b["id"]
        for name in ("safe", "well_formed", "language", "length", "deterministic"):
            if name in ma or name in mb:
                same = same and name in ma and name in mb and abs(ma[name] - mb[name]) <= 1e-9
        if whole_reward:
            same = same and abs(a["aggregate_reward_score"] - b["aggregate_reward_score"]) <= 1e-9
        if not same:
            bad += 1
            if bad <= 3:
                problems.append("%s: %s differs: gavel %s, Python %s" % (label, a["id"], json.dumps(a), json.dumps(b)))
    if bad:
        problems.append("%s: %d of %d samples differ" % (label, bad, len(g)))


def judged_and_neutral(results):
    judged = sum(1 for r in results if metrics(r).get("well_formed") == 1.0)
    neutral = sum(1 for r in results if metrics(r).get("judge_error") == 1.0)
    return judged, neutral


# ---- sections --------------------------------------------------------------------------------

def section_det(ctx):
    n = ctx.size(10000, 400)
    data = write_jsonl(ctx.data / "det.jsonl", ctx.samples[:n])
    batch = min(1000, n)
    out = {"samples": n, "bytes_per_sample": data.stat().st_size / n, "batch": batch}
    det_env = {"GAVEL_RUBRIC": ROOT / "rubrics/contract_review_deterministic.lua"}
    py_env = {"DETERMINISTIC_ONLY": "1"}
    for mode, one_core in (("one_core", True), ("all_cores", False)):
        genv = dict(det_env, GAVEL_THREADS=1 if one_core else os.cpu_count())
        g = run_gavel(ctx.build, data, batch, ctx.runs, genv, ctx.out / ("det-%s-gavel.jsonl" % mode), one_core)
        p = run_python(data, batch, ctx.runs, py_env, ctx.out / ("det-%s-python.jsonl" % mode), one_core)
        compare("det " + mode, ctx.out / ("det-%s-gavel.jsonl" % mode), ctx.out / ("det-%s-python.jsonl" % mode),
                True, ctx.problems)
        passed = sum(1 for r in read_results(ctx.out / ("det-%s-gavel.jsonl" % mode))
                     if metrics(r).get("well_formed") == 1.0)
        out["passed_gates"] = passed
        out[mode] = {"gavel": summary([n / (t / 1000) for t in per_run_totals(g)]),
                     "python": summary([n / (t / 1000) for t in per_run_totals(p)])}
        log("det %s: done" % mode)
    return out


def judge_runs(ctx, judge, batch, label, whole_reward):
    data = write_jsonl(ctx.data / ("judge-%d.jsonl" % batch), ctx.samples[:batch])
    full = {"GAVEL_RUBRIC": ROOT / "rubrics/contract_review_full.lua", "GAVEL_JUDGE_URL": judge.url,
            "GAVEL_WINDOW": batch, "GAVEL_JUDGE_WINDOW": batch}
    py_env = {"JUDGE_URL": judge.url}
    row = {"batch": batch}
    for side in ("gavel", "python"):
        save = ctx.out / ("%s-%d-%s.jsonl" % (label, batch, side))
        before = judge.stats()["openai"]
        if side == "gavel":
            r = run_gavel(ctx.build, data, batch, ctx.runs, full, save)
        else:
            r = run_python(data, batch, ctx.runs, py_env, save)
        requests = judge.stats()["openai"] - before
        results = read_results(save)
        judged, neutral = judged_and_neutral(results)
        runs = ctx.runs + 1  # the warm-up batch asks the judge too
        row[side] = {"wall_ms": summary([b[0] for b in r["batches_ms"]]),
                     "retries_per_batch": (requests - runs * judged) / runs,
                     "neutral_last_batch": neutral, "judged": judged,
                     "peak_rss_kb": r["peak_rss_kb"]}
    compare("%s %d" % (label, batch), ctx.out / ("%s-%d-gavel.jsonl" % (label, batch)),
            ctx.out / ("%s-%d-python.jsonl" % (label, batch)), whole_reward, ctx.problems)
    return row


def section_judge(ctx):
    judge = Judge(ctx.build, "--latency-ms", "200")
    try:
        rows = []
        for batch in ctx.sizes([64, 512, 2048], [16, 64]):
            rows.append(judge_runs(ctx, judge, batch, "judge", True))
            log("judge %d: done" % batch)
        return {"latency_ms": 200, "rows": rows}
    finally:
        judge.close()


def section_faults(ctx):
    judge = Judge(ctx.build, "--latency-ms", "200", "--rate-429", "0.10", "--retry-after", "1",
                  "--rate-503", "0.05", "--rate-hang", "0.01", "--seed", "7")
    try:
        batch = ctx.size(512, 64)
        row = judge_runs(ctx, judge, batch, "faults", False)
        log("faults %d: done" % batch)
        return {"latency_ms": 200, "rates": {"429": 0.10, "503": 0.05, "hang": 0.01}, "retry_after_s": 1,
                "attempt_timeout_s": 10, "row": row}
    finally:
        judge.close()


def section_scaling(ctx):
    rng = random.Random("scaling")
    rows_rules, rows_answers = [], []
    n = ctx.size(500, 40)
    data = write_jsonl(ctx.data / "rules.jsonl", ctx.samples[:n])
    for count in ctx.sizes([10, 100, 1000], [10, 100]):
        pack = rule_pack(ctx.data / ("generated%d.json" % count), count, rng)
        rubric = rubric_with_packs(ctx.data / "packs", [pack])
        g = run_gavel(ctx.build, data, n, ctx.runs, {"GAVEL_RUBRIC": rubric, "GAVEL_THREADS": 1},
                      ctx.out / ("rules-%d-gavel.jsonl" % count), True)
        p = run_python(data, n, ctx.runs, {"DETERMINISTIC_ONLY": "1", "SAFETY_PACKS": pack},
                       ctx.out / ("rules-%d-python.jsonl" % count), True)
        compare("rules %d" % count, ctx.out / ("rules-%d-gavel.jsonl" % count),
                ctx.out / ("rules-%d-python.jsonl" % count), True, ctx.problems)
        rows_rules.append({"rules": count, "samples": n,
                           "gavel": summary([n / (t / 1000) for t in per_run_totals(g)]),
                           "python": summary([n / (t / 1000) for t in per_run_totals(p)])})
        log("rules %d: done" % count)
    for size in ctx.sizes([200, 2048, 16384, 65536], [200, 16384]):
        count = ctx.size(max(20, min(400, 400 * 2048 // size)), 10)
        samples = sized_answers(ctx.samples[:2000], size, count, rng)
        data = write_jsonl(ctx.data / ("answers-%d.jsonl" % size), samples)
        mean_answer = statistics.mean(len(answer_of(s).encode()) for s in samples)
        det_env = {"GAVEL_RUBRIC": ROOT / "rubrics/contract_review_deterministic.lua", "GAVEL_THREADS": 1}
        g = run_gavel(ctx.build, data, count, ctx.runs, det_env, ctx.out / ("answers-%d-gavel.jsonl" % size), True)
        p = run_python(data, count, ctx.runs, {"DETERMINISTIC_ONLY": "1"},
                       ctx.out / ("answers-%d-python.jsonl" % size), True)
        compare("answers %d" % size, ctx.out / ("answers-%d-gavel.jsonl" % size),
                ctx.out / ("answers-%d-python.jsonl" % size), True, ctx.problems)
        passed = sum(1 for r in read_results(ctx.out / ("answers-%d-gavel.jsonl" % size))
                     if metrics(r).get("well_formed") == 1.0)
        rows_answers.append({"answer_bytes": round(mean_answer), "samples": count, "well_formed": passed,
                             "gavel": summary([count / (t / 1000) for t in per_run_totals(g)]),
                             "python": summary([count / (t / 1000) for t in per_run_totals(p)])})
        log("answers %d: done" % size)
    return {"rules": rows_rules, "answers": rows_answers}


def section_cold(ctx):
    judge = Judge(ctx.build)
    try:
        # A sample that passes both gates, so that the first result includes the language check
        # and a judge call.
        probe = write_jsonl(ctx.data / "probe.jsonl", ctx.samples[:50])
        run_gavel(ctx.build, probe, 50, 1, {"GAVEL_RUBRIC": ROOT / "rubrics/contract_review_deterministic.lua"},
                  ctx.out / "probe.jsonl", warmup=False)
        first = next(i for i, r in enumerate(read_results(ctx.out / "probe.jsonl"))
                     if metrics(r).get("well_formed") == 1.0)
        data = write_jsonl(ctx.data / "one.jsonl", [ctx.samples[first]])
        full = {"GAVEL_RUBRIC": ROOT / "rubrics/contract_review_full.lua", "GAVEL_JUDGE_URL": judge.url}
        g_init, g_first, p_init, p_first = [], [], [], []
        for _ in range(ctx.runs):
            g = run_gavel(ctx.build, data, 1, 1, full, ctx.out / "cold-gavel.jsonl", warmup=False)
            p = run_python(data, 1, 1, {"JUDGE_URL": judge.url}, ctx.out / "cold-python.jsonl", warmup=False)
            g_init.append(g["ready_ms"])
            g_first.append(g["ready_ms"] + g["batches_ms"][0][0])
            p_init.append(p["ready_ms"])
            p_first.append(p["ready_ms"] + p["batches_ms"][0][0])
            rss = (g["rss_init_kb"], p["peak_rss_kb"])
        compare("cold", ctx.out / "cold-gavel.jsonl", ctx.out / "cold-python.jsonl", True, ctx.problems)
        log("cold: done")
        return {"gavel": {"ready_ms": summary(g_init), "first_result_ms": summary(g_first), "rss_kb": rss[0]},
                "python": {"ready_ms": summary(p_init), "first_result_ms": summary(p_first), "rss_kb": rss[1]}}
    finally:
        judge.close()


def section_overhead(ctx):
    r = subprocess.run(["taskset", "-c", "0", str(ctx.build / "bench/gavel_bench_engine"),
                        "--benchmark_filter=BM_EngineOverhead", "--benchmark_repetitions=%d" % ctx.runs,
                        "--benchmark_format=json"], capture_output=True, text=True)
    if r.returncode != 0:
        fail("gavel_bench_engine failed: " + r.stderr[-2000:])
    out = {}
    for b in json.loads(r.stdout)["benchmarks"]:
        if b.get("run_type") != "iteration" or "error_occurred" in b and b["error_occurred"]:
            continue
        name = b["run_name"].split("/")[0]
        out.setdefault(name, []).append(1e6 / b["items_per_second"])  # µs per sample
    log("overhead: done")
    return {k: summary(v) for k, v in out.items()}


def instructions(cmd, out_file):
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=%s" % out_file] + cmd,
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail("callgrind failed: " + r.stderr[-2000:])
    for line in r.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split(":")[-1].strip())
    fail("no instruction count in callgrind's output")


def section_callgrind(ctx):
    if shutil.which("valgrind") is None:
        fail("valgrind is not installed (scripts/setup-debian.sh installs it)")
    small, large = ctx.size(20, 5), ctx.size(420, 25)
    counts = {}
    for n in (small, large):
        data = write_jsonl(ctx.data / ("callgrind-%d.jsonl" % n), ctx.samples[:n])
        cmd = [str(ctx.build / "apps/gavel/gavel"), "score", "--rubric",
               str(ROOT / "rubrics/contract_review_deterministic.lua"), "--input", str(data),
               "--output", "/dev/null", "--threads", "1"]
        counts[n] = instructions(cmd, ctx.out / ("callgrind.out.%d" % n))
    per_sample = (counts[large] - counts[small]) / (large - small)
    # The profile of one sample: each function's own instructions in the large run minus the
    # small run's (start-up and the rubric's load cancel out), per sample.
    small_fn = exclusive_costs(ctx.out / ("callgrind.out.%d" % small))
    large_fn = exclusive_costs(ctx.out / ("callgrind.out.%d" % large))
    diff = {k: (v - small_fn.get(k, 0)) / (large - small) for k, v in large_fn.items()}
    by_object = {}
    for (function, obj), v in diff.items():
        by_object[obj] = by_object.get(obj, 0) + v
    top = sorted(diff.items(), key=lambda kv: -kv[1])[:25]
    log("callgrind: done")
    return {"instructions_per_sample": per_sample, "samples": [small, large],
            "profile": str(ctx.out / ("callgrind.out.%d" % large)),
            "by_object": dict(sorted(by_object.items(), key=lambda kv: -kv[1])),
            "top_functions": [{"function": f, "object": o, "instructions": v} for (f, o), v in top]}


def exclusive_costs(path):
    """{(function, object): own instructions} from callgrind_annotate."""
    r = subprocess.run(["callgrind_annotate", "--threshold=100", str(path)], capture_output=True, text=True)
    if r.returncode != 0:
        fail("callgrind_annotate failed: " + r.stderr[-2000:])
    costs = {}
    for line in r.stdout.splitlines():
        parts = line.strip().split(None, 2)
        if len(parts) < 3 or not parts[0].replace(",", "").isdigit() or not parts[1].startswith("("):
            continue
        rest = parts[2]
        if rest.startswith("PROGRAM TOTALS"):
            continue
        obj = rest[rest.rfind("[") + 1:-1] if rest.endswith("]") else ""
        function = rest[:rest.rfind("[")].strip() if obj else rest
        function = function.split(":", 1)[1] if ":" in function.split("(")[0] else function
        key = (function, Path(obj).name)
        costs[key] = costs.get(key, 0) + int(parts[0].replace(",", ""))
    return costs


# ---- the table -------------------------------------------------------------------------------

def fmt(s, unit="", digits=0):
    f = "%%.%df" % digits
    return ("%s%s (%s–%s)" % (f % s["median"], unit, f % s["min"], f % s["max"])) if s["n"] > 1 else f % s["median"] + unit


def ratio(a, b):
    return a["median"] / b["median"] if b["median"] else float("nan")


def table(res):
    lines = ["| measure | gavel | Python baseline | gavel vs Python |", "|---|---|---|---|"]
    if "det" in res:
        d = res["det"]
        for mode, label in (("one_core", "one core"), ("all_cores", "all cores (%d)" % res["machine"]["cores"])):
            lines.append("| deterministic, %d samples of %.0f B (%d pass the gates), %s: samples/s | %s | %s | **%.1f×** |" % (
                d["samples"], d["bytes_per_sample"], d["passed_gates"], label, fmt(d[mode]["gavel"]), fmt(d[mode]["python"]),
                ratio(d[mode]["gavel"], d[mode]["python"])))
    if "judge" in res:
        for row in res["judge"]["rows"]:
            g, p = row["gavel"], row["python"]
            lines.append("| judge at 200 ms, batch of %d: wall time (ideal 200 ms) | %s ms (%.2f× ideal) | %s ms (%.2f× ideal) | **%.1f× faster** |" % (
                row["batch"], fmt(g["wall_ms"]), g["wall_ms"]["median"] / 200, fmt(p["wall_ms"]),
                p["wall_ms"]["median"] / 200, ratio(p["wall_ms"], g["wall_ms"])))
    if "faults" in res:
        row = res["faults"]["row"]
        g, p = row["gavel"], row["python"]
        lines.append("| with faults (10%% 429, 5%% 503, 1%% hang), batch of %d: wall time | %s ms | %s ms | %.1f× faster |" % (
            row["batch"], fmt(g["wall_ms"]), fmt(p["wall_ms"]), ratio(p["wall_ms"], g["wall_ms"])))
        lines.append("| with faults: retries per batch; neutral rewards in a batch | %.0f; %d of %d | %.0f; %d of %d | |" % (
            g["retries_per_batch"], g["neutral_last_batch"], g["judged"], p["retries_per_batch"],
            p["neutral_last_batch"], p["judged"]))
    if "scaling" in res:
        for row in res["scaling"]["rules"]:
            lines.append("| %d safety rules, one core: samples/s | %s | %s | %.1f× |" % (
                row["rules"], fmt(row["gavel"]), fmt(row["python"]), ratio(row["gavel"], row["python"])))
        for row in res["scaling"]["answers"]:
            lines.append("| answers of %d B (%d of %d pass the gates), one core: samples/s | %s | %s | %.1f× |" % (
                row["answer_bytes"], row["well_formed"], row["samples"], fmt(row["gavel"]), fmt(row["python"]),
                ratio(row["gavel"], row["python"])))
    if "judge" in res:
        for row in res["judge"]["rows"]:
            lines.append("| peak memory, batch of %d with the judge | %.0f MB | %.0f MB | |" % (
                row["batch"], row["gavel"]["peak_rss_kb"] / 1024, row["python"]["peak_rss_kb"] / 1024))
    if "cold" in res:
        c = res["cold"]
        lines.append("| cold start: process start to ready (gavel: first `/next`) | %s ms | %s ms | %.1f× faster |" % (
            fmt(c["gavel"]["ready_ms"], digits=1), fmt(c["python"]["ready_ms"], digits=1),
            ratio(c["python"]["ready_ms"], c["gavel"]["ready_ms"])))
        lines.append("| cold start: process start to the first sample's result | %s ms | %s ms | %.1f× faster |" % (
            fmt(c["gavel"]["first_result_ms"], digits=1), fmt(c["python"]["first_result_ms"], digits=1),
            ratio(c["python"]["first_result_ms"], c["gavel"]["first_result_ms"])))
    if "overhead" in res:
        for name, s in res["overhead"].items():
            lines.append("| engine overhead, `%s`: µs per sample | %s | | |" % (name, fmt(s, digits=1)))
    if "callgrind" in res:
        lines.append("| deterministic path: instructions per sample (callgrind) | %.0f | | |" %
                     res["callgrind"]["instructions_per_sample"])
        c = res["callgrind"]
        lines += ["", "Instructions per sample of the deterministic path, by library (callgrind):", "",
                  "| library | instructions per sample | share |", "|---|---|---|"]
        total = sum(v for v in c["by_object"].values() if v > 0)
        for obj, v in list(c["by_object"].items())[:8]:
            lines.append("| %s | %.0f | %.0f%% |" % (obj or "?", v, 100 * v / total))
        lines += ["", "| function (own instructions) | library | per sample |", "|---|---|---|"]
        for f in c["top_functions"][:12]:
            name = f["function"] if len(f["function"]) < 90 else f["function"][:87] + "..."
            lines.append("| `%s` | %s | %.0f |" % (name.replace("|", "\\|"), f["object"], f["instructions"]))
    return "\n".join(lines)


class Context:
    def __init__(self, args):
        self.build = Path(args.build).resolve()
        self.out = Path(args.out).resolve()
        self.data = self.out / "data"
        self.runs = args.runs
        self.quick = args.quick
        self.problems = []
        self.samples = []

    def size(self, full, quick):
        return quick if self.quick else full

    def sizes(self, full, quick):
        return quick if self.quick else full


def machine(ctx):
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return {"cores": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "python": platform.python_version(), "load_average": os.getloadavg(),
            "date": time.strftime("%Y-%m-%d %H:%M %Z"), "commit": rev.stdout.strip(), "runs": ctx.runs}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=str(ROOT / "build/release"), help="a release build folder")
    parser.add_argument("--out", default=str(ROOT / "build/perf"), help="where data, results and profiles go")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median, min, max)")
    parser.add_argument("--quick", action="store_true", help="small sizes: checks the harness, not the speed")
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated: " + ",".join(SECTIONS))
    args = parser.parse_args(argv)
    only = [s for s in args.only.split(",") if s]
    if args.runs < 1 or any(s not in SECTIONS for s in only):
        parser.error("--runs must be at least 1, and --only takes " + ",".join(SECTIONS))
    ctx = Context(args)
    ctx.data.mkdir(parents=True, exist_ok=True)
    ctx.samples = generate(ctx.data, ctx.size(2500, 600), 4)
    res = {"machine": machine(ctx)}
    for name in only:
        res[name] = globals()["section_" + name](ctx)
    res["machine"]["load_average_after"] = os.getloadavg()
    if ctx.problems:
        for p in ctx.problems:
            log(p)
        fail("gavel and the Python baseline disagree: no timing is reported")
    log("gavel and the Python baseline agree on every sample compared")
    (ctx.out / "results.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    text = table(res)
    m = res["machine"]
    head = "%s, %d cores (%s), Linux %s, Python %s, commit %s, %d runs per figure, load average %.2f before, %.2f after\n\n" % (
        m["date"], m["cores"], m["cpu"], m["kernel"], m["python"], m["commit"], m["runs"], m["load_average"][0],
        m["load_average_after"][0])
    (ctx.out / "results.md").write_text(head + text + "\n", encoding="utf-8")
    print(head + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
