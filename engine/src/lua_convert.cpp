#include "lua_convert.h"

#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

#include "gavel/json_scan.h"
#include "lua_readonly.h"

namespace gavel::detail {
namespace {

const char kNullSentinel = 'N';

void PushJsonAt(lua_State* L, const Json& value, int depth) {
  if (depth > kMaxLuaJsonDepth) luaL_error(L, "JSON value nested deeper than %d levels", kMaxLuaJsonDepth);
  luaL_checkstack(L, 4, "JSON value too deep");
  switch (value.type()) {
    case Json::value_t::null:
      PushNull(L);
      return;
    case Json::value_t::boolean:
      lua_pushboolean(L, value.get<bool>() ? 1 : 0);
      return;
    case Json::value_t::number_integer:
      lua_pushinteger(L, static_cast<lua_Integer>(value.get<std::int64_t>()));
      return;
    case Json::value_t::number_unsigned: {
      const auto u = value.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(std::numeric_limits<lua_Integer>::max())) {
        lua_pushinteger(L, static_cast<lua_Integer>(u));
      } else {
        lua_pushnumber(L, static_cast<lua_Number>(u));
      }
      return;
    }
    case Json::value_t::number_float:
      lua_pushnumber(L, value.get<double>());
      return;
    case Json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      lua_pushlstring(L, s.data(), s.size());
      return;
    }
    case Json::value_t::array: {
      lua_createtable(L, static_cast<int>(value.size()), 0);
      lua_Integer i = 1;
      for (const Json& item : value) {
        PushJsonAt(L, item, depth + 1);
        lua_rawseti(L, -2, i++);
      }
      return;
    }
    case Json::value_t::object: {
      lua_createtable(L, 0, static_cast<int>(value.size()));
      for (auto it = value.begin(); it != value.end(); ++it) {
        lua_pushlstring(L, it.key().data(), it.key().size());
        PushJsonAt(L, it.value(), depth + 1);
        lua_rawset(L, -3);
      }
      return;
    }
    case Json::value_t::binary:
    case Json::value_t::discarded:
      lua_pushnil(L);
      return;
  }
}

// True when the table at idx has exactly the keys 1..n (n >= 1).
bool IsSequence(lua_State* L, int idx, lua_Integer& n) {
  n = static_cast<lua_Integer>(lua_rawlen(L, idx));
  if (n == 0) return false;
  lua_Integer count = 0;
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1)) {
      lua_pop(L, 1);
      return false;
    }
    ++count;
  }
  return count == n;
}

Status ToJsonAt(lua_State* L, int idx, int depth, Json& out) {
  idx = lua_absindex(L, idx);
  if (depth > kMaxLuaJsonDepth) {
    return Error(ErrorKind::kBadRubric,
                 "value nested deeper than " + std::to_string(kMaxLuaJsonDepth) + " levels (a cycle?)");
  }
  luaL_checkstack(L, 4, "value too deep");
  switch (lua_type(L, idx)) {
    case LUA_TNIL:
      out = nullptr;
      return Status::Ok();
    case LUA_TBOOLEAN:
      out = lua_toboolean(L, idx) != 0;
      return Status::Ok();
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        out = static_cast<std::int64_t>(lua_tointeger(L, idx));
      } else {
        const double d = lua_tonumber(L, idx);
        if (!std::isfinite(d)) return Error(ErrorKind::kBadRubric, "NaN or infinity cannot be written as JSON");
        out = d;
      }
      return Status::Ok();
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, idx, &len);
      out = std::string(s, len);
      return Status::Ok();
    }
    case LUA_TLIGHTUSERDATA:
      if (IsNull(L, idx)) {
        out = nullptr;
        return Status::Ok();
      }
      break;
    case LUA_TTABLE: {
      if (IsReadOnlyView(L, idx)) {  // a module's table, say: written as the table behind it
        PushSeenThrough(L, idx);
        Status st = ToJsonAt(L, -1, depth, out);
        lua_pop(L, 1);
        return st;
      }
      lua_Integer n = 0;
      if (IsSequence(L, idx, n)) {
        out = Json::array();
        for (lua_Integer i = 1; i <= n; ++i) {
          lua_rawgeti(L, idx, i);
          Json item;
          Status st = ToJsonAt(L, -1, depth + 1, item);
          lua_pop(L, 1);
          if (!st) return st;
          out.push_back(std::move(item));
        }
        return Status::Ok();
      }
      out = Json::object();
      lua_pushnil(L);
      while (lua_next(L, idx) != 0) {
        std::string key;
        if (lua_type(L, -2) == LUA_TSTRING) {
          size_t len = 0;
          const char* k = lua_tolstring(L, -2, &len);
          key.assign(k, len);
        } else if (lua_type(L, -2) == LUA_TNUMBER) {
          lua_pushvalue(L, -2);
          key = lua_tostring(L, -1);  // converts the copy, not the key lua_next needs
          lua_pop(L, 1);
        } else {
          const std::string type = luaL_typename(L, -2);
          lua_pop(L, 2);
          return Error(ErrorKind::kBadRubric, "a table key of type " + type + " cannot be written as JSON");
        }
        Json item;
        Status st = ToJsonAt(L, -1, depth + 1, item);
        lua_pop(L, 1);
        if (!st) {
          lua_pop(L, 1);
          return st;
        }
        out[key] = std::move(item);
      }
      return Status::Ok();
    }
    default:
      break;
  }
  return Error(ErrorKind::kBadRubric,
               std::string("a ") + luaL_typename(L, idx) + " value cannot be written as JSON");
}

int JsonDecode(lua_State* L) {
  size_t len = 0;
  const char* text = luaL_checklstring(L, 1, &len);
  // Depth is checked before parsing so a hostile document cannot exhaust the C++ stack.
  if (JsonNestsDeeperThan(std::string_view(text, len), static_cast<std::size_t>(kMaxLuaJsonDepth))) {
    lua_pushnil(L);
    lua_pushfstring(L, "JSON nested deeper than %d levels", kMaxLuaJsonDepth);
    return 2;
  }
  Json value = Json::parse(std::string_view(text, len), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    lua_pushnil(L);
    lua_pushliteral(L, "invalid JSON");
    return 2;
  }
  PushJson(L, value);
  return 1;
}

int JsonEncode(lua_State* L) {
  luaL_checkany(L, 1);
  Result<Json> value = ToJson(L, 1);
  if (!value) return luaL_error(L, "json.encode: %s", value.error().message().c_str());
  const std::string text = value->dump(-1, ' ', false, Json::error_handler_t::replace);
  lua_pushlstring(L, text.data(), text.size());
  return 1;
}

}  // namespace

void PushNull(lua_State* L) { lua_pushlightuserdata(L, const_cast<char*>(&kNullSentinel)); }

bool IsNull(lua_State* L, int idx) {
  return lua_touserdata(L, idx) == static_cast<const void*>(&kNullSentinel);
}

void PushJson(lua_State* L, const Json& value) { PushJsonAt(L, value, 0); }

Result<Json> ToJson(lua_State* L, int idx) {
  Json out;
  Status st = ToJsonAt(L, idx, 0, out);
  if (!st) return st.error();
  return out;
}

namespace {

void PushString(lua_State* L, std::string_view text) { lua_pushlstring(L, text.data(), text.size()); }

// table[key] = text, for the table on top of the stack.
void SetStringField(lua_State* L, const char* key, std::string_view text) {
  PushString(L, text);
  lua_setfield(L, -2, key);
}

// A list of {id, name, arguments, input}: `arguments` the JSON text, `input` the decoded value
// (absent when the arguments are not JSON).
void PushToolCalls(lua_State* L, const std::vector<ToolCall>& calls) {
  lua_createtable(L, static_cast<int>(calls.size()), 0);
  lua_Integer i = 1;
  for (const ToolCall& call : calls) {
    lua_createtable(L, 0, 4);
    SetStringField(L, "id", call.id);
    SetStringField(L, "name", call.name);
    SetStringField(L, "arguments", call.arguments);
    if (call.input) {
      PushJson(L, *call.input);
      lua_setfield(L, -2, "input");
    }
    lua_rawseti(L, -2, i++);
  }
}

// {role, content} and, only when the turn has them, parts, tool_calls and tool_call_id, so that
// a plain text conversation costs what it did before tool calls were read.
void PushMessage(lua_State* L, const Message& m) {
  lua_createtable(L, 0, 2);
  SetStringField(L, "role", m.role);
  SetStringField(L, "content", m.content);
  if (!m.parts.empty()) {
    lua_createtable(L, static_cast<int>(m.parts.size()), 0);
    lua_Integer i = 1;
    for (const Json& part : m.parts) {
      PushJson(L, part);
      lua_rawseti(L, -2, i++);
    }
    lua_setfield(L, -2, "parts");
  }
  if (!m.tool_calls.empty()) {
    PushToolCalls(L, m.tool_calls);
    lua_setfield(L, -2, "tool_calls");
  }
  if (!m.tool_call_id.empty()) SetStringField(L, "tool_call_id", m.tool_call_id);
}

}  // namespace

void PushSample(lua_State* L, const Sample& sample) {
  lua_createtable(L, 0, 9);
  PushJson(L, sample.id);
  lua_setfield(L, -2, "id");
  SetStringField(L, "answer", sample.answer());
  SetStringField(L, "prompt", sample.prompt());
  SetStringField(L, "system", sample.system());
  lua_createtable(L, static_cast<int>(sample.messages.size()), 0);
  lua_Integer i = 1;
  for (const Message& m : sample.messages) {
    PushMessage(L, m);
    lua_rawseti(L, -2, i++);
  }
  // s.tool_calls is the answer turn's list itself, or an empty list, so rubrics can always ipairs it.
  lua_rawgeti(L, -1, static_cast<lua_Integer>(sample.answer_index) + 1);
  lua_getfield(L, -1, "tool_calls");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
  }
  lua_setfield(L, -4, "tool_calls");
  lua_pop(L, 1);
  lua_setfield(L, -2, "messages");
  if (!sample.reference.is_null()) {
    PushJson(L, sample.reference);
    lua_setfield(L, -2, "reference");
  }
  if (sample.metadata.is_object()) {
    PushJson(L, sample.metadata);
  } else {
    lua_newtable(L);
  }
  lua_setfield(L, -2, "metadata");
}

void PushCoreModule(lua_State* L) {
  lua_createtable(L, 0, 3);
  PushNull(L);
  lua_setfield(L, -2, "null");
  lua_createtable(L, 0, 2);
  lua_pushcfunction(L, JsonDecode);
  lua_setfield(L, -2, "decode");
  lua_pushcfunction(L, JsonEncode);
  lua_setfield(L, -2, "encode");
  lua_setfield(L, -2, "json");
  lua_pushstring(L, "0.1.0");
  lua_setfield(L, -2, "version");
}

void ReadMetricList(lua_State* L, int idx, std::vector<Metric>& out) {
  idx = lua_absindex(L, idx);
  if (!lua_istable(L, idx)) return;
  const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, idx));
  out.reserve(out.size() + static_cast<size_t>(n));
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_rawgeti(L, idx, i);
    lua_rawgeti(L, -1, 1);
    lua_rawgeti(L, -2, 2);
    lua_rawgeti(L, -3, 3);
    Metric m;
    size_t len = 0;
    const char* name = lua_tolstring(L, -3, &len);
    if (name != nullptr) m.name.assign(name, len);
    m.value = lua_tonumber(L, -2);
    const char* type = lua_tostring(L, -1);
    m.type = (type != nullptr && std::string_view(type) == "Reward") ? MetricType::kReward : MetricType::kMetric;
    lua_pop(L, 4);
    out.push_back(std::move(m));
  }
}

Status ReadRunnerResult(lua_State* L, int idx, Score& score) {
  idx = lua_absindex(L, idx);
  if (!lua_istable(L, idx)) return Error(ErrorKind::kInternal, "the runner returned no result table");
  lua_getfield(L, idx, "reward");
  int is_number = 0;
  const double reward = lua_tonumberx(L, -1, &is_number);
  lua_pop(L, 1);
  if (!is_number || !std::isfinite(reward)) {
    return Error(ErrorKind::kBadRubric, "the reward is not a finite number");
  }
  score.reward = reward;

  lua_getfield(L, idx, "metrics");
  ReadMetricList(L, -1, score.metrics);
  lua_pop(L, 1);

  lua_getfield(L, idx, "details");
  if (lua_istable(L, -1)) {
    Result<Json> details = ToJson(L, -1);
    if (!details) {
      lua_pop(L, 1);
      return Error(ErrorKind::kBadRubric, "details: " + details.error().message());
    }
    score.details = details->is_object() ? std::move(*details) : Json::object();
  }
  lua_pop(L, 1);
  return Status::Ok();
}

}  // namespace gavel::detail
