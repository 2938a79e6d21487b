// The engine: scores samples with a rubric on a pool of worker threads.
//
//   auto engine = gavel::Engine::Create(rubric, registry, {.threads = 4});
//   engine.value()->Run(next_sample, emit_score);   // scores arrive in input order
//
// Each worker owns one sandboxed Lua state with the rubric loaded. A sample runs as a Lua
// coroutine; an asynchronous plugin step (a judge call) suspends it and the worker moves on to
// other samples, so up to `window` samples are in flight at once. Any failure of a sample gives
// the rubric's neutral reward and an error metric; nothing a sample does stops the batch.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "gavel/rubric.h"
#include "gavel/sample_io.h"
#include "gavel/score.h"
#include "gavel/status.h"

namespace gavel {

struct EngineOptions {
  unsigned threads = 0;        // worker threads; 0 = one per hardware thread
  std::size_t window = 256;    // samples in flight (started, not yet handed out) at once
  // Upper bound on one worker's whole Lua heap, whatever the per-sample budgets add up to.
  std::size_t state_memory_cap = std::size_t{2} << 30;
};

struct EngineStats {
  std::size_t samples = 0;
  std::size_t failed = 0;      // scored with the neutral reward because of an error
};

class Engine {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts the workers and loads the rubric into each; fails if any worker cannot load it.
  static Result<std::unique_ptr<Engine>> Create(std::shared_ptr<const Rubric> rubric,
                                                const PluginRegistry& plugins,
                                                const EngineOptions& options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Pulls samples from `next` (false at end) and hands each score to `emit` in input order.
  // Both callbacks run on the calling thread. At `deadline`, unfinished samples get the neutral
  // reward and a deadline error, and Run returns.
  void Run(const std::function<bool(ParsedSample&)>& next,
           const std::function<void(Score&&)>& emit,
           std::optional<Clock::time_point> deadline = std::nullopt);

  // Convenience: scores a batch and returns the scores in input order.
  std::vector<Score> ScoreBatch(std::vector<ParsedSample> samples,
                                std::optional<Clock::time_point> deadline = std::nullopt);

  const Rubric& rubric() const;
  EngineStats stats() const;

  struct Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gavel
