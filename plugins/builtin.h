// Registers every plugin that ships with gavel. Both apps call this; plugins never register
// themselves through static initialisers.
#pragma once

#include <filesystem>

#include "gavel/plugin_registry.h"

namespace gavel {

struct BuiltinOptions {
  // The judge reply cache (SQLite); empty: none. The offline tool turns it on, Lambda does not.
  std::filesystem::path judge_cache;
  // Judges answer with canned, schema-valid verdicts and call no endpoint (gavel check's dry run).
  bool canned_judge = false;
};

Status RegisterBuiltinPlugins(PluginRegistry& registry, const BuiltinOptions& options = {});

}  // namespace gavel
