#include "builtin.h"

namespace gavel {

Status RegisterBuiltinPlugins(PluginRegistry& /*registry*/) { return Status::Ok(); }

}  // namespace gavel
