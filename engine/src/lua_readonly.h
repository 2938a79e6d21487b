// Deep read-only views of Lua tables: what a rubric sees of gavel's modules, the standard
// libraries, required helper modules and (while scoring) its own globals.
//
//   PushReadOnly(L, idx);        // the view of the table at idx; the same view every time
//   view.x = 1                   -- error: attempt to modify a read-only table (field 'x')
//   view.nested                  -- the view of the nested table, never the table itself
//   PushSeenThrough(L, idx);     // C code that reads raw (lua_next, lua_rawlen): the table behind
//
// A view is an empty table whose hidden metatable reads through to the table behind it. Table
// values (and table keys) read through a view come out as views, so nothing reachable from a
// view can be written. Functions and other values come out as they are. The base functions that
// bypass metatables (next, rawget, rawlen) are replaced by versions that see through views, so
// pairs, ipairs, next, #, rawget and rawlen give on a view what they give on the table behind it.
#pragma once

#include <lua.hpp>

namespace gavel::detail {

// Pushes the read-only view of the value at idx when it is a table (a view stays itself), else
// the value unchanged. Views are cached weakly per table, so identity and == are stable.
void PushReadOnly(lua_State* L, int idx);

// True when the value at idx is a read-only view.
bool IsReadOnlyView(lua_State* L, int idx);

// Pushes the table behind the view at idx, or the value at idx itself when it is not a view.
void PushSeenThrough(lua_State* L, int idx);

// Replaces every table value of the table at idx (except `keep`, if not 0) by its view.
void FreezeTableValues(lua_State* L, int idx, int keep);

// Sets next, rawget and rawlen in the table at `globals` to versions that see through views.
void InstallViewAwareRawAccess(lua_State* L, int globals);

}  // namespace gavel::detail
