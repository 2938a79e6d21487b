#include "usage.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "gavel/engine.h"

namespace gavel::cli {
namespace {

// Kept apart per command so that `gavel score --help` prints only its own.
const std::array<std::pair<std::string_view, const char*>, 5> kCommands = {{
    {"score",
     "  score   score samples with a rubric\n"
     "          --rubric FILE      the rubric (a Lua file)\n"
     "          --input FILE       samples: JSONL, or a Nova RFT event (a JSON array); '-' for stdin\n"
     "          --output FILE      scores (default: stdout)\n"
     "          --format F         jsonl or array (default: like the input)\n"
     "          --no-details       leave out the details object (rationales, hits, errors)\n"
     "          --threads N        worker threads (default: one per core)\n"
     "          --window N         samples in flight at once (default 256)\n"
     "          --timeout-ms N     deadline for the whole run; unfinished samples get the neutral reward\n"
     "          --max-error-rate R exit 4 when more than this share of the samples failed (neutral\n"
     "                             reward, error.<kind> metric); 0 to 1, default 0.5\n"
     "          --rubric-root DIR  folder that require and file references may not leave\n"
     "                             (default: the rubric's folder; data files may come from the\n"
     "                             folder above it)\n"
     "          --judge-cache FILE judge replies are kept in this SQLite file and reused on a rerun\n"
     "                             (default: $GAVEL_JUDGE_CACHE, else ~/.cache/gavel/judge.sqlite)\n"
     "          --no-judge-cache   always ask the judge\n"
     "          The last line on stderr gives the counts, the failures by cause (error.judge 12,\n"
     "          error.rubric 3) and the judge's usage.\n"},
    {"check",
     "  check   load a rubric, list its steps, then score one sample with it as a dry run: the\n"
     "          judge answers locally with a canned verdict that fits its schema (no endpoint is\n"
     "          called), and every step error is reported with its rubric line (exit 1)\n"
     "          --rubric FILE\n"
     "          --sample FILE      JSONL samples for the dry run (default: a small built-in one)\n"
     "          --rubric-root DIR  as for score\n"},
    {"bench",
     "  bench   compare model checkpoints: score each checkpoint's outputs, then write\n"
     "          summary.json, summary.md and report.html into --out (exit 3 when a threshold fails)\n"
     "          --rubric FILE\n"
     "          --checkpoint [NAME=]FILE  a JSONL file of one checkpoint's outputs (give two or more;\n"
     "                             several outputs per id for best-of-k)\n"
     "          --out DIR          reports and per-sample results (default gavel-bench); a rerun\n"
     "                             resumes where the results stop\n"
     "          --baseline NAME    the checkpoint the others are compared with (default: the first)\n"
     "          --min-reward X     fail when a compared checkpoint's mean reward is below X\n"
     "          --max-regression D fail when a checkpoint's mean reward is below the baseline's by more than D\n"
     "          --pass-threshold T a reward >= T passes, for pass@k (default: 1 for 0/1 rubrics)\n"
     "          --resamples N --seed N   bootstrap resamples (default 1000) and seed (default 1)\n"
     "          --fresh            score everything again; --threads, --window, --judge-cache,\n"
     "                             --no-judge-cache, --rubric-root as for score\n"},
    {"judge-eval",
     "  judge-eval  measure the judge: consistency, agreement between judges, calibration against\n"
     "          human labels, a regression suite, reward-hacking probes; writes the same three reports\n"
     "          --rubric FILE --input FILE   samples to judge\n"
     "          --repeats N        judge every sample N times with the first judge (consistency)\n"
     "          --judge NAME=URL   a judge configuration, used in place of GAVEL_JUDGE_URL\n"
     "                             (give two or more for agreement)\n"
     "          --labels FILE      human labels: JSONL {id, output, item, dimension, score}\n"
     "          --cases FILE       regression suite: samples with \"expect\": {min_reward, max_reward, error}\n"
     "                             (exit 3 when a case fails)\n"
     "          --high-reward X    the reward above which probes flag answers (default 0.7)\n"
     "          --probe-pack FILE  rules for text aimed at the judge (default rules/injection.json\n"
     "                             beside the rubric)\n"
     "          --out DIR          (default gavel-judge-eval); --fresh, --threads, --window, --resamples,\n"
     "                             --seed, --no-judge-cache as for bench\n"},
    {"lambda-local",
     "  lambda-local  run a saved Lambda event (a Nova RFT batch) through the Lambda handler and\n"
     "          print the response body (or the error body, exit 1)\n"
     "          --rubric FILE\n"
     "          --event FILE       the event: a JSON array of samples\n"
     "          --deadline-ms N    the invocation's deadline, from after init\n"
     "          (GAVEL_THREADS, GAVEL_WINDOW, GAVEL_DEADLINE_MARGIN_MS, GAVEL_DETAILS as in Lambda)\n"},
}};

const char kExitCodes[] =
    "\n"
    "exit codes: 0 done; 1 failed (bad rubric, unreadable input, a step error in check's dry run);\n"
    "  2 usage; 3 a bench or judge-eval threshold or case failed; 4 score: more samples failed\n"
    "  than --max-error-rate allows\n";

}  // namespace

std::string CommandUsage(std::string_view command) {
  for (const auto& [name, text] : kCommands) {
    if (name == command) return "usage: gavel " + std::string(name) + " [options]\n\n" + text + kExitCodes;
  }
  return {};
}

std::string FullUsage() {
  std::string text = "usage: gavel <command> [options]   (gavel <command> --help: that command only)\n\ncommands:\n";
  for (const auto& [name, usage] : kCommands) text += usage;
  return text + kExitCodes;
}

int Finish(int code) {
  if (const std::size_t stuck = AbandonedWorkerThreadsRunning(); stuck > 0) {
    std::fprintf(stderr,
                 "gavel: %zu worker thread(s) stuck in native code past the deadline could not be reclaimed; "
                 "every answer is written, exiting now\n",
                 stuck);
    std::fflush(nullptr);
    std::_Exit(code);
  }
  return code;
}

}  // namespace gavel::cli
