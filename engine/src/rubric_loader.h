// Runs the DSL prelude and a rubric file in a sandbox; used by Rubric::Load (on a throwaway
// state, to validate) and by every worker (to get its own copy).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "gavel/rubric.h"
#include "lua_sandbox.h"

namespace gavel::detail {

struct RubricInfo {
  std::string name;
  double neutral = 0.5;
  RubricLimits limits;
  std::vector<std::string> gates, checks, judges;
  std::map<std::string, std::string> measures;  // step name -> what it measures
};

// The chunk name (without Lua's leading '@') of a rubric or helper file. Lua keeps at most
// LUA_IDSIZE - 1 bytes of it in messages and cuts a longer one from the front ("...ics/x.lua"),
// so a long path is named relative to `root` (the rubric root) instead, which stays whole; load
// errors get the full path back (LoadRubricInto). Short paths are kept as given.
std::string ChunkName(const std::filesystem::path& file, const std::filesystem::path& root);

// Loads the rubric into `sandbox`, stores the runner and the rubric object in the registry
// (StateContext::runner_ref and rubric_ref) and locks the globals. Errors name file and line.
Result<RubricInfo> LoadRubricInto(LuaSandbox& sandbox, const std::string& display_name,
                                  const std::string& source, const RubricLimits& load_limits);

}  // namespace gavel::detail
