#include "gavel/lambda/invocation_report.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace gavel::lambda {
namespace {

double Rounded(double ms) { return std::round(ms * 1000.0) / 1000.0; }

bool IsCutOff(ErrorKind kind) { return kind == ErrorKind::kDeadline || kind == ErrorKind::kLimit; }

std::size_t CountOf(const std::map<std::string, std::size_t>& counts, const char* key) {
  auto it = counts.find(key);
  return it == counts.end() ? 0 : it->second;
}

}  // namespace

void InvocationReport::Add(const Score& score) {
  ++samples;
  if (score.neutral) ++neutral;
  for (const ScoreError& error : score.errors) ++errors[std::string(ErrorKindName(error.kind))];
  // A sample is counted once as cut off, by its first cut-off error.
  for (const ScoreError& error : score.errors) {
    if (IsCutOff(error.kind)) {
      ++cut_off[std::string(ErrorKindName(error.kind))];
      break;
    }
  }
  for (const auto& [key, value] : score.usage) {
    if (std::isfinite(value)) usage[key] += value;
  }
  // A cut-off sample keeps the metrics of the steps it finished, and counts for those steps
  // only: averaging over every sample would report a gate's pass rate as low when the judge
  // after it was merely slow.
  for (const Metric& metric : score.metrics) {
    if (metric.name.starts_with("error.") || !std::isfinite(metric.value)) continue;
    MetricTotal& total = metrics[metric.name];
    total.sum += metric.value;
    ++total.samples;
  }
}

std::size_t InvocationReport::error_count() const {
  std::size_t n = 0;
  for (const auto& [kind, count] : errors) n += count;
  return n;
}

std::size_t InvocationReport::cut_off_count() const {
  std::size_t n = 0;
  for (const auto& [kind, count] : cut_off) n += count;
  return n;
}

std::string InvocationLogLine(const InvocationReport& report) {
  Json line = Json::object();
  line["message"] = "invocation";
  line["request_id"] = report.request_id;
  line["rubric"] = report.rubric;
  if (report.invocation_error) line["invocation_error"] = report.error_type;
  // A refused event scored nothing; a refused response did, and its counts are worth as much.
  if (!report.invocation_error || report.samples > 0) {
    line["samples"] = report.samples;
    line["neutral"] = report.neutral;
    line["errors"] = report.errors;
    line["cut_off"] = report.cut_off;
    line["usage"] = report.usage;
    Json metrics = Json::object();
    for (const auto& [name, total] : report.metrics) {
      metrics[name] = {{"mean", total.mean()}, {"samples", total.samples}};
    }
    line["metrics"] = std::move(metrics);
  }
  line["response_bytes"] = report.response_bytes;
  if (report.response_limit_bytes > 0) line["response_limit_bytes"] = report.response_limit_bytes;
  line["ms"] = {{"parse", Rounded(report.parse_ms)},
                {"score", Rounded(report.score_ms)},
                {"total", Rounded(report.total_ms)}};
  if (report.samples > 0) {
    line["ms"]["per_sample"] = Rounded(report.score_ms / static_cast<double>(report.samples));
  }
  return line.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string EmbeddedMetricsLine(const InvocationReport& report, std::int64_t timestamp_ms) {
  Json metrics = Json::array();
  Json line = Json::object();
  auto put = [&](const std::string& name, double value, const char* unit) {
    metrics.push_back({{"Name", name}, {"Unit", unit}});
    line[name] = value;
  };
  put("Samples", static_cast<double>(report.samples), "Count");
  put("NeutralRewards", static_cast<double>(report.neutral), "Count");
  put("Errors", static_cast<double>(report.error_count()), "Count");
  put("SchemaFailures", static_cast<double>(CountOf(report.errors, "sample")), "Count");
  put("DeadlineErrors", static_cast<double>(CountOf(report.errors, "deadline")), "Count");
  put("LimitErrors", static_cast<double>(CountOf(report.errors, "limit")), "Count");
  put("CutOffSamples", static_cast<double>(report.cut_off_count()), "Count");
  put("InvocationErrors", report.invocation_error ? 1.0 : 0.0, "Count");
  put("DurationMs", Rounded(report.total_ms), "Milliseconds");
  put("ResponseBytes", static_cast<double>(report.response_bytes), "Bytes");
  // What the judge used: calls, attempts, retries, tokens and, with prices, cost.
  for (const auto& [key, value] : report.usage) {
    if (metrics.size() == kMaxEmfMetrics) break;
    put(key, value, key.ends_with("_usd") ? "None" : "Count");
  }
  for (const auto& [name, total] : report.metrics) {
    if (metrics.size() + 2 > kMaxEmfMetrics) break;
    put("metric." + name, total.mean(), "None");
    put("metric." + name + ".samples", static_cast<double>(total.samples), "Count");
  }
  line["_aws"] = {{"Timestamp", timestamp_ms},
                  {"CloudWatchMetrics",
                   Json::array({{{"Namespace", "gavel"},
                                 {"Dimensions", Json::array({Json::array({"Rubric"})})},
                                 {"Metrics", metrics}}})}};
  line["Rubric"] = report.rubric;
  line["request_id"] = report.request_id;
  return line.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace gavel::lambda
