// `require` inside the sandbox: "gavel" (the core module), "gavel.<plugin>" from the plugin
// registry, and Lua helper files under the rubrics folder ("lib.maths" -> <root>/lib/maths.lua),
// each loaded once per state and handed out as a deep read-only view.
//
//   InstallModuleTable(L);                 // once, when the sandbox's globals are installed
//   lua_pushcfunction(L, Require);         // the global `require`
#pragma once

#include <lua.hpp>

namespace gavel::detail {

// Creates the registry's table of loaded modules.
void InstallModuleTable(lua_State* L);

// require(name): the module, loaded on first use; errors name the module and, for a helper
// file, why it cannot be loaded (bad name, missing, outside the rubrics folder, a cycle).
int Require(lua_State* L);

}  // namespace gavel::detail
