// The Lua module `gavel.language`: language detection and consistency checks for rubrics.
//   registry.Add(gavel::language::MakeModule());   // then, in a rubric: require "gavel.language"
#pragma once

#include <memory>

#include "gavel/plugin_registry.h"

namespace gavel::language {

std::unique_ptr<gavel::Plugin> MakeModule();

}  // namespace gavel::language
