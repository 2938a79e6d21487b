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
  // How long past a deadline Run waits for a worker to report the samples it holds. A worker
  // still inside one sample's code by then is stuck in native code the limits cannot interrupt:
  // Run answers for its samples (neutral reward, error.deadline) and the worker is replaced.
  std::chrono::milliseconds stuck_grace{50};
};

struct EngineStats {
  std::size_t samples = 0;
  std::size_t failed = 0;      // scored with the neutral reward because of an error
  // Worker threads given up on because they stayed in native code past a deadline. Each still
  // holds a core and its Lua state until it comes back, if it ever does; a long-lived process
  // that sees this grow should restart (the Lambda bootstrap exits after its response).
  std::size_t abandoned_workers = 0;
};

class Engine {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts the workers and loads the rubric into each; fails if any worker cannot load it. The
  // engine keeps its own copy of `plugins` (see gavel/plugin_registry.h): the caller's registry
  // may be destroyed once Create returns.
  static Result<std::unique_ptr<Engine>> Create(std::shared_ptr<const Rubric> rubric,
                                                const PluginRegistry& plugins,
                                                const EngineOptions& options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Pulls samples from `next` (false at end) and hands each score to `emit` in input order.
  // Both callbacks run on the calling thread. At `deadline`, unfinished samples get the neutral
  // reward and a deadline error, and Run returns: by `deadline + stuck_grace` at the latest,
  // whatever a rubric or a plugin is doing (a worker stuck in native code is abandoned and
  // replaced; see EngineOptions::stuck_grace).
  void Run(const std::function<bool(ParsedSample&)>& next,
           const std::function<void(Score&&)>& emit,
           std::optional<Clock::time_point> deadline = std::nullopt);

  // Convenience: scores a batch and returns the scores in input order.
  std::vector<Score> ScoreBatch(std::vector<ParsedSample> samples,
                                std::optional<Clock::time_point> deadline = std::nullopt);

  const Rubric& rubric() const;
  EngineStats stats() const;

  // Replaces every worker that is stuck in native code past a deadline now, instead of at the
  // next Run; returns how many were replaced. A caller that is about to go idle calls it, so
  // that it can report (and act on) stats().abandoned_workers.
  std::size_t ReplaceStuckWorkers();

  struct Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Worker threads, of every engine in the process, that were given up on while stuck in native
// code and have not come back yet. Each holds a core and a Lua state; a process that sees one
// should answer what it owes and then exit (the Lambda bootstrap does).
std::size_t AbandonedWorkerThreadsRunning();

}  // namespace gavel
