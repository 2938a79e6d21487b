// What one invocation did, for the structured log line and the CloudWatch Embedded Metric Format
// (EMF) line the bootstrap prints to standard output after each invocation.
//
//   InvocationReport report;  report.Add(score);  ...   (the handler fills it)
//   std::puts(InvocationLogLine(report).c_str());
//   std::puts(EmbeddedMetricsLine(report, epoch_ms).c_str());
//
// Neither line ever holds sample text, error messages or settings, so no secret can reach them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gavel/score.h"

namespace gavel::lambda {

// EMF allows 100 metrics per directive. The fixed ones and the usage keys come first; the
// rubric's metrics take two each (rate and samples) in what is left.
constexpr std::size_t kMaxEmfMetrics = 100;

// A rubric metric over the batch: its sum over the samples that have it, and how many those are.
// A sample has a metric when it reached the step that sets it, finished or cut off later.
struct MetricTotal {
  double sum = 0;
  std::size_t samples = 0;
  double mean() const { return samples == 0 ? 0.0 : sum / static_cast<double>(samples); }
};

struct InvocationReport {
  std::string request_id;
  std::string rubric;             // the rubric's name
  bool invocation_error = false;  // the event was refused as a whole, or its response was
  std::string error_type;         // when invocation_error
  std::size_t samples = 0;
  std::size_t neutral = 0;  // neutral reward because the sample failed (bad sample, limit, deadline, ...)
  std::map<std::string, std::size_t> errors;  // failed samples by error kind ("sample", "deadline", ...)
  // Samples cut off before their last step, by cause: "deadline" (the invocation's time ran out)
  // or "limit" (a sandbox limit). They keep the metrics of the steps they finished.
  std::map<std::string, std::size_t> cut_off;
  // Per-sample usage summed over the batch (judge.calls, judge.attempts, judge.input_tokens, ...).
  std::map<std::string, double> usage;
  // The rubric's own metrics (its gates and checks: "well_formed", "schema", ...) by name, over
  // the samples that reached the step, cut-off ones included. error.* metrics are in `errors`.
  std::map<std::string, MetricTotal> metrics;
  double parse_ms = 0;
  double score_ms = 0;
  double total_ms = 0;
  // The size of the response; when it was refused for its size (kResponseTooLargeErrorType),
  // the size it would have had, and the limit it broke.
  std::size_t response_bytes = 0;
  std::size_t response_limit_bytes = 0;  // set only when the response was refused for its size

  void Add(const Score& score);
  // The error.* metrics of the batch: every error of every sample.
  std::size_t error_count() const;
  // Samples cut off by the deadline or a limit.
  std::size_t cut_off_count() const;
};

// One JSON object on one line: {"message":"invocation","request_id":...,"rubric":...,
// "samples":...,"neutral":...,"errors":{"deadline":1},"cut_off":{"deadline":1},"usage":{...},
// "metrics":{name: {"mean": m, "samples": n}},"response_bytes":...,"ms":{...}}. A refused
// event has "invocation_error" instead of the sample counts; a refused response has both.
std::string InvocationLogLine(const InvocationReport& report);

// One EMF JSON object on one line, namespace "gavel", dimension "Rubric": Samples,
// NeutralRewards, Errors, SchemaFailures (samples that are not valid Nova samples: error.sample),
// DeadlineErrors, LimitErrors, CutOffSamples (deadline or limit), InvocationErrors, DurationMs,
// ResponseBytes, every usage key (judge.calls, judge.retries, ...), then for each of the rubric's
// metrics, while the directive has room, "metric.<name>" (its rate over the samples that reached
// the step) and "metric.<name>.samples" (how many did), so a format gate's pass rate is a
// CloudWatch metric that a slow judge does not drag down.
std::string EmbeddedMetricsLine(const InvocationReport& report, std::int64_t timestamp_ms);

}  // namespace gavel::lambda
