// The Lua module `gavel.judge`: LLM-as-judge steps for rubrics. judge.new compiles a grader
// (prompt templates, verdict schema, judge URL) once per rubric; grader:ask, grader:ask_each and
// grader:compare call the judge while the sample is suspended, through one HTTP client per
// module object shared by every sample of every worker (the Lua API is in docs/rubrics.md).
//
//   registry.Add(gavel::judge::MakeModule({.default_url = "http://localhost:8000/v1?model=m"}));
//   registry.Add(gavel::judge::MakeModule({.canned_verdicts = true}));   // no endpoint is called
#pragma once

#include <memory>

#include "gavel/judge/options.h"
#include "gavel/plugin_registry.h"

namespace gavel::judge {

std::unique_ptr<gavel::Plugin> MakeModule(Options options = {});

}  // namespace gavel::judge
