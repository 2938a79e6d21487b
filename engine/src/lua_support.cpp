#include "gavel/lua_support.h"

#include <cstring>
#include <system_error>

#include "lua_convert.h"
#include "lua_readonly.h"
#include "lua_sandbox.h"

namespace gavel {

void PushJsonValue(lua_State* L, const Json& value) { detail::PushJson(L, value); }

Result<Json> LuaToJson(lua_State* L, int idx) { return detail::ToJson(L, idx); }

std::filesystem::path ResolveDataFile(lua_State* L, std::string_view name) {
  const detail::StateContext& ctx = detail::ContextOf(L);
  const std::filesystem::path given(name);
  const std::filesystem::path file = given.is_absolute() ? given : ctx.dir / given;
  std::error_code ec;
  const auto root = std::filesystem::weakly_canonical(ctx.data_root_path, ec);
  const auto canonical = std::filesystem::weakly_canonical(file, ec);
  const auto rel = canonical.lexically_relative(root);
  if (ec || rel.empty() || *rel.begin() == "..") {
    // Say what allows it: the data root is the folder above the rubric root unless set.
    luaL_error(L,
               "file '%s' is outside the folders a rubric may read (%s); to allow it, move the file under "
               "that folder or give a wider rubric root (gavel --rubric-root DIR: data files may then come "
               "from the folder above DIR)",
               std::string(name).c_str(), ctx.data_root_path.string().c_str());
  }
  if (!std::filesystem::is_regular_file(canonical, ec)) {
    luaL_error(L, "file '%s' not found (looked for %s)", std::string(name).c_str(), file.string().c_str());
  }
  return file;
}

void PushMessage(lua_State* L, const char* fn, std::string_view message) {
  luaL_where(L, 1);
  lua_pushstring(L, fn);
  lua_pushliteral(L, ": ");
  lua_pushlstring(L, message.data(), message.size());
  lua_concat(L, 4);
}

std::string_view CheckText(lua_State* L, int idx) {
  if (lua_type(L, idx) != LUA_TSTRING) luaL_typeerror(L, idx, "string");
  std::size_t len = 0;
  const char* s = lua_tolstring(L, idx, &len);
  return {s, len};
}

void PushString(lua_State* L, std::string_view s) { lua_pushlstring(L, s.data(), s.size()); }

void SetString(lua_State* L, const char* key, std::string_view value) {
  PushString(L, value);
  lua_setfield(L, -2, key);
}

void SetInteger(lua_State* L, const char* key, lua_Integer value) {
  lua_pushinteger(L, value);
  lua_setfield(L, -2, key);
}

void SetNumber(lua_State* L, const char* key, double value) {
  lua_pushnumber(L, value);
  lua_setfield(L, -2, key);
}

void SetBool(lua_State* L, const char* key, bool value) {
  lua_pushboolean(L, value ? 1 : 0);
  lua_setfield(L, -2, key);
}

void RaiseTop(lua_State* L, ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kBadRubric:
    case ErrorKind::kUsage:
      lua_error(L);
      break;
    case ErrorKind::kLimit:
    case ErrorKind::kBadSample:
    case ErrorKind::kDeadline:
    case ErrorKind::kJudgeUnavailable:
      break;
    case ErrorKind::kPlugin:
    case ErrorKind::kInternal:
    case ErrorKind::kIo:
      kind = ErrorKind::kPlugin;
      break;
  }
  // RaiseError with the message already on the stack: mark the kind and raise it as it is.
  if (detail::Budget* b = detail::ContextOf(L).active) b->raised = kind;
  lua_error(L);
  __builtin_unreachable();
}

void SeeThrough(lua_State* L, int idx) {
  idx = lua_absindex(L, idx);
  if (!detail::IsReadOnlyView(L, idx)) return;
  detail::PushSeenThrough(L, idx);
  lua_replace(L, idx);
}

bool CheckOptions(lua_State* L, int idx, const char* fn, std::initializer_list<const char*> allowed) {
  if (lua_isnoneornil(L, idx)) return false;
  if (!lua_istable(L, idx)) luaL_error(L, "%s: options must be a table (got %s)", fn, luaL_typename(L, idx));
  // Options may come from a module's read-only table: check the keys of the table behind it.
  detail::PushSeenThrough(L, idx);
  idx = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING) {
      luaL_error(L, "%s: option names must be strings (got %s)", fn, luaL_typename(L, -1));
    }
    const char* key = lua_tostring(L, -1);
    bool known = false;
    for (const char* name : allowed) known = known || std::strcmp(name, key) == 0;
    if (!known) {
      luaL_Buffer b;
      luaL_buffinit(L, &b);
      bool first = true;
      for (const char* name : allowed) {
        if (!first) luaL_addstring(&b, ", ");
        luaL_addstring(&b, name);
        first = false;
      }
      luaL_pushresult(&b);
      luaL_error(L, "%s: unknown option '%s' (options: %s)", fn, key, lua_tostring(L, -1));
    }
  }
  lua_pop(L, 1);
  return true;
}

}  // namespace gavel
