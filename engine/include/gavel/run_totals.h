// What a run of scores adds up to: samples, rewards, failures by cause, samples cut off, the
// usage of their steps (judge calls, tokens, cost) and the rubric's metrics. Every front end
// totals its scores with it, so a summary line, a log line and a metrics line count alike.
//
//   RunTotals totals;
//   for (const Score& score : scores) totals.Add(score);
//   std::printf("%zu failed of %zu, mean reward %.4f\n", totals.neutral, totals.samples, totals.mean_reward());
//
// A ScoreSink (score_sink.h) keeps one for everything written through it.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "gavel/score.h"

namespace gavel {

// A rubric metric over a run: its sum over the samples that have it, and how many those are.
// A sample has a metric when it reached the step that sets it, finished or cut off later.
struct MetricTotal {
  double sum = 0;
  std::size_t samples = 0;
  double mean() const { return samples == 0 ? 0.0 : sum / static_cast<double>(samples); }
};

struct RunTotals {
  std::size_t samples = 0;
  std::size_t neutral = 0;  // neutral reward because the sample failed (bad sample, limit, deadline, ...)
  double reward_sum = 0;    // over every sample, neutral rewards included
  // Every error of every sample by its kind ("sample", "rubric", "deadline", ...). A failed
  // sample has one (Score::Failed), so this is also the failed samples by cause.
  std::map<std::string, std::size_t> errors;
  // Samples cut off before their last step, by cause: "deadline" (the run's time ran out) or
  // "limit" (a sandbox limit), counted once each by their first such error. They keep the
  // metrics of the steps they finished.
  std::map<std::string, std::size_t> cut_off;
  // Per-sample usage summed over the run (judge.calls, judge.input_tokens, judge.cost_usd, ...).
  // A value that is not finite is left out, so one bad figure cannot hide the others.
  std::map<std::string, double> usage;
  // The rubric's own metrics (its gates and checks) by name, over the samples that reached the
  // step, cut-off ones included: averaging over every sample would report a gate's pass rate as
  // low when the judge after it was merely slow. error.* metrics are counted in `errors` instead.
  std::map<std::string, MetricTotal> metrics;

  void Add(const Score& score);

  double mean_reward() const;     // 0 for no samples
  double neutral_rate() const;    // neutral / samples; 0 for no samples
  std::size_t error_count() const;    // every error of every sample
  std::size_t cut_off_count() const;  // samples cut off by the deadline or a limit
  std::size_t errors_of(std::string_view kind) const;  // 0 when there were none
  double usage_of(std::string_view key) const;         // 0 when no sample used it
};

}  // namespace gavel
