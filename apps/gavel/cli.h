// The `gavel` command line: `gavel score` scores a file of samples with a rubric; `gavel check`
// loads a rubric and reports what it found or why it is malformed; `gavel lambda-local` runs a saved
// Lambda event through the Lambda function's handler.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "builtin.h"
#include "gavel/rubric.h"
#include "options.h"

namespace gavel::cli {

// Each returns the process exit code (usage.h): 0 done, 1 failed, 2 usage, 3 a bench or judge-eval
// threshold failed, 4 score: too many samples failed.
int ScoreCommand(const std::vector<std::string>& args);
int CheckCommand(const std::vector<std::string>& args);
int LambdaLocalCommand(const std::vector<std::string>& args);
int BenchCommand(const std::vector<std::string>& args);
int JudgeEvalCommand(const std::vector<std::string>& args);

// The judge reply cache of a run: --judge-cache, else GAVEL_JUDGE_CACHE, else the user's cache
// folder; none with --no-judge-cache (or GAVEL_JUDGE_CACHE=off).
std::filesystem::path JudgeCacheFile(const Options& opts);

// What a command decides of the plugins' configuration; the rest comes from the environment.
struct PluginChoices {
  std::filesystem::path judge_cache{};  // empty: no reply cache
  bool canned_judge = false;            // gavel check's dry run
  std::string judge_url{};              // judge-eval's --judge NAME=URL; empty: GAVEL_JUDGE_URL
};

// The plugins' configuration of a run, for every command: the judge's default URL, window and
// prices from GAVEL_JUDGE_URL, GAVEL_JUDGE_WINDOW and GAVEL_JUDGE_PRICES, with the command's
// choices over them. Errors (kUsage) name the variable.
Result<BuiltinOptions> PluginOptions(const PluginChoices& choices);

// Registers the built-in plugins in `registry` and loads the rubric named by --rubric.
Result<std::shared_ptr<const Rubric>> LoadRubric(const Options& opts, PluginRegistry& registry,
                                                 const PluginChoices& choices = {});

}  // namespace gavel::cli
