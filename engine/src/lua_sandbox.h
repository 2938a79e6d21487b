// The sandboxed Lua state every rubric runs in.
//
// A LuaSandbox owns one lua_State with: a counting allocator that refuses past a per-sample
// byte budget and a whole-state cap; an instruction-count hook that also enforces the wall-clock
// deadline; the base, string, table, math and utf8 libraries built by name from allow lists
// (lua_stdlib.h) plus gavel's modules; globals and library tables that scripts cannot
// change; a `require` limited to gavel plugins and Lua files under the rubrics folder; and a
// `pcall`/`xpcall` that re-raises limit errors so a script cannot swallow them.
// Not thread-safe: one sandbox per thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <lua.hpp>

#include "gavel/plugin.h"
#include "gavel/rubric.h"
#include "gavel/status.h"

namespace gavel::detail {

using Clock = std::chrono::steady_clock;

// What one unit of work (loading the rubric, or scoring one sample) may use, and has used.
struct Budget {
  RubricLimits limits;
  Clock::time_point deadline = Clock::time_point::max();
  bool deadline_is_callers = false;  // the caller's deadline, not the rubric's time limit, is first
  std::uint64_t instructions = 0;
  std::int64_t memory_growth = 0;    // net heap growth over the finished slices of this work
  std::size_t slice_start_used = 0;  // state heap size when the current slice began
  bool memory_refused = false;       // an allocation was refused for this budget
  std::optional<ErrorKind> raised;   // kind of the last plugin error raised and not caught
  std::string step;                  // the rubric step running now ("check 'x'"), for messages
  int metrics_ref = LUA_NOREF;       // registry: the runner's metrics list, kept if the work fails
  std::optional<Error> abort;        // set once a limit is hit; sticks until the work ends

  // Marks the work as aborted with a limit (or deadline) error, unless it already is.
  void Abort(ErrorKind kind, std::string message);
  // Classifies the end of a failed run: the abort reason, or a memory error, if any.
  std::optional<Error> LimitError() const;
};

class LuaSandbox;

// Per-state data, reachable from any thread (coroutine) of the state.
struct StateContext : PluginHost {
  LuaSandbox* sandbox = nullptr;
  const PluginRegistry* plugins = nullptr;
  std::filesystem::path dir, root, data_root_path;
  ResourceCache* cache = nullptr;
  std::size_t used = 0;       // bytes allocated by the state
  std::size_t cap = 0;        // never more than this, whatever the budget
  Budget* active = nullptr;   // the work running now, or null
  void* worker = nullptr;     // the Worker that owns the state, if any
  int runner_ref = LUA_NOREF; // registry: the prelude's per-sample runner
  int rubric_ref = LUA_NOREF; // registry: the loaded rubric object

  const std::filesystem::path& rubric_dir() const override { return dir; }
  const std::filesystem::path& rubric_root() const override { return root; }
  const std::filesystem::path& data_root() const override { return data_root_path; }
  ResourceCache& resources() override { return *cache; }
};

StateContext& ContextOf(lua_State* L);

struct SandboxOptions {
  const PluginRegistry* plugins = nullptr;
  std::filesystem::path dir;    // folder of the rubric file
  std::filesystem::path root;   // folder `require` may not leave
  std::filesystem::path data_root;  // folder data files a rubric names may not leave
  ResourceCache* cache = nullptr;
  std::size_t memory_cap = std::size_t{2} << 30;
};

class LuaSandbox {
 public:
  // Creates the state and installs the sandboxed globals; errors only on allocation failure.
  static Result<std::unique_ptr<LuaSandbox>> Create(const SandboxOptions& options);
  ~LuaSandbox();
  LuaSandbox(const LuaSandbox&) = delete;
  LuaSandbox& operator=(const LuaSandbox&) = delete;

  lua_State* state() const { return L_; }
  StateContext& context() { return ctx_; }

  // Runs `fn` on the main thread inside a protected call. Lua errors (and C++ exceptions) come
  // back as an Error of `kind`; a limit hit under `budget` comes back as that limit's error.
  Status Protected(const std::function<void(lua_State*)>& fn, ErrorKind kind, Budget* budget = nullptr);

  // Makes `budget` the active one (accounting starts now) or ends it (nullptr).
  void Activate(Budget* budget);

  // After the rubric file has run: no new globals from now on, and the tables in globals are
  // read-only (an error only when memory runs out).
  Status LockGlobals();

 private:
  LuaSandbox() = default;
  void InstallGlobals();

  lua_State* L_ = nullptr;
  StateContext ctx_;
};

// Charges `units` of work done in C (pattern steps, elements moved) to the active budget, as the
// hook charges Lua instructions; raises the limit or deadline error once the budget is spent.
void ChargeWork(lua_State* L, std::uint64_t units);

// Pushes the C functions the prelude receives (set_step, track_metrics, defined_at); returns
// how many.
int PushPreludeFunctions(lua_State* L);

// Message of the error value at `idx` ("(error object is a X value)" for non-strings).
std::string ErrorMessage(lua_State* L, int idx);

}  // namespace gavel::detail
