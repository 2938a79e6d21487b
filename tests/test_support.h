// Helpers shared by the engine tests: rubrics written to temporary folders, samples from JSON
// text, and `gavel.test_later`, a plugin whose steps complete later from another thread.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <lua.hpp>

#include "temp_dir.h"

#include "gavel/engine.h"
#include "gavel/plugin.h"
#include "gavel/rubric.h"
#include "gavel/sample_io.h"

namespace gavel::testing {

// A sample with the given answer (and optional extra JSON members, e.g. "\"reference_answer\": 3").
inline ParsedSample MakeSample(const std::string& id, const std::string& answer, const std::string& extra = "") {
  Json obj = {{"id", id},
              {"messages", Json::array({Json{{"role", "user"}, {"content", "question " + id}},
                                        Json{{"role", "assistant"}, {"content", answer}}})}};
  std::string text = obj.dump();
  if (!extra.empty()) text = text.substr(0, text.size() - 1) + "," + extra + "}";
  return ParseSampleText(text, 0);
}

// Loads a rubric from source text written to `dir`/rubric.lua.
inline Result<std::shared_ptr<const Rubric>> LoadSource(const TempDir& dir, const std::string& source,
                                                        const PluginRegistry& registry) {
  return Rubric::Load(dir.Write("rubric.lua", source), registry);
}

// Scores samples with a rubric given as source text; fails the test if the rubric is bad.
struct Scorer {
  explicit Scorer(const std::string& source, unsigned threads = 1, PluginRegistry* registry = nullptr)
      : registry_(registry) {
    if (registry_ == nullptr) {
      own_ = std::make_unique<PluginRegistry>();
      registry_ = own_.get();
    }
    auto rubric = LoadSource(dir_, source, *registry_);
    if (!rubric) {
      load_error = rubric.error().message();
      return;
    }
    EngineOptions eo;
    eo.threads = threads;
    auto engine = Engine::Create(*rubric, *registry_, eo);
    if (!engine) {
      load_error = engine.error().message();
      return;
    }
    engine_ = std::move(*engine);
  }
  bool ok() const { return engine_ != nullptr; }
  Score One(ParsedSample sample) {
    std::vector<ParsedSample> batch;
    batch.push_back(std::move(sample));
    return engine_->ScoreBatch(std::move(batch)).at(0);
  }
  Score Answer(const std::string& answer, const std::string& extra = "") { return One(MakeSample("s", answer, extra)); }
  Engine& engine() { return *engine_; }

  std::string load_error;

 private:
  TempDir dir_;
  std::unique_ptr<PluginRegistry> own_;
  PluginRegistry* registry_;
  std::unique_ptr<Engine> engine_;
};

inline const Metric* FindMetric(const Score& s, const std::string& name) {
  for (const Metric& m : s.metrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

inline std::string ErrorText(const Score& s) {
  std::string text;
  for (const auto& e : s.errors) text += std::string(ErrorKindName(e.kind)) + ": " + e.message + "\n";
  return text;
}

// Steps of `gavel.test_later` wait until `release_at` of them are waiting (or until all
// `expected` steps have arrived); then a thread of the plugin's own completes every waiting
// step in reverse order of arrival. It records the most steps ever waiting at once.
//   later(x)   resumes with x
//   fail(msg)  fails with msg (kind: judge unavailable)
//   never()    never completes (until the plugin is destroyed)
class LaterPlugin : public Plugin {
 public:
  explicit LaterPlugin(std::size_t release_at, std::size_t expected = SIZE_MAX)
      : release_at_(release_at), expected_(expected) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~LaterPlugin() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  std::string_view name() const override { return "gavel.test_later"; }
  void Open(lua_State* L) const override {
    lua_createtable(L, 0, 3);
    lua_pushlightuserdata(L, const_cast<LaterPlugin*>(this));
    lua_pushcclosure(L, &LaterPlugin::Later, 1);
    lua_setfield(L, -2, "later");
    lua_pushlightuserdata(L, const_cast<LaterPlugin*>(this));
    lua_pushcclosure(L, &LaterPlugin::FailLater, 1);
    lua_setfield(L, -2, "fail");
    lua_pushlightuserdata(L, const_cast<LaterPlugin*>(this));
    lua_pushcclosure(L, &LaterPlugin::Never, 1);
    lua_setfield(L, -2, "never");
  }
  std::size_t completed_in_reverse() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return reversed_;
  }
  std::size_t max_waiting() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return max_waiting_;
  }

 private:
  struct Pending {
    AsyncCompleter done;
    double value;
    bool fail;
    std::string message;
  };
  static LaterPlugin* Self(lua_State* L) { return static_cast<LaterPlugin*>(lua_touserdata(L, lua_upvalueindex(1))); }
  static int Later(lua_State* L) {
    const double value = luaL_checknumber(L, 1);
    LaterPlugin* self = Self(L);
    return SuspendForAsync(L, [self, value](AsyncCompleter done) { self->Add({done, value, false, ""}); });
  }
  static int FailLater(lua_State* L) {
    std::string message = luaL_checkstring(L, 1);
    LaterPlugin* self = Self(L);
    return SuspendForAsync(L, [self, message](AsyncCompleter done) { self->Add({done, 0, true, message}); });
  }
  static int Never(lua_State* L) {
    LaterPlugin* self = Self(L);
    return SuspendForAsync(L, [self](AsyncCompleter done) {
      std::lock_guard<std::mutex> lock(self->mutex_);
      self->never_.push_back(done);
    });
  }
  void Add(Pending p) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      pending_.push_back(std::move(p));
      ++seen_;
      max_waiting_ = std::max(max_waiting_, pending_.size());
    }
    cv_.notify_all();
  }
  void Loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      cv_.wait(lock, [&] {
        return stop_ || pending_.size() >= release_at_ || (!pending_.empty() && seen_ >= expected_);
      });
      if (stop_) return;
      std::vector<Pending> batch;
      batch.swap(pending_);
      lock.unlock();
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
        if (it->fail) {
          it->done.Fail(it->message, ErrorKind::kJudgeUnavailable);
        } else {
          const double v = it->value;
          it->done.Complete([v](lua_State* S) {
            lua_pushnumber(S, v);
            return 1;
          });
        }
      }
      lock.lock();
      reversed_ += batch.size();
    }
  }

  std::size_t release_at_;
  std::size_t expected_;
  std::size_t seen_ = 0;
  std::size_t max_waiting_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Pending> pending_;
  std::vector<AsyncCompleter> never_;
  std::size_t reversed_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

// `gavel.test_native.block()` stands for native code no limit can interrupt: it blocks the
// worker thread inside a C function until the test calls Release(). Its state is static, so a
// worker thread the engine gave up on can come back into it after the plugin is gone.
class NativeBlockPlugin : public Plugin {
 public:
  struct Gate {
    std::mutex mutex;
    std::condition_variable cv;
    bool open = false;
    std::size_t inside = 0;    // threads blocked now
    std::size_t returned = 0;  // calls that came back
  };
  static Gate& gate() {
    static auto* g = new Gate();  // never destroyed: an abandoned thread may touch it late
    return *g;
  }
  NativeBlockPlugin() {
    std::lock_guard<std::mutex> lock(gate().mutex);
    gate().open = false;
    gate().inside = 0;
    gate().returned = 0;
  }
  std::string_view name() const override { return "gavel.test_native"; }
  void Open(lua_State* L) const override {
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, &NativeBlockPlugin::Block);
    lua_setfield(L, -2, "block");
  }
  static void Release() {
    {
      std::lock_guard<std::mutex> lock(gate().mutex);
      gate().open = true;
    }
    gate().cv.notify_all();
  }
  // Waits until `n` calls are blocked inside.
  static void WaitInside(std::size_t n) {
    std::unique_lock<std::mutex> lock(gate().mutex);
    gate().cv.wait(lock, [&] { return gate().inside >= n; });
  }
  static void WaitReturned(std::size_t n) {
    std::unique_lock<std::mutex> lock(gate().mutex);
    gate().cv.wait(lock, [&] { return gate().returned >= n; });
  }

 private:
  static int Block(lua_State* L) {
    Gate& g = gate();
    {
      std::unique_lock<std::mutex> lock(g.mutex);
      ++g.inside;
      g.cv.notify_all();
      g.cv.wait(lock, [&] { return g.open; });
      --g.inside;
      ++g.returned;
    }
    g.cv.notify_all();
    lua_pushinteger(L, 1);
    return 1;
  }
};

}  // namespace gavel::testing
