// gavel bench: the summary of model checkpoints' results. Each checkpoint's results file is read
// once, keeping numbers per sample (rewards, metrics, judge dimensions) and per id (for best-of-k
// and the paired comparison), never the samples' text, but for the few worst samples.
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>
#include <utility>

#include "gavel/offline/stats.h"
#include "gavel/offline/summary.h"
#include "result_line.h"

namespace gavel::offline {
namespace {

using detail::Details;
using detail::Num;
using detail::Short;

Json IntervalJson(const stats::Interval& i) {
  return {{"estimate", Num(i.estimate)}, {"lo", Num(i.lo)}, {"hi", Num(i.hi)}, {"n", i.n}};
}


struct PerId {
  std::string key;
  double sum = 0, max = -INFINITY;
  std::size_t n = 0, passes = 0;
};

struct Worst {
  double reward;
  Json item;
};

// Everything kept of one checkpoint while its results are read.
struct Collected {
  std::vector<double> rewards;
  std::map<std::string, std::vector<double>> metrics;  // metric name -> values
  std::map<std::string, std::string> metric_types;
  std::map<std::string, std::pair<std::size_t, std::size_t>> measured;  // step -> (passed, ran)
  std::map<std::string, std::size_t> errors;
  std::size_t failed = 0;
  std::map<std::pair<std::string, std::string>, std::vector<double>> scale_dims;  // (judge, dim)
  std::map<std::pair<std::string, std::string>, std::pair<double, double>> scale_range;
  std::map<std::pair<std::string, std::string>, std::pair<std::size_t, std::size_t>> binary_dims;
  std::vector<PerId> ids;
  std::unordered_map<std::string, std::size_t> id_index;
  std::map<std::string, double> usage;
  std::vector<Worst> worst;  // a max-heap on reward: the lowest `keep` rewards
  bool zero_one = true;      // every scored reward is 0 or 1
  std::size_t max_k = 0;
};

Json WorstItem(const Json& r, double reward) {
  const Json& d = Details(r);
  Json item = {{"id", r.value("id", Json())}, {"output", r.value("output", 0)}, {"reward", Num(reward)},
               {"answer", r.value("answer", "")}};
  Json reason;
  if (auto g = d.find("gate"); g != d.end() && g->is_object()) {
    std::string text = "gate '" + g->value("name", std::string("?")) + "' failed";
    if (auto why = g->find("reason"); why != g->end() && why->is_string()) text += ": " + why->get<std::string>();
    reason = text;
  }
  item["reason"] = reason;
  Json rationales = Json::array();
  if (auto js = d.find("judgements"); js != d.end() && js->is_array()) {
    for (const Json& j : *js) {
      if (rationales.size() >= 5) break;
      if (auto why = j.find("rationale"); why != j.end() && why->is_string()) rationales.push_back(*why);
    }
  }
  item["rationales"] = std::move(rationales);
  Json errors = Json::array();
  if (auto es = d.find("errors"); es != d.end() && es->is_array()) {
    for (const Json& e : *es) errors.push_back(e.value("kind", std::string()) + ": " + e.value("message", std::string()));
  }
  item["errors"] = std::move(errors);
  return item;
}

Result<Collected> Collect(const Rubric& rubric, const Checkpoint& cp, std::size_t keep) {
  Collected c;
  auto by_reward = [](const Worst& a, const Worst& b) { return a.reward < b.reward; };
  Status st = detail::ForEachResult(cp.results, [&](const Json& r) {
    const double reward = detail::Reward(r);
    c.rewards.push_back(reward);
    const std::string failure = detail::FailureKind(r);
    if (!failure.empty()) {
      ++c.failed;
      ++c.errors["error." + failure];
    } else if (reward != 0 && reward != 1) {
      c.zero_one = false;
    }
    for (const Json& m : r["score"].value("metrics_list", Json::array())) {
      const std::string name = m.value("name", "");
      if (name.empty() || name.rfind("error.", 0) == 0 || !m["value"].is_number()) continue;
      c.metrics[name].push_back(m["value"].get<double>());
      c.metric_types[name] = m.value("type", "Metric");
      if (rubric.measures().count(name) != 0) {
        auto& [passed, ran] = c.measured[name];
        ++ran;
        if (m["value"].get<double>() >= 0.5) ++passed;
      }
    }
    const Json& d = Details(r);
    if (auto js = d.find("judgements"); js != d.end() && js->is_array()) {
      for (const Json& j : *js) {
        const std::string judge = j.value("judge", "");
        const Json dimensions = j.value("dimensions", Json::object());
        for (const auto& [dim, v] : dimensions.items()) {
          if (!v.is_object() || !v.contains("value") || !v["value"].is_number()) continue;
          const double value = v["value"].get<double>();
          if (v.value("binary", false)) {
            auto& [passed, n] = c.binary_dims[{judge, dim}];
            ++n;
            if (value >= 0.5) ++passed;
          } else {
            c.scale_dims[{judge, dim}].push_back(value);
            c.scale_range[{judge, dim}] = {v.value("min", NAN), v.value("max", NAN)};
          }
        }
      }
    }
    if (auto u = d.find("usage"); u != d.end() && u->is_object()) {
      for (const auto& [name, v] : u->items()) {
        if (v.is_number()) c.usage[name] += v.get<double>();
      }
    }
    const std::string key = r.value("id", Json()).dump();
    auto [it, fresh] = c.id_index.emplace(key, c.ids.size());
    if (fresh) c.ids.push_back(PerId{key});
    PerId& id = c.ids[it->second];
    ++id.n;
    if (std::isfinite(reward)) {
      id.sum += reward;
      id.max = std::max(id.max, reward);
    }
    c.max_k = std::max(c.max_k, id.n);
    if (keep > 0 && std::isfinite(reward)) {
      if (c.worst.size() < keep || reward < c.worst.front().reward) {
        c.worst.push_back({reward, WorstItem(r, reward)});
        std::push_heap(c.worst.begin(), c.worst.end(), by_reward);
        if (c.worst.size() > keep) {
          std::pop_heap(c.worst.begin(), c.worst.end(), by_reward);
          c.worst.pop_back();
        }
      }
    }
  });
  if (!st) return st.error();
  return c;
}

// The samples' mean rewards per id, for ids in `order` (NaN for an id missing here).
std::vector<double> IdMeans(const Collected& c) {
  std::vector<double> out;
  for (const PerId& id : c.ids) out.push_back(id.n > 0 ? id.sum / static_cast<double>(id.n) : NAN);
  return out;
}

// Per-id pass counts need the rewards again; they are counted in a second, cheap pass.
void CountPasses(const Checkpoint& cp, Collected& c, double threshold) {
  for (PerId& id : c.ids) id.passes = 0;
  (void)detail::ForEachResult(cp.results, [&](const Json& r) {
    const double reward = detail::Reward(r);
    if (std::isfinite(reward) && reward >= threshold && detail::FailureKind(r).empty()) {
      auto it = c.id_index.find(r.value("id", Json()).dump());
      if (it != c.id_index.end()) ++c.ids[it->second].passes;
    }
  });
}

Json CheckpointJson(const Rubric& rubric, const Checkpoint& cp, Collected& c, const BenchOptions& o,
                    std::optional<double> pass_threshold) {
  const StatsOptions& s = o.stats;
  std::vector<double> scored;
  for (double r : c.rewards) {
    if (std::isfinite(r)) scored.push_back(r);
  }
  Json j = {{"name", cp.name}, {"file", cp.input.generic_string()}, {"samples", c.rewards.size()},
            {"ids", c.ids.size()}, {"k", c.max_k}, {"seconds", cp.seconds}};
  j["reward"] = IntervalJson(stats::BootstrapMean(scored, s.confidence, s.resamples, s.seed));
  j["reward_sd"] = Num(stats::StdDev(scored));
  j["reward_median"] = Num(stats::Median(scored));
  Json counts = Json::array();
  for (std::size_t n : stats::Histogram(scored, 0, 1, 20)) counts.push_back(n);
  j["histogram"] = {{"lo", 0}, {"hi", 1}, {"counts", counts}};

  Json metrics = Json::array();
  for (const auto& [name, values] : c.metrics) {
    Json m = IntervalJson(stats::BootstrapMean(values, s.confidence, s.resamples, s.seed));
    m["name"] = name;
    m["type"] = c.metric_types[name];
    metrics.push_back(std::move(m));
  }
  j["metrics"] = std::move(metrics);

  // Rates of what steps measure: the first step that measures each thing.
  auto rate_of = [&](const std::string& what, bool failures) -> Json {
    for (const auto& [step, kind] : rubric.measures()) {
      if (kind != what) continue;
      auto it = c.measured.find(step);
      if (it == c.measured.end()) return Json();
      const auto [passed, ran] = it->second;
      Json r = IntervalJson(stats::Proportion(failures ? ran - passed : passed, ran, s.confidence));
      r["step"] = step;
      return r;
    }
    return Json();
  };
  Json rates = Json::object();
  rates["schema_valid"] = rate_of("schema", false);
  rates["safety_violation"] = rate_of("safety", true);
  rates["language_match"] = rate_of("language", false);
  rates["neutral"] = IntervalJson(stats::Proportion(c.failed, c.rewards.size(), s.confidence));
  j["rates"] = std::move(rates);
  j["errors"] = c.errors;

  Json dims = Json::array();
  for (const auto& [key, values] : c.scale_dims) {
    Json d = IntervalJson(stats::BootstrapMean(values, s.confidence, s.resamples, s.seed));
    d["judge"] = key.first;
    d["name"] = key.second;
    d["kind"] = "scale";
    d["min"] = Num(c.scale_range[key].first);
    d["max"] = Num(c.scale_range[key].second);
    dims.push_back(std::move(d));
  }
  for (const auto& [key, counts2] : c.binary_dims) {
    Json d = IntervalJson(stats::Proportion(counts2.first, counts2.second, s.confidence));
    d["judge"] = key.first;
    d["name"] = key.second;
    d["kind"] = "binary";
    dims.push_back(std::move(d));
  }
  j["dimensions"] = std::move(dims);

  j["best_of_k"] = Json();
  j["mean_of_k"] = Json();
  j["pass_at_k"] = Json();
  if (c.max_k > 1) {
    std::vector<double> best, mean;
    std::size_t min_k = c.max_k;
    for (const PerId& id : c.ids) {
      min_k = std::min(min_k, id.n);
      if (std::isfinite(id.max)) best.push_back(id.max);
      if (id.n > 0) mean.push_back(id.sum / static_cast<double>(id.n));
    }
    j["best_of_k"] = IntervalJson(stats::BootstrapMean(best, s.confidence, s.resamples, s.seed));
    j["mean_of_k"] = IntervalJson(stats::BootstrapMean(mean, s.confidence, s.resamples, s.seed));
    if (pass_threshold) {
      CountPasses(cp, c, *pass_threshold);
      Json list = Json::array();
      std::vector<std::size_t> ks;  // 1, 2, 4, ... and k itself
      for (std::size_t k = 1; k < min_k; k *= 2) ks.push_back(k);
      ks.push_back(min_k);
      for (std::size_t k : ks) {
        double sum = 0;
        for (const PerId& id : c.ids) sum += stats::PassAtK(id.n, id.passes, k);
        list.push_back({{"k", k}, {"value", Num(sum / static_cast<double>(c.ids.size()))}});
      }
      j["pass_at_k"] = std::move(list);
    }
  }
  j["usage"] = c.usage;

  std::sort_heap(c.worst.begin(), c.worst.end(), [](const Worst& a, const Worst& b) { return a.reward < b.reward; });
  Json worst = Json::array();
  for (Worst& w : c.worst) worst.push_back(std::move(w.item));
  j["worst"] = std::move(worst);
  return j;
}

}  // namespace

Result<Json> SummarizeBench(const Rubric& rubric, const std::vector<Checkpoint>& checkpoints,
                            const BenchOptions& options) {
  std::vector<Collected> collected;
  for (const Checkpoint& cp : checkpoints) {
    Result<Collected> c = Collect(rubric, cp, options.worst);
    if (!c) return c.error();
    collected.push_back(std::move(*c));
  }
  // pass@k: with a threshold, or for a pass/fail rubric (every scored reward 0 or 1).
  std::optional<double> pass_threshold = options.pass_threshold;
  if (!pass_threshold) {
    bool zero_one = true;
    std::size_t scored = 0;
    for (const Collected& c : collected) {
      zero_one = zero_one && c.zero_one;
      scored += c.rewards.size() - c.failed;
    }
    if (zero_one && scored > 0) pass_threshold = 1.0;
  }

  Json summary = {{"kind", "bench"}, {"gavel_version", "0.1.0"}, {"created", UtcNow()}};
  summary["rubric"] = {{"name", rubric.name()}, {"file", rubric.file().generic_string()}, {"neutral", rubric.neutral()}};
  summary["confidence"] = options.stats.confidence;
  summary["resamples"] = options.stats.resamples;
  summary["seed"] = options.stats.seed;
  summary["pass_threshold"] = pass_threshold ? Json(*pass_threshold) : Json();
  Json cps = Json::array();
  for (std::size_t i = 0; i < checkpoints.size(); ++i) {
    cps.push_back(CheckpointJson(rubric, checkpoints[i], collected[i], options, pass_threshold));
  }

  // Paired comparisons with the baseline, on the ids both have.
  std::size_t base = 0;
  for (std::size_t i = 0; i < checkpoints.size(); ++i) {
    if (checkpoints[i].name == options.baseline) base = i;
  }
  Json comparisons = Json::array();
  Json gates = Json::array();
  bool passed = true;
  const std::vector<double> base_means = IdMeans(collected[base]);
  for (std::size_t i = 0; i < checkpoints.size(); ++i) {
    if (i == base) continue;
    const std::vector<double> means = IdMeans(collected[i]);
    std::vector<double> a, b;
    for (std::size_t k = 0; k < collected[base].ids.size(); ++k) {
      auto it = collected[i].id_index.find(collected[base].ids[k].key);
      if (it == collected[i].id_index.end()) continue;
      if (!std::isfinite(base_means[k]) || !std::isfinite(means[it->second])) continue;
      a.push_back(base_means[k]);
      b.push_back(means[it->second]);
    }
    const stats::Paired p =
        stats::ComparePaired(a, b, 1e-9, options.stats.confidence, options.stats.resamples, options.stats.seed);
    comparisons.push_back({{"baseline", checkpoints[base].name}, {"candidate", checkpoints[i].name},
                           {"pairs", a.size()}, {"diff", IntervalJson(p.diff)}, {"wins", p.wins},
                           {"ties", p.ties}, {"losses", p.losses}});
    if (options.max_regression) {
      const double limit = -*options.max_regression;
      const bool ok = std::isfinite(p.diff.estimate) && p.diff.estimate >= limit;
      char text[256];
      std::snprintf(text, sizeof text, "%s minus %s: %+.4f (interval %+.4f to %+.4f over %zu ids); allowed down to %+.4f",
                    checkpoints[i].name.c_str(), checkpoints[base].name.c_str(), p.diff.estimate, p.diff.lo, p.diff.hi,
                    a.size(), limit);
      gates.push_back({{"check", "max-regression " + Short(*options.max_regression)},
                       {"checkpoint", checkpoints[i].name}, {"passed", ok}, {"message", text}});
      passed = passed && ok;
    }
  }
  if (options.min_reward) {
    for (std::size_t i = 0; i < checkpoints.size(); ++i) {
      if (i == base && checkpoints.size() > 1) continue;
      const Json& r = cps[i]["reward"];
      const double mean = r["estimate"].is_number() ? r["estimate"].get<double>() : NAN;
      const bool ok = std::isfinite(mean) && mean >= *options.min_reward;
      char text[192];
      std::snprintf(text, sizeof text, "mean reward %.4f %s %.4f", mean, ok ? ">=" : "is below", *options.min_reward);
      gates.push_back({{"check", "min-reward " + Short(*options.min_reward)}, {"checkpoint", checkpoints[i].name},
                       {"passed", ok}, {"message", text}});
      passed = passed && ok;
    }
  }
  summary["checkpoints"] = std::move(cps);
  summary["comparisons"] = std::move(comparisons);
  summary["gates"] = std::move(gates);
  summary["passed"] = passed;
  return summary;
}

}  // namespace gavel::offline
