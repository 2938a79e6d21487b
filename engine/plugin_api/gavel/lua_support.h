// Helpers for plugins' Lua modules: arguments, results and errors with one rule each, compiled
// objects as Lua values, JSON to and from Lua, and the files a rubric names (schemas, rule
// packs, prompt templates).
//
//   // in a module function, at rubric load:
//   auto path = gavel::ResolveDataFile(L, luaL_checkstring(L, 1));       // raises if outside
//   auto pack = HostOf(L).resources().GetOrCreate<Pack>(path.string(), [&] { return Pack::Load(path); });
//   gavel::PushObject<Pack>(L, *pack, "gavel.safety.pack", kPackMethods);
//   // in a method:
//   const Pack& p = gavel::CheckObject<Pack>(L, 1, "gavel.safety.pack");
//   const std::string_view text = gavel::CheckText(L, 2);
//   return gavel::CallCore(L, "guard:scan", [&] { return p.Scan(text); },
//                          [&](const ScanResult& r) { PushResult(L, r); return 1; });
#pragma once

#include <cstddef>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>

#include <lua.hpp>

#include "gavel/sample.h"
#include "gavel/status.h"

namespace gavel {

// Pushes a JSON value: objects and arrays become tables, null becomes gavel.null.
void PushJsonValue(lua_State* L, const Json& value);
// The Lua value at idx as JSON (sequences are arrays, other tables objects); an error for
// functions, userdata, NaN, infinities and nesting deeper than 64.
Result<Json> LuaToJson(lua_State* L, int idx);

// Resolves a file named by a rubric: relative names are relative to the rubric's folder, and
// the result must lie inside the data root (by default the folder above the rubrics folder, so
// rubrics/x.lua may name ../schemas/y.json). Raises a Lua error naming the file otherwise.
std::filesystem::path ResolveDataFile(lua_State* L, std::string_view name);

// Pushes "<rubric file>:<line>: fn: message": the message of an error a module function raises,
// with the position of the rubric line that called it.
void PushMessage(lua_State* L, const char* fn, std::string_view message);

// Checks an options table: false for nil or none, true for a table whose keys are all in
// `allowed`; raises "fn: unknown option 'x' (options: a, b, ...)" or a type error otherwise.
bool CheckOptions(lua_State* L, int idx, const char* fn, std::initializer_list<const char*> allowed);

// Replaces a read-only view at idx (a table a rubric got from a module, a library or a global,
// see docs/rubrics.md) by the table behind it, in place. A view is an empty proxy, so C code that
// reads a table raw (lua_next, lua_rawlen, lua_rawgeti) calls this first, or it would see an
// empty table. Never hand the table behind a view back to Lua.
void SeeThrough(lua_State* L, int idx);

// ---- arguments, results and errors -----------------------------------------------------------
//
// Lua is built as C++, so a Lua error is a C++ exception that unwinds through a module function
// running destructors. A module still raises its own errors only after the C++ objects it built
// are gone: it pushes the message (PushMessage, Guard, CallCore), leaves the scope of its
// objects, and then raises the message with RaiseTop.

// The string argument at idx, as a view that stays valid while the argument is on the stack.
// Only a string is accepted: a number where a plugin expects text (an answer, a reference, a
// tag) is a mistake in the rubric, and Lua's own coercion would hide it behind a lossy
// rendering ("%.14g": 2^53 reads as "9.007199254741e+15"). Raises the standard argument error
// ("bad argument #1 to 'scan' (string expected, got number)"), a rubric error. Functions that
// mean to take numbers as text (text.compare_answers) convert them themselves, exactly.
std::string_view CheckText(lua_State* L, int idx);

// Pushes bytes (which may hold NULs) as a Lua string.
void PushString(lua_State* L, std::string_view s);

// Set t[key] = value in the table on top of the stack: the fields of a result table.
void SetString(lua_State* L, const char* key, std::string_view value);
void SetInteger(lua_State* L, const char* key, lua_Integer value);
void SetNumber(lua_State* L, const char* key, double value);
void SetBool(lua_State* L, const char* key, bool value);

// Raises the message on top of the stack (pushed by PushMessage, Guard or CallCore, so it
// already names the rubric line and the function) as an error of `kind`, with one rule for every
// plugin:
//  - kBadRubric, kUsage: a plain Lua error, the rubric's mistake (error.rubric when uncaught);
//  - kLimit, kBadSample, kDeadline, kJudgeUnavailable: that class (error.limit, ...);
//  - anything else (kPlugin, kInternal, kIo): error.plugin, a plugin step that failed.
[[noreturn]] void RaiseTop(lua_State* L, ErrorKind kind);

// Runs C++ work, which may also push Lua values. A C++ exception resets the stack to where it
// was, pushes "fn: <what>" (PushMessage), sets `kind` and returns false; the caller raises it
// (RaiseTop) once its own C++ objects are gone. Out of memory (std::bad_alloc) is kLimit, as
// the engine classes Lua's own memory errors (error.limit); any other exception is kPlugin.
template <typename F>
bool Guard(lua_State* L, const char* fn, ErrorKind& kind, F&& work) {
  const int top = lua_gettop(L);
  char what[256] = "";
  try {
    work();
    return true;
  } catch (const std::bad_alloc&) {
    kind = ErrorKind::kLimit;
    std::snprintf(what, sizeof what, "out of memory");
  } catch (const std::exception& e) {
    kind = ErrorKind::kPlugin;
    std::snprintf(what, sizeof what, "%s", e.what());
  }
  lua_settop(L, top);
  PushMessage(L, fn, what);
  return false;
}

// Calls a plugin core and pushes what it returned: `work()` returns a Result<T>, and on success
// `push(value)` pushes the Lua results and returns how many. A core error ("fn: <message>", of
// the core's kind) or a C++ exception (as in Guard) is raised by RaiseTop after the result is
// destroyed. Use as the module function's return value.
template <typename Work, typename Push>
int CallCore(lua_State* L, const char* fn, Work&& work, Push&& push) {
  ErrorKind kind = ErrorKind::kPlugin;
  {
    std::optional<decltype(work())> result;
    int pushed = 0;
    if (Guard(L, fn, kind, [&] {
          result.emplace(work());
          if (result->ok()) pushed = push(result->value());
        })) {
      if (result->ok()) return pushed;
      PushMessage(L, fn, result->error().message());
      kind = result->error().kind();
    }
  }
  RaiseTop(L, kind);
}

// Pushes a full userdata holding a shared immutable object, with a metatable named `type_name`
// whose __index is `methods` (a null-terminated luaL_Reg array, may be null) and whose __gc
// releases the reference. The metatable is made once per Lua state.
template <typename T>
void PushObject(lua_State* L, std::shared_ptr<const T> object, const char* type_name, const luaL_Reg* methods) {
  using Holder = std::shared_ptr<const T>;
  void* mem = lua_newuserdatauv(L, sizeof(Holder), 0);
  new (mem) Holder(std::move(object));
  if (luaL_newmetatable(L, type_name)) {
    lua_pushcfunction(L, [](lua_State* S) -> int {
      static_cast<Holder*>(lua_touserdata(S, 1))->~Holder();
      return 0;
    });
    lua_setfield(L, -2, "__gc");
    lua_newtable(L);
    if (methods != nullptr) luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pushstring(L, type_name);
    lua_setfield(L, -2, "__name");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_setmetatable(L, -2);
}

// The object held by the userdata at idx; raises a Lua argument error if it is not a `type_name`.
template <typename T>
const T& CheckObject(lua_State* L, int idx, const char* type_name) {
  auto* holder = static_cast<std::shared_ptr<const T>*>(luaL_checkudata(L, idx, type_name));
  return **holder;
}

}  // namespace gavel
