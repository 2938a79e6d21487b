// gavel.schema's per-sample cost: extracting the JSON from a ~2 KB answer (a fenced list of
// review comments) and validating it against the review schema in tests/data/root, which uses
// $ref to sibling files, patterns, enums, uniqueItems and dependencies.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include <benchmark/benchmark.h>

#include "gavel/schema/extract.h"
#include "gavel/schema/schema.h"

namespace {

namespace fs = std::filesystem;
using gavel::Json;
using gavel::schema::ExtractJson;
using gavel::schema::Schema;

const fs::path kData = GAVEL_SCHEMA_TEST_DATA;

const std::string& Answer() {
  static const std::string answer = [] {
    std::ifstream in(kData / "review_answer.txt", std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }();
  return answer;
}

const Schema& ReviewSchema() {
  static const auto schema = [] {
    auto loaded = Schema::LoadFile(kData / "root" / "review.json", kData / "root");
    if (!loaded) throw std::runtime_error(loaded.error().ToString());
    return loaded.value();
  }();
  return *schema;
}

// The answer with three mistakes a model makes: an unknown severity, a missing field, a bad type.
Json BadValue() {
  Json value = ExtractJson(Answer()).value;
  value["comments"][1]["severity"] = "urgent";
  value["comments"][3].erase("message");
  value["comments"][5]["line"] = "120";
  return value;
}

void BM_ExtractJson(benchmark::State& state) {
  for (auto _ : state) {
    auto extracted = ExtractJson(Answer());
    benchmark::DoNotOptimize(extracted);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * Answer().size()));
}
BENCHMARK(BM_ExtractJson);

// Baseline for the above: nlohmann parsing the fenced JSON alone, already cut out.
void BM_ParseOnlyBaseline(benchmark::State& state) {
  const auto extracted = ExtractJson(Answer());
  const std::string text = Answer().substr(extracted.offset, extracted.length);
  for (auto _ : state) {
    auto value = Json::parse(text);
    benchmark::DoNotOptimize(value);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseOnlyBaseline);

void BM_ValidateValid(benchmark::State& state) {
  const Json value = ExtractJson(Answer()).value;
  const Schema& schema = ReviewSchema();
  if (!schema.Validate(value).valid) state.SkipWithError("the benchmark answer should be valid");
  for (auto _ : state) {
    auto result = schema.Validate(value);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_ValidateValid)->ThreadRange(1, 2);

void BM_IsValid(benchmark::State& state) {
  const Json value = ExtractJson(Answer()).value;
  const Schema& schema = ReviewSchema();
  for (auto _ : state) benchmark::DoNotOptimize(schema.IsValid(value));
}
BENCHMARK(BM_IsValid);

void BM_ValidateThreeViolations(benchmark::State& state) {
  const Json value = BadValue();
  const Schema& schema = ReviewSchema();
  if (schema.Validate(value).violations.size() != 3) state.SkipWithError("expected 3 violations");
  for (auto _ : state) {
    auto result = schema.Validate(value);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_ValidateThreeViolations);

// What one sample costs the schema plugin: extraction, then validation.
void BM_ExtractAndValidate(benchmark::State& state) {
  const Schema& schema = ReviewSchema();
  for (auto _ : state) {
    auto extracted = ExtractJson(Answer());
    auto result = schema.Validate(extracted.value);
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * Answer().size()));
}
BENCHMARK(BM_ExtractAndValidate)->ThreadRange(1, 2);

// Loading and compiling the schema (three files): paid once per rubric, not per sample.
void BM_LoadSchema(benchmark::State& state) {
  for (auto _ : state) {
    auto schema = Schema::LoadFile(kData / "root" / "review.json", kData / "root");
    benchmark::DoNotOptimize(schema);
  }
}
BENCHMARK(BM_LoadSchema);

}  // namespace
