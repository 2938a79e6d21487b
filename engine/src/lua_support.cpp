#include "gavel/lua_support.h"

#include <system_error>

#include "lua_convert.h"
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
    luaL_error(L, "file '%s' is outside the folders a rubric may read (%s)", std::string(name).c_str(),
               ctx.data_root_path.string().c_str());
  }
  if (!std::filesystem::is_regular_file(canonical, ec)) {
    luaL_error(L, "file '%s' not found (looked for %s)", std::string(name).c_str(), file.string().c_str());
  }
  return file;
}

}  // namespace gavel
