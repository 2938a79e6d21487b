#include "builtin.h"

#include "gavel/judge/module.h"
#include "gavel/language/module.h"
#include "gavel/safety/module.h"
#include "gavel/schema/module.h"
#include "gavel/text/module.h"

namespace gavel {

Status RegisterBuiltinPlugins(PluginRegistry& registry, const BuiltinOptions& options) {
  for (auto* make : {&schema::MakeModule, &safety::MakeModule, &language::MakeModule, &text::MakeModule}) {
    if (Status st = registry.Add(make()); !st) return st;
  }
  return registry.Add(judge::MakeModule(options.judge));
}

}  // namespace gavel
