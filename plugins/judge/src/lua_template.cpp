#include "lua_template.h"

#include "gavel/lua_support.h"
#include "gavel/sample.h"
#include "gavel/status.h"

namespace gavel::judge {
namespace {

const char* FieldName(Field field) {
  switch (field) {
    case Field::kPrompt: return "prompt";
    case Field::kAnswer: return "answer";
    case Field::kSystem: return "system";
    case Field::kReference: return "reference";
    case Field::kId: return "id";
    default: return "";
  }
}

}  // namespace

bool AppendValue(lua_State* L, int idx, std::string& out, std::string& error) {
  if (lua_type(L, idx) == LUA_TSTRING) {
    std::size_t len = 0;
    const char* s = lua_tolstring(L, idx, &len);
    out.append(s, len);
    return true;
  }
  Result<Json> value = LuaToJson(L, idx);
  if (!value) {
    error = value.error().message();
    return false;
  }
  out += value->dump(-1, ' ', false, Json::error_handler_t::replace);
  return true;
}

bool Render(lua_State* L, const Template& t, int s_idx, int vars_idx, const Overlay& overlay, std::string& out,
            std::string& error) {
  out.reserve(t.literal_size() + 256);
  for (const Segment& seg : t.segments()) {
    if (seg.field == Field::kLiteral) {
      out += seg.text;
      continue;
    }
    std::string missing;
    if (seg.field == Field::kVars) {
      if (const std::string* v = overlay.Find(seg.text)) {
        out += *v;
        continue;
      }
      if (vars_idx == 0) {
        lua_pushnil(L);
        missing = "no vars were given";
      } else {
        lua_getfield(L, vars_idx, seg.text.c_str());
        missing = "vars has no '" + seg.text + "'";
      }
    } else if (seg.field == Field::kMetadata) {
      lua_getfield(L, s_idx, "metadata");
      if (lua_istable(L, -1)) {
        lua_getfield(L, -1, seg.text.c_str());
        lua_remove(L, -2);
      } else {
        lua_pop(L, 1);
        lua_pushnil(L);
      }
      missing = "the sample's metadata has no '" + seg.text + "'";
    } else {
      lua_getfield(L, s_idx, FieldName(seg.field));
      missing = std::string("the sample has no ") + FieldName(seg.field);
    }
    std::string problem;
    if (lua_isnil(L, -1)) {
      problem = "has no value: " + missing;
    } else if (!AppendValue(L, -1, out, problem)) {
      problem = "cannot be written as text: " + problem;
    }
    lua_pop(L, 1);
    if (!problem.empty()) {
      error = seg.placeholder + " (" + t.name() + ":" + std::to_string(seg.line) + ") " + problem;
      return false;
    }
  }
  return true;
}

}  // namespace gavel::judge
