// RunTotals: what every front end sums over its scores, on scores made by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "gavel/run_totals.h"

namespace {

using gavel::ErrorKind;
using gavel::Metric;
using gavel::MetricType;
using gavel::RunTotals;
using gavel::Score;

Score Scored(double reward, std::vector<Metric> metrics = {}, std::map<std::string, double> usage = {}) {
  Score score;
  score.id = "s";
  score.reward = reward;
  score.metrics = std::move(metrics);
  score.usage = std::move(usage);
  return score;
}

// A sample failed after it finished the steps whose metrics it keeps (as Worker::Fail makes it).
Score Failed(ErrorKind kind, std::vector<Metric> finished = {}) {
  Score score = Score::Failed("f", 0.5, kind, "why");
  score.metrics.insert(score.metrics.begin(), finished.begin(), finished.end());
  return score;
}

}  // namespace

TEST_CASE("run totals: nothing added is all zeros, not a division by zero", "[totals]") {
  const RunTotals totals;
  CHECK(totals.samples == 0);
  CHECK(totals.mean_reward() == 0);
  CHECK(totals.neutral_rate() == 0);
  CHECK(totals.error_count() == 0);
  CHECK(totals.cut_off_count() == 0);
  CHECK(totals.errors_of("rubric") == 0);
  CHECK(totals.usage_of("judge.calls") == 0);
  CHECK(gavel::MetricTotal{}.mean() == 0);
}

TEST_CASE("run totals: samples, rewards, failures by cause and neutral rate", "[totals]") {
  RunTotals totals;
  totals.Add(Scored(1.0));
  totals.Add(Scored(0.25));
  totals.Add(Failed(ErrorKind::kBadRubric));
  totals.Add(Failed(ErrorKind::kBadSample));
  totals.Add(Failed(ErrorKind::kBadRubric));
  CHECK(totals.samples == 5);
  CHECK(totals.neutral == 3);
  // The neutral rewards count in the mean: it is the mean of what the trainer was given.
  CHECK(totals.reward_sum == Approx(1.0 + 0.25 + 3 * 0.5));
  CHECK(totals.mean_reward() == Approx(2.75 / 5));
  CHECK(totals.neutral_rate() == Approx(0.6));
  CHECK(totals.errors == std::map<std::string, std::size_t>{{"rubric", 2}, {"sample", 1}});
  CHECK(totals.errors_of("rubric") == 2);
  CHECK(totals.errors_of("judge") == 0);
  CHECK(totals.error_count() == 3);
  CHECK(totals.cut_off_count() == 0);
}

TEST_CASE("run totals: cut-off samples by cause, counted once, keeping the metrics they reached", "[totals]") {
  RunTotals totals;
  totals.Add(Scored(1.0, {{"well_formed", 1, MetricType::kMetric}, {"quality", 0.5, MetricType::kReward}}));
  totals.Add(Scored(0.0, {{"well_formed", 0, MetricType::kMetric}}));  // stopped by the gate
  totals.Add(Failed(ErrorKind::kDeadline, {{"well_formed", 1, MetricType::kMetric}}));
  totals.Add(Failed(ErrorKind::kLimit, {{"well_formed", 1, MetricType::kMetric}}));
  Score twice = Failed(ErrorKind::kDeadline);
  twice.errors.push_back({ErrorKind::kLimit, "and a limit"});
  totals.Add(twice);
  CHECK(totals.cut_off == std::map<std::string, std::size_t>{{"deadline", 2}, {"limit", 1}});
  CHECK(totals.cut_off_count() == 3);
  CHECK(totals.error_count() == 4);  // every error of every sample
  // A gate's rate over the samples that reached it, not over every sample.
  REQUIRE(totals.metrics.count("well_formed") == 1);
  CHECK(totals.metrics.at("well_formed").samples == 4);
  CHECK(totals.metrics.at("well_formed").mean() == Approx(0.75));
  CHECK(totals.metrics.at("quality").samples == 1);
  // error.* metrics are errors, not rubric metrics.
  CHECK(totals.metrics.count("error.deadline") == 0);
  CHECK(totals.metrics.size() == 2);
}

TEST_CASE("run totals: usage summed over every sample, failed ones too; figures that are not finite left out",
          "[totals]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  RunTotals totals;
  totals.Add(Scored(1.0, {}, {{"judge.calls", 3}, {"judge.input_tokens", 1200}, {"judge.cost_usd", 0.25}}));
  Score late = Failed(ErrorKind::kDeadline);
  late.usage = {{"judge.calls", 1}, {"judge.retries", 1}};
  totals.Add(late);
  totals.Add(Scored(0.5, {{"odd", nan, MetricType::kMetric}, {"fine", 1, MetricType::kMetric}},
                    {{"judge.calls", 2}, {"judge.cost_usd", nan}, {"judge.output_tokens", inf}}));
  CHECK(totals.usage_of("judge.calls") == 6);
  CHECK(totals.usage_of("judge.retries") == 1);
  CHECK(totals.usage_of("judge.input_tokens") == 1200);
  CHECK(totals.usage_of("judge.cost_usd") == Approx(0.25));
  CHECK(totals.usage.count("judge.output_tokens") == 0);
  CHECK(std::isfinite(totals.usage_of("judge.cost_usd")));
  CHECK(totals.metrics.count("odd") == 0);
  CHECK(totals.metrics.at("fine").samples == 1);
}
