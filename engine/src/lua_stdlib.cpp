#include "lua_stdlib.h"

#include <cstdio>
#include <cstring>
#include <string>

#include "lua_bounded.h"
#include "lua_readonly.h"
#include "lua_require.h"
#include "lua_sandbox.h"

namespace gavel::detail {
namespace {

// Re-raises the active work's limit error, if one was hit; used after every protected call a
// script makes.
void ReraiseLimit(lua_State* L, int status) {
  Budget* b = ContextOf(L).active;
  if (b == nullptr) return;
  if (status == LUA_ERRMEM && !b->abort && b->memory_refused) b->abort = b->LimitError();
  if (b->abort) {
    lua_pushstring(L, b->abort->message().c_str());
    lua_error(L);
  }
}

int FinishPcall(lua_State* L, int status, lua_KContext extra) {
  ReraiseLimit(L, status);
  if (status != LUA_OK && status != LUA_YIELD) {
    // The script handled the error, so it no longer decides how the sample fails.
    if (Budget* b = ContextOf(L).active) b->raised.reset();
    lua_pushboolean(L, 0);
    lua_pushvalue(L, -2);
    return 2;
  }
  return lua_gettop(L) - static_cast<int>(extra);
}

int SafePcall(lua_State* L) {
  luaL_checkany(L, 1);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  const int status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, FinishPcall);
  return FinishPcall(L, status, 0);
}

// Stands between Lua and a script's xpcall message handler. An error raised by the limit hook
// runs the handler with hooks switched off, so past a limit the script's handler must not run
// at all: it could loop forever.
int GuardedMessageHandler(lua_State* L) {
  if (Budget* b = ContextOf(L).active; b != nullptr && b->abort) {
    lua_pushstring(L, b->abort->message().c_str());
    return 1;
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

int SafeXpcall(lua_State* L) {
  const int n = lua_gettop(L);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, GuardedMessageHandler, 1);
  lua_replace(L, 2);
  lua_pushboolean(L, 1);
  lua_pushvalue(L, 1);
  lua_rotate(L, 3, 2);  // stack: f, handler, true, f, args...
  const int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, FinishPcall);
  return FinishPcall(L, status, 2);
}

int SafeLoad(lua_State* L) {
  size_t len = 0;
  const char* chunk = lua_tolstring(L, 1, &len);
  if (chunk == nullptr || lua_type(L, 1) != LUA_TSTRING) {
    return luaL_error(L, "load: only source text (a string) can be loaded in a rubric");
  }
  const char* name = luaL_optstring(L, 2, "=(load)");
  const int has_env = !lua_isnone(L, 4);
  // Text only, whatever mode the caller asks for: bytecode can break the VM's invariants.
  const int status = luaL_loadbufferx(L, chunk, len, name, "t");
  if (status != LUA_OK) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  if (has_env) {
    lua_pushvalue(L, 4);
    if (lua_setupvalue(L, -2, 1) == nullptr) lua_pop(L, 1);
  }
  return 1;
}

// setmetatable without __gc: Lua runs finalizers with hooks switched off, so a finalizer would
// escape the instruction and time limits.
int SafeSetmetatable(lua_State* L) {
  const int t = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
  if (t == LUA_TTABLE && lua_getfield(L, 2, "__gc") != LUA_TNIL) {
    return luaL_error(L, "__gc metamethods are not available in rubrics");
  }
  lua_settop(L, 2);
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL) {
    return luaL_error(L, "cannot change a protected metatable");
  }
  lua_setmetatable(L, 1);
  return 1;
}

int CountOnlyCollectGarbage(lua_State* L) {
  const char* opt = luaL_optstring(L, 1, "collect");
  if (std::strcmp(opt, "count") != 0) {
    return luaL_error(L, "collectgarbage('%s') is not available in rubrics (only 'count')", opt);
  }
  lua_pushnumber(L, static_cast<lua_Number>(lua_gc(L, LUA_GCCOUNT, 0)) +
                        static_cast<lua_Number>(lua_gc(L, LUA_GCCOUNTB, 0)) / 1024.0);
  return 1;
}

int RubricPrint(lua_State* L) {
  std::string line;
  const int n = lua_gettop(L);
  for (int i = 1; i <= n; ++i) {
    if (i > 1) line += '\t';
    line += luaL_tolstring(L, i, nullptr);
    lua_pop(L, 1);
    if (line.size() > 2000) {
      line.resize(2000);
      line += "...";
      break;
    }
  }
  std::fprintf(stderr, "[rubric] %s\n", line.c_str());
  return 0;
}

int Refused(lua_State* L) {
  return luaL_error(L, "%s is not available in rubrics", lua_tostring(L, lua_upvalueindex(1)));
}

// next, rawget and rawlen are Lua's here and then replaced by versions that see through
// read-only views (InstallViewAwareRawAccess). warn does nothing: the state has no warning
// function. _G is the globals proxy, set by the sandbox.
constexpr AllowedField kBase[] = {
    {"_VERSION"},     {"assert"},  {"error"},      {"getmetatable"}, {"ipairs"},
    {"next"},         {"pairs"},   {"rawequal"},   {"rawget"},       {"rawlen"},
    {"select"},       {"tonumber"}, {"tostring"},  {"type"},         {"warn"},
    {"collectgarbage", CountOnlyCollectGarbage},   {"load", SafeLoad},
    {"pcall", SafePcall},         {"xpcall", SafeXpcall},            {"print", RubricPrint},
    {"setmetatable", SafeSetmetatable},            {"require", Require},
};
// Named so that a rubric that tries them learns why they fail, not that they are undefined.
constexpr const char* kBaseRefused[] = {"dofile", "loadfile", "rawset"};

// find, match, gmatch, gsub and rep become gavel's bounded versions (lua_bounded.h). No dump:
// it makes bytecode.
constexpr AllowedField kString[] = {
    {"byte"}, {"char"},    {"find"},     {"format"}, {"gmatch"}, {"gsub"},   {"len"},   {"lower"},
    {"match"}, {"pack"},   {"packsize"}, {"rep"},    {"reverse"}, {"sub"},   {"unpack"}, {"upper"},
};
// insert, move, remove and sort become gavel's bounded versions (lua_bounded.h).
constexpr AllowedField kTable[] = {
    {"concat"}, {"insert"}, {"move"}, {"pack"}, {"remove"}, {"sort"}, {"unpack"},
};
// Lua 5.4's functions and constants plus the 5.3 compatibility functions Debian's Lua carries.
constexpr AllowedField kMath[] = {
    {"abs"},   {"acos"},  {"asin"},      {"atan"},  {"atan2"},      {"ceil"},       {"cos"},
    {"cosh"},  {"deg"},   {"exp"},       {"floor"}, {"fmod"},       {"frexp"},      {"huge"},
    {"ldexp"}, {"log"},   {"log10"},     {"max"},   {"maxinteger"}, {"min"},        {"mininteger"},
    {"modf"},  {"pi"},    {"pow"},       {"rad"},   {"random"},     {"randomseed"}, {"sin"},
    {"sinh"},  {"sqrt"},  {"tan"},       {"tanh"},  {"tointeger"},  {"type"},       {"ult"},
};
constexpr AllowedField kUtf8[] = {
    {"char"}, {"charpattern"}, {"codepoint"}, {"codes"}, {"len"}, {"offset"},
};

const AllowedLibrary kLibraries[] = {
    {"_G", luaopen_base, kBase, kBaseRefused, nullptr},
    {LUA_STRLIBNAME, luaopen_string, kString, {}, InstallBoundedStringFunctions},
    {LUA_TABLIBNAME, luaopen_table, kTable, {}, InstallBoundedTableFunctions},
    {LUA_MATHLIBNAME, luaopen_math, kMath, {}, nullptr},
    {LUA_UTF8LIBNAME, luaopen_utf8, kUtf8, {}, nullptr},
};

}  // namespace

std::span<const AllowedLibrary> RubricLibraries() { return kLibraries; }

void BuildAllowedLibrary(lua_State* L, const AllowedLibrary& lib, int into) {
  into = lua_absindex(L, into);
  // Called, not required: nothing records the full table (package.loaded does not exist here).
  lua_pushcfunction(L, lib.open);
  lua_call(L, 0, 1);
  const int full = lua_gettop(L);
  for (const AllowedField& field : lib.fields) {
    if (field.gavel != nullptr) {
      lua_pushcfunction(L, field.gavel);
    } else if (lua_getfield(L, full, field.name) == LUA_TNIL) {
      lua_pop(L, 1);  // a Lua built without it (the math compatibility functions)
      continue;
    }
    lua_setfield(L, into, field.name);
  }
  for (const char* name : lib.refused) {
    lua_pushstring(L, name);
    lua_pushcclosure(L, Refused, 1);
    lua_setfield(L, into, name);
  }
  if (lib.bound != nullptr) lib.bound(L, into);
  lua_pop(L, 1);
}

void OpenRubricLibraries(lua_State* L, int globals) {
  globals = lua_absindex(L, globals);
  for (const AllowedLibrary& lib : RubricLibraries()) {
    if (std::strcmp(lib.name, "_G") == 0) {
      // Lua's base library fills the state's first global table, which the sandbox then
      // replaces, so nothing but the fields copied here outlives this call.
      BuildAllowedLibrary(L, lib, globals);
      continue;
    }
    lua_newtable(L);
    BuildAllowedLibrary(L, lib, -1);
    if (std::strcmp(lib.name, LUA_STRLIBNAME) == 0) {
      // Method calls on strings read the allowed table, never Lua's full one; the metatable is
      // hidden so that a script cannot reach the table behind the view through it.
      lua_pushliteral(L, "");
      lua_getmetatable(L, -1);
      lua_pushvalue(L, -3);
      lua_setfield(L, -2, "__index");
      lua_pushboolean(L, 0);
      lua_setfield(L, -2, "__metatable");
      lua_pop(L, 2);
    }
    PushReadOnly(L, -1);
    lua_setfield(L, globals, lib.name);
    lua_pop(L, 1);
  }
  InstallViewAwareRawAccess(L, globals);
}

}  // namespace gavel::detail
