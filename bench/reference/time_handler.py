#!/usr/bin/python3
"""Times reward.lambda_handler on batches, as gavel-lambda-batch-time times gavel's bootstrap.

  /usr/bin/python3 bench/reference/time_handler.py --input FILE.jsonl --batch N [--runs N] [--warmup]
                                                    [--save FILE]

Prints "ready" as soon as reward.py is imported (its packs, schemas and prompt loaded: what a
Lambda container does at init), then one JSON object:
  {"batches_ms": [[run 1's batches], ...], "samples": n, "peak_rss_kb": k}
Each batch is timed as the Python Lambda runtime would run it, warm: the event's JSON text
parsed, lambda_handler called, the response serialised. The environment chooses the judge
(JUDGE_URL or GAVEL_JUDGE_URL), DETERMINISTIC_ONLY=1 and SAFETY_PACKS, as for reward.py.
--warmup runs the first batch once, untimed, before the timed runs (langdetect, for one, loads
its language profiles on first use). --save writes the last run's results, one JSON object per line in input order.
"""

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reward  # noqa: E402  (module-level init: packs compiled, schemas and prompt read)

print("ready", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", required=True, help="samples, one JSON object per line")
    parser.add_argument("--batch", type=int, required=True, help="samples per event")
    parser.add_argument("--runs", type=int, default=1, help="times over the whole input")
    parser.add_argument("--warmup", action="store_true", help="run the first batch once, untimed, first")
    parser.add_argument("--save", help="the last run's results, as JSONL")
    args = parser.parse_args(argv)
    if args.batch < 1 or args.runs < 1:
        parser.error("--batch and --runs must be at least 1")
    with open(args.input, encoding="utf-8") as f:
        samples = [json.loads(line) for line in f if line.strip()]
    # The events as the runtime receives them: JSON text.
    events = [json.dumps(samples[i:i + args.batch]) for i in range(0, len(samples), args.batch)]
    batches_ms, last = [], []
    if args.warmup:
        json.dumps(reward.lambda_handler(json.loads(events[0]), None))
    for _ in range(args.runs):
        times, last = [], []
        for body in events:
            start = time.perf_counter()
            event = json.loads(body)
            response = json.dumps(reward.lambda_handler(event, None))
            times.append((time.perf_counter() - start) * 1000)
            results = json.loads(response)
            ids = [s.get("id") for s in event]
            if [r.get("id") for r in results] != ids:
                sys.exit("time_handler.py: a response does not hold its batch's ids in order")
            last.extend(results)
        batches_ms.append(times)
    if args.save:
        with open(args.save, "w", encoding="utf-8") as f:
            for r in last:
                f.write(json.dumps(r) + "\n")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
    print(json.dumps({"batches_ms": batches_ms, "samples": len(samples), "peak_rss_kb": peak}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
