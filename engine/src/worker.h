// One worker thread: a sandboxed Lua state with the rubric loaded, and the samples in flight on
// it, each a coroutine. The worker starts samples as the engine sends them, parks a sample that
// waits for an asynchronous step, resumes it when the step completes (from any thread, through
// the inbox), and expires samples whose deadline passes.
#pragma once

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
  enum class Type { kStart, kResume, kStop } type = Type::kStop;
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

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<WorkerEvent> events_;
};

// Finished samples, from all workers to the engine.
struct Finished {
  std::size_t seq;
  std::size_t worker;
  Score score;
};

class Outbox {
 public:
  void Push(Finished item);
  void WaitDrain(std::vector<Finished>& out);

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Finished> items_;
};

struct Task;

class Worker {
 public:
  Worker(std::size_t index, std::shared_ptr<const Rubric> rubric, const PluginRegistry& plugins,
         const EngineOptions& options, std::shared_ptr<Outbox> outbox);
  ~Worker();

  // Blocks until the worker has loaded the rubric (or failed to).
  Status WaitReady();
  void Start(std::size_t seq, Json id, Sample sample, Clock::time_point deadline);
  const std::shared_ptr<Inbox>& inbox() const { return inbox_; }
  Task* current() const { return current_; }

 private:
  void Loop(std::promise<Status> ready);
  void StartTask(WorkerEvent& event);
  void ResumeTask(WorkerEvent& event);
  void Step(Task& task, int nargs);
  void ExpireDue();
  void Finish(Task& task, Score score);
  void Fail(Task& task, Error error);

  std::size_t index_;
  std::shared_ptr<const Rubric> rubric_;
  const PluginRegistry& plugins_;
  EngineOptions options_;
  std::shared_ptr<Outbox> outbox_;
  std::shared_ptr<Inbox> inbox_ = std::make_shared<Inbox>();
  std::unique_ptr<LuaSandbox> sandbox_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Task>> tasks_;
  std::uint64_t next_task_ = 1;
  Task* current_ = nullptr;
  std::future<Status> ready_;
  std::thread thread_;
};

}  // namespace gavel::detail
