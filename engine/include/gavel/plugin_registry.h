// The plugins an engine may open: a library user fills a registry and hands it to Rubric::Load
// and Engine::Create. Writing a plugin needs gavel/plugin.h (the gavel::plugin_api target).
//
//   gavel::PluginRegistry registry;
//   gavel::RegisterBuiltinPlugins(registry);                 // plugins/builtin.h
//   auto rubric = gavel::Rubric::Load("rubrics/math_answer.lua", registry);
//   auto engine = gavel::Engine::Create(*rubric, registry);
//
// Ownership: plugins are shared, immutable objects. Rubric::Load uses the registry only while it
// runs. Engine::Create takes a copy of the registry (a map of shared pointers), which its workers
// keep, abandoned ones included, so the caller's registry may be destroyed or grown at any time
// after Create returns; a plugin lives until the last engine that can open it is gone.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gavel/status.h"

struct lua_State;

namespace gavel {

// A C++ module a rubric reaches with `require "gavel.<name>"` (see gavel/plugin.h for writing one).
class Plugin {
 public:
  virtual ~Plugin() = default;
  // The module name a rubric requires, for example "gavel.schema".
  virtual std::string_view name() const = 0;
  // Pushes the module value (usually a table of functions) onto L's stack. Called once per Lua
  // state that requires the module, on the thread that owns L; raises Lua errors on failure.
  virtual void Open(lua_State* L) const = 0;
};

class PluginRegistry {
 public:
  // Rejects a duplicate name and a name outside the "gavel." namespace.
  Status Add(std::unique_ptr<Plugin> plugin);
  const Plugin* Find(std::string_view name) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, std::shared_ptr<const Plugin>, std::less<>> plugins_;
};

}  // namespace gavel
