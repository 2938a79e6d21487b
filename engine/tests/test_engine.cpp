// The scheduler: samples on several workers, asynchronous steps completing out of order from
// another thread, results in input order, deadlines, and failures of asynchronous steps.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "test_support.h"

using gavel::ErrorKind;
using gavel::testing::ErrorText;
using gavel::testing::LaterPlugin;
using gavel::testing::MakeSample;

namespace {

struct AsyncSetup {
  AsyncSetup(std::size_t release_at, const std::string& source, unsigned threads, std::size_t window,
             std::size_t expected = SIZE_MAX) {
    auto plugin = std::make_unique<LaterPlugin>(release_at, expected);
    later = plugin.get();
    REQUIRE(registry.Add(std::move(plugin)));
    auto rubric = gavel::testing::LoadSource(dir, source, registry);
    if (!rubric) FAIL(rubric.error().message());
    gavel::EngineOptions eo;
    eo.threads = threads;
    eo.window = window;
    auto made = gavel::Engine::Create(*rubric, registry, eo);
    REQUIRE(made);
    engine = std::move(*made);
  }
  gavel::testing::TempDir dir;
  gavel::PluginRegistry registry;
  LaterPlugin* later = nullptr;
  std::unique_ptr<gavel::Engine> engine;
};

std::vector<gavel::ParsedSample> Numbered(std::size_t n) {
  std::vector<gavel::ParsedSample> samples;
  for (std::size_t i = 0; i < n; ++i) samples.push_back(MakeSample("id-" + std::to_string(i), std::to_string(i)));
  return samples;
}

}  // namespace

TEST_CASE("asynchronous steps completing in reverse order still give results in input order", "[engine][async]") {
  // Every sample waits for the plugin; the plugin completes all 64 at once, last-come first,
  // so each worker resumes its samples in the opposite order to the one it started them in.
  AsyncSetup setup(64, R"(
    local later = require "gavel.test_later"
    return rubric {
      judges = { judge { name = "echo", fn = function(s)
        local v = later.later(tonumber(s.answer))
        return v / 1000, "waited for " .. s.answer
      end } },
    })",
                   /*threads=*/2, /*window=*/64);
  std::vector<gavel::Score> scores = setup.engine->ScoreBatch(Numbered(64));
  REQUIRE(scores.size() == 64);
  for (std::size_t i = 0; i < scores.size(); ++i) {
    INFO("sample " << i << ": " << ErrorText(scores[i]));
    CHECK(scores[i].id == "id-" + std::to_string(i));
    CHECK_FALSE(scores[i].neutral);
    CHECK(scores[i].reward == Approx(static_cast<double>(i) / 1000));
    CHECK(scores[i].details["echo"] == "waited for " + std::to_string(i));
  }
  CHECK(setup.later->completed_in_reverse() == 64);
}

TEST_CASE("the window bounds how many samples are in flight", "[engine][async]") {
  // Steps are held until 8 wait (or all 40 have come). With a window of 8, the engine must
  // have exactly 8 samples waiting at the peak, never more, and every sample must finish.
  AsyncSetup setup(8, R"(
    local later = require "gavel.test_later"
    return rubric { checks = { check { name = "v", fn = function(s) return later.later(1) end } } })",
                   2, 8, /*expected=*/40);
  std::vector<gavel::Score> scores = setup.engine->ScoreBatch(Numbered(40));
  REQUIRE(scores.size() == 40);
  for (std::size_t i = 0; i < 40; ++i) {
    INFO(ErrorText(scores[i]));
    CHECK(scores[i].id == "id-" + std::to_string(i));
    CHECK_FALSE(scores[i].neutral);
  }
  CHECK(setup.later->completed_in_reverse() == 40);
  CHECK(setup.later->max_waiting() == 8);
}

TEST_CASE("a failed asynchronous step gives the neutral reward, or the rubric may handle it", "[engine][async]") {
  AsyncSetup setup(1, R"(
    local later = require "gavel.test_later"
    return rubric {
      neutral = 0.4,
      judges = { judge { name = "j", fn = function(s)
        if s.answer == "handled" then
          local ok, err = pcall(later.fail, "judge said no")
          assert(not ok and err == "judge said no")
          return 0.9
        end
        return later.fail("provider returned 503 three times")
      end } },
    })",
                   1, 4);
  std::vector<gavel::ParsedSample> batch;
  batch.push_back(MakeSample("a", "unhandled"));
  batch.push_back(MakeSample("b", "handled"));
  std::vector<gavel::Score> scores = setup.engine->ScoreBatch(std::move(batch));
  REQUIRE(scores.size() == 2);
  CHECK(scores[0].neutral);
  CHECK(scores[0].reward == 0.4);
  REQUIRE(scores[0].errors.size() == 1);
  CHECK(scores[0].errors[0].kind == ErrorKind::kJudgeUnavailable);
  CHECK(scores[0].errors[0].message == "judge 'j': provider returned 503 three times");
  CHECK(gavel::testing::FindMetric(scores[0], "error.judge") != nullptr);
  INFO(ErrorText(scores[1]));
  CHECK_FALSE(scores[1].neutral);
  CHECK(scores[1].reward == 0.9);
}

TEST_CASE("at the caller's deadline, waiting samples get the neutral reward and Run returns", "[engine][deadline]") {
  AsyncSetup setup(1000000, R"(
    local later = require "gavel.test_later"
    return rubric { judges = { judge { name = "stuck", fn = function(s) return later.never() end } } })",
                   2, 16);
  const auto deadline = gavel::Engine::Clock::now() + std::chrono::milliseconds(100);
  std::vector<gavel::Score> scores = setup.engine->ScoreBatch(Numbered(10), deadline);
  REQUIRE(scores.size() == 10);
  for (const gavel::Score& s : scores) {
    CHECK(s.neutral);
    REQUIRE(s.errors.size() == 1);
    CHECK(s.errors[0].kind == ErrorKind::kDeadline);
  }
  CHECK(gavel::Engine::Clock::now() >= deadline);
}

TEST_CASE("a sample cut off by the deadline keeps the metrics of the steps it finished", "[engine][deadline][metrics]") {
  AsyncSetup setup(1000000, R"(
    local later = require "gavel.test_later"
    return rubric {
      gates = { gate { name = "well_formed", fn = function(s) return s.answer ~= "2" end } },
      checks = { check { name = "length", fn = function(s) return #s.answer end } },
      judges = { judge { name = "stuck", fn = function(s) return later.never() end } },
    })",
                   2, 16);
  const auto deadline = gavel::Engine::Clock::now() + std::chrono::milliseconds(100);
  std::vector<gavel::Score> scores = setup.engine->ScoreBatch(Numbered(4), deadline);
  REQUIRE(scores.size() == 4);
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const gavel::Score& s = scores[i];
    if (i == 2) {  // failed its gate: scored, not cut off
      CHECK_FALSE(s.neutral);
      continue;
    }
    CHECK(s.neutral);
    REQUIRE(s.metrics.size() == 3);
    CHECK(s.metrics[0].name == "well_formed");
    CHECK(s.metrics[0].value == 1);
    CHECK(s.metrics[1].name == "length");
    CHECK(s.metrics[1].value == 1);
    CHECK(s.metrics[2].name == "error.deadline");
  }
}

TEST_CASE("a sample waiting past the rubric's time limit fails with a limit error", "[engine][deadline]") {
  AsyncSetup setup(1000000, R"(
    local later = require "gavel.test_later"
    return rubric {
      limits = { time_ms = 30 },
      judges = { judge { name = "stuck", fn = function(s) return later.never() end } },
    })",
                   1, 4);
  std::vector<gavel::Score> scores = setup.engine->ScoreBatch(Numbered(2));
  REQUIRE(scores.size() == 2);
  CHECK(scores[1].errors.at(0).kind == ErrorKind::kLimit);
  CHECK_THAT(scores[1].errors.at(0).message, Catch::StartsWith("time limit of 30 ms exceeded while the sample waited"));
}

TEST_CASE("an asynchronous step outside a sample is refused at load", "[engine][async]") {
  gavel::testing::TempDir dir;
  gavel::PluginRegistry registry;
  REQUIRE(registry.Add(std::make_unique<LaterPlugin>(1)));
  auto rubric = gavel::testing::LoadSource(dir, R"(
    local later = require "gavel.test_later"
    local v = later.later(1)
    return rubric { checks = { check { name = "c", fn = function() return v end } } })",
                                           registry);
  REQUIRE_FALSE(rubric);
  CHECK_THAT(rubric.error().message(),
             Catch::Contains("rubric.lua:3: asynchronous steps can only run while a sample is being scored"));
}

TEST_CASE("malformed samples get a per-sample error and keep their place", "[engine]") {
  gavel::testing::Scorer s(R"(return rubric { checks = { check { name = "one", fn = function() return 1 end } } })",
                           2);
  REQUIRE(s.ok());
  std::vector<gavel::ParsedSample> batch;
  batch.push_back(MakeSample("first", "a"));
  batch.push_back(gavel::ParseSampleText(R"({"messages": []})", 1));
  batch.push_back(gavel::ParseSampleText("{not json", 2));
  batch.push_back(MakeSample("last", "b"));
  std::vector<gavel::Score> scores = s.engine().ScoreBatch(std::move(batch));
  REQUIRE(scores.size() == 4);
  CHECK(scores[0].id == "first");
  CHECK(scores[0].reward == 1);
  CHECK(scores[1].neutral);
  CHECK(scores[1].errors.at(0).kind == ErrorKind::kBadSample);
  CHECK(scores[2].neutral);
  CHECK(scores[2].errors.at(0).kind == ErrorKind::kBadSample);
  CHECK(scores[3].id == "last");
  CHECK(s.engine().stats().samples == 4);
  CHECK(s.engine().stats().failed == 2);
}

TEST_CASE("many samples on several workers come back complete and in order", "[engine]") {
  gavel::testing::Scorer s(R"(
    return rubric { checks = { check { name = "n", fn = function(s) return tonumber(s.answer) % 7 / 7 end } } })",
                           2);
  REQUIRE(s.ok());
  const std::size_t n = 3000;
  std::size_t next = 0;
  std::vector<gavel::Score> out;
  s.engine().Run(
      [&](gavel::ParsedSample& p) {
        if (next == n) return false;
        p = MakeSample(std::to_string(next), std::to_string(next));
        ++next;
        return true;
      },
      [&](gavel::Score&& score) { out.push_back(std::move(score)); });
  REQUIRE(out.size() == n);
  for (std::size_t i = 0; i < n; ++i) {
    REQUIRE(out[i].id == std::to_string(i));
    REQUIRE(out[i].reward == Approx(static_cast<double>(i % 7) / 7));
  }
}

namespace {

// A rubric whose check blocks in native code (gavel.test_native) for answers "stuck".
struct NativeBlockSetup {
  NativeBlockSetup() {
    REQUIRE(registry.Add(std::make_unique<gavel::testing::NativeBlockPlugin>()));
    auto loaded = gavel::testing::LoadSource(dir, R"(
      local native = require "gavel.test_native"
      return rubric { checks = { check { name = "c", fn = function(s)
        if s.answer == "stuck" then return native.block() end
        return 1
      end } } })",
                                             registry);
    REQUIRE(loaded);
    rubric = *loaded;
  }
  std::unique_ptr<gavel::Engine> Engine(unsigned threads) {
    gavel::EngineOptions eo;
    eo.threads = threads;
    auto engine = gavel::Engine::Create(rubric, registry, eo);
    REQUIRE(engine);
    return std::move(*engine);
  }
  gavel::testing::TempDir dir;
  gavel::PluginRegistry registry;
  std::shared_ptr<const gavel::Rubric> rubric;
};

}  // namespace

TEST_CASE("a worker stuck in native code does not hold the answer past the deadline", "[engine][deadline][stuck]") {
  NativeBlockSetup setup;
  const gavel::EngineOptions eo;
  auto engine = setup.Engine(2);

  std::vector<gavel::ParsedSample> batch;
  batch.push_back(MakeSample("stuck-0", "stuck"));
  for (int i = 1; i < 6; ++i) batch.push_back(MakeSample("fast-" + std::to_string(i), "fine"));
  const auto deadline = gavel::Engine::Clock::now() + std::chrono::milliseconds(300);
  std::vector<gavel::Score> scores = engine->ScoreBatch(std::move(batch), deadline);
  const auto answered = gavel::Engine::Clock::now();
  // The engine answers at the deadline plus its grace, although one worker never came back.
  CHECK(answered < deadline + eo.stuck_grace + std::chrono::milliseconds(150));
  REQUIRE(scores.size() == 6);
  CHECK(scores[0].id == "stuck-0");
  REQUIRE(scores[0].errors.size() == 1);
  CHECK(scores[0].errors[0].kind == ErrorKind::kDeadline);
  CHECK_THAT(scores[0].errors[0].message, Catch::Contains("could not be interrupted"));
  // Samples queued behind the stuck one on its worker are answered for too; the rest scored.
  std::size_t scored = 0;
  for (std::size_t i = 1; i < scores.size(); ++i) {
    CHECK(scores[i].id == "fast-" + std::to_string(i));
    if (!scores[i].neutral) {
      CHECK(scores[i].reward == 1.0);
      ++scored;
    } else {
      CHECK(scores[i].errors.at(0).kind == ErrorKind::kDeadline);
    }
  }
  CHECK(scored >= 2);
  gavel::testing::NativeBlockPlugin::WaitInside(1);

  // The next batch finds the stuck worker replaced and scores everything, on both workers.
  const std::size_t running_before = gavel::AbandonedWorkerThreadsRunning();
  std::vector<gavel::Score> again = engine->ScoreBatch(Numbered(8));
  CHECK(engine->stats().abandoned_workers == 1);
  CHECK(gavel::AbandonedWorkerThreadsRunning() == running_before + 1);
  REQUIRE(again.size() == 8);
  for (const gavel::Score& s : again) {
    INFO(ErrorText(s));
    CHECK_FALSE(s.neutral);
  }

  // When the native code returns, the abandoned thread ends on its own and frees its state.
  gavel::testing::NativeBlockPlugin::Release();
  gavel::testing::NativeBlockPlugin::WaitReturned(1);
  while (gavel::AbandonedWorkerThreadsRunning() > running_before) std::this_thread::yield();
  CHECK(gavel::AbandonedWorkerThreadsRunning() == running_before);
}

TEST_CASE("an engine whose worker is stuck in native code can still be destroyed", "[engine][deadline][stuck]") {
  NativeBlockSetup setup;
  const std::size_t running_before = gavel::AbandonedWorkerThreadsRunning();
  {
    auto engine = setup.Engine(1);
    const auto deadline = gavel::Engine::Clock::now() + std::chrono::milliseconds(100);
    std::vector<gavel::ParsedSample> batch;
    batch.push_back(MakeSample("stuck", "stuck"));
    std::vector<gavel::Score> scores = engine->ScoreBatch(std::move(batch), deadline);
    REQUIRE(scores.size() == 1);
    CHECK(scores[0].errors.at(0).kind == ErrorKind::kDeadline);
  }  // the destructor gives the stuck thread up instead of joining it forever
  CHECK(gavel::AbandonedWorkerThreadsRunning() == running_before + 1);
  gavel::testing::NativeBlockPlugin::Release();
  while (gavel::AbandonedWorkerThreadsRunning() > running_before) std::this_thread::yield();
}
