// The outcome for one sample, written as the Nova RFT reward-Lambda response item:
//   {id, aggregate_reward_score, metrics_list: [{name, value, type: "Reward"|"Metric"}], details?}
#pragma once

#include <map>
#include <string>
#include <vector>

#include "gavel/sample.h"
#include "gavel/status.h"

namespace gavel {

enum class MetricType { kReward, kMetric };

struct Metric {
  std::string name;
  double value = 0.0;
  MetricType type = MetricType::kMetric;
};

struct ScoreError {
  ErrorKind kind;
  std::string message;
};

struct Score {
  Json id;              // as in the input; null when the input had no usable id
  double reward = 0.0;  // aggregate_reward_score
  std::vector<Metric> metrics;
  Json details = Json::object();  // rationales, hits, gate outcome, ...
  std::vector<ScoreError> errors; // empty unless the sample failed
  bool neutral = false;           // the reward is the neutral reward because the sample failed
  // What scoring the sample used, summed over its steps, by name: "judge.calls",
  // "judge.input_tokens", "judge.cost_usd", ... (see AsyncCompleter::AddUsage). Written as
  // details.usage; kept when the sample fails.
  std::map<std::string, double> usage;
  // What LLM judges said about the sample, one object per verdict, in the order the steps ended:
  //   {"judge": "contract_review", "item": 2,
  //    "dimensions": {"grounding": {"value": 4, "min": 1, "max": 5}, "pass": {"value": 1, "binary": true},
  //                   "preference": {"category": "a"}},
  //    "rationale": "..."}
  // Written as details.judgements only when asked (WriteOptions::judgements): the offline tool
  // measures judges with them.
  std::vector<Json> judgements;

  // A failed sample: the neutral reward and an error metric "error.<kind>" naming the cause.
  static Score Failed(Json id, double neutral_reward, ErrorKind kind, std::string message);
};

}  // namespace gavel
