// Moving data between C++ and Lua: JSON values, samples, and the runner's result table.
// All functions run inside a protected call (they may raise Lua memory errors).
#pragma once

#include <string>

#include <lua.hpp>

#include "gavel/sample.h"
#include "gavel/score.h"
#include "gavel/status.h"

namespace gavel::detail {

// Deepest table nesting converted either way; deeper values are an error, never a crash.
constexpr int kMaxLuaJsonDepth = 64;

// Pushes `gavel.null`, the value JSON null becomes in Lua (so arrays keep their length).
void PushNull(lua_State* L);
bool IsNull(lua_State* L, int idx);

// Pushes a JSON value as Lua values: objects and arrays become tables, null becomes gavel.null.
void PushJson(lua_State* L, const Json& value);

// Converts the Lua value at idx to JSON. Sequences become arrays, other tables objects (keys
// written as strings); functions, userdata, NaN and infinities, and nesting deeper than
// kMaxLuaJsonDepth are errors.
Result<Json> ToJson(lua_State* L, int idx);

// Pushes the sample table a rubric sees: id, answer, prompt, system, messages, tool_calls,
// reference, metadata (docs/rubrics.md, "The sample table").
void PushSample(lua_State* L, const Sample& sample);

// Pushes the `gavel` core module table (null, json.decode, json.encode).
void PushCoreModule(lua_State* L);

// Appends the runner's metrics list at idx ({{name, value, "Reward"|"Metric"}, ...}) to `out`.
void ReadMetricList(lua_State* L, int idx, std::vector<Metric>& out);

// Reads the runner's result table at idx ({reward, metrics, details}) into `score`.
Status ReadRunnerResult(lua_State* L, int idx, Score& score);

}  // namespace gavel::detail
