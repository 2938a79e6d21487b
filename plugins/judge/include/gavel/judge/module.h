// The Lua module `gavel.judge`: LLM-as-judge steps for rubrics. judge.new compiles a grader
// (prompt templates, verdict schema, judge URL) once per rubric; grader:ask, grader:ask_each and
// grader:compare call the judge while the sample is suspended, through one HTTP client per
// module object shared by every sample of every worker (the Lua API is in docs/rubrics.md).
//
//   registry.Add(gavel::judge::MakeModule());
#pragma once

#include <memory>

#include "gavel/plugin.h"

namespace gavel::judge {

std::unique_ptr<gavel::Plugin> MakeModule();

}  // namespace gavel::judge
