#include <cstdio>
#include <ios>
#include <string>
#include <vector>

#include "cli.h"
#include "gavel/language/detect.h"

namespace {

const char kUsage[] =
    "usage: gavel <command> [options]\n"
    "\n"
    "commands:\n"
    "  score   score samples with a rubric\n"
    "          --rubric FILE      the rubric (a Lua file)\n"
    "          --input FILE       samples: JSONL, or a Nova RFT event (a JSON array); '-' for stdin\n"
    "          --output FILE      scores (default: stdout)\n"
    "          --format F         jsonl or array (default: like the input)\n"
    "          --no-details       leave out the details object (rationales, hits, errors)\n"
    "          --threads N        worker threads (default: one per core)\n"
    "          --window N         samples in flight at once (default 256)\n"
    "          --timeout-ms N     deadline for the whole run; unfinished samples get the neutral reward\n"
    "          --rubric-root DIR  folder that require and file references may not leave\n"
    "                             (default: the rubric's folder)\n"
    "          --judge-cache FILE judge replies are kept in this SQLite file and reused on a rerun\n"
    "                             (default: $GAVEL_JUDGE_CACHE, else ~/.cache/gavel/judge.sqlite)\n"
    "          --no-judge-cache   always ask the judge\n"
    "  check   load a rubric and report its steps or its errors\n"
    "          --rubric FILE\n"
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
    "                             --no-judge-cache, --rubric-root as for score\n"
    "  judge-eval  measure the judge: consistency, agreement between judges, calibration against\n"
    "          human labels, a regression suite, reward-hacking probes; writes the same three reports\n"
    "          --rubric FILE --input FILE   samples to judge\n"
    "          --repeats N        judge every sample N times with the first judge (consistency)\n"
    "          --judge NAME=URL   a judge configuration, given to the rubric as GAVEL_JUDGE_URL\n"
    "                             (give two or more for agreement)\n"
    "          --labels FILE      human labels: JSONL {id, output, item, dimension, score}\n"
    "          --cases FILE       regression suite: samples with \"expect\": {min_reward, max_reward, error}\n"
    "                             (exit 3 when a case fails)\n"
    "          --high-reward X    the reward above which probes flag answers (default 0.7)\n"
    "          --probe-pack FILE  rules for text aimed at the judge (default rules/injection.json\n"
    "                             beside the rubric)\n"
    "          --out DIR          (default gavel-judge-eval); --fresh, --threads, --window, --resamples,\n"
    "                             --seed, --no-judge-cache as for bench\n"
    "  lambda-local  run a saved Lambda event (a Nova RFT batch) through the Lambda handler and\n"
    "          print the response body (or the error body, exit 1)\n"
    "          --rubric FILE\n"
    "          --event FILE       the event: a JSON array of samples\n"
    "          --deadline-ms N    the invocation's deadline, from after init\n"
    "          (GAVEL_THREADS, GAVEL_WINDOW, GAVEL_DEADLINE_MARGIN_MS, GAVEL_DETAILS as in Lambda)\n";

}  // namespace

int main(int argc, char** argv) {
  // Samples may come on standard input; C stdio is not used for them, so skip the syncing.
  std::ios::sync_with_stdio(false);
  // Before any worker thread starts: keeps glibc from trimming and regrowing the heap around
  // every language detection. Refused under AddressSanitizer, which is fine.
  gavel::language::TuneAllocatorForLanguageDetection();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "score") return gavel::cli::ScoreCommand(args);
  if (command == "check") return gavel::cli::CheckCommand(args);
  if (command == "lambda-local") return gavel::cli::LambdaLocalCommand(args);
  if (command == "bench") return gavel::cli::BenchCommand(args);
  if (command == "judge-eval") return gavel::cli::JudgeEvalCommand(args);
  if (command == "--version") {
    std::puts("gavel 0.1.0");
    return 0;
  }
  std::fprintf(stderr, "gavel: unknown command '%s'\n\n%s", command.c_str(), kUsage);
  return 2;
}
