// Runs the DSL prelude and a rubric file in a sandbox; used by Rubric::Load (on a throwaway
// state, to validate) and by every worker (to get its own copy).
#pragma once

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

// Loads the rubric into `sandbox`, stores the runner and the rubric object in the registry
// (StateContext::runner_ref and rubric_ref) and locks the globals. Errors name file and line.
Result<RubricInfo> LoadRubricInto(LuaSandbox& sandbox, const std::string& display_name,
                                  const std::string& source, const RubricLimits& load_limits);

}  // namespace gavel::detail
