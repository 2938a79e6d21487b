// The Lua module `gavel.safety`: rule packs compiled at rubric load, scans per sample.
//   registry.Add(gavel::safety::MakeModule());   // then, in a rubric: require "gavel.safety"
#pragma once

#include <memory>

#include "gavel/plugin_registry.h"

namespace gavel::safety {

std::unique_ptr<gavel::Plugin> MakeModule();

}  // namespace gavel::safety
