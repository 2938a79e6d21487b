#include "lua_readonly.h"

namespace gavel::detail {
namespace {

const char kViewsKey = 'V';   // registry key: weak-keyed table, table -> its view
const char kBehindKey = 'T';  // key in a view's metatable: the table behind the view

// Pushes the registry's table of views, made on first use. Weak keys: a table that is no
// longer reachable takes its view with it (the view refers to the table only as the value of
// its own entry, which an ephemeron table does not count).
void PushViews(lua_State* L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &kViewsKey) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_newtable(L);
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kViewsKey);
}

// Pushes the table behind the view at idx and returns true; pushes nothing for anything else.
bool PushBehind(lua_State* L, int idx) {
  if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx)) return false;
  if (lua_rawgetp(L, -1, &kBehindKey) == LUA_TTABLE) {
    lua_remove(L, -2);
    return true;
  }
  lua_pop(L, 2);
  return false;
}

// Replaces the value on top of the stack by its view when it is a table.
void WrapTop(lua_State* L) {
  if (lua_type(L, -1) != LUA_TTABLE) return;
  PushReadOnly(L, -1);
  lua_remove(L, -2);
}

// Leaves on top the key to use in `table` for the key at key_idx: the key itself when the
// table holds it, else the table behind it when the key is a view (a view handed out for a
// table key stands for that key).
void PushKeyFor(lua_State* L, int table, int key_idx) {
  lua_pushvalue(L, key_idx);
  if (lua_type(L, key_idx) != LUA_TTABLE) return;
  lua_pushvalue(L, -1);
  const bool held = lua_rawget(L, table) != LUA_TNIL;
  lua_pop(L, 1);
  if (!held && PushBehind(L, key_idx)) lua_remove(L, -2);
}

// next over the table at `table`, continuing after the key at key_idx; returns what next
// returns, with table keys and values as views.
int NextThrough(lua_State* L, int table, int key_idx) {
  PushKeyFor(L, table, key_idx);
  if (lua_next(L, table) == 0) {
    lua_pushnil(L);
    return 1;
  }
  WrapTop(L);          // the value
  lua_insert(L, -2);   // value, key
  WrapTop(L);
  lua_insert(L, -2);   // key, value
  return 2;
}

int ViewIndex(lua_State* L) {
  const int behind = lua_upvalueindex(1);
  lua_pushvalue(L, 2);
  if (lua_gettable(L, behind) == LUA_TNIL && PushBehind(L, 2)) {
    lua_gettable(L, behind);
  }
  WrapTop(L);
  return 1;
}

int ViewWrite(lua_State* L) {
  return luaL_error(L, "attempt to modify a read-only table (field '%s')", luaL_tolstring(L, 2, nullptr));
}

int ViewLen(lua_State* L) {
  lua_pushinteger(L, luaL_len(L, lua_upvalueindex(1)));
  return 1;
}

int ViewAwareNext(lua_State* L);

int ViewPairs(lua_State* L) {
  lua_pushcfunction(L, ViewAwareNext);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

int FinishCall(lua_State* L, int /*status*/, lua_KContext base) {
  return lua_gettop(L) - static_cast<int>(base);
}

// A callable table stays callable through its view (a module's constructor table, say).
// lua_callk, so a call that suspends the sample (a judge step) can yield through the view.
int ViewCall(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_replace(L, 1);
  lua_callk(L, lua_gettop(L) - 1, LUA_MULTRET, 0, FinishCall);
  return FinishCall(L, LUA_OK, 0);
}

// The base functions that would otherwise see a view as the empty table it is.
// ViewAwareNext is also what pairs gives for a view.
int ViewAwareNext(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  if (PushBehind(L, 1)) return NextThrough(L, 3, 2);
  if (lua_next(L, 1) != 0) return 2;
  lua_pushnil(L);
  return 1;
}

int ViewAwareRawget(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  lua_settop(L, 2);
  if (!PushBehind(L, 1)) {
    lua_rawget(L, 1);
    return 1;
  }
  PushKeyFor(L, 3, 2);
  lua_rawget(L, 3);
  WrapTop(L);
  return 1;
}

int ViewAwareRawlen(lua_State* L) {
  const int t = lua_type(L, 1);
  luaL_argexpected(L, t == LUA_TTABLE || t == LUA_TSTRING, 1, "table or string");
  if (PushBehind(L, 1)) lua_replace(L, 1);
  lua_pushinteger(L, static_cast<lua_Integer>(lua_rawlen(L, 1)));
  return 1;
}

}  // namespace

bool IsReadOnlyView(lua_State* L, int idx) {
  if (!PushBehind(L, idx)) return false;
  lua_pop(L, 1);
  return true;
}

void PushSeenThrough(lua_State* L, int idx) {
  if (!PushBehind(L, idx)) lua_pushvalue(L, idx);
}

void PushReadOnly(lua_State* L, int idx) {
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) != LUA_TTABLE || IsReadOnlyView(L, idx)) {
    lua_pushvalue(L, idx);
    return;
  }
  PushViews(L);
  const int views = lua_gettop(L);
  lua_pushvalue(L, idx);
  if (lua_rawget(L, views) == LUA_TTABLE) {
    lua_remove(L, views);
    return;
  }
  lua_pop(L, 1);

  lua_newtable(L);  // the view
  lua_createtable(L, 0, 7);
  lua_pushvalue(L, idx);
  lua_rawsetp(L, -2, &kBehindKey);
  // Metamethods that read the table behind take it as their upvalue.
  const struct {
    const char* name;
    lua_CFunction fn;
    bool reads_behind;
  } kMetamethods[] = {
      {"__index", ViewIndex, true},   {"__len", ViewLen, true},          {"__call", ViewCall, true},
      {"__pairs", ViewPairs, false},  {"__newindex", ViewWrite, false},
  };
  for (const auto& m : kMetamethods) {
    if (m.reads_behind) lua_pushvalue(L, idx);
    lua_pushcclosure(L, m.fn, m.reads_behind ? 1 : 0);
    lua_setfield(L, -2, m.name);
  }
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);

  lua_pushvalue(L, idx);
  lua_pushvalue(L, -2);
  lua_rawset(L, views);
  lua_remove(L, views);
}

void FreezeTableValues(lua_State* L, int idx, int keep) {
  idx = lua_absindex(L, idx);
  if (keep != 0) keep = lua_absindex(L, keep);
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    // Only existing keys get new values, which a traversal allows.
    if (lua_type(L, -1) == LUA_TTABLE && !(keep != 0 && lua_rawequal(L, -1, keep))) {
      PushReadOnly(L, -1);
      lua_pushvalue(L, -3);
      lua_insert(L, -2);
      lua_rawset(L, idx);
    }
    lua_pop(L, 1);
  }
}

void InstallViewAwareRawAccess(lua_State* L, int globals) {
  static const luaL_Reg kRaw[] = {
      {"next", ViewAwareNext},
      {"rawget", ViewAwareRawget},
      {"rawlen", ViewAwareRawlen},
      {nullptr, nullptr},
  };
  lua_pushvalue(L, globals);
  luaL_setfuncs(L, kRaw, 0);
  lua_pop(L, 1);
}

}  // namespace gavel::detail
