// The Lua module `gavel.judge`: LLM-as-judge steps for rubrics. judge.new compiles a grader
// (prompt templates, verdict schema, judge URL) once per rubric; grader:ask, grader:ask_each and
// grader:compare call the judge while the sample is suspended, through one HTTP client per
// module object shared by every sample of every worker (the Lua API is in docs/rubrics.md).
//
//   registry.Add(gavel::judge::MakeModule());
#pragma once

#include <filesystem>
#include <memory>

#include "gavel/plugin.h"

namespace gavel::judge {

struct ModuleOptions {
  // The SQLite file of the judge reply cache (see reply_cache.h), opened when a rubric first
  // creates a grader; empty: no cache.
  std::filesystem::path cache_file;
};

std::unique_ptr<gavel::Plugin> MakeModule(ModuleOptions options = {});

}  // namespace gavel::judge
