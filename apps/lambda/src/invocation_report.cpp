#include "gavel/lambda/invocation_report.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace gavel::lambda {
namespace {

double Rounded(double ms) { return std::round(ms * 1000.0) / 1000.0; }

}  // namespace

void InvocationReport::Add(const Score& score) {
  ++samples;
  if (score.neutral) ++neutral;
  for (const ScoreError& error : score.errors) ++errors[std::string(ErrorKindName(error.kind))];
  for (const auto& [key, value] : score.usage) {
    if (std::isfinite(value)) usage[key] += value;
  }
  for (const Metric& metric : score.metrics) {
    if (metric.name.starts_with("error.") || !std::isfinite(metric.value)) continue;
    auto& [sum, count] = metrics[metric.name];
    sum += metric.value;
    ++count;
  }
}

std::size_t InvocationReport::error_count() const {
  std::size_t n = 0;
  for (const auto& [kind, count] : errors) n += count;
  return n;
}

std::string InvocationLogLine(const InvocationReport& report) {
  Json line = Json::object();
  line["message"] = "invocation";
  line["request_id"] = report.request_id;
  line["rubric"] = report.rubric;
  if (report.invocation_error) {
    line["invocation_error"] = report.error_type;
  } else {
    line["samples"] = report.samples;
    line["neutral"] = report.neutral;
    line["errors"] = report.errors;
    line["usage"] = report.usage;
    Json means = Json::object();
    for (const auto& [name, sum_count] : report.metrics) {
      means[name] = sum_count.first / static_cast<double>(sum_count.second);
    }
    line["metrics"] = std::move(means);
  }
  line["response_bytes"] = report.response_bytes;
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
  auto count_of = [&](const char* kind) {
    auto it = report.errors.find(kind);
    return it == report.errors.end() ? 0.0 : static_cast<double>(it->second);
  };
  put("Samples", static_cast<double>(report.samples), "Count");
  put("NeutralRewards", static_cast<double>(report.neutral), "Count");
  put("Errors", static_cast<double>(report.error_count()), "Count");
  put("SchemaFailures", count_of("sample"), "Count");
  put("DeadlineErrors", count_of("deadline"), "Count");
  put("InvocationErrors", report.invocation_error ? 1.0 : 0.0, "Count");
  put("DurationMs", Rounded(report.total_ms), "Milliseconds");
  // What the judge used: calls, attempts, retries, tokens and, with prices, cost.
  for (const auto& [key, value] : report.usage) put(key, value, key.ends_with("_usd") ? "None" : "Count");
  std::size_t rubric_metrics = 0;
  for (const auto& [name, sum_count] : report.metrics) {
    if (rubric_metrics++ == kMaxRubricMetrics) break;
    put("metric." + name, sum_count.first / static_cast<double>(sum_count.second), "None");
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
