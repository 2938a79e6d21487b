// gavel bench and gavel judge-eval: score files of samples into results files (resumable), then
// summarise them as JSON, Markdown and HTML (frontends/offline).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "gavel/engine.h"
#include "gavel/offline/run.h"
#include "gavel/offline/summary.h"
#include "gavel/safety/rule_pack.h"
#include "gavel/sample_io.h"
#include "usage.h"

namespace gavel::cli {
namespace {

namespace fs = std::filesystem;

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.')) return false;
  }
  return name != "." && name != "..";
}

// Options both commands take: engine size, statistics, the output folder.
struct Common {
  EngineOptions engine;
  offline::StatsOptions stats;
  fs::path out;
  bool fresh = false;
};

const std::vector<std::string> kCommonValues = {"--rubric", "--rubric-root", "--out", "--threads", "--window",
                                                "--resamples", "--seed", "--judge-cache"};
const std::vector<std::string> kCommonFlags = {"--fresh", "--no-judge-cache"};

std::string ReadCommon(const Options& opts, const char* default_out, Common& c) {
  if (!opts.Get("--rubric")) return "needs --rubric FILE";
  std::size_t threads = 0, window = 256, resamples = 1000, seed = 1;
  if (!ParseCount(opts.Get("--threads"), threads)) return "--threads takes a whole number > 0";
  if (!ParseCount(opts.Get("--window"), window)) return "--window takes a whole number > 0";
  if (!ParseCount(opts.Get("--resamples"), resamples)) return "--resamples takes a whole number > 0";
  if (!ParseCount(opts.Get("--seed"), seed)) return "--seed takes a whole number > 0";
  if (opts.Has("--no-judge-cache") && opts.Get("--judge-cache")) {
    return "--judge-cache and --no-judge-cache cannot be used together";
  }
  c.engine.threads = static_cast<unsigned>(threads);
  c.engine.window = window;
  c.stats.resamples = resamples;
  c.stats.seed = seed;
  c.out = opts.Get("--out").value_or(default_out);
  c.fresh = opts.Has("--fresh");
  return "";
}

// Loads the rubric with its own plugins and scores one input into one results file. `judge_url`
// replaces GAVEL_JUDGE_URL when not empty.
Result<offline::ScoreFileReport> ScoreInto(const Options& opts, const Common& c, const fs::path& cache,
                                           const fs::path& input, const fs::path& results, const std::string& label,
                                           const safety::RulePack* probe = nullptr, const std::string& judge_url = {}) {
  PluginRegistry registry;
  auto rubric = LoadRubric(opts, registry, {.judge_cache = cache, .judge_url = judge_url});
  if (!rubric) return rubric.error();
  auto engine = Engine::Create(*rubric, registry, c.engine);
  if (!engine) return engine.error();
  offline::ScoreFileOptions so;
  so.input = input;
  so.results = results;
  so.label = label;
  so.probe = probe;
  so.resume = !c.fresh;
  return offline::ScoreFile(**engine, so);
}

int Finish(const Json& summary, const fs::path& out) {
  if (Status st = offline::WriteReports(summary, out); !st) {
    std::fprintf(stderr, "gavel: %s\n", st.error().message().c_str());
    return 1;
  }
  std::fprintf(stderr, "gavel: wrote %s, %s and %s\n", (out / "summary.json").c_str(), (out / "summary.md").c_str(),
               (out / "report.html").c_str());
  bool passed = summary.value("passed", true);
  for (const Json& g : summary.value("gates", Json::array())) {
    std::fprintf(stderr, "gavel: %s %s%s%s: %s\n", g.value("passed", false) ? "passed" : "FAILED",
                 g.value("check", std::string()).c_str(), g.contains("checkpoint") ? " for " : "",
                 g.value("checkpoint", std::string()).c_str(), g.value("message", std::string()).c_str());
  }
  return passed ? kExitOk : kExitGateFailed;
}

int Failed(const Error& e) {
  std::fprintf(stderr, "gavel: %s\n", e.message().c_str());
  return 1;
}

}  // namespace

int BenchCommand(const std::vector<std::string>& args) {
  Options opts;
  std::vector<std::string> values = kCommonValues;
  values.insert(values.end(), {"--checkpoint", "--baseline", "--min-reward", "--max-regression", "--pass-threshold"});
  if (std::string err = ParseOptions(args, values, kCommonFlags, opts); !err.empty()) return Usage(err);
  Common c;
  if (std::string err = ReadCommon(opts, "gavel-bench", c); !err.empty()) return Usage("bench " + err);
  offline::BenchOptions bo;
  bo.stats = c.stats;
  if (!ParseNumber(opts.Get("--min-reward"), bo.min_reward)) return Usage("--min-reward takes a number");
  if (!ParseNumber(opts.Get("--max-regression"), bo.max_regression)) return Usage("--max-regression takes a number");
  if (!ParseNumber(opts.Get("--pass-threshold"), bo.pass_threshold)) return Usage("--pass-threshold takes a number");
  bo.baseline = opts.Get("--baseline").value_or("");

  std::vector<offline::Checkpoint> checkpoints;
  for (const std::string& spec : opts.GetAll("--checkpoint")) {
    offline::Checkpoint cp;
    const std::size_t eq = spec.find('=');
    cp.input = eq == std::string::npos ? spec : spec.substr(eq + 1);
    cp.name = eq == std::string::npos ? cp.input.stem().string() : spec.substr(0, eq);
    if (!ValidName(cp.name)) {
      return Usage("checkpoint name '" + cp.name + "': use letters, digits, '_', '-' and '.' (NAME=FILE)");
    }
    for (const auto& other : checkpoints) {
      if (other.name == cp.name) return Usage("two checkpoints are named '" + cp.name + "'; name them: NAME=FILE");
    }
    cp.results = c.out / "results" / (cp.name + ".jsonl");
    checkpoints.push_back(std::move(cp));
  }
  if (checkpoints.empty()) return Usage("bench needs at least one --checkpoint [NAME=]FILE");
  if (!bo.baseline.empty()) {
    bool found = false;
    for (const auto& cp : checkpoints) found = found || cp.name == bo.baseline;
    if (!found) return Usage("--baseline '" + bo.baseline + "' is not one of the checkpoints");
  }

  const fs::path cache = JudgeCacheFile(opts);
  for (offline::Checkpoint& cp : checkpoints) {
    auto report = ScoreInto(opts, c, cache, cp.input, cp.results, cp.name);
    if (!report) return Failed(report.error());
    cp.seconds = report->seconds;
    if (report->resumed > 0) {
      std::fprintf(stderr, "gavel: %s: %zu of %zu samples were already scored in %s; scored the other %zu\n",
                   cp.name.c_str(), report->resumed, report->total, cp.results.c_str(), report->scored);
    }
  }
  PluginRegistry registry;
  auto rubric = LoadRubric(opts, registry);
  if (!rubric) return Failed(rubric.error());
  auto summary = offline::SummarizeBench(**rubric, checkpoints, bo);
  if (!summary) return Failed(summary.error());
  return Finish(*summary, c.out);
}

int JudgeEvalCommand(const std::vector<std::string>& args) {
  Options opts;
  std::vector<std::string> values = kCommonValues;
  values.insert(values.end(), {"--input", "--repeats", "--judge", "--labels", "--cases", "--high-reward", "--probe-pack"});
  if (std::string err = ParseOptions(args, values, kCommonFlags, opts); !err.empty()) return Usage(err);
  Common c;
  if (std::string err = ReadCommon(opts, "gavel-judge-eval", c); !err.empty()) return Usage("judge-eval " + err);
  if (!opts.Get("--input")) return Usage("judge-eval needs --input FILE (samples to judge)");
  std::size_t repeats = 1;
  if (!ParseCount(opts.Get("--repeats"), repeats)) return Usage("--repeats takes a whole number > 0");
  offline::JudgeEvalOptions eo;
  eo.stats = c.stats;
  std::optional<double> high;
  if (!ParseNumber(opts.Get("--high-reward"), high)) return Usage("--high-reward takes a number");
  if (high) eo.high_reward = *high;
  if (auto labels = opts.Get("--labels")) eo.labels = *labels;

  // Judge configurations: NAME=URL, each the default URL of the rubric's graders in its runs.
  std::vector<std::pair<std::string, std::string>> judges;
  for (const std::string& spec : opts.GetAll("--judge")) {
    const std::size_t eq = spec.find('=');
    if (eq == std::string::npos) return Usage("--judge takes NAME=URL");
    const std::string name = spec.substr(0, eq);
    if (!ValidName(name)) return Usage("judge name '" + name + "': use letters, digits, '_', '-' and '.'");
    for (const auto& j : judges) {
      if (j.first == name) return Usage("two judges are named '" + name + "'");
    }
    judges.emplace_back(name, spec.substr(eq + 1));
  }
  if (judges.empty()) judges.emplace_back("judge", "");  // the rubric's own (or GAVEL_JUDGE_URL)

  // Answers are scanned for text aimed at the judge with this pack.
  std::shared_ptr<const safety::RulePack> probe;
  fs::path pack = opts.Get("--probe-pack").value_or("");
  if (pack.empty()) {
    const fs::path beside = fs::path(*opts.Get("--rubric")).parent_path() / "rules" / "injection.json";
    if (fs::exists(beside)) pack = beside;
  }
  if (!pack.empty()) {
    auto loaded = safety::RulePack::LoadFiles({pack});
    if (!loaded) return Failed(loaded.error());
    probe = *loaded;
  }

  const bool cached = !opts.Has("--no-judge-cache");
  const fs::path input = *opts.Get("--input");
  std::vector<offline::JudgeRun> runs;
  for (const auto& [name, url] : judges) {
    for (std::size_t r = 0; r < repeats; ++r) {
      offline::JudgeRun run;
      run.judge = name;
      run.repeat = r;
      const std::string base = name + "-" + std::to_string(r + 1);
      run.results = c.out / "results" / (base + ".jsonl");
      // One cache per scoring, so that a repeat asks the judge again, and a rerun resumes it.
      const fs::path cache = cached ? c.out / "cache" / (base + ".sqlite") : fs::path();
      auto report = ScoreInto(opts, c, cache, input, run.results, base, probe.get(), url);
      if (!report) return Failed(report.error());
      runs.push_back(std::move(run));
    }
  }
  if (auto cases = opts.Get("--cases")) {
    // The cases without their "expect", which the rubric must not see.
    std::ifstream in(*cases, std::ios::binary);
    if (!in) return Failed(Error(ErrorKind::kIo, "cannot read cases file " + *cases));
    fs::create_directories(c.out / "results");
    const fs::path stripped = c.out / "results" / "cases-input.jsonl";
    std::ofstream out(stripped, std::ios::binary | std::ios::trunc);
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      Json j = Json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object() || !j.contains("expect") || !j["expect"].is_object()) {
        return Failed(Error(ErrorKind::kIo, *cases + ":" + std::to_string(number) +
                                                ": a case is a sample object with an \"expect\" object"));
      }
      eo.case_expectations.push_back(j["expect"]);
      j.erase("expect");
      out << j.dump() << '\n';
    }
    out.close();
    const fs::path cache = cached ? c.out / "cache" / "cases.sqlite" : fs::path();
    eo.case_results = c.out / "results" / "cases.jsonl";
    // The cases may have changed since the last run: always score them afresh.
    Common fresh = c;
    fresh.fresh = true;
    auto report = ScoreInto(opts, fresh, cache, stripped, *eo.case_results, "cases", nullptr, judges.front().second);
    if (!report) return Failed(report.error());
  }
  PluginRegistry registry;
  auto rubric = LoadRubric(opts, registry, {.judge_url = judges.front().second});
  if (!rubric) return Failed(rubric.error());
  auto summary = offline::SummarizeJudgeEval(**rubric, runs, eo);
  if (!summary) return Failed(summary.error());
  return Finish(*summary, c.out);
}

}  // namespace gavel::cli
