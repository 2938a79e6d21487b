#include "gavel/lambda/invocation_report.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace gavel::lambda {
namespace {

double Rounded(double ms) { return std::round(ms * 1000.0) / 1000.0; }

}  // namespace

std::string InvocationLogLine(const InvocationReport& report) {
  Json line = Json::object();
  line["message"] = "invocation";
  line["request_id"] = report.request_id;
  line["rubric"] = report.rubric;
  if (report.invocation_error) line["invocation_error"] = report.error_type;
  // A refused event scored nothing; a refused response did, and its counts are worth as much.
  const RunTotals& totals = report.totals;
  if (!report.invocation_error || totals.samples > 0) {
    line["samples"] = totals.samples;
    line["neutral"] = totals.neutral;
    line["errors"] = totals.errors;
    line["cut_off"] = totals.cut_off;
    line["usage"] = totals.usage;
    Json metrics = Json::object();
    for (const auto& [name, total] : totals.metrics) {
      metrics[name] = {{"mean", total.mean()}, {"samples", total.samples}};
    }
    line["metrics"] = std::move(metrics);
  }
  line["response_bytes"] = report.response_bytes;
  if (report.response_limit_bytes > 0) line["response_limit_bytes"] = report.response_limit_bytes;
  line["ms"] = {{"parse", Rounded(report.parse_ms)},
                {"score", Rounded(report.score_ms)},
                {"total", Rounded(report.total_ms)}};
  if (totals.samples > 0) {
    line["ms"]["per_sample"] = Rounded(report.score_ms / static_cast<double>(totals.samples));
  }
  return line.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string EmbeddedMetricsLine(const InvocationReport& report, std::int64_t timestamp_ms) {
  const RunTotals& totals = report.totals;
  Json metrics = Json::array();
  Json line = Json::object();
  auto put = [&](const std::string& name, double value, const char* unit) {
    metrics.push_back({{"Name", name}, {"Unit", unit}});
    line[name] = value;
  };
  put("Samples", static_cast<double>(totals.samples), "Count");
  put("NeutralRewards", static_cast<double>(totals.neutral), "Count");
  put("Errors", static_cast<double>(totals.error_count()), "Count");
  put("SchemaFailures", static_cast<double>(totals.errors_of("sample")), "Count");
  put("DeadlineErrors", static_cast<double>(totals.errors_of("deadline")), "Count");
  put("LimitErrors", static_cast<double>(totals.errors_of("limit")), "Count");
  put("CutOffSamples", static_cast<double>(totals.cut_off_count()), "Count");
  put("InvocationErrors", report.invocation_error ? 1.0 : 0.0, "Count");
  put("DurationMs", Rounded(report.total_ms), "Milliseconds");
  put("ResponseBytes", static_cast<double>(report.response_bytes), "Bytes");
  // What the judge used: calls, attempts, retries, tokens and, with prices, cost.
  for (const auto& [key, value] : totals.usage) {
    if (metrics.size() == kMaxEmfMetrics) break;
    put(key, value, key.ends_with("_usd") ? "None" : "Count");
  }
  for (const auto& [name, total] : totals.metrics) {
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
