// Helpers for plugins' Lua modules: compiled objects as Lua values, JSON to and from Lua, and
// the files a rubric names (schemas, rule packs, prompt templates).
//
//   // in a module function, at rubric load:
//   auto path = gavel::ResolveDataFile(L, luaL_checkstring(L, 1));       // raises if outside
//   auto pack = HostOf(L).resources().GetOrCreate<Pack>(path.string(), [&] { return Pack::Load(path); });
//   gavel::PushObject<Pack>(L, *pack, "gavel.safety.pack", kPackMethods);
//   // in a method:
//   const Pack& p = gavel::CheckObject<Pack>(L, 1, "gavel.safety.pack");
#pragma once

#include <cstdio>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <new>
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

// Runs C++ work that calls no Lua function. A C++ exception becomes false with "fn: <what>"
// pushed onto the stack (PushMessage); the caller raises it once its own C++ objects are gone.
template <typename F>
bool Guard(lua_State* L, const char* fn, F&& work) {
  char what[256] = "";
  try {
    work();
    return true;
  } catch (const std::bad_alloc&) {
    std::snprintf(what, sizeof what, "out of memory");
  } catch (const std::exception& e) {
    std::snprintf(what, sizeof what, "%s", e.what());
  }
  PushMessage(L, fn, what);
  return false;
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
