// The extra plugins of the bootstrap's test build (see apps/lambda/CMakeLists.txt).
#include <memory>

#include "gavel/plugin.h"
#include "test_support.h"

gavel::Status RegisterBootstrapTestPlugins(gavel::PluginRegistry& registry) {
  return registry.Add(std::make_unique<gavel::testing::NativeBlockPlugin>());
}
