// Registers every plugin that ships with gavel. Both apps call this; plugins never register
// themselves through static initialisers.
#pragma once

#include "gavel/plugin.h"

namespace gavel {

Status RegisterBuiltinPlugins(PluginRegistry& registry);

}  // namespace gavel
