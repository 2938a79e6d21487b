// table.sort, table.insert, table.remove and table.move with their work charged to the
// sandbox's budget (see lua_bounded.h). Their loops run in C over indices a metatable can
// invent (__len returning 2^62, __index = tostring, __newindex = rawequal: all C functions, so
// no Lua instruction runs and no hook fires), so each element they touch is one unit of work.
// Semantics follow the Lua 5.4 manual, section 6.6. table.sort is a heap sort: in place, no
// recursion, O(n log n) comparisons whatever the comparator does; like Lua's own sort it is not
// stable, and equal elements may end in another order than Lua's quicksort leaves them.
#include <climits>

#include "lua_bounded.h"

namespace gavel::detail {
namespace {

enum Access : int { kRead = 1, kWrite = 2, kLength = 4 };

// A table, or a value whose metatable provides every access the function needs.
void CheckTable(lua_State* L, int arg, int access) {
  if (lua_type(L, arg) == LUA_TTABLE) return;
  const int top = lua_gettop(L);
  if (lua_getmetatable(L, arg)) {
    const int mt = lua_gettop(L);
    const bool ok = ((access & kRead) == 0 || lua_getfield(L, mt, "__index") != LUA_TNIL) &&
                    ((access & kWrite) == 0 || lua_getfield(L, mt, "__newindex") != LUA_TNIL) &&
                    ((access & kLength) == 0 || lua_getfield(L, mt, "__len") != LUA_TNIL);
    lua_settop(L, top);
    if (ok) return;
  }
  luaL_checktype(L, arg, LUA_TTABLE);
}

lua_Integer LengthOf(lua_State* L, int arg, int access) {
  CheckTable(L, arg, access | kLength);
  return luaL_len(L, arg);
}

int BoundedInsert(lua_State* L) {
  const lua_Integer end = LengthOf(L, 1, kRead | kWrite) + 1;  // first free slot
  lua_Integer pos = end;
  switch (lua_gettop(L)) {
    case 2:
      break;
    case 3: {
      pos = luaL_checkinteger(L, 2);
      // pos in [1, end], written without overflow for any integer
      luaL_argcheck(L, static_cast<lua_Unsigned>(pos) - 1u < static_cast<lua_Unsigned>(end), 2,
                    "position out of bounds");
      WorkMeter meter(L);
      for (lua_Integer i = end; i > pos; --i) {
        meter.Tick();
        lua_geti(L, 1, i - 1);
        lua_seti(L, 1, i);
      }
      meter.Flush();
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments to 'insert'");
  }
  lua_seti(L, 1, pos);
  return 0;
}

int BoundedRemove(lua_State* L) {
  const lua_Integer size = LengthOf(L, 1, kRead | kWrite);
  lua_Integer pos = luaL_optinteger(L, 2, size);
  if (pos != size) {
    // pos in [1, size + 1]
    luaL_argcheck(L, static_cast<lua_Unsigned>(pos) - 1u <= static_cast<lua_Unsigned>(size), 2,
                  "position out of bounds");
  }
  lua_geti(L, 1, pos);
  WorkMeter meter(L);
  for (; pos < size; ++pos) {
    meter.Tick();
    lua_geti(L, 1, pos + 1);
    lua_seti(L, 1, pos);
  }
  meter.Flush();
  lua_pushnil(L);
  lua_seti(L, 1, pos);
  return 1;
}

int BoundedMove(lua_State* L) {
  const lua_Integer f = luaL_checkinteger(L, 2);
  const lua_Integer e = luaL_checkinteger(L, 3);
  const lua_Integer t = luaL_checkinteger(L, 4);
  const int dest = lua_isnoneornil(L, 5) ? 1 : 5;
  CheckTable(L, 1, kRead);
  CheckTable(L, dest, kWrite);
  if (e >= f) {
    luaL_argcheck(L, f > 0 || e < LUA_MAXINTEGER + f, 3, "too many elements to move");
    const lua_Integer n = e - f + 1;
    luaL_argcheck(L, t <= LUA_MAXINTEGER - n + 1, 4, "destination wrap around");
    // Overlapping ranges in one table forwards are copied from the end, so nothing is
    // overwritten before it is read.
    const bool backwards = t > f && t <= e && (dest == 1 || lua_compare(L, 1, dest, LUA_OPEQ));
    WorkMeter meter(L);
    for (lua_Integer k = 0; k < n; ++k) {
      meter.Tick();
      const lua_Integer i = backwards ? n - 1 - k : k;
      lua_geti(L, 1, f + i);
      lua_seti(L, dest, t + i);
    }
    meter.Flush();
  }
  lua_pushvalue(L, dest);
  return 1;
}

// Heap sort over list[1..n]; the comparator (or <) is called on values pushed on the stack.
class HeapSorter {
 public:
  HeapSorter(lua_State* L, bool comparator) : L_(L), meter_(L), comparator_(comparator) {}

  void Sort(lua_Integer n) {
    for (lua_Integer start = n / 2; start >= 1; --start) SiftDown(start, n);
    for (lua_Integer end = n; end > 1; --end) {
      // swap list[1] and list[end], then restore the heap on list[1..end-1]
      lua_geti(L_, 1, 1);
      lua_geti(L_, 1, end);
      lua_seti(L_, 1, 1);
      lua_seti(L_, 1, end);
      SiftDown(1, end - 1);
    }
    meter_.Flush();
  }

 private:
  // Whether the values at stack positions a and b are in order a < b.
  bool Less(int a, int b) {
    meter_.Tick();
    if (!comparator_) return lua_compare(L_, a, b, LUA_OPLT) != 0;
    lua_pushvalue(L_, 2);
    lua_pushvalue(L_, a > 0 ? a : a - 1);
    lua_pushvalue(L_, b > 0 ? b : b - 2);
    lua_call(L_, 2, 1);
    const bool less = lua_toboolean(L_, -1) != 0;
    lua_pop(L_, 1);
    return less;
  }

  void SiftDown(lua_Integer root, lua_Integer end) {
    lua_geti(L_, 1, root);  // the value being placed, kept at the top while the hole moves down
    for (;;) {
      lua_Integer child = 2 * root;
      if (child > end) break;
      lua_geti(L_, 1, child);
      if (child + 1 <= end) {
        lua_geti(L_, 1, child + 1);
        if (Less(-2, -1)) {
          lua_remove(L_, -2);
          ++child;
        } else {
          lua_pop(L_, 1);
        }
      }
      // stack: value, larger child
      if (!Less(-2, -1)) {
        lua_pop(L_, 1);
        break;
      }
      lua_seti(L_, 1, root);  // the child moves up into the hole
      root = child;
    }
    lua_seti(L_, 1, root);
  }

  lua_State* L_;
  WorkMeter meter_;
  bool comparator_;
};

int BoundedSort(lua_State* L) {
  const lua_Integer n = LengthOf(L, 1, kRead | kWrite);
  if (n > 1) {
    luaL_argcheck(L, n < INT_MAX, 1, "array too big");
    const bool comparator = !lua_isnoneornil(L, 2);
    if (comparator) luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_settop(L, 2);
    luaL_checkstack(L, 8, "table.sort");
    HeapSorter(L, comparator).Sort(n);
  }
  return 0;
}

}  // namespace

void InstallBoundedTableFunctions(lua_State* L, int idx) {
  idx = lua_absindex(L, idx);
  static const luaL_Reg kFunctions[] = {
      {"sort", BoundedSort},
      {"insert", BoundedInsert},
      {"remove", BoundedRemove},
      {"move", BoundedMove},
      {nullptr, nullptr},
  };
  lua_pushvalue(L, idx);
  luaL_setfuncs(L, kFunctions, 0);
  lua_pop(L, 1);
}

}  // namespace gavel::detail
