// The example plugin that opens gavel/plugin.h, built and run as written there, so the example
// stays true.
#include <catch2/catch.hpp>

#include <cctype>
#include <lua.hpp>
#include <string>

#include "gavel/engine.h"
#include "gavel/plugin.h"
#include "test_support.h"

namespace {

class ShoutPlugin final : public gavel::Plugin {
 public:
  std::string_view name() const override { return "gavel.shout"; }
  void Open(lua_State* L) const override {
    lua_newtable(L);
    lua_pushcfunction(L, &Upper);
    lua_setfield(L, -2, "upper");
  }

 private:
  static int Upper(lua_State* L) {
    std::size_t n = 0;
    const char* text = luaL_checklstring(L, 1, &n);
    std::string out(text, n);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    lua_pushlstring(L, out.data(), out.size());
    return 1;
  }
};

}  // namespace

TEST_CASE("the example plugin of gavel/plugin.h scores as documented") {
  gavel::testing::TempDir dir;
  const auto file = dir.Write("shout.lua", R"(
local shout = require "gavel.shout"
return rubric {
  name = "shout",
  checks = {
    check { name = "loud", weight = 1, fn = function(s) return shout.upper(s.answer) == "HI" end },
  },
}
)");
  auto registry = std::make_unique<gavel::PluginRegistry>();
  REQUIRE(registry->Add(std::make_unique<ShoutPlugin>()));
  auto rubric = gavel::Rubric::Load(file, *registry);
  REQUIRE(rubric);
  gavel::EngineOptions options;
  options.threads = 1;
  auto engine = gavel::Engine::Create(*rubric, *registry, options);
  REQUIRE(engine);
  // The engine keeps the plugins it may open: the caller's registry may go (plugin_registry.h).
  registry.reset();
  std::vector<gavel::ParsedSample> batch;
  batch.push_back(gavel::testing::MakeSample("a", "hi"));
  batch.push_back(gavel::testing::MakeSample("b", "no"));
  auto scores = (*engine)->ScoreBatch(std::move(batch));
  REQUIRE(scores.size() == 2);
  CHECK(scores[0].reward == 1.0);
  CHECK(scores[1].reward == 0.0);
}
