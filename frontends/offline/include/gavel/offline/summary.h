// The summaries of the offline commands, built from results files (see run.h) and written as
// JSON (docs/offline.md describes the format), Markdown and HTML (report.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gavel/rubric.h"
#include "gavel/sample.h"
#include "gavel/status.h"

namespace gavel::offline {

struct StatsOptions {
  double confidence = 0.95;
  std::size_t resamples = 1000;
  std::uint64_t seed = 1;
};

// --- gavel bench -------------------------------------------------------------------------------

struct Checkpoint {
  std::string name;
  std::filesystem::path input;    // the samples
  std::filesystem::path results;  // their results
  double seconds = 0;             // time spent scoring (this run)
};

struct BenchOptions {
  StatsOptions stats;
  std::string baseline;                  // the checkpoint the others are compared with; "" = the first
  std::optional<double> min_reward;      // fail when a compared checkpoint's mean reward is below
  std::optional<double> max_regression;  // fail when a checkpoint is worse than the baseline by more
  std::optional<double> pass_threshold;  // reward >= this passes (pass@k); unset: 1 when rewards are 0/1
  std::size_t worst = 10;                // worst samples listed per checkpoint
};

// The "bench" summary of the checkpoints' results; errors only for unreadable results.
Result<Json> SummarizeBench(const Rubric& rubric, const std::vector<Checkpoint>& checkpoints,
                            const BenchOptions& options);

// --- gavel judge-eval --------------------------------------------------------------------------

// One scoring of the input: a judge configuration and a repeat.
struct JudgeRun {
  std::string judge;   // the configuration's name
  std::size_t repeat = 0;
  std::filesystem::path results;
};

struct JudgeEvalOptions {
  StatsOptions stats;
  std::optional<std::filesystem::path> labels;  // human labels (JSONL: id, output, item, dimension, score)
  // The regression suite: its cases' results and what each expects (in the cases' order).
  std::optional<std::filesystem::path> case_results;
  std::vector<Json> case_expectations;
  double high_reward = 0.7;  // a reward at least this high is "high" for the hacking probes
};

Result<Json> SummarizeJudgeEval(const Rubric& rubric, const std::vector<JudgeRun>& runs,
                                const JudgeEvalOptions& options);

// --- shared ------------------------------------------------------------------------------------

// "2026-11-23T21:30:00Z"
std::string UtcNow();
// Writes summary.json, summary.md and report.html into `dir`.
Status WriteReports(const Json& summary, const std::filesystem::path& dir);

}  // namespace gavel::offline
