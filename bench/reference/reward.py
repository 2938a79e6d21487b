#!/usr/bin/python3
"""Contract-review reward for Amazon Nova RFT, written as a plain Python reward Lambda.

The same reward as rubrics/contract_review_full.lua (see README.md in this folder):
  gates:   safe (rules/injection.json, rules/secrets.json: any hit -> 0),
           well_formed (the answer's JSON follows schemas/contract_comments.json; else 0)
  d      = 0.5 * language + 0.5 * length                     (the "deterministic" metric)
  quality= (mean(coverage, grounding, actionability) - 1) / 4 from one judge call
  reward = 0.3 * d + 0.7 * quality; 0.5 when the judge call fails.

Lambda: lambda_handler(event, context) with event = a list of Nova RFT samples; returns a list
of {"id", "aggregate_reward_score", "metrics_list"}. The judge is the OpenAI-compatible endpoint
in JUDGE_URL (or GAVEL_JUDGE_URL), e.g. http://127.0.0.1:8000/v1?model=m.

CLI:  /usr/bin/python3 bench/reference/reward.py --input samples.jsonl [--judge-url URL]
      [--deterministic-only] [--batch-size N]
prints one JSON line per sample, in input order.
Needs Debian's python3-jsonschema and python3-langdetect only.
"""

import argparse
import json
import os
import random
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema

sys.path.insert(0, str(Path(__file__).resolve().parent))
import extract  # noqa: E402
import language_check  # noqa: E402
import safety_rules  # noqa: E402

ROOT = Path(os.environ.get("GAVEL_ROOT", Path(__file__).resolve().parents[2]))

NEUTRAL = 0.5
LANGUAGE_WEIGHT, LENGTH_WEIGHT = 0.5, 0.5
DETERMINISTIC_WEIGHT, JUDGE_WEIGHT = 0.3, 0.7
# Length band on the answer's characters (code points): 1 inside, linear to 0 outside.
LENGTH_MIN, LENGTH_MAX, LENGTH_BELOW, LENGTH_ABOVE = 150, 1200, 150, 800

JUDGE_TIMEOUT_S = 60.0  # one judge call, retries included
ATTEMPT_TIMEOUT_S = 10.0  # one HTTP attempt: a judge that hangs is given up on and asked again
JUDGE_MAX_ATTEMPTS = 5
BACKOFF_BASE_S, BACKOFF_CAP_S = 0.25, 8.0
VERDICT_SCHEMA_FILE = "schemas/contract_review_full_verdict.json"
# The structured-output name, as gavel sends it (OpenAI allows letters, digits, '_' and '-').
VERDICT_SCHEMA_NAME = "verdict"

# Loaded once per Lambda container. SAFETY_PACKS (pack files separated by ':') replaces the two
# shipped packs; bench/run.sh uses it to grow the rule count.
_PACKS = ([Path(p) for p in os.environ["SAFETY_PACKS"].split(":")] if os.environ.get("SAFETY_PACKS")
          else [ROOT / "rubrics/rules/injection.json", ROOT / "rubrics/rules/secrets.json"])
GUARD = safety_rules.Guard(_PACKS, actions={"injection": "zero", "secret": "zero"})
with open(ROOT / "schemas/contract_comments.json", encoding="utf-8") as _f:
    REVIEW_VALIDATOR = jsonschema.Draft7Validator(json.load(_f))
with open(ROOT / VERDICT_SCHEMA_FILE, encoding="utf-8") as _f:
    VERDICT_SCHEMA = json.load(_f)
VERDICT_VALIDATOR = jsonschema.Draft7Validator(VERDICT_SCHEMA)
with open(ROOT / "rubrics/prompts/contract_review_full.txt", encoding="utf-8") as _f:
    PROMPT_TEMPLATE = _f.read()


# ---- reading a sample (as gavel's sample reader) ------------------------------------------------

class BadSample(ValueError):
    pass


def read_sample(sample):
    """(id, prompt, answer, reference) or BadSample, with gavel's rules for Nova RFT samples."""
    if not isinstance(sample, dict):
        raise BadSample("must be a JSON object")
    try:
        json.dumps(sample, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BadSample("invalid JSON: a \\u escape leaves a lone surrogate")
    sid = sample.get("id")
    if "id" not in sample or isinstance(sid, bool) or not isinstance(sid, (str, int)):
        raise BadSample('"id" must be a string or an integer')
    messages = sample.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadSample('"messages" must be a non-empty array')
    texts, answer_index = [], None
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str) or "content" not in m:
            raise BadSample("messages[%d] must have a role and a content" % i)
        content = m["content"]
        if isinstance(content, list):
            parts = []
            for p in content:
                if not isinstance(p, dict) or not isinstance(p.get("type"), str):
                    raise BadSample("messages[%d]: a content part needs a type" % i)
                if p["type"] == "text":
                    if not isinstance(p.get("text"), str):
                        raise BadSample("messages[%d]: a text part needs a text" % i)
                    parts.append(p["text"])
            content = "".join(parts)
        elif not isinstance(content, str):
            raise BadSample("messages[%d].content must be a string or a list of parts" % i)
        texts.append((m["role"], content))
        if m["role"] in ("assistant", "nova_assistant"):
            answer_index = i
    if answer_index is None:
        raise BadSample("no assistant or nova_assistant message")
    prompt = next((c for r, c in reversed(texts[:answer_index]) if r == "user"), "")
    metadata = sample.get("metadata") if isinstance(sample.get("metadata"), dict) else {}
    reference = sample.get("reference_answer")
    if reference is None:
        reference = metadata.get("reference_answer")
    return sid, prompt, texts[answer_index][1], reference


# ---- the deterministic part ------------------------------------------------------------------

def length_score(chars):
    if chars < LENGTH_MIN:
        d = LENGTH_MIN - chars
        return 0.0 if d >= LENGTH_BELOW else 1 - d / LENGTH_BELOW
    if chars > LENGTH_MAX:
        d = chars - LENGTH_MAX
        return 0.0 if d >= LENGTH_ABOVE else 1 - d / LENGTH_ABOVE
    return 1.0


def deterministic_part(prompt, answer):
    """(gate metrics, failed gate or None, parsed review, metrics of the checks)."""
    gates = []
    scan = GUARD.scan(answer)
    safe = scan["action"] != "zero"
    gates.append(("safe", 1.0 if safe else 0.0))
    if not safe:
        return gates, ("safe", scan["summary"]), None, []
    found = extract.extract_json(answer)
    if found["status"] != "ok":
        gates.append(("well_formed", 0.0))
        return gates, ("well_formed", found["error"]), None, []
    errors = sorted(REVIEW_VALIDATOR.iter_errors(found["value"]), key=lambda e: list(e.path))
    if errors:
        gates.append(("well_formed", 0.0))
        return gates, ("well_formed", errors[0].message), None, []
    gates.append(("well_formed", 1.0))
    review = found["value"]

    prose = "\n".join(t for c in review["comments"] for t in (c["issue"], c["suggestion"]))
    lang = language_check.compare(prose, prompt)
    language = 0.5 if not lang["reliable"] else (1.0 if lang["match"] else 0.0)
    length = length_score(len(answer))
    d = LANGUAGE_WEIGHT * language + LENGTH_WEIGHT * length
    return gates, None, review, [("language", language), ("length", length), ("deterministic", d)]


# ---- the judge -------------------------------------------------------------------------------

def fill_template(template, values):
    def put(m):
        return values[m.group(1)]
    return re.sub(r"\{\{\s*([a-z_.]+)\s*\}\}", put, template)


def parse_judge_url(url):
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    scheme = parts.scheme.replace("openai+", "")
    base = urllib.parse.urlunsplit((scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
    return base + "/chat/completions", query.get("model", [""])[0]


def post_with_retries(endpoint, body, deadline):
    """POST with exponential backoff on 429, 408, 5xx, timeouts and connection errors."""
    data = json.dumps(body).encode("utf-8")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if os.environ.get("OPENAI_API_KEY"):
        headers["Authorization"] = "Bearer " + os.environ["OPENAI_API_KEY"]
    attempt = 0
    while True:
        attempt += 1
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the judge call ran out of time")
        retry_after = None
        try:
            request = urllib.request.Request(endpoint, data=data, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=min(left, ATTEMPT_TIMEOUT_S)) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as e:
            e.read()
            if e.code != 429 and e.code != 408 and e.code < 500:
                raise
            error = e
            value = e.headers.get("Retry-After")
            if value and value.strip().isdigit():
                retry_after = float(value.strip())
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as e:
            error = e
        if attempt >= JUDGE_MAX_ATTEMPTS:
            raise error
        delay = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)
        if retry_after is not None:
            delay = max(delay, retry_after)
        if time.monotonic() + delay >= deadline:
            raise error
        time.sleep(delay)


def judge_quality(judge_url, prompt, answer, reference):
    """quality in [0, 1]; raises on any failure (the caller gives the neutral reward)."""
    endpoint, model = parse_judge_url(judge_url)
    if reference is None:
        raise ValueError("the sample has no reference")
    ref = reference if isinstance(reference, str) else json.dumps(
        reference, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    user = fill_template(PROMPT_TEMPLATE, {"prompt": prompt, "answer": answer, "reference": ref})
    body = {
        "model": model,
        "messages": [{"role": "user", "content": user}],
        "temperature": 0,
        "max_tokens": 300,
        "response_format": {"type": "json_schema", "json_schema": {
            "name": VERDICT_SCHEMA_NAME, "schema": VERDICT_SCHEMA, "strict": True}},
    }
    deadline = time.monotonic() + JUDGE_TIMEOUT_S
    problem = None
    for _ in range(2):  # a reply without a usable verdict is asked once more
        reply = post_with_retries(endpoint, body, deadline)
        text = reply["choices"][0]["message"]["content"]
        found = extract.extract_json(text if isinstance(text, str) else "")
        if found["status"] == "ok" and VERDICT_VALIDATOR.is_valid(found["value"]):
            v = found["value"]
            mean = (v["coverage"] + v["grounding"] + v["actionability"]) / 3
            return (mean - 1) / 4
        problem = found.get("error", "the verdict does not match the schema")
    raise ValueError("no usable verdict in 2 calls: " + problem)


# ---- one sample, one batch -------------------------------------------------------------------

def metric(name, value):
    return {"name": name, "value": float(value), "type": "Metric"}


def score_sample(sample, judge_url=None, deterministic_only=False):
    sid = sample.get("id") if isinstance(sample, dict) else None
    if isinstance(sid, bool) or not isinstance(sid, (str, int)):
        sid = None
    try:
        sid, prompt, answer, reference = read_sample(sample)
    except BadSample:
        return {"id": sid, "aggregate_reward_score": NEUTRAL, "metrics_list": [metric("error.sample", 1)]}
    gates, failed, review, checks = deterministic_part(prompt, answer)
    metrics = [metric(n, v) for n, v in gates]
    if failed is not None:
        return {"id": sid, "aggregate_reward_score": 0.0, "metrics_list": metrics}
    metrics += [metric(n, v) for n, v in checks]
    d = checks[-1][1]
    if deterministic_only:
        return {"id": sid, "aggregate_reward_score": d, "metrics_list": metrics}
    try:
        quality = judge_quality(judge_url, prompt, answer, reference)
    except Exception:  # noqa: BLE001 - any failure of the judge gives the neutral reward
        metrics += [metric("quality", NEUTRAL), metric("judge_error", 1)]
        return {"id": sid, "aggregate_reward_score": NEUTRAL, "metrics_list": metrics}
    metrics += [metric("quality", quality), metric("judge_error", 0)]
    reward = DETERMINISTIC_WEIGHT * d + JUDGE_WEIGHT * quality
    return {"id": sid, "aggregate_reward_score": reward, "metrics_list": metrics}


def score_batch(samples, judge_url=None, deterministic_only=False):
    if not samples:
        return []
    with ThreadPoolExecutor(max_workers=len(samples)) as pool:
        return list(pool.map(lambda s: score_sample(s, judge_url, deterministic_only), samples))


def lambda_handler(event, context):
    """DETERMINISTIC_ONLY=1: no judge call, the reward is the deterministic part (as
    rubrics/contract_review_deterministic.lua)."""
    samples = event if isinstance(event, list) else event.get("samples", [])
    judge_url = os.environ.get("JUDGE_URL") or os.environ.get("GAVEL_JUDGE_URL")
    return score_batch(samples, judge_url, os.environ.get("DETERMINISTIC_ONLY") == "1")


# ---- command line ----------------------------------------------------------------------------

def read_input(path):
    """Samples from JSONL or a JSON array; a line that is not JSON becomes a bad sample."""
    with open(path, "rb") as f:
        data = f.read()
    stripped = data.lstrip()
    if stripped.startswith(b"["):
        return json.loads(data.decode("utf-8"))
    samples = []
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            samples.append(json.loads(line.decode("utf-8")))
        except (UnicodeDecodeError, ValueError):
            samples.append(None)
    return samples


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", required=True, help="samples: JSONL or a JSON array")
    parser.add_argument("--judge-url", default=os.environ.get("JUDGE_URL") or os.environ.get("GAVEL_JUDGE_URL"),
                        help="OpenAI-compatible judge, e.g. http://127.0.0.1:8000/v1?model=m")
    parser.add_argument("--deterministic-only", action="store_true",
                        help="no judge call; the reward printed is the deterministic part")
    parser.add_argument("--batch-size", type=int, default=64, help="samples per Lambda batch")
    args = parser.parse_args(argv)
    if not args.deterministic_only and not args.judge_url:
        parser.error("give --judge-url (or set JUDGE_URL), or --deterministic-only")
    samples = read_input(args.input)
    out = sys.stdout
    for start in range(0, len(samples), args.batch_size):
        batch = samples[start:start + args.batch_size]
        for result in score_batch(batch, args.judge_url, args.deterministic_only):
            out.write(json.dumps(result) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
