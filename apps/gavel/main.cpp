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
  if (command == "--version") {
    std::puts("gavel 0.1.0");
    return 0;
  }
  std::fprintf(stderr, "gavel: unknown command '%s'\n\n%s", command.c_str(), kUsage);
  return 2;
}
