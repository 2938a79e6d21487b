// The Lua module `gavel.text`: lengths, length penalties, matching, final-answer checks and
// similarity metrics for rubrics (the Lua API is described in docs/rubrics.md).
//
//   registry.Add(gavel::text::MakeModule());
#pragma once

#include <memory>

#include "gavel/plugin_registry.h"

namespace gavel::text {

std::unique_ptr<gavel::Plugin> MakeModule();

}  // namespace gavel::text
