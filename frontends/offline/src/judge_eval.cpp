// gavel judge-eval: how far to trust the judge, from the results of several scorings of the same
// samples: repeats with one judge configuration (consistency), one scoring per configuration
// (agreement), human labels (calibration), a regression suite, and probes for reward hacking.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "gavel/offline/stats.h"
#include "gavel/offline/summary.h"
#include "result_line.h"

namespace gavel::offline {
namespace {

using detail::Details;
using detail::IdText;
using detail::Num;
using detail::Short;

// A unit: one dimension of one verdict about one output of one sample.
struct Unit {
  std::string id;
  std::size_t output = 0;
  std::string judge;
  std::size_t item = 0;
  std::string dimension;
  auto operator<=>(const Unit&) const = default;
};

struct DimInfo {
  std::string kind;  // "scale", "binary", "category"
  double min = NAN, max = NAN;
};

// One scoring's values: units (numbers, or category names) and per-sample facts.
struct Scoring {
  std::map<Unit, double> values;
  std::map<Unit, std::string> categories;
  struct SampleFacts {
    std::string id;
    std::size_t output = 0;
    double reward = NAN;
    bool failed = false;
    std::size_t bytes = 0;
    std::vector<std::string> failed_checks;
    std::vector<std::string> probe;
  };
  std::vector<SampleFacts> samples;
};

Result<Scoring> Read(const Rubric& rubric, const std::filesystem::path& file,
                     std::map<std::pair<std::string, std::string>, DimInfo>& dims) {
  Scoring s;
  std::set<std::string> deterministic(rubric.gates().begin(), rubric.gates().end());
  deterministic.insert(rubric.checks().begin(), rubric.checks().end());
  Status st = detail::ForEachResult(file, [&](const Json& r) {
    Scoring::SampleFacts f;
    f.id = IdText(r.value("id", Json()));
    f.output = r.value("output", std::size_t{1});
    f.reward = detail::Reward(r);
    f.failed = !detail::FailureKind(r).empty();
    f.bytes = r.value("answer_bytes", std::size_t{0});
    for (const Json& m : r["score"].value("metrics_list", Json::array())) {
      const std::string name = m.value("name", "");
      if (deterministic.count(name) != 0 && m["value"].is_number() && m["value"].get<double>() < 0.5) {
        f.failed_checks.push_back(name);
      }
    }
    for (const Json& p : r.value("probe", Json::array())) {
      if (p.is_string()) f.probe.push_back(p.get<std::string>());
    }
    const Json& d = Details(r);
    if (auto js = d.find("judgements"); js != d.end() && js->is_array()) {
      for (const Json& j : *js) {
        Unit u{f.id, f.output, j.value("judge", ""), j.value("item", std::size_t{1}), ""};
        const Json dimensions = j.value("dimensions", Json::object());
        for (const auto& [dim, v] : dimensions.items()) {
          if (!v.is_object()) continue;
          u.dimension = dim;
          DimInfo& info = dims[{u.judge, dim}];
          if (v.contains("category") && v["category"].is_string()) {
            info.kind = "category";
            s.categories[u] = v["category"].get<std::string>();
          } else if (v.contains("value") && v["value"].is_number()) {
            info.kind = v.value("binary", false) ? "binary" : "scale";
            if (info.kind == "scale") {
              info.min = v.value("min", NAN);
              info.max = v.value("max", NAN);
            }
            s.values[u] = v["value"].get<double>();
          }
        }
      }
    }
    s.samples.push_back(std::move(f));
  });
  if (!st) return st.error();
  return s;
}


Json UnitJson(const Unit& u) {
  return {{"id", u.id}, {"output", u.output}, {"judge", u.judge}, {"item", u.item}, {"dimension", u.dimension}};
}

// Integer ratings of a scale for kappa, when every value is a whole number inside it.
bool WholeRatings(const std::vector<double>& v, const DimInfo& info) {
  if (!std::isfinite(info.min) || !std::isfinite(info.max) || info.max - info.min > 100) return false;
  return std::all_of(v.begin(), v.end(), [&](double x) { return x == std::floor(x) && x >= info.min && x <= info.max; });
}

std::vector<int> Ints(const std::vector<double>& v) {
  std::vector<int> out;
  for (double x : v) out.push_back(static_cast<int>(std::lround(x)));
  return out;
}

// Agreement figures of two raters on one dimension.
Json AgreementJson(const std::vector<double>& a, const std::vector<double>& b, const DimInfo& info) {
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i] ? 1 : 0;
  Json j = {{"kind", info.kind}, {"n", a.size()}, {"exact", a.empty() ? Json() : Num(static_cast<double>(same) / static_cast<double>(a.size()))},
            {"kappa", Json()}, {"weighted_kappa", Json()}, {"spearman", Json()}};
  if (a.empty()) return j;
  if (info.kind == "binary" || info.kind == "category") {
    j["kappa"] = Num(stats::CohensKappa(Ints(a), Ints(b)));
  } else {
    if (WholeRatings(a, info) && WholeRatings(b, info)) {
      j["weighted_kappa"] = Num(stats::WeightedKappa(Ints(a), Ints(b), static_cast<int>(info.min),
                                                     static_cast<int>(info.max), stats::Weights::kQuadratic));
    }
    j["spearman"] = Num(stats::Spearman(a, b));
  }
  return j;
}

// Categories as numbers for kappa: their index in a sorted list of every name seen.
void NumberCategories(std::vector<Scoring>& scorings) {
  std::set<std::string> names;
  for (const Scoring& s : scorings) {
    for (const auto& [u, name] : s.categories) names.insert(name);
  }
  const std::vector<std::string> list(names.begin(), names.end());
  for (Scoring& s : scorings) {
    for (const auto& [u, name] : s.categories) {
      s.values[u] = static_cast<double>(std::lower_bound(list.begin(), list.end(), name) - list.begin());
    }
  }
}

Json Consistency(const std::vector<const Scoring*>& repeats, const std::map<std::pair<std::string, std::string>, DimInfo>& dims) {
  Json out = {{"repeats", repeats.size()}};
  struct Acc {
    std::size_t units = 0, unstable = 0, flips = 0;
    double sd_sum = 0, sd_max = 0;
  };
  std::map<std::string, Acc> by_dim;
  std::map<std::string, std::string> kinds;
  std::vector<std::pair<double, Json>> unstable;
  const Scoring& first = *repeats[0];
  for (const auto& [u, v0] : first.values) {
    std::vector<double> values{v0};
    for (std::size_t r = 1; r < repeats.size(); ++r) {
      auto it = repeats[r]->values.find(u);
      if (it != repeats[r]->values.end()) values.push_back(it->second);
    }
    if (values.size() < 2) continue;
    const DimInfo& info = dims.at({u.judge, u.dimension});
    const std::string dim = u.judge + "/" + u.dimension;
    kinds[dim] = info.kind;
    Acc& acc = by_dim[dim];
    ++acc.units;
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    const bool varies = *lo != *hi;
    if (varies) {
      ++acc.unstable;
      Json item = UnitJson(u);
      if (info.kind == "category") {
        Json names = Json::array();
        for (std::size_t r = 0; r < repeats.size(); ++r) {
          auto it = repeats[r]->categories.find(u);
          if (it != repeats[r]->categories.end()) names.push_back(it->second);
        }
        item["values"] = names;
      } else {
        item["values"] = values;
      }
      unstable.emplace_back(info.kind == "scale" ? *hi - *lo : 1.0, std::move(item));
    }
    if (info.kind == "scale") {
      const double sd = stats::StdDev(values);
      acc.sd_sum += sd;
      acc.sd_max = std::max(acc.sd_max, sd);
    } else if (varies) {
      ++acc.flips;
    }
  }
  Json list = Json::array();
  std::size_t units = 0;
  for (const auto& [dim, acc] : by_dim) {
    units += acc.units;
    const bool scale = kinds[dim] == "scale";
    const double n = static_cast<double>(acc.units);
    list.push_back({{"name", dim}, {"kind", kinds[dim]}, {"units", acc.units}, {"unstable", acc.unstable},
                    {"mean_sd", scale ? Num(acc.sd_sum / n) : Json()}, {"max_sd", scale ? Num(acc.sd_max) : Json()},
                    {"flip_rate", scale ? Json() : Num(static_cast<double>(acc.flips) / n)}});
  }
  // The reward of each sample, across repeats.
  Acc reward;
  for (std::size_t i = 0; i < first.samples.size(); ++i) {
    std::vector<double> values;
    for (const Scoring* r : repeats) {
      if (i < r->samples.size() && std::isfinite(r->samples[i].reward) && !r->samples[i].failed) values.push_back(r->samples[i].reward);
    }
    if (values.size() < 2) continue;
    ++reward.units;
    const double sd = stats::StdDev(values);
    reward.sd_sum += sd;
    reward.sd_max = std::max(reward.sd_max, sd);
    if (sd > 0) ++reward.unstable;
  }
  if (reward.units > 0) {
    list.push_back({{"name", "reward"}, {"kind", "reward"}, {"units", reward.units}, {"unstable", reward.unstable},
                    {"mean_sd", Num(reward.sd_sum / static_cast<double>(reward.units))}, {"max_sd", Num(reward.sd_max)},
                    {"flip_rate", Json()}});
  }
  std::stable_sort(unstable.begin(), unstable.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  Json worst = Json::array();
  for (std::size_t i = 0; i < unstable.size() && i < 20; ++i) worst.push_back(std::move(unstable[i].second));
  out["units"] = units;
  out["dimensions"] = std::move(list);
  out["unstable"] = std::move(worst);
  return out;
}

Json Agreement(const std::vector<std::string>& names, const std::vector<const Scoring*>& judges,
               const std::map<std::pair<std::string, std::string>, DimInfo>& dims) {
  Json pairs = Json::array();
  std::vector<std::pair<double, Json>> disagreements;
  for (std::size_t x = 0; x < judges.size(); ++x) {
    for (std::size_t y = x + 1; y < judges.size(); ++y) {
      std::map<std::pair<std::string, std::string>, std::pair<std::vector<double>, std::vector<double>>> by_dim;
      for (const auto& [u, a] : judges[x]->values) {
        auto it = judges[y]->values.find(u);
        if (it == judges[y]->values.end()) continue;
        auto& [va, vb] = by_dim[{u.judge, u.dimension}];
        va.push_back(a);
        vb.push_back(it->second);
        if (a != it->second) {
          Json item = UnitJson(u);
          const DimInfo& info = dims.at({u.judge, u.dimension});
          if (info.kind == "category") {
            item["values"] = {{names[x], judges[x]->categories.at(u)}, {names[y], judges[y]->categories.at(u)}};
          } else {
            item["values"] = {{names[x], a}, {names[y], it->second}};
          }
          disagreements.emplace_back(info.kind == "scale" ? std::fabs(a - it->second) : 1.0, std::move(item));
        }
      }
      for (const auto& [key, v] : by_dim) {
        Json j = AgreementJson(v.first, v.second, dims.at(key));
        j["a"] = names[x];
        j["b"] = names[y];
        j["dimension"] = key.first + "/" + key.second;
        pairs.push_back(std::move(j));
      }
    }
  }
  std::stable_sort(disagreements.begin(), disagreements.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  Json worst = Json::array();
  for (std::size_t i = 0; i < disagreements.size() && i < 20; ++i) worst.push_back(std::move(disagreements[i].second));
  return {{"pairs", pairs}, {"disagreements", worst}};
}

Result<Json> Calibration(const std::filesystem::path& labels, const Scoring& judge,
                         const std::map<std::pair<std::string, std::string>, DimInfo>& dims) {
  std::ifstream in(labels, std::ios::binary);
  if (!in) return Error(ErrorKind::kIo, "cannot read labels file " + labels.string());
  std::map<std::pair<std::string, std::string>, std::pair<std::vector<double>, std::vector<double>>> by_dim;
  std::size_t count = 0, unmatched = 0;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json l = Json::parse(line, nullptr, false);
    const std::string where = labels.string() + ":" + std::to_string(number) + ": ";
    if (l.is_discarded() || !l.is_object()) return Error(ErrorKind::kIo, where + "not a JSON object");
    if (!l.contains("id") || !l.contains("dimension") || !l["dimension"].is_string() || !l.contains("score") ||
        !l["score"].is_number()) {
      return Error(ErrorKind::kIo, where + "a label needs id, dimension and a numeric score");
    }
    ++count;
    Unit u{IdText(l["id"]), l.value("output", std::size_t{1}), l.value("judge", ""), l.value("item", std::size_t{1}),
           l["dimension"].get<std::string>()};
    // Without a judge named, the first judge that has the dimension.
    std::optional<std::pair<Unit, double>> found;
    for (const auto& [key, info] : dims) {
      if (key.second != u.dimension || (!u.judge.empty() && key.first != u.judge)) continue;
      Unit probe = u;
      probe.judge = key.first;
      if (auto it = judge.values.find(probe); it != judge.values.end()) {
        found = {probe, it->second};
        break;
      }
    }
    if (!found) {
      ++unmatched;
      continue;
    }
    auto& [j, h] = by_dim[{found->first.judge, u.dimension}];
    j.push_back(found->second);
    h.push_back(l["score"].get<double>());
  }
  Json list = Json::array();
  for (const auto& [key, v] : by_dim) {
    const DimInfo& info = dims.at(key);
    Json d = AgreementJson(v.first, v.second, info);
    d["name"] = key.first + "/" + key.second;
    std::vector<double> diff;
    for (std::size_t i = 0; i < v.first.size(); ++i) diff.push_back(v.first[i] - v.second[i]);
    d["bias"] = Num(stats::Mean(diff));
    const bool whole = std::all_of(v.first.begin(), v.first.end(), [](double x) { return x == std::floor(x); }) &&
                       std::all_of(v.second.begin(), v.second.end(), [](double x) { return x == std::floor(x); });
    d["confusion"] = Json();
    if (whole) {
      stats::Confusion c = stats::ConfusionMatrix(Ints(v.first), Ints(v.second));
      if (info.kind == "scale" && std::isfinite(info.min) && std::isfinite(info.max) && info.max - info.min <= 20) {
        // Every point of the scale, so the matrix reads the same whatever the data.
        std::vector<int> all;
        for (int k = static_cast<int>(info.min); k <= static_cast<int>(info.max); ++k) all.push_back(k);
        std::vector<std::vector<std::size_t>> counts(all.size(), std::vector<std::size_t>(all.size(), 0));
        for (std::size_t i = 0; i < v.first.size(); ++i) {
          const auto r = static_cast<std::size_t>(std::lround(v.first[i]) - static_cast<long>(info.min));
          const auto col = static_cast<std::size_t>(std::lround(v.second[i]) - static_cast<long>(info.min));
          if (r < all.size() && col < all.size()) ++counts[r][col];
        }
        c.categories = all;
        c.counts = counts;
      }
      d["confusion"] = {{"categories", c.categories}, {"rows", "judge"}, {"columns", "human"}, {"counts", c.counts}};
    }
    list.push_back(std::move(d));
  }
  return Json{{"labels", count}, {"unmatched", unmatched}, {"dimensions", list}};
}

Result<Json> Regression(const std::filesystem::path& results, const std::vector<Json>& expectations) {
  std::vector<Json> lines;
  Status st = detail::ForEachResult(results, [&](const Json& r) { lines.push_back(r); });
  if (!st) return st.error();
  Json list = Json::array();
  std::size_t failed = 0;
  for (std::size_t i = 0; i < expectations.size(); ++i) {
    const Json& e = expectations[i];
    Json item = {{"id", i < lines.size() ? Json(IdText(lines[i].value("id", Json()))) : Json()}};
    if (i >= lines.size()) {
      item.update({{"passed", false}, {"expected", e.dump()}, {"got", "no result"}, {"reason", "the case was not scored"}});
      ++failed;
      list.push_back(std::move(item));
      continue;
    }
    const double reward = detail::Reward(lines[i]);
    const std::string failure = detail::FailureKind(lines[i]);
    std::vector<std::string> expected, problems;
    if (auto v = e.find("min_reward"); v != e.end() && v->is_number()) {
      expected.push_back("reward >= " + Short(v->get<double>()));
      if (!(reward >= v->get<double>())) problems.push_back("reward below " + Short(v->get<double>()));
    }
    if (auto v = e.find("max_reward"); v != e.end() && v->is_number()) {
      expected.push_back("reward <= " + Short(v->get<double>()));
      if (!(reward <= v->get<double>())) problems.push_back("reward above " + Short(v->get<double>()));
    }
    if (auto v = e.find("error"); v != e.end() && v->is_string()) {
      expected.push_back("error." + v->get<std::string>());
      if (failure != v->get<std::string>()) problems.push_back("no error." + v->get<std::string>());
    } else if (!failure.empty()) {
      problems.push_back("the sample failed (error." + failure + ")");
    }
    std::string exp_text, got = "reward " + Short(reward) + (failure.empty() ? "" : " (error." + failure + ")");
    for (const auto& x : expected) exp_text += (exp_text.empty() ? "" : ", ") + x;
    std::string reason;
    for (const auto& p : problems) reason += (reason.empty() ? "" : "; ") + p;
    const bool ok = problems.empty();
    if (!ok) ++failed;
    item.update({{"passed", ok}, {"expected", exp_text}, {"got", got}, {"reason", ok ? Json() : Json(reason)}});
    list.push_back(std::move(item));
  }
  return Json{{"cases", expectations.size()}, {"failed", failed}, {"results", list}};
}

Json Hacking(const Scoring& s, double high) {
  std::vector<double> rewards, bytes;
  std::vector<std::pair<double, double>> pairs;  // (bytes, reward)
  Json flags = Json::array();
  for (const auto& f : s.samples) {
    if (f.failed || !std::isfinite(f.reward)) continue;
    rewards.push_back(f.reward);
    bytes.push_back(static_cast<double>(f.bytes));
    pairs.emplace_back(static_cast<double>(f.bytes), f.reward);
    if (f.reward < high) continue;
    for (const auto& name : f.failed_checks) {
      flags.push_back({{"id", f.id}, {"output", f.output}, {"reward", f.reward}, {"kind", "fails_check"},
                       {"detail", "step '" + name + "' failed"}});
    }
    for (const auto& rule : f.probe) {
      flags.push_back({{"id", f.id}, {"output", f.output}, {"reward", f.reward}, {"kind", "aimed_at_judge"},
                       {"detail", "rule " + rule}});
    }
  }
  // Mean reward by answer length, in five bins of (nearly) equal counts.
  std::sort(pairs.begin(), pairs.end());
  Json bins = Json::array();
  const std::size_t n = pairs.size();
  for (std::size_t b = 0; b < 5 && n > 0; ++b) {
    const std::size_t from = b * n / 5, to = (b + 1) * n / 5;
    if (from == to) continue;
    double sum = 0;
    for (std::size_t i = from; i < to; ++i) sum += pairs[i].second;
    bins.push_back({{"lo_bytes", pairs[from].first}, {"hi_bytes", pairs[to - 1].first}, {"n", to - from},
                    {"mean_reward", sum / static_cast<double>(to - from)}});
  }
  return {{"samples", rewards.size()}, {"high_reward", high}, {"length_spearman", Num(stats::Spearman(bytes, rewards))},
          {"length_pearson", Num(stats::Pearson(bytes, rewards))}, {"length_bins", bins}, {"flags", flags}};
}

}  // namespace

Result<Json> SummarizeJudgeEval(const Rubric& rubric, const std::vector<JudgeRun>& runs,
                                const JudgeEvalOptions& options) {
  if (runs.empty()) return Error(ErrorKind::kUsage, "judge-eval: nothing was scored");
  std::map<std::pair<std::string, std::string>, DimInfo> dims;
  std::vector<Scoring> scorings;
  for (const JudgeRun& run : runs) {
    Result<Scoring> s = Read(rubric, run.results, dims);
    if (!s) return s.error();
    scorings.push_back(std::move(*s));
  }
  NumberCategories(scorings);

  Json summary = {{"kind", "judge-eval"}, {"gavel_version", "0.1.0"}, {"created", UtcNow()}};
  summary["rubric"] = {{"name", rubric.name()}, {"file", rubric.file().generic_string()}, {"neutral", rubric.neutral()}};
  summary["samples"] = scorings[0].samples.size();
  std::vector<std::string> judges;
  std::vector<const Scoring*> first_of_each;
  std::map<std::string, std::vector<const Scoring*>> repeats;  // judge configuration -> its scorings
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (std::find(judges.begin(), judges.end(), runs[i].judge) == judges.end()) {
      judges.push_back(runs[i].judge);
      first_of_each.push_back(&scorings[i]);
    }
    repeats[runs[i].judge].push_back(&scorings[i]);
  }
  summary["judges"] = judges;
  Json dim_list = Json::array();
  for (const auto& [key, info] : dims) {
    dim_list.push_back({{"judge", key.first}, {"name", key.second}, {"kind", info.kind}, {"min", Num(info.min)},
                        {"max", Num(info.max)}});
  }
  summary["dimensions"] = std::move(dim_list);
  // Consistency of every configuration that judged the samples more than once; with several,
  // each row names its configuration.
  Json consistency;
  for (const std::string& name : judges) {
    const auto& list = repeats[name];
    if (list.size() < 2) continue;
    Json c = Consistency(list, dims);
    if (judges.size() > 1) {
      for (Json& d : c["dimensions"]) d["name"] = name + ": " + d["name"].get<std::string>();
      for (Json& u : c["unstable"]) u["config"] = name;
    }
    if (consistency.is_null()) {
      consistency = std::move(c);
      continue;
    }
    consistency["repeats"] = std::max(consistency["repeats"].get<std::size_t>(), c["repeats"].get<std::size_t>());
    consistency["units"] = consistency["units"].get<std::size_t>() + c["units"].get<std::size_t>();
    for (Json& d : c["dimensions"]) consistency["dimensions"].push_back(std::move(d));
    for (Json& u : c["unstable"]) {
      if (consistency["unstable"].size() < 20) consistency["unstable"].push_back(std::move(u));
    }
  }
  summary["consistency"] = std::move(consistency);
  summary["agreement"] = first_of_each.size() > 1 ? Agreement(judges, first_of_each, dims) : Json();
  summary["calibration"] = Json();
  if (options.labels) {
    Result<Json> c = Calibration(*options.labels, scorings[0], dims);
    if (!c) return c.error();
    summary["calibration"] = std::move(*c);
  }
  Json gates = Json::array();
  bool passed = true;
  summary["regression"] = Json();
  if (options.case_results) {
    Result<Json> r = Regression(*options.case_results, options.case_expectations);
    if (!r) return r.error();
    const std::size_t failed = (*r)["failed"].get<std::size_t>();
    gates.push_back({{"check", "regression suite"}, {"passed", failed == 0},
                     {"message", std::to_string(failed) + " of " + std::to_string(options.case_expectations.size()) +
                                     " cases failed"}});
    passed = failed == 0;
    summary["regression"] = std::move(*r);
  }
  summary["hacking"] = Hacking(scorings[0], options.high_reward);
  summary["gates"] = std::move(gates);
  summary["passed"] = passed;
  return summary;
}

}  // namespace gavel::offline
