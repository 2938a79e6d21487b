// One worker thread: a sandboxed Lua state with the rubric loaded, and the samples in flight on
// it, each a coroutine. The worker starts samples as the engine sends them, parks a sample that
// waits for an asynchronous step, resumes it when the step completes (from any thread, through
// the inbox), and expires samples whose deadline passes.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gavel/engine.h"
#include "gavel/plugin.h"
#include "lua_sandbox.h"

namespace gavel::detail {

struct WorkerEvent {
  enum class Type { kStart, kResume, kCancel, kStop } type = Type::kStop;
  // kStart, kCancel (every task of this run and earlier ones is dropped)
  std::uint64_t run = 0;
  // kStart
  std::size_t seq = 0;
  Json id;
  Sample sample;
  Clock::time_point deadline = Clock::time_point::max();
  // kResume
  std::uint64_t task = 0;
  std::function<int(lua_State*)> push;
  bool failed = false;
  std::string message;
  ErrorKind kind = ErrorKind::kPlugin;
};

class Inbox {
 public:
  void Push(WorkerEvent event);
  // Moves every queued event into `out`, waiting until there is one or `until` passes.
  void WaitDrain(std::deque<WorkerEvent>& out, Clock::time_point until);
  // Wakes a waiting WaitDrain without an event (the worker checks whether it was abandoned).
  void Wake();

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<WorkerEvent> events_;
  bool woken_ = false;
};

// Finished samples, from all workers to the engine.
struct Finished {
  std::uint64_t run;  // the Engine::Run that started the sample; late ones are dropped
  std::size_t seq;
  std::size_t worker;
  Score score;
};

class Outbox {
 public:
  void Push(Finished item);
  // Moves every finished item into `out`, waiting until there is one or `until` passes.
  void WaitDrain(std::vector<Finished>& out, Clock::time_point until);

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Finished> items_;
};

struct Task;

// A worker thread is reclaimed when it comes back from its sample; one that stays in native code
// past its sample's deadline is abandoned (Abandon) and replaced by the engine. An abandoned
// worker cannot be destroyed while its thread may still run, so it is kept, reachable, for the
// rest of the process (see AbandonedWorkers in worker.cpp); its thread ends, and frees its Lua
// state, if it ever comes back.
class Worker {
 public:
  Worker(std::size_t index, std::shared_ptr<const Rubric> rubric, std::shared_ptr<const PluginRegistry> plugins,
         const EngineOptions& options, std::shared_ptr<Outbox> outbox);
  ~Worker();

  // Blocks until the worker has loaded the rubric (or failed to).
  Status WaitReady();
  void Start(std::uint64_t run, std::size_t seq, Json id, Sample sample, Clock::time_point deadline);
  // Drops every task of `run` and earlier runs, without reporting them.
  void Cancel(std::uint64_t run);
  const std::shared_ptr<Inbox>& inbox() const { return inbox_; }
  Task* current() const { return current_; }

  // Whether the thread has been running one sample's code for longer than `grace` past that
  // sample's deadline: native code the limits cannot interrupt.
  bool Stuck(Clock::time_point now, Clock::duration grace) const;
  // Gives up on the thread: it is detached, and `worker` is kept alive for the rest of the process.
  static void Abandon(std::unique_ptr<Worker> worker);
  // Asks the thread to end once it is back from the sample it runs, if any.
  void RequestStop();
  // Whether the thread has ended, waiting up to `wait` for it.
  bool WaitExited(Clock::duration wait);
  // How many abandoned workers' threads have not ended yet.
  static std::size_t AbandonedRunning();

 private:
  void Loop(std::promise<Status> ready);
  void StartTask(WorkerEvent& event);
  void ResumeTask(WorkerEvent& event);
  void Step(Task& task, int nargs);
  void ExpireDue();
  void Finish(Task& task, Score score);
  void Fail(Task& task, Error error);
  void Drop(Task& task);

  std::size_t index_;
  std::shared_ptr<const Rubric> rubric_;
  // Declared before the Lua state (sandbox_) so that the plugins outlive it.
  std::shared_ptr<const PluginRegistry> plugins_;
  EngineOptions options_;
  std::shared_ptr<Outbox> outbox_;
  std::shared_ptr<Inbox> inbox_ = std::make_shared<Inbox>();
  std::unique_ptr<LuaSandbox> sandbox_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Task>> tasks_;
  std::uint64_t next_task_ = 1;
  Task* current_ = nullptr;
  // The deadline of the sample whose code runs now (nanoseconds of Clock), or max when idle.
  std::atomic<Clock::rep> busy_until_{Clock::time_point::max().time_since_epoch().count()};
  std::atomic<bool> abandoned_{false};
  std::future<Status> ready_;
  std::future<void> exited_;
  std::thread thread_;
};

}  // namespace gavel::detail
