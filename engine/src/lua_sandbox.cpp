#include "lua_sandbox.h"

#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "lua_convert.h"
#include "lua_readonly.h"
#include "lua_require.h"
#include "lua_stdlib.h"

namespace gavel::detail {
namespace {

// Instructions between two runs of the limit hook: rare enough to cost little, often enough
// that a runaway loop stops within microseconds of its limit.
constexpr int kHookEvery = 1000;
// Allocations at least this large also check the clock: big C-side work (string.rep, table
// growth) happens in a few instructions, so the hook alone would see the deadline late.
constexpr std::size_t kClockCheckBytes = 1u << 20;

const char kLockedKey = 'K';     // registry key: true once globals are locked
const char kBackingKey = 'B';    // registry key: the table behind the globals proxy

std::string FormatBytes(std::size_t bytes) {
  char buf[64];
  if (bytes % (1u << 20) == 0) {
    std::snprintf(buf, sizeof buf, "%zu MiB", bytes >> 20);
  } else {
    std::snprintf(buf, sizeof buf, "%zu bytes", bytes);
  }
  return buf;
}

void* CountingAlloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
  auto* ctx = static_cast<StateContext*>(ud);
  const std::size_t old = ptr != nullptr ? osize : 0;
  if (nsize == 0) {
    std::free(ptr);
    ctx->used -= old;
    return nullptr;
  }
  if (nsize > old) {
    const std::size_t grow = nsize - old;
    Budget* b = ctx->active;
    if (ctx->used + grow > ctx->cap) {
      if (b != nullptr) b->memory_refused = true;
      return nullptr;
    }
    if (b != nullptr) {
      const std::int64_t growth = b->memory_growth + static_cast<std::int64_t>(ctx->used + grow) -
                                  static_cast<std::int64_t>(b->slice_start_used);
      if (growth > static_cast<std::int64_t>(b->limits.memory_bytes)) {
        // Lua collects garbage and retries once before it raises a memory error, so this
        // refusal alone does not end the work; the memory error does (see Budget::LimitError).
        b->memory_refused = true;
        return nullptr;
      }
      if (grow >= kClockCheckBytes && !b->abort && Clock::now() >= b->deadline) {
        b->Abort(b->deadline_is_callers ? ErrorKind::kDeadline : ErrorKind::kLimit,
                 b->deadline_is_callers ? "the deadline passed while the sample was running"
                                        : "time limit of " + std::to_string(b->limits.time.count()) +
                                              " ms exceeded");
        return nullptr;
      }
    }
  }
  void* p = std::realloc(ptr, nsize);
  if (p == nullptr) return nullptr;
  ctx->used = ctx->used - old + nsize;
  return p;
}

// Adds `units` of work to the budget and aborts it past the instruction limit or the deadline.
void Charge(Budget& b, std::uint64_t units) {
  if (b.abort) return;
  b.instructions += units;
  if (b.instructions > b.limits.instructions) {
    b.Abort(ErrorKind::kLimit, "instruction limit of " + std::to_string(b.limits.instructions) + " exceeded");
  } else if (Clock::now() >= b.deadline) {
    if (b.deadline_is_callers) {
      b.Abort(ErrorKind::kDeadline, "the deadline passed while the sample was running");
    } else {
      b.Abort(ErrorKind::kLimit, "time limit of " + std::to_string(b.limits.time.count()) + " ms exceeded");
    }
  }
}

void LimitHook(lua_State* L, lua_Debug* ar);

// Raises the budget's abort error; from now on every instruction of this thread raises again,
// so neither a pcall nor an error handler can carry on past the limit.
[[noreturn]] void RaiseAbort(lua_State* L, const Budget& b) {
  lua_sethook(L, LimitHook, LUA_MASKCOUNT, 1);
  lua_pushstring(L, b.abort->message().c_str());
  lua_error(L);
  std::abort();  // lua_error does not return
}

void LimitHook(lua_State* L, lua_Debug* /*ar*/) {
  Budget* b = ContextOf(L).active;
  if (b == nullptr) return;
  Charge(*b, kHookEvery);
  if (b->abort) RaiseAbort(L, *b);
}

int Panic(lua_State* L) {
  std::fprintf(stderr, "gavel: unprotected Lua error: %s\n", lua_tostring(L, -1));
  std::abort();
}

int GlobalWrite(lua_State* L) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kLockedKey);
  const bool locked = lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (locked) {
    return luaL_error(L, "attempt to set global '%s': globals are read-only while scoring; use a local",
                      luaL_tolstring(L, 2, nullptr));
  }
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kBackingKey);
  lua_pushvalue(L, 2);
  lua_pushvalue(L, 3);
  lua_rawset(L, -3);
  return 0;
}

int UndefinedGlobal(lua_State* L) {
  return luaL_error(L, "undefined global '%s'", luaL_tolstring(L, 2, nullptr));
}

int SetStep(lua_State* L) {
  if (Budget* b = ContextOf(L).active) {
    if (lua_isnil(L, 1)) {
      b->step.clear();
    } else {
      b->step = luaL_checkstring(L, 1);
    }
  }
  return 0;
}

// track_metrics(list): the runner's list of finished steps' metrics, which a sample that fails
// later (a deadline, a limit, an error in a later step) keeps in its result.
int TrackMetrics(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  if (Budget* b = ContextOf(L).active) {
    luaL_unref(L, LUA_REGISTRYINDEX, b->metrics_ref);
    lua_settop(L, 1);
    b->metrics_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  return 0;
}

// defined_at(fn): "file:line" where a Lua function is defined, for errors about what it
// returned (it has returned by then, so the error cannot point into it).
int DefinedAt(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_Debug ar;
  lua_pushvalue(L, 1);
  if (lua_getinfo(L, ">S", &ar) == 0 || ar.linedefined <= 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  lua_pushfstring(L, "%s:%d", ar.short_src, ar.linedefined);
  return 1;
}

}  // namespace

int PushPreludeFunctions(lua_State* L) {
  lua_pushcfunction(L, SetStep);
  lua_pushcfunction(L, TrackMetrics);
  lua_pushcfunction(L, DefinedAt);
  return 3;
}

void ChargeWork(lua_State* L, std::uint64_t units) {
  Budget* b = ContextOf(L).active;
  if (b == nullptr) return;
  Charge(*b, units);
  if (b->abort) RaiseAbort(L, *b);
}

void Budget::Abort(ErrorKind kind, std::string message) {
  if (!abort) abort = Error(kind, std::move(message));
}

std::optional<Error> Budget::LimitError() const {
  if (abort) return abort;
  if (memory_refused) {
    return Error(ErrorKind::kLimit, "memory limit of " + FormatBytes(limits.memory_bytes) + " exceeded");
  }
  return std::nullopt;
}

StateContext& ContextOf(lua_State* L) {
  return **static_cast<StateContext**>(lua_getextraspace(L));
}

std::string ErrorMessage(lua_State* L, int idx) {
  if (const char* s = lua_tostring(L, idx)) return s;
  return std::string("(error object is a ") + luaL_typename(L, idx) + " value)";
}

Result<std::unique_ptr<LuaSandbox>> LuaSandbox::Create(const SandboxOptions& options) {
  std::unique_ptr<LuaSandbox> sb(new LuaSandbox());
  sb->ctx_.sandbox = sb.get();
  sb->ctx_.plugins = options.plugins;
  sb->ctx_.dir = options.dir;
  sb->ctx_.root = options.root;
  sb->ctx_.data_root_path = options.data_root.empty() ? options.root : options.data_root;
  sb->ctx_.cache = options.cache;
  sb->ctx_.cap = options.memory_cap;
  sb->L_ = lua_newstate(CountingAlloc, &sb->ctx_);
  if (sb->L_ == nullptr) return Error(ErrorKind::kInternal, "cannot allocate a Lua state");
  *static_cast<StateContext**>(lua_getextraspace(sb->L_)) = &sb->ctx_;
  lua_atpanic(sb->L_, Panic);
  lua_sethook(sb->L_, LimitHook, LUA_MASKCOUNT, kHookEvery);
  Status installed = sb->Protected([&](lua_State*) { sb->InstallGlobals(); }, ErrorKind::kInternal);
  if (!installed) return installed.error();
  return sb;
}

LuaSandbox::~LuaSandbox() {
  if (L_ != nullptr) {
    ctx_.active = nullptr;
    lua_close(L_);
  }
}

namespace {
struct TrampolineArgs {
  const std::function<void(lua_State*)>* fn;
  std::string exception;
};

int Trampoline(lua_State* L) {
  auto* args = static_cast<TrampolineArgs*>(lua_touserdata(L, 1));
  lua_pop(L, 1);
  bool threw = false;
  try {
    (*args->fn)(L);
  } catch (const std::exception& e) {
    args->exception = e.what();
    threw = true;
  }
  if (threw) {
    lua_pushstring(L, args->exception.c_str());
    return lua_error(L);
  }
  return 0;
}
}  // namespace

Status LuaSandbox::Protected(const std::function<void(lua_State*)>& fn, ErrorKind kind, Budget* budget) {
  TrampolineArgs args{&fn, {}};
  const int top = lua_gettop(L_);
  lua_pushcfunction(L_, Trampoline);
  lua_pushlightuserdata(L_, &args);
  const int status = lua_pcall(L_, 1, 0, 0);
  lua_sethook(L_, LimitHook, LUA_MASKCOUNT, kHookEvery);
  if (status == LUA_OK) return Status::Ok();
  std::string message = ErrorMessage(L_, -1);
  lua_settop(L_, top);
  if (budget != nullptr) {
    if (std::optional<Error> limit = budget->LimitError()) return *limit;
  }
  if (status == LUA_ERRMEM) return Error(ErrorKind::kLimit, "out of memory (" + message + ")");
  return Error(kind, std::move(message));
}

void LuaSandbox::Activate(Budget* budget) {
  if (ctx_.active != nullptr) {
    ctx_.active->memory_growth +=
        static_cast<std::int64_t>(ctx_.used) - static_cast<std::int64_t>(ctx_.active->slice_start_used);
  }
  ctx_.active = budget;
  if (budget != nullptr) budget->slice_start_used = ctx_.used;
}

Status LuaSandbox::LockGlobals() {
  return Protected(
      [](lua_State* L) {
        lua_pushboolean(L, 1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &kLockedKey);
        // Tables the rubric file left in globals become read-only too: a step could otherwise
        // keep sample data in one for the next sample. Locals the file's functions capture are
        // not reachable from here; they are the author's own state (docs/rubrics.md).
        lua_rawgetp(L, LUA_REGISTRYINDEX, &kBackingKey);
        lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
        FreezeTableValues(L, -2, -1);
        lua_pop(L, 2);
      },
      ErrorKind::kInternal);
}

void LuaSandbox::InstallGlobals() {
  lua_State* L = L_;
  // The table behind the globals proxy: only what the allow lists name (lua_stdlib.h).
  lua_newtable(L);
  const int backing = lua_gettop(L);
  OpenRubricLibraries(L, backing);

  // Reading an undefined global is an error (it is almost always a typo).
  lua_createtable(L, 0, 2);
  lua_pushcfunction(L, UndefinedGlobal);
  lua_setfield(L, -2, "__index");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, backing);

  InstallModuleTable(L);
  lua_pushvalue(L, backing);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kBackingKey);

  // The proxy: reads go to the backing table, writes to GlobalWrite.
  lua_newtable(L);
  const int proxy = lua_gettop(L);
  lua_createtable(L, 0, 3);
  lua_pushvalue(L, backing);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, GlobalWrite);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, proxy);
  lua_pushvalue(L, proxy);
  lua_setfield(L, backing, "_G");
  lua_pushvalue(L, proxy);
  lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
  lua_settop(L, backing - 1);
}

}  // namespace gavel::detail
