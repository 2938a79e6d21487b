#include "gavel/run_totals.h"

#include <cmath>
#include <string>

namespace gavel {
namespace {

bool IsCutOff(ErrorKind kind) { return kind == ErrorKind::kDeadline || kind == ErrorKind::kLimit; }

template <typename Map>
typename Map::mapped_type ValueOr0(const Map& map, std::string_view key) {
  auto it = map.find(std::string(key));
  return it == map.end() ? typename Map::mapped_type{} : it->second;
}

}  // namespace

void RunTotals::Add(const Score& score) {
  ++samples;
  reward_sum += score.reward;
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
  for (const Metric& metric : score.metrics) {
    if (metric.name.starts_with("error.") || !std::isfinite(metric.value)) continue;
    MetricTotal& total = metrics[metric.name];
    total.sum += metric.value;
    ++total.samples;
  }
}

double RunTotals::mean_reward() const { return samples == 0 ? 0.0 : reward_sum / static_cast<double>(samples); }

double RunTotals::neutral_rate() const {
  return samples == 0 ? 0.0 : static_cast<double>(neutral) / static_cast<double>(samples);
}

std::size_t RunTotals::error_count() const {
  std::size_t n = 0;
  for (const auto& [kind, count] : errors) n += count;
  return n;
}

std::size_t RunTotals::cut_off_count() const {
  std::size_t n = 0;
  for (const auto& [kind, count] : cut_off) n += count;
  return n;
}

std::size_t RunTotals::errors_of(std::string_view kind) const { return ValueOr0(errors, kind); }

double RunTotals::usage_of(std::string_view key) const { return ValueOr0(usage, key); }

}  // namespace gavel
