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

// EMF allows 100 metrics per directive; the fixed ones and usage take fewer than 30.
constexpr std::size_t kMaxRubricMetrics = 50;

struct InvocationReport {
  std::string request_id;
  std::string rubric;             // the rubric's name
  bool invocation_error = false;  // the event was refused as a whole
  std::string error_type;         // when invocation_error
  std::size_t samples = 0;
  std::size_t neutral = 0;  // neutral reward because the sample failed (bad sample, limit, deadline, ...)
  std::map<std::string, std::size_t> errors;  // failed samples by error kind ("sample", "deadline", ...)
  // Per-sample usage summed over the batch (judge.calls, judge.attempts, judge.input_tokens, ...).
  std::map<std::string, double> usage;
  // The rubric's own metrics (its gates and checks: "well_formed", "schema", ...) of the scored
  // samples: sum and count by name, for their batch means. error.* metrics are in `errors`.
  std::map<std::string, std::pair<double, std::size_t>> metrics;
  double parse_ms = 0;
  double score_ms = 0;
  double total_ms = 0;
  std::size_t response_bytes = 0;

  void Add(const Score& score);
  // The error.* metrics of the batch: every error of every sample.
  std::size_t error_count() const;
};

// One JSON object on one line: {"message":"invocation","request_id":...,"rubric":...,
// "samples":...,"neutral":...,"errors":{"deadline":1},"usage":{...},"metrics":{name: mean},
// "ms":{...}}.
std::string InvocationLogLine(const InvocationReport& report);

// One EMF JSON object on one line, namespace "gavel", dimension "Rubric": Samples,
// NeutralRewards, Errors, SchemaFailures (samples that are not valid Nova samples: error.sample),
// DeadlineErrors, InvocationErrors, DurationMs, every usage key (judge.calls, judge.retries,
// ...), and the batch mean of each of the rubric's metrics as "metric.<name>" (the first
// kMaxRubricMetrics names), so a format gate's pass rate is a CloudWatch metric.
std::string EmbeddedMetricsLine(const InvocationReport& report, std::int64_t timestamp_ms);

}  // namespace gavel::lambda
