// The Lua module `gavel.schema`: JSON extraction from answers and JSON Schema validation for
// rubrics (the Lua API is described in docs/rubrics.md).
//
//   registry.Add(gavel::schema::MakeModule());
#pragma once

#include <memory>

#include "gavel/plugin_registry.h"

namespace gavel::schema {

std::unique_ptr<gavel::Plugin> MakeModule();

}  // namespace gavel::schema
