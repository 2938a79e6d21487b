#include "worker.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "lua_convert.h"
#include "rubric_loader.h"

namespace gavel {

struct AsyncCompleter::State {
  std::shared_ptr<detail::Inbox> inbox;
  std::uint64_t task = 0;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::atomic<bool> done{false};
  std::atomic<bool> cancelled{false};
  std::mutex usage_mutex;
  std::map<std::string, double, std::less<>> usage;
  std::vector<Json> judgements;
};

namespace {

// Adds what the step used to the sample's figures, and what its judges said.
void TakeUsage(AsyncCompleter::State& state, std::map<std::string, double>& into, std::vector<Json>& judgements) {
  std::lock_guard<std::mutex> lock(state.usage_mutex);
  for (const auto& [name, value] : state.usage) into[name] += value;
  state.usage.clear();
  for (Json& j : state.judgements) judgements.push_back(std::move(j));
  state.judgements.clear();
}

}  // namespace

void AsyncCompleter::Complete(std::function<int(lua_State*)> push) const {
  if (state_->done.exchange(true)) return;
  detail::WorkerEvent e;
  e.type = detail::WorkerEvent::Type::kResume;
  e.task = state_->task;
  e.push = std::move(push);
  state_->inbox->Push(std::move(e));
}

void AsyncCompleter::Fail(std::string message, ErrorKind kind) const {
  if (state_->done.exchange(true)) return;
  detail::WorkerEvent e;
  e.type = detail::WorkerEvent::Type::kResume;
  e.task = state_->task;
  e.failed = true;
  e.message = std::move(message);
  e.kind = kind;
  state_->inbox->Push(std::move(e));
}

bool AsyncCompleter::cancelled() const { return state_->cancelled.load(); }

std::chrono::steady_clock::time_point AsyncCompleter::deadline() const { return state_->deadline; }

void AsyncCompleter::AddUsage(std::string_view name, double value) const {
  if (state_->done.load()) return;
  std::lock_guard<std::mutex> lock(state_->usage_mutex);
  auto it = state_->usage.find(name);
  if (it == state_->usage.end()) it = state_->usage.emplace(std::string(name), 0.0).first;
  it->second += value;
}

void AsyncCompleter::AddJudgement(Json judgement) const {
  if (state_->done.load()) return;
  std::lock_guard<std::mutex> lock(state_->usage_mutex);
  state_->judgements.push_back(std::move(judgement));
}

namespace detail {

struct Task {
  std::uint64_t id = 0;
  std::uint64_t run = 0;
  std::size_t seq = 0;
  Json sample_id;
  Sample sample;
  Budget budget;
  lua_State* co = nullptr;
  int co_ref = LUA_NOREF;
  std::shared_ptr<AsyncCompleter::State> pending;
  std::map<std::string, double> usage;
  std::vector<Json> judgements;
};

namespace {

int SampleMainDone(lua_State* /*co*/, int /*status*/, lua_KContext /*ctx*/) { return 1; }

// The body of a sample's coroutine: builds the sample table and calls the runner.
int SampleMain(lua_State* co) {
  auto* task = static_cast<Task*>(lua_touserdata(co, 1));
  lua_settop(co, 0);
  const StateContext& ctx = ContextOf(co);
  lua_rawgeti(co, LUA_REGISTRYINDEX, ctx.runner_ref);
  lua_rawgeti(co, LUA_REGISTRYINDEX, ctx.rubric_ref);
  PushSample(co, task->sample);
  lua_callk(co, 2, 1, 0, SampleMainDone);
  return SampleMainDone(co, LUA_OK, 0);
}

const char kAsyncFailed = 'F';

int AsyncContinue(lua_State* L, int /*status*/, lua_KContext base) {
  const int first = static_cast<int>(base) + 1;
  if (lua_gettop(L) >= first && lua_touserdata(L, first) == &kAsyncFailed) {
    lua_pushvalue(L, first + 1);
    return lua_error(L);
  }
  return lua_gettop(L) - static_cast<int>(base);
}

}  // namespace

void Inbox::Push(WorkerEvent event) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    events_.push_back(std::move(event));
  }
  cv_.notify_one();
}

void Inbox::WaitDrain(std::deque<WorkerEvent>& out, Clock::time_point until) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (until == Clock::time_point::max()) {
    cv_.wait(lock, [&] { return !events_.empty() || woken_; });
  } else {
    cv_.wait_until(lock, until, [&] { return !events_.empty() || woken_; });
  }
  woken_ = false;
  while (!events_.empty()) {
    out.push_back(std::move(events_.front()));
    events_.pop_front();
  }
}

void Inbox::Wake() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    woken_ = true;
  }
  cv_.notify_one();
}

void Outbox::Push(Finished item) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    items_.push_back(std::move(item));
  }
  cv_.notify_one();
}

void Outbox::WaitDrain(std::vector<Finished>& out, Clock::time_point until) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (until == Clock::time_point::max()) {
    cv_.wait(lock, [&] { return !items_.empty(); });
  } else {
    cv_.wait_until(lock, until, [&] { return !items_.empty(); });
  }
  out.swap(items_);
}

namespace {

// Workers whose threads were given up on. They stay reachable (LeakSanitizer counts them as
// kept, not lost) because their threads may still be inside them.
std::mutex& AbandonedMutex() {
  static std::mutex mutex;
  return mutex;
}

std::vector<std::unique_ptr<Worker>>& AbandonedWorkers() {
  static auto* workers = new std::vector<std::unique_ptr<Worker>>();
  return *workers;
}

Clock::rep Ticks(Clock::time_point t) { return t.time_since_epoch().count(); }

// Publishes, while a sample's code runs on the worker thread, that sample's deadline.
class BusyMark {
 public:
  BusyMark(std::atomic<Clock::rep>& busy, Clock::time_point deadline) : busy_(busy) {
    busy_.store(Ticks(deadline), std::memory_order_release);
  }
  ~BusyMark() { busy_.store(Ticks(Clock::time_point::max()), std::memory_order_release); }
  BusyMark(const BusyMark&) = delete;
  BusyMark& operator=(const BusyMark&) = delete;

 private:
  std::atomic<Clock::rep>& busy_;
};

}  // namespace

Worker::Worker(std::size_t index, std::shared_ptr<const Rubric> rubric, std::shared_ptr<const PluginRegistry> plugins,
               const EngineOptions& options, std::shared_ptr<Outbox> outbox)
    : index_(index), rubric_(std::move(rubric)), plugins_(std::move(plugins)), options_(options), outbox_(std::move(outbox)) {
  std::promise<Status> ready;
  ready_ = ready.get_future();
  std::promise<void> exited;
  exited_ = exited.get_future();
  thread_ = std::thread([this, p = std::move(ready), e = std::move(exited)]() mutable {
    Loop(std::move(p));
    if (abandoned_.load()) sandbox_.reset();  // nobody else will free the Lua state
    e.set_value();
  });
}

Worker::~Worker() {
  RequestStop();
  if (thread_.joinable()) thread_.join();
}

void Worker::RequestStop() {
  WorkerEvent stop;
  stop.type = WorkerEvent::Type::kStop;
  inbox_->Push(std::move(stop));
}

bool Worker::WaitExited(Clock::duration wait) {
  return exited_.wait_for(wait) == std::future_status::ready;
}

std::size_t Worker::AbandonedRunning() {
  std::lock_guard<std::mutex> lock(AbandonedMutex());
  std::size_t running = 0;
  for (const auto& worker : AbandonedWorkers()) {
    if (!worker->WaitExited(Clock::duration::zero())) ++running;
  }
  return running;
}

Status Worker::WaitReady() { return ready_.get(); }

bool Worker::Stuck(Clock::time_point now, Clock::duration grace) const {
  const Clock::rep busy = busy_until_.load(std::memory_order_acquire);
  if (busy == Ticks(Clock::time_point::max())) return false;
  const Clock::time_point deadline{Clock::duration(busy)};
  return deadline < now - grace;
}

void Worker::Abandon(std::unique_ptr<Worker> worker) {
  worker->abandoned_.store(true);
  worker->inbox_->Wake();
  if (worker->thread_.joinable()) worker->thread_.detach();
  std::lock_guard<std::mutex> lock(AbandonedMutex());
  AbandonedWorkers().push_back(std::move(worker));
}

void Worker::Cancel(std::uint64_t run) {
  WorkerEvent e;
  e.type = WorkerEvent::Type::kCancel;
  e.run = run;
  inbox_->Push(std::move(e));
}

void Worker::Start(std::uint64_t run, std::size_t seq, Json id, Sample sample, Clock::time_point deadline) {
  WorkerEvent e;
  e.type = WorkerEvent::Type::kStart;
  e.run = run;
  e.seq = seq;
  e.id = std::move(id);
  e.sample = std::move(sample);
  e.deadline = deadline;
  inbox_->Push(std::move(e));
}

void Worker::Loop(std::promise<Status> ready) {
  SandboxOptions so;
  so.plugins = plugins_.get();
  so.dir = rubric_->dir();
  so.root = rubric_->root();
  so.data_root = rubric_->data_root();
  so.cache = &rubric_->resources();
  so.memory_cap = options_.state_memory_cap;
  Result<std::unique_ptr<LuaSandbox>> sandbox = LuaSandbox::Create(so);
  if (!sandbox) {
    ready.set_value(sandbox.error());
    return;
  }
  sandbox_ = std::move(*sandbox);
  sandbox_->context().worker = this;
  Result<RubricInfo> info = LoadRubricInto(*sandbox_, rubric_->file().string(), rubric_->source(),
                                           rubric_->load_options().load_limits);
  if (!info) {
    ready.set_value(info.error());
    return;
  }
  ready.set_value(Status::Ok());

  std::deque<WorkerEvent> events;
  for (;;) {
    Clock::time_point next = Clock::time_point::max();
    for (const auto& [id, task] : tasks_) next = std::min(next, task->budget.deadline);
    events.clear();
    inbox_->WaitDrain(events, next);
    for (WorkerEvent& e : events) {
      if (abandoned_.load()) e.type = WorkerEvent::Type::kStop;
      switch (e.type) {
        case WorkerEvent::Type::kStart:
          StartTask(e);
          break;
        case WorkerEvent::Type::kResume:
          ResumeTask(e);
          break;
        case WorkerEvent::Type::kCancel: {
          std::vector<Task*> old;
          for (auto& [id, task] : tasks_) {
            if (task->run <= e.run) old.push_back(task.get());
          }
          for (Task* task : old) Drop(*task);
          break;
        }
        case WorkerEvent::Type::kStop:
          for (auto& [id, task] : tasks_) {
            if (task->pending) task->pending->cancelled = true;
          }
          tasks_.clear();
          return;
      }
    }
    if (abandoned_.load()) {
      for (auto& [id, task] : tasks_) {
        if (task->pending) task->pending->cancelled = true;
      }
      tasks_.clear();
      return;
    }
    ExpireDue();
  }
}

void Worker::StartTask(WorkerEvent& event) {
  auto owned = std::make_unique<Task>();
  Task& task = *owned;
  task.id = next_task_++;
  task.run = event.run;
  task.seq = event.seq;
  task.sample_id = std::move(event.id);
  task.sample = std::move(event.sample);
  task.budget.limits = rubric_->limits();
  const Clock::time_point own = Clock::now() + rubric_->limits().time;
  task.budget.deadline = std::min(own, event.deadline);
  task.budget.deadline_is_callers = event.deadline < own;
  tasks_.emplace(task.id, std::move(owned));

  sandbox_->Activate(&task.budget);
  Status st = sandbox_->Protected(
      [&](lua_State* L) {
        task.co = lua_newthread(L);
        task.co_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_pushcfunction(task.co, SampleMain);
        lua_pushlightuserdata(task.co, &task);
      },
      ErrorKind::kInternal, &task.budget);
  sandbox_->Activate(nullptr);
  if (!st) {
    Fail(task, st.error());
    return;
  }
  Step(task, 1);
}

void Worker::ResumeTask(WorkerEvent& event) {
  auto it = tasks_.find(event.task);
  if (it == tasks_.end()) return;  // the sample already ended (deadline); drop the late result
  Task& task = *it->second;
  if (task.pending) TakeUsage(*task.pending, task.usage, task.judgements);
  task.pending.reset();
  int nargs = 0;
  sandbox_->Activate(&task.budget);
  Status st = sandbox_->Protected(
      [&](lua_State* L) {
        const int top = lua_gettop(L);
        if (event.failed) {
          lua_pushlightuserdata(L, const_cast<char*>(&kAsyncFailed));
          lua_pushlstring(L, event.message.data(), event.message.size());
          task.budget.raised = event.kind;
        } else if (event.push) {
          event.push(L);
        }
        nargs = lua_gettop(L) - top;
        if (!lua_checkstack(task.co, nargs + LUA_MINSTACK)) luaL_error(L, "stack overflow");
        lua_xmove(L, task.co, nargs);
      },
      ErrorKind::kPlugin, &task.budget);
  sandbox_->Activate(nullptr);
  if (!st) {
    Fail(task, st.error());
    return;
  }
  Step(task, nargs);
}

void Worker::Step(Task& task, int nargs) {
  lua_State* L = sandbox_->state();
  current_ = &task;
  sandbox_->Activate(&task.budget);
  int nres = 0;
  int status = LUA_OK;
  {
    BusyMark busy(busy_until_, task.budget.deadline);
    status = lua_resume(task.co, L, nargs, &nres);
  }
  sandbox_->Activate(nullptr);
  current_ = nullptr;
  if (abandoned_.load()) return;  // the engine answered for this sample long ago

  if (status == LUA_YIELD) {
    lua_pop(task.co, nres);
    if (!task.pending) Fail(task, Error(ErrorKind::kBadRubric, "the rubric yielded outside an asynchronous step"));
    return;
  }
  if (status == LUA_OK) {
    Score score;
    score.id = task.sample_id;
    Status read = sandbox_->Protected(
        [&](lua_State* M) {
          lua_xmove(task.co, M, 1);
          Status st = ReadRunnerResult(M, -1, score);
          lua_pop(M, 1);
          if (!st) luaL_error(M, "%s", st.error().message().c_str());
        },
        ErrorKind::kBadRubric, &task.budget);
    if (!read) {
      Fail(task, read.error());
      return;
    }
    Finish(task, std::move(score));
    return;
  }

  // The sample failed: say which limit, plugin or rubric line, and in which step.
  std::string description;
  Status described = sandbox_->Protected(
      [&](lua_State* M) {
        lua_xmove(task.co, M, 1);
        description = ErrorMessage(M, -1);
        lua_pop(M, 1);
      },
      ErrorKind::kInternal);
  if (!described) description = "(the error could not be described: " + described.error().message() + ")";
  const std::string& step = task.budget.step;
  const std::string where = step.empty() ? "" : " (in " + step + ")";
  if (!step.empty()) description = step + ": " + description;
  if (std::optional<Error> limit = task.budget.LimitError()) {
    Fail(task, Error(limit->kind(), limit->message() + where));
  } else if (status == LUA_ERRMEM) {
    Fail(task, Error(ErrorKind::kLimit, "out of memory" + where));
  } else if (task.budget.raised) {
    Fail(task, Error(*task.budget.raised, description));
  } else {
    Fail(task, Error(ErrorKind::kBadRubric, description));
  }
}

void Worker::ExpireDue() {
  const Clock::time_point now = Clock::now();
  std::vector<Task*> due;
  for (auto& [id, task] : tasks_) {
    if (task->budget.deadline <= now) due.push_back(task.get());
  }
  for (Task* task : due) {
    if (task->budget.deadline_is_callers) {
      Fail(*task, Error(ErrorKind::kDeadline, "the deadline passed while the sample waited for an asynchronous step"));
    } else {
      Fail(*task, Error(ErrorKind::kLimit, "time limit of " + std::to_string(rubric_->limits().time.count()) +
                                               " ms exceeded while the sample waited for an asynchronous step"));
    }
  }
}

void Worker::Fail(Task& task, Error error) {
  Score failed = Score::Failed(task.sample_id, rubric_->neutral(), error.kind(), error.message());
  if (task.budget.metrics_ref != LUA_NOREF) {
    // The steps the sample finished keep their metrics, before the error metric, so that a
    // pass rate can be taken over the samples that reached each step.
    std::vector<Metric> finished;
    Status read = sandbox_->Protected(
        [&](lua_State* L) {
          lua_rawgeti(L, LUA_REGISTRYINDEX, task.budget.metrics_ref);
          ReadMetricList(L, -1, finished);
          lua_pop(L, 1);
        },
        ErrorKind::kInternal);
    if (read) failed.metrics.insert(failed.metrics.begin(), finished.begin(), finished.end());
  }
  Finish(task, std::move(failed));
}

void Worker::Finish(Task& task, Score score) {
  if (task.pending) {
    task.pending->cancelled = true;
    TakeUsage(*task.pending, task.usage, task.judgements);
  }
  for (const auto& [name, value] : task.usage) score.usage[name] += value;
  // A failed sample keeps what it used, but not the verdicts of a score it did not get.
  if (!score.neutral) score.judgements = std::move(task.judgements);
  if (task.co_ref != LUA_NOREF) luaL_unref(sandbox_->state(), LUA_REGISTRYINDEX, task.co_ref);
  luaL_unref(sandbox_->state(), LUA_REGISTRYINDEX, task.budget.metrics_ref);
  outbox_->Push(Finished{task.run, task.seq, index_, std::move(score)});
  tasks_.erase(task.id);
}

void Worker::Drop(Task& task) {
  if (task.pending) task.pending->cancelled = true;
  if (task.co_ref != LUA_NOREF) luaL_unref(sandbox_->state(), LUA_REGISTRYINDEX, task.co_ref);
  luaL_unref(sandbox_->state(), LUA_REGISTRYINDEX, task.budget.metrics_ref);
  tasks_.erase(task.id);
}

}  // namespace detail

std::size_t AbandonedWorkerThreadsRunning() { return detail::Worker::AbandonedRunning(); }

bool ScoringSample(lua_State* L) {
  auto* worker = static_cast<detail::Worker*>(detail::ContextOf(L).worker);
  return worker != nullptr && worker->current() != nullptr;
}

void RequireRubricLoad(lua_State* L, const char* what) {
  if (ScoringSample(L)) {
    luaL_error(L, "%s compiles once, when the rubric loads: call it at the top of the rubric file, "
               "not inside a step", what);
  }
}

int SuspendForAsync(lua_State* L, std::function<void(AsyncCompleter)> start) {
  auto* worker = static_cast<detail::Worker*>(detail::ContextOf(L).worker);
  detail::Task* task = worker != nullptr ? worker->current() : nullptr;
  if (task == nullptr || task->co != L) {
    return luaL_error(L, "asynchronous steps can only run while a sample is being scored");
  }
  if (!lua_isyieldable(L)) {
    return luaL_error(L, "an asynchronous step cannot run here (inside a metamethod, iterator or sort comparator)");
  }
  if (task->pending) return luaL_error(L, "an asynchronous step is already pending");
  auto state = std::make_shared<AsyncCompleter::State>();
  state->inbox = worker->inbox();
  state->task = task->id;
  state->deadline = task->budget.deadline;
  task->pending = state;
  std::string failure;
  try {
    start(AsyncCompleter(state));
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    task->pending.reset();
    return luaL_error(L, "asynchronous step failed to start: %s", failure.c_str());
  }
  return lua_yieldk(L, 0, static_cast<lua_KContext>(lua_gettop(L)), detail::AsyncContinue);
}

}  // namespace gavel
