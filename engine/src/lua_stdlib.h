// The standard library a rubric sees, built by name from allow lists.
//
//   OpenRubricLibraries(L, globals);   // base functions into `globals`, then string, table,
//                                      // math and utf8 as read-only views in it
//
// Each library is a new table holding only the names on its list: Lua's own value for the name,
// or gavel's guarded version of it (load, pcall, xpcall, collectgarbage, setmetatable, print,
// require; the bounded string and table functions of lua_bounded.h). Lua's full library tables
// are never handed out, so a function a later Lua adds is not reachable until its name is added
// here (and to the list in docs/rubrics.md, which a test compares with the sandbox).
#pragma once

#include <span>

#include <lua.hpp>

namespace gavel::detail {

struct AllowedField {
  constexpr AllowedField(const char* n, lua_CFunction g = nullptr) : name(n), gavel(g) {}
  const char* name;
  lua_CFunction gavel;  // gavel's version of the field; null: Lua's own value
};

struct AllowedLibrary {
  const char* name;                          // the global it becomes; "_G" for the base library
  lua_CFunction open;                        // Lua's opener, returning the full library table
  std::span<const AllowedField> fields;      // what the rubric gets
  std::span<const char* const> refused;      // names that raise "<name> is not available in rubrics"
  void (*bound)(lua_State* L, int idx);      // if not null: replaces the functions that loop in C
};

// The libraries a rubric sees, the base library first.
std::span<const AllowedLibrary> RubricLibraries();

// Sets the allowed fields of `lib` in the table at `into`, taken from the library its opener
// makes (which is then dropped); a name that Lua's library lacks is left out.
void BuildAllowedLibrary(lua_State* L, const AllowedLibrary& lib, int into);

// Fills the table at `globals` with the base library's fields and the other libraries as
// read-only views; the string metatable reads the allowed string table and is hidden.
void OpenRubricLibraries(lua_State* L, int globals);

}  // namespace gavel::detail
