#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "builtin.h"
#include "cli.h"
#include "gavel/engine.h"
#include "gavel/rubric.h"
#include "gavel/run_totals.h"
#include "gavel/sample_io.h"
#include "gavel/score_sink.h"
#include "options.h"
#include "usage.h"

namespace gavel::cli {

// The judge reply cache of a run: --judge-cache, else GAVEL_JUDGE_CACHE, else the user's cache
// folder; none with --no-judge-cache (or GAVEL_JUDGE_CACHE=off).
std::filesystem::path JudgeCacheFile(const Options& opts) {
  if (opts.Has("--no-judge-cache")) return {};
  if (auto file = opts.Get("--judge-cache")) return *file;
  if (const char* env = std::getenv("GAVEL_JUDGE_CACHE"); env != nullptr && *env != '\0') {
    const std::string value = env;
    if (value == "off" || value == "0" || value == "false") return {};
    return value;
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg == '/') {
    return std::filesystem::path(xdg) / "gavel" / "judge.sqlite";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/') {
    return std::filesystem::path(home) / ".cache" / "gavel" / "judge.sqlite";
  }
  return {};
}

namespace {

// "; judge: 12 calls (3 retries), 4,100 input and 900 output tokens, $0.0123, 5 from the cache"
std::string UsageSummary(const RunTotals& totals) {
  const double calls = totals.usage_of("judge.calls"), hits = totals.usage_of("judge.cache_hits");
  if (calls == 0 && hits == 0) return {};
  char text[512];
  std::snprintf(text, sizeof text, "; judge: %.0f calls (%.0f retries), %.0f input and %.0f output tokens", calls,
                totals.usage_of("judge.retries"), totals.usage_of("judge.input_tokens"),
                totals.usage_of("judge.output_tokens"));
  std::string out = text;
  if (totals.usage.count("judge.cost_usd") != 0) {
    std::snprintf(text, sizeof text, ", estimated cost $%.4f", totals.usage_of("judge.cost_usd"));
    out += text;
  }
  if (hits > 0) {
    std::snprintf(text, sizeof text, ", %.0f replies from the cache", hits);
    out += text;
  }
  return out;
}

// "error.judge 12, error.rubric 3": the failed samples by cause, the most frequent first, ties by name.
std::string FailureBreakdown(const RunTotals& totals) {
  std::vector<std::pair<std::string, std::size_t>> sorted(totals.errors.begin(), totals.errors.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out;
  for (const auto& [kind, n] : sorted) {
    if (!out.empty()) out += ", ";
    out += "error." + kind + " " + std::to_string(n);
  }
  return out;
}

}  // namespace

Result<BuiltinOptions> PluginOptions(const PluginChoices& choices) {
  Result<judge::Options> judge = judge::OptionsFromVariables([](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    return value == nullptr ? std::nullopt : std::optional<std::string>(value);
  });
  if (!judge) return judge.error();
  BuiltinOptions plugins;
  plugins.judge = std::move(*judge);
  plugins.judge.cache_file = choices.judge_cache;
  plugins.judge.canned_verdicts = choices.canned_judge;
  if (!choices.judge_url.empty()) plugins.judge.default_url = choices.judge_url;
  return plugins;
}

Result<std::shared_ptr<const Rubric>> LoadRubric(const Options& opts, PluginRegistry& registry,
                                                 const PluginChoices& choices) {
  Result<BuiltinOptions> plugins = PluginOptions(choices);
  if (!plugins) return plugins.error();
  if (Status st = RegisterBuiltinPlugins(registry, *plugins); !st) return st.error();
  RubricLoadOptions load;
  if (auto root = opts.Get("--rubric-root")) load.root = *root;
  return Rubric::Load(*opts.Get("--rubric"), registry, load);
}

int ScoreCommand(const std::vector<std::string>& args) {
  Options opts;
  if (std::string err = ParseOptions(args,
                                     {"--rubric", "--input", "--output", "--format", "--threads", "--window",
                                      "--timeout-ms", "--rubric-root", "--judge-cache", "--max-error-rate"},
                                     {"--no-details", "--no-judge-cache"}, opts);
      !err.empty()) {
    return Usage(err);
  }
  if (!opts.Get("--rubric")) return Usage("score needs --rubric FILE");
  if (!opts.Get("--input")) return Usage("score needs --input FILE (or - for standard input)");
  std::size_t threads = 0, window = 256, timeout_ms = 0;
  if (auto t = opts.Get("--threads"); !ParseCount(t, threads)) return Usage("--threads takes a whole number > 0");
  if (auto w = opts.Get("--window"); !ParseCount(w, window)) return Usage("--window takes a whole number > 0");
  if (auto t = opts.Get("--timeout-ms"); !ParseCount(t, timeout_ms)) return Usage("--timeout-ms takes a whole number > 0");
  const std::optional<std::string> format = opts.Get("--format");
  if (format && *format != "jsonl" && *format != "array") return Usage("--format is jsonl or array");
  // Half: a run where most samples got the neutral reward measured the failures, not the answers.
  std::optional<double> max_error_rate = 0.5;
  if (!ParseNumber(opts.Get("--max-error-rate"), max_error_rate) || *max_error_rate < 0 || *max_error_rate > 1) {
    return Usage("--max-error-rate takes a number from 0 to 1");
  }

  const auto started = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (timeout_ms > 0) deadline = started + std::chrono::milliseconds(timeout_ms);

  if (opts.Has("--no-judge-cache") && opts.Get("--judge-cache")) {
    return Usage("--judge-cache and --no-judge-cache cannot be used together");
  }
  PluginRegistry registry;
  auto rubric = LoadRubric(opts, registry, {.judge_cache = JudgeCacheFile(opts)});
  if (!rubric) {
    std::fprintf(stderr, "gavel: %s\n", rubric.error().message().c_str());
    return 1;
  }

  // Input: a file or standard input; a leading '[' means a Nova event, anything else JSONL.
  const std::string input_path = *opts.Get("--input");
  std::ifstream file;
  std::istream* in = &std::cin;
  if (input_path != "-") {
    file.open(input_path, std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "gavel: cannot read input file %s\n", input_path.c_str());
      return 1;
    }
    in = &file;
  }
  (*in >> std::ws);
  const bool is_event = in->peek() == '[';

  EngineOptions eo;
  eo.threads = static_cast<unsigned>(threads);
  eo.window = window;
  auto engine = Engine::Create(*rubric, registry, eo);
  if (!engine) {
    std::fprintf(stderr, "gavel: %s\n", engine.error().message().c_str());
    return 1;
  }

  const std::string output_path = opts.Get("--output").value_or("-");
  std::ofstream out_file;
  std::ostream* out = &std::cout;
  if (output_path != "-") {
    out_file.open(output_path, std::ios::binary | std::ios::trunc);
    if (!out_file) {
      std::fprintf(stderr, "gavel: cannot write output file %s\n", output_path.c_str());
      return 1;
    }
    out = &out_file;
  }
  WriteOptions wo;
  wo.details = !opts.Has("--no-details");
  const bool as_array = format ? *format == "array" : is_event;

  JsonLinesSink sink(*out, wo, as_array ? JsonLinesSink::Layout::kArray : JsonLinesSink::Layout::kLines);
  auto emit = [&](Score&& score) { sink.Write(score); };

  if (is_event) {
    std::string body((std::istreambuf_iterator<char>(*in)), std::istreambuf_iterator<char>());
    auto event = ParseNovaEvent(body);
    if (!event) {
      std::fprintf(stderr, "gavel: %s\n", event.error().message().c_str());
      return 1;
    }
    std::vector<Score> scores = (*engine)->ScoreBatch(std::move(*event), deadline);
    for (const Score& s : scores) sink.Write(s);
  } else {
    JsonlReader reader(*in);
    (*engine)->Run([&](ParsedSample& s) { return reader.Next(s); }, emit, deadline);
    if (reader.error()) {
      std::fprintf(stderr, "gavel: %s\n", reader.error()->message().c_str());
      return 1;
    }
  }
  // A worker stuck in native code past the deadline is given up on now, so that Finish knows.
  (*engine)->ReplaceStuckWorkers();
  if (!sink.Finish()) {
    std::fprintf(stderr, "gavel: writing %s failed\n", output_path.c_str());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const RunTotals& totals = sink.totals();
  const std::string breakdown = totals.errors.empty() ? "" : ": " + FailureBreakdown(totals);
  std::fprintf(stderr,
               "gavel: scored %zu samples with rubric '%s' in %.3f s: mean reward %.4f; %zu failed%s "
               "(neutral reward, see details.errors)%s\n",
               totals.samples, (*rubric)->name().c_str(), seconds, totals.mean_reward(), totals.neutral,
               breakdown.c_str(), UsageSummary(totals).c_str());
  const double rate = totals.neutral_rate();
  if (rate > *max_error_rate) {
    std::fprintf(stderr, "gavel: %zu of %zu samples failed (%.1f%%), more than --max-error-rate %g allows\n",
                 totals.neutral, totals.samples, rate * 100, *max_error_rate);
    return Finish(kExitTooManyFailed);
  }
  return Finish(kExitOk);
}

}  // namespace gavel::cli
