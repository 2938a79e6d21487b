#include "gavel/plugin.h"

#include "lua_sandbox.h"

namespace gavel {

Status PluginRegistry::Add(std::unique_ptr<Plugin> plugin) {
  if (plugin == nullptr) return Error(ErrorKind::kUsage, "plugin registry: null plugin");
  std::string name(plugin->name());
  if (name.rfind("gavel.", 0) != 0 || name.size() == 6) {
    return Error(ErrorKind::kUsage, "plugin registry: '" + name + "' is not a module name under 'gavel.'");
  }
  if (plugins_.count(name) != 0) {
    return Error(ErrorKind::kUsage, "plugin registry: a plugin named '" + name + "' is already registered");
  }
  plugins_.emplace(std::move(name), std::move(plugin));
  return Status::Ok();
}

const Plugin* PluginRegistry::Find(std::string_view name) const {
  auto it = plugins_.find(name);
  return it == plugins_.end() ? nullptr : it->second.get();
}

std::vector<std::string> PluginRegistry::Names() const {
  std::vector<std::string> names;
  names.reserve(plugins_.size());
  for (const auto& [name, plugin] : plugins_) names.push_back(name);
  return names;
}

PluginHost& HostOf(lua_State* L) { return detail::ContextOf(L); }

void RaiseError(lua_State* L, ErrorKind kind, const std::string& message) {
  if (detail::Budget* b = detail::ContextOf(L).active) b->raised = kind;
  lua_pushlstring(L, message.data(), message.size());
  lua_error(L);
  __builtin_unreachable();
}

void RaiseError(lua_State* L, ErrorKind kind, const char* message) {
  if (detail::Budget* b = detail::ContextOf(L).active) b->raised = kind;
  lua_pushstring(L, message);
  lua_error(L);
  __builtin_unreachable();
}

}  // namespace gavel
