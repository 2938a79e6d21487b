// Writing a plugin: a C++ module a rubric reaches with `require "gavel.<name>"` (link the
// gavel::plugin_api target; engine/tests/test_plugin_example.cpp builds this very example).
//
//   #include <lua.hpp>
//   #include "gavel/plugin.h"
//
//   class ShoutPlugin final : public gavel::Plugin {
//    public:
//     std::string_view name() const override { return "gavel.shout"; }
//     void Open(lua_State* L) const override {      // once per Lua state that requires it
//       lua_newtable(L);
//       lua_pushcfunction(L, &Upper);
//       lua_setfield(L, -2, "upper");               // shout.upper("hi") == "HI"
//     }
//
//    private:
//     static int Upper(lua_State* L) {             // runs on the sample's worker thread
//       std::size_t n = 0;
//       const char* text = luaL_checklstring(L, 1, &n);
//       std::string out(text, n);
//       for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
//       lua_pushlstring(L, out.data(), out.size());
//       return 1;
//     }
//   };
//
//   registry.Add(std::make_unique<ShoutPlugin>());   // then Rubric::Load / Engine::Create
//
// A plugin registers explicitly in a PluginRegistry (see RegisterBuiltinPlugins in
// plugins/builtin.h); the engine opens its Lua module in every Lua state that requires it. Work
// that is expensive to set up (regex sets, schemas) is compiled once per loaded rubric through
// PluginHost::resources() and shared, immutable, by every worker. A step that waits for I/O (a
// judge call) suspends the sample with SuspendForAsync and frees the worker for other samples.
// gavel/lua_support.h has the argument checks and error helpers every built-in plugin uses.
#pragma once

#include <any>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gavel/plugin_registry.h"
#include "gavel/sample.h"
#include "gavel/status.h"

struct lua_State;

namespace gavel {

// Immutable objects compiled once per loaded rubric and shared by all of its Lua states.
// Thread-safe; a failed construction is not cached, so the same error is reported every time.
class ResourceCache {
 public:
  template <typename T, typename Make>
  Result<std::shared_ptr<const T>> GetOrCreate(const std::string& key, Make&& make) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = items_.find(key);
    if (it != items_.end()) return std::any_cast<std::shared_ptr<const T>>(it->second);
    Result<std::shared_ptr<const T>> made = make();
    if (made) items_.emplace(key, *made);
    return made;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::any, std::less<>> items_;
};

// What the engine offers a plugin's Lua functions.
class PluginHost {
 public:
  virtual ~PluginHost() = default;
  // Folder of the rubric file: files a rubric names (schemas, rule packs, prompts) resolve
  // against it, and may not leave the rubric root.
  virtual const std::filesystem::path& rubric_dir() const = 0;
  // Root folder that rubric file references may not leave (the rubrics folder).
  virtual const std::filesystem::path& rubric_root() const = 0;
  // Root folder that data files a rubric names (schemas, rule packs, prompts) may not leave;
  // ResolveDataFile enforces it. By default the folder above the rubrics folder.
  virtual const std::filesystem::path& data_root() const = 0;
  virtual ResourceCache& resources() = 0;
};

// The host of the Lua state L (valid in any Lua C function running in a gavel state).
PluginHost& HostOf(lua_State* L);

// Completes one asynchronous step. Copyable; may be called from any thread; only the first
// Complete or Fail counts.
class AsyncCompleter {
 public:
  struct State;
  explicit AsyncCompleter(std::shared_ptr<State> state) : state_(std::move(state)) {}

  // `push` runs later on the sample's worker thread and pushes the step's Lua results onto the
  // given stack, returning how many it pushed. It must not raise Lua errors.
  void Complete(std::function<int(lua_State*)> push) const;
  // The step failed: the rubric sees a Lua error with this message; if the rubric does not
  // catch it, the sample fails with this kind (a plugin error unless told otherwise).
  void Fail(std::string message, ErrorKind kind = ErrorKind::kPlugin) const;
  // True once the sample no longer waits (its deadline passed); the step should stop early.
  bool cancelled() const;
  // When the sample stops waiting: its time limit or the caller's deadline, whichever is first.
  // Work of the step (judge retries) should end before it.
  std::chrono::steady_clock::time_point deadline() const;
  // Adds `value` to the sample's usage figure `name` (Score::usage). Any thread; counts only
  // when called before Complete or Fail.
  void AddUsage(std::string_view name, double value) const;
  // Adds one judgement (what a judge said about the sample, see Score::judgements). Any thread;
  // counts only when called before Complete or Fail.
  void AddJudgement(Json judgement) const;

 private:
  std::shared_ptr<State> state_;
};

// Raises a Lua error from a plugin's C function. If the rubric does not catch it, the sample
// fails with `kind` (for example kJudgeUnavailable) rather than as a rubric error.
[[noreturn]] void RaiseError(lua_State* L, ErrorKind kind, const std::string& message);
// The same with a C string, for callers that must not hold a std::string while Lua unwinds.
[[noreturn]] void RaiseError(lua_State* L, ErrorKind kind, const char* message);

// From a Lua C function running inside a sample: starts an asynchronous step and suspends the
// sample until it completes. Use as the function's return value:
//   return gavel::SuspendForAsync(L, [](gavel::AsyncCompleter done) { ... done.Complete(...); });
// `start` runs on the worker thread before the sample yields. Raises a Lua error when called
// outside a sample (for example while the rubric file loads).
int SuspendForAsync(lua_State* L, std::function<void(AsyncCompleter)> start);

// True while L runs a sample's steps; false while the rubric file loads.
bool ScoringSample(lua_State* L);
// For functions that compile something (a schema, a rule pack, a regex): raises a Lua error
// naming `what` when called while a sample is scored, so compiling happens once, at load.
void RequireRubricLoad(lua_State* L, const char* what);

}  // namespace gavel
