// Registers every plugin that ships with gavel. Both apps call this; plugins never register
// themselves through static initialisers.
#pragma once

#include "gavel/judge/options.h"
#include "gavel/plugin_registry.h"

namespace gavel {

// The typed configuration of the plugins that take one, filled in by each app.
struct BuiltinOptions {
  // The judge's default URL, window, prices, reply cache and canned verdicts
  // (gavel/judge/options.h). The offline tool turns the cache on, Lambda does not.
  judge::Options judge;
};

Status RegisterBuiltinPlugins(PluginRegistry& registry, const BuiltinOptions& options = {});

}  // namespace gavel
