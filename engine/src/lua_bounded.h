// Library functions whose work is bounded by the sandbox's budgets.
//
//   InstallBoundedStringFunctions(L, string_table);   // find, match, gmatch, gsub, rep
//   InstallBoundedTableFunctions(L, table_table);     // sort, insert, remove, move
//
// Lua's instruction hook never runs inside a C function, so a library call that loops in C
// (a backtracking pattern on a long subject, table.move over 2^50 indices, table.sort whose
// elements come from a C __index) would run past every limit and every deadline. These
// replacements do the same work as Lua 5.4's own functions (the manual, sections 6.4 and 6.6,
// is their specification) but charge it to the active budget as they go (ChargeWork), so the
// instruction limit, the time limit and the caller's deadline stop them within microseconds.
// With no active budget (outside the sandbox's protected calls) they are unbounded, like Lua's.
#pragma once

#include <cstdint>

#include <lua.hpp>

#include "lua_sandbox.h"

namespace gavel::detail {

// Counts work and charges it to the budget in blocks of 4,096 units, so the clock is read rarely.
class WorkMeter {
 public:
  explicit WorkMeter(lua_State* L) : L_(L) {}
  void Tick(std::uint64_t units = 1) {
    pending_ += units;
    if (pending_ >= kBlock) Flush();
  }
  void Flush() {
    const std::uint64_t units = pending_;
    pending_ = 0;
    if (units != 0) ChargeWork(L_, units);
  }

 private:
  static constexpr std::uint64_t kBlock = 4096;
  lua_State* L_;
  std::uint64_t pending_ = 0;
};

// Replaces find, match, gmatch, gsub and rep in the table at `idx` (the real string table, so
// that method calls on strings use them too).
void InstallBoundedStringFunctions(lua_State* L, int idx);

// Replaces sort, insert, remove and move in the table at `idx`.
void InstallBoundedTableFunctions(lua_State* L, int idx);

}  // namespace gavel::detail
