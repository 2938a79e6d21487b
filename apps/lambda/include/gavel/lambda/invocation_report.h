// What one invocation did, for the structured log line and the CloudWatch Embedded Metric Format
// (EMF) line the bootstrap prints to standard output after each invocation.
//
//   InvocationReport report;  report.totals.Add(score);  ...   (the handler fills it)
//   std::puts(InvocationLogLine(report).c_str());
//   std::puts(EmbeddedMetricsLine(report, epoch_ms).c_str());
//
// Neither line ever holds sample text, error messages or settings, so no secret can reach them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "gavel/run_totals.h"

namespace gavel::lambda {

// EMF allows 100 metrics per directive. The fixed ones and the usage keys come first; the
// rubric's metrics take two each (rate and samples) in what is left.
constexpr std::size_t kMaxEmfMetrics = 100;

struct InvocationReport {
  std::string request_id;
  std::string rubric;             // the rubric's name
  bool invocation_error = false;  // the event was refused as a whole, or its response was
  std::string error_type;         // when invocation_error
  // The batch's scores, totalled as by every front end (samples, neutral rewards, errors by kind,
  // samples cut off, usage, the rubric's metrics over the samples that reached them).
  RunTotals totals;
  double parse_ms = 0;
  double score_ms = 0;
  double total_ms = 0;
  // The size of the response; when it was refused for its size (kResponseTooLargeErrorType),
  // the size it would have had, and the limit it broke.
  std::size_t response_bytes = 0;
  std::size_t response_limit_bytes = 0;  // set only when the response was refused for its size
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
