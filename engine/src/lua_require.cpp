#include "lua_require.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#include "lua_convert.h"
#include "lua_readonly.h"
#include "lua_sandbox.h"
#include "rubric_loader.h"

namespace gavel::detail {
namespace {

const char kLoadedKey = 'L';  // registry key: table of modules loaded by require

// Replaces a module name by its file under the root: "lib.maths" -> <root>/lib/maths.lua.
// "lib.maths": identifiers of letters, digits and '_' joined by single dots; no path tricks.
bool IsModuleName(const std::string& name) {
  bool segment_start = true;
  for (char c : name) {
    if (c == '.') {
      if (segment_start) return false;
      segment_start = true;
      continue;
    }
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && !segment_start)) return false;
    segment_start = false;
  }
  return !name.empty() && !segment_start;
}

Result<std::filesystem::path> HelperPath(const StateContext& ctx, const std::string& name) {
  if (!IsModuleName(name)) {
    return Error(ErrorKind::kBadRubric,
                 "require '" + name + "': module names are dotted identifiers such as 'lib.maths'");
  }
  std::string rel = name;
  for (char& c : rel) {
    if (c == '.') c = '/';
  }
  std::filesystem::path file = ctx.root / (rel + ".lua");
  std::error_code ec;
  const auto canonical_root = std::filesystem::weakly_canonical(ctx.root, ec);
  const auto canonical_file = std::filesystem::weakly_canonical(file, ec);
  if (ec || !std::filesystem::is_regular_file(canonical_file, ec)) {
    return Error(ErrorKind::kBadRubric,
                 "require '" + name + "': no file " + file.string() + " in the rubrics folder");
  }
  const auto rel_to_root = canonical_file.lexically_relative(canonical_root);
  if (rel_to_root.empty() || *rel_to_root.begin() == "..") {
    return Error(ErrorKind::kBadRubric,
                 "require '" + name + "': " + file.string() + " leaves the rubrics folder");
  }
  return file;
}

}  // namespace

int Require(lua_State* L) {
  const std::string name = luaL_checkstring(L, 1);
  StateContext& ctx = ContextOf(L);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kLoadedKey);
  const int loaded = lua_gettop(L);
  if (lua_getfield(L, loaded, name.c_str()) != LUA_TNIL) {
    if (lua_type(L, -1) == LUA_TLIGHTUSERDATA) {
      return luaL_error(L, "require '%s': modules require each other in a cycle", name.c_str());
    }
    return 1;
  }
  lua_pop(L, 1);
  lua_pushlightuserdata(L, const_cast<char*>(&kLoadedKey));  // marks "loading" to catch cycles
  lua_setfield(L, loaded, name.c_str());

  if (name == "gavel") {
    PushCoreModule(L);
  } else if (name.rfind("gavel.", 0) == 0) {
    const Plugin* plugin = ctx.plugins != nullptr ? ctx.plugins->Find(name) : nullptr;
    if (plugin == nullptr) {
      lua_pushnil(L);
      lua_setfield(L, loaded, name.c_str());
      return luaL_error(L, "require '%s': no such gavel module", name.c_str());
    }
    plugin->Open(L);
  } else {
    Result<std::filesystem::path> file = HelperPath(ctx, name);
    if (!file) {
      lua_pushnil(L);
      lua_setfield(L, loaded, name.c_str());
      return luaL_error(L, "%s", file.error().message().c_str());
    }
    std::ifstream in(*file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const std::string source = text.str();
    // Built with append: GCC 12 at -O3 warns falsely (-Wrestrict) on "@" + string. A long path
    // is named relative to the root, which Lua does not cut (ChunkName).
    std::string chunk = "@";
    chunk += ChunkName(*file, ctx.root);
    if (luaL_loadbufferx(L, source.data(), source.size(), chunk.c_str(), "t") != LUA_OK) {
      lua_pushnil(L);
      lua_setfield(L, loaded, name.c_str());
      return lua_error(L);
    }
    lua_pushstring(L, name.c_str());
    lua_call(L, 1, 1);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      lua_pushboolean(L, 1);
    }
  }
  // What a module returns is seen read-only, down to its nested tables, so one sample cannot
  // leave anything in it for the next (PushReadOnly leaves other values as they are).
  PushReadOnly(L, -1);
  lua_remove(L, -2);
  lua_pushvalue(L, -1);
  lua_setfield(L, loaded, name.c_str());
  return 1;
}

void InstallModuleTable(lua_State* L) {
  lua_newtable(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kLoadedKey);
}

}  // namespace gavel::detail
