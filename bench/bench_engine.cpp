// The engine's own costs: a sandboxed Lua state, loading a rubric, parsing a sample, and
// scoring a sample with a rubric whose checks do nearly nothing (the per-sample overhead every
// rubric pays). Run: build/release/bench/gavel_bench_engine
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gavel/engine.h"
#include "gavel/rubric.h"
#include "gavel/sample_io.h"
#include "lua_sandbox.h"

namespace {

const char kTrivialRubric[] = R"(
return rubric {
  gates = { gate { name = "answered", fn = function(s) return #s.answer > 0 end } },
  checks = {
    check { name = "short", fn = function(s) return #s.answer < 4000 end },
    check { name = "one", weight = 2, fn = function() return 1 end },
  },
}
)";

const char kEmptyRubric[] = R"(return rubric { score = function() return 1 end })";

std::filesystem::path WriteRubric(const char* name, const char* source) {
  const auto file = std::filesystem::temp_directory_path() / name;
  std::ofstream(file) << source;
  return file;
}

std::string SampleText(std::size_t answer_bytes) {
  std::string answer;
  while (answer.size() < answer_bytes) answer += "The clause limits liability to direct damages. ";
  answer.resize(answer_bytes);
  gavel::Json sample = {
      {"id", "sample-0001"},
      {"messages", {{{"role", "system"}, {"content", "You review contracts."}},
                    {{"role", "user"}, {"content", "Review the limitation of liability clause."}},
                    {{"role", "assistant"}, {"content", answer}}}},
      {"reference_answer", "Liability is capped at direct damages."},
      {"metadata", {{"domain", "contracts"}}}};
  return sample.dump();
}

void BM_LuaSandboxCreate(benchmark::State& state) {
  gavel::PluginRegistry registry;
  gavel::ResourceCache cache;
  gavel::detail::SandboxOptions options;
  options.plugins = &registry;
  options.cache = &cache;
  for (auto _ : state) {
    auto sandbox = gavel::detail::LuaSandbox::Create(options);
    benchmark::DoNotOptimize(sandbox);
  }
}
BENCHMARK(BM_LuaSandboxCreate);

void BM_RubricLoad(benchmark::State& state) {
  const auto file = WriteRubric("gavel-bench-trivial.lua", kTrivialRubric);
  gavel::PluginRegistry registry;
  for (auto _ : state) {
    auto rubric = gavel::Rubric::Load(file, registry);
    if (!rubric) state.SkipWithError(rubric.error().message().c_str());
    benchmark::DoNotOptimize(rubric);
  }
}
BENCHMARK(BM_RubricLoad);

void BM_ParseSample(benchmark::State& state) {
  const std::string text = SampleText(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    gavel::ParsedSample parsed = gavel::ParseSampleText(text, 0);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseSample)->Arg(200)->Arg(2048);

// Scores pre-parsed samples on one worker thread; the time per item is the engine's overhead
// per sample (handing the sample to the worker, the coroutine, the sample table, the runner,
// reading the result back, in-order hand-out), plus the rubric's few trivial checks.
void ScoreLoop(benchmark::State& state, const char* name, const char* source) {
  const auto file = WriteRubric(name, source);
  gavel::PluginRegistry registry;
  auto rubric = gavel::Rubric::Load(file, registry);
  if (!rubric) {
    state.SkipWithError(rubric.error().message().c_str());
    return;
  }
  gavel::EngineOptions eo;
  eo.threads = 1;
  auto engine = gavel::Engine::Create(*rubric, registry, eo);
  if (!engine) {
    state.SkipWithError(engine.error().message().c_str());
    return;
  }
  const gavel::ParsedSample prototype = gavel::ParseSampleText(SampleText(2048), 0);
  const std::size_t batch = 1000;
  std::size_t failed = 0;
  for (auto _ : state) {
    std::size_t produced = 0;
    (*engine)->Run(
        [&](gavel::ParsedSample& out) {
          if (produced == batch) return false;
          ++produced;
          out.id = prototype.id;
          out.sample = prototype.sample;
          return true;
        },
        [&](gavel::Score&& score) { failed += score.neutral ? 1 : 0; });
  }
  if (failed != 0) state.SkipWithError("some samples failed: the measurement would be meaningless");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}

void BM_EngineOverheadEmptyRubric(benchmark::State& state) {
  ScoreLoop(state, "gavel-bench-empty.lua", kEmptyRubric);
}
BENCHMARK(BM_EngineOverheadEmptyRubric)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_EngineOverheadTrivialChecks(benchmark::State& state) {
  ScoreLoop(state, "gavel-bench-trivial.lua", kTrivialRubric);
}
BENCHMARK(BM_EngineOverheadTrivialChecks)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
