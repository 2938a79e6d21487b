// The Lua module `gavel.judge`: LLM-as-judge steps for rubrics. judge.new compiles a grader
// (prompt templates, verdict schema, judge URL) once per rubric; grader:ask, grader:ask_each and
// grader:compare call the judge while the sample is suspended, through one HTTP client per
// module object shared by every sample of every worker (the Lua API is in docs/rubrics.md).
//
//   registry.Add(gavel::judge::MakeModule());
//   registry.Add(gavel::judge::MakeModule({.canned_verdicts = true}));   // no endpoint is called
#pragma once

#include <filesystem>
#include <memory>

#include "gavel/plugin_registry.h"

namespace gavel::judge {

struct ModuleOptions {
  // The SQLite file of the judge reply cache (see reply_cache.h), opened when a rubric first
  // creates a grader; empty: no cache.
  std::filesystem::path cache_file;
  // Answer every judge call here, with a verdict made from the grader's schema and a hash of
  // the request (verdict_generator.h), instead of calling the endpoint; judge.new then ignores
  // the URL and needs no credentials. For dry runs (gavel check): the rubric's steps run, its
  // judges' scores mean nothing.
  bool canned_verdicts = false;
};

std::unique_ptr<gavel::Plugin> MakeModule(ModuleOptions options = {});

}  // namespace gavel::judge
