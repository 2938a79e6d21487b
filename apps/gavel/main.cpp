#include <cstdio>
#include <ios>
#include <string>
#include <vector>

#include "cli.h"
#include "gavel/language/detect.h"
#include "usage.h"

int main(int argc, char** argv) {
  // Samples may come on standard input; C stdio is not used for them, so skip the syncing.
  std::ios::sync_with_stdio(false);
  // Before any worker thread starts: keeps glibc from trimming and regrowing the heap around
  // every language detection. Refused under AddressSanitizer, which is fine.
  gavel::language::TuneAllocatorForLanguageDetection();
  std::vector<std::string> args(argv + 1, argv + argc);
  const std::string full = gavel::cli::FullUsage();
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(full.c_str(), args.empty() ? stderr : stdout);
    return args.empty() ? gavel::cli::kExitUsage : gavel::cli::kExitOk;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  // `gavel score --help` anywhere among the options: that command's usage, nothing run.
  for (const std::string& a : args) {
    if (a != "--help" && a != "-h") continue;
    const std::string usage = gavel::cli::CommandUsage(command);
    if (usage.empty()) break;
    std::fputs(usage.c_str(), stdout);
    return gavel::cli::kExitOk;
  }
  if (command == "score") return gavel::cli::ScoreCommand(args);
  if (command == "check") return gavel::cli::CheckCommand(args);
  if (command == "lambda-local") return gavel::cli::LambdaLocalCommand(args);
  if (command == "bench") return gavel::cli::BenchCommand(args);
  if (command == "judge-eval") return gavel::cli::JudgeEvalCommand(args);
  if (command == "--version") {
    std::puts("gavel 0.1.0");
    return 0;
  }
  std::fprintf(stderr, "gavel: unknown command '%s'\n\n%s", command.c_str(), full.c_str());
  return gavel::cli::kExitUsage;
}
