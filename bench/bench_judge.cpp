// The judge path at batch scale: 512 contract-review samples, one judge call each, all in
// flight at once (engine window and judge window 512), against the stand-in judge on loopback.
//
//   BM_Judge512/200     the stand-in answers after 200 ms. Each iteration first scores the same
//                       batch against a stand-in that answers at once, which measures everything
//                       but the judge's latency (the deterministic gate, the engine, building,
//                       sending and parsing 512 requests); the ideal wall time is that plus one
//                       latency, and `vs_ideal` is the measured wall time over it (goal <= 1.5).
//   BM_Judge512Faults   the same at 200 ms with 10% 429s (Retry-After 1 s), 5% 503s and 1% of
//                       requests that hang, and a 20 s deadline for the batch: every sample must
//                       get a reward or the neutral one before the deadline (`all_scored` = 1).
//
// Run: build/release/bench/gavel_bench_judge
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "builtin.h"
#include "gavel/engine.h"
#include "gavel/rubric.h"
#include "gavel/sample_io.h"
#include "gavel/standin/server.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const fs::path kSource = GAVEL_SOURCE_DIR;
constexpr std::size_t kSamples = 512;

// The bundled "thorough" example, cut to one comment whose clause number varies per sample, so
// every request differs as it would in training.
std::vector<std::string> MakeSamples() {
  std::ifstream in(kSource / "rubrics/examples/contract_review.jsonl");
  gavel::Json base;
  for (std::string line; std::getline(in, line);) {
    gavel::Json j = gavel::Json::parse(line);
    if (j["id"] == "thorough") base = std::move(j);
  }
  if (base.is_null()) throw std::runtime_error("rubrics/examples/contract_review.jsonl has no 'thorough' sample");
  gavel::Json answer = gavel::Json::parse(base["messages"].back()["content"].get<std::string>());
  const gavel::Json comment = answer["comments"][0];
  std::vector<std::string> samples;
  for (std::size_t i = 0; i < kSamples; ++i) {
    gavel::Json s = base;
    s["id"] = "bench-" + std::to_string(i);
    gavel::Json c = comment;
    c["issue"] = comment["issue"].get<std::string>() + " (variant " + std::to_string(i) + ")";
    s["messages"].back()["content"] = gavel::Json{{"comments", gavel::Json::array({c})}}.dump();
    samples.push_back(s.dump());
  }
  return samples;
}

struct Setup {
  std::unique_ptr<gavel::standin::Server> judge;
  gavel::PluginRegistry registry;
  std::unique_ptr<gavel::Engine> engine;
};

// A stand-in judge with these options and an engine whose rubric calls it.
std::unique_ptr<Setup> Start(gavel::standin::Options options) {
  auto setup = std::make_unique<Setup>();
  auto judge = gavel::standin::Server::Start(std::move(options));
  if (!judge) throw std::runtime_error(judge.error().message());
  setup->judge = std::move(*judge);
  const std::string url = setup->judge->base_url() + "/v1?model=gavel-standin";
  gavel::BuiltinOptions plugins;
  plugins.judge.default_url = url;
  plugins.judge.window = kSamples;
  if (gavel::Status st = gavel::RegisterBuiltinPlugins(setup->registry, plugins); !st) {
    throw std::runtime_error(st.error().message());
  }
  gavel::RubricLoadOptions load;
  load.data_root = kSource;
  auto rubric = gavel::Rubric::Load(kSource / "bench/rubrics/judged_review.lua", setup->registry, load);
  if (!rubric) throw std::runtime_error(rubric.error().message());
  gavel::EngineOptions eo;
  eo.window = kSamples;
  auto engine = gavel::Engine::Create(*rubric, setup->registry, eo);
  if (!engine) throw std::runtime_error(engine.error().message());
  setup->engine = std::move(*engine);
  return setup;
}

struct BatchResult {
  double seconds = 0;
  std::size_t scored = 0, neutral = 0;
  std::map<std::string, double> usage;
};

BatchResult ScoreBatch(gavel::Engine& engine, const std::vector<std::string>& texts,
                       std::optional<Clock::time_point> deadline = std::nullopt) {
  const auto start = Clock::now();
  std::vector<gavel::ParsedSample> batch;
  batch.reserve(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) batch.push_back(gavel::ParseSampleText(texts[i], i));
  BatchResult r;
  for (const gavel::Score& s : engine.ScoreBatch(std::move(batch), deadline)) {
    ++r.scored;
    if (s.neutral) ++r.neutral;
    for (const auto& [k, v] : s.usage) r.usage[k] += v;
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

void BM_Judge512(benchmark::State& state) {
  const auto latency = std::chrono::milliseconds(state.range(0));
  const std::vector<std::string> samples = MakeSamples();
  auto instant = Start({});
  gavel::standin::Options slow_options;
  slow_options.latency = latency;
  auto slow = Start(slow_options);
  double ratio_sum = 0, base_sum = 0;
  std::size_t neutral = 0, runs = 0;
  for (auto _ : state) {
    const BatchResult base = ScoreBatch(*instant->engine, samples);
    const BatchResult real = ScoreBatch(*slow->engine, samples);
    state.SetIterationTime(real.seconds);
    const double ideal = base.seconds + std::chrono::duration<double>(latency).count();
    ratio_sum += real.seconds / ideal;
    base_sum += base.seconds;
    neutral += base.neutral + real.neutral;
    ++runs;
  }
  state.counters["no_latency_ms"] = 1000 * base_sum / static_cast<double>(runs);
  state.counters["vs_ideal"] = ratio_sum / static_cast<double>(runs);
  state.counters["neutral"] = static_cast<double>(neutral);  // must be 0
  state.counters["peak_in_flight"] = static_cast<double>(slow->judge->stats().peak_in_flight);
  state.counters["samples_per_s"] =
      benchmark::Counter(static_cast<double>(kSamples * runs), benchmark::Counter::kIsRate);
  if (neutral != 0) state.SkipWithError("a sample got the neutral reward: the figure would be meaningless");
}
BENCHMARK(BM_Judge512)->Arg(200)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(5);

void BM_Judge512Faults(benchmark::State& state) {
  const std::vector<std::string> samples = MakeSamples();
  gavel::standin::Options options;
  options.latency = std::chrono::milliseconds(200);
  options.faults.rate_429 = 0.10;
  options.faults.retry_after_s = 1;
  options.faults.rate_503 = 0.05;
  options.faults.rate_hang = 0.01;
  options.faults.seed = 2026;
  auto faulty = Start(options);
  constexpr auto kDeadline = std::chrono::seconds(20);
  BatchResult total;
  std::size_t runs = 0, late = 0;
  for (auto _ : state) {
    const auto start = Clock::now();
    const BatchResult r = ScoreBatch(*faulty->engine, samples, start + kDeadline);
    state.SetIterationTime(r.seconds);
    if (r.scored != kSamples || Clock::now() > start + kDeadline) ++late;
    total.scored += r.scored;
    total.neutral += r.neutral;
    for (const auto& [k, v] : r.usage) total.usage[k] += v;
    ++runs;
  }
  const auto stats = faulty->judge->stats();
  const double n = static_cast<double>(runs);
  state.counters["all_scored"] = late == 0 ? 1 : 0;
  state.counters["neutral"] = static_cast<double>(total.neutral) / n;
  state.counters["retries"] = total.usage["judge.retries"] / n;
  state.counters["throttled"] = total.usage["judge.throttled"] / n;
  state.counters["hangs"] = static_cast<double>(stats.hangs) / n;
  state.counters["http_503"] = static_cast<double>(stats.by_status.count(503) ? stats.by_status.at(503) : 0) / n;
  state.counters["http_429"] = static_cast<double>(stats.by_status.count(429) ? stats.by_status.at(429) : 0) / n;
  if (late != 0) state.SkipWithError("a batch did not score every sample before its deadline");
}
BENCHMARK(BM_Judge512Faults)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
