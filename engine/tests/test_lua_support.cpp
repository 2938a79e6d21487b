// The toolkit plugins use for their Lua modules: data files a rubric names, shared compiled
// objects as userdata, and JSON values.
#include <catch2/catch.hpp>

#include "gavel/lua_support.h"
#include "test_support.h"

namespace {

struct Text {
  std::string content;
};

// `gavel.test_files`: open(name) reads a data file once per rubric into a shared object whose
// method text() returns the content; json() returns a fixed JSON value.
class FilesPlugin : public gavel::Plugin {
 public:
  std::string_view name() const override { return "gavel.test_files"; }
  void Open(lua_State* L) const override {
    static const luaL_Reg module[] = {{"open", Open_}, {"json", Json_}, {nullptr, nullptr}};
    luaL_newlib(L, module);
  }

 private:
  static int Open_(lua_State* L) {
    gavel::RequireRubricLoad(L, "files.open");
    const std::filesystem::path file = gavel::ResolveDataFile(L, luaL_checkstring(L, 1));
    auto text = gavel::HostOf(L).resources().GetOrCreate<Text>(
        "files:" + file.string(), [&]() -> gavel::Result<std::shared_ptr<const Text>> {
          std::ifstream in(file);
          std::stringstream s;
          s << in.rdbuf();
          return std::make_shared<const Text>(Text{s.str()});
        });
    static const luaL_Reg methods[] = {{"text", Content}, {nullptr, nullptr}};
    gavel::PushObject<Text>(L, *text, "gavel.test_files.text", methods);
    return 1;
  }
  static int Content(lua_State* L) {
    const Text& t = gavel::CheckObject<Text>(L, 1, "gavel.test_files.text");
    lua_pushlstring(L, t.content.data(), t.content.size());
    return 1;
  }
  static int Json_(lua_State* L) {
    gavel::PushJsonValue(L, gavel::Json::parse(R"({"list": [1, null, "x"], "n": 2.5})"));
    return 1;
  }
};

}  // namespace

TEST_CASE("plugins read data files inside the data root and nowhere else", "[lua_support]") {
  gavel::testing::TempDir dir;
  dir.Write("schemas/data.txt", "shared text");
  dir.Write("outside/secret.txt", "secret");
  gavel::PluginRegistry registry;
  REQUIRE(registry.Add(std::make_unique<FilesPlugin>()));
  gavel::RubricLoadOptions opts;
  opts.data_root = dir.path() / "rubrics/..";  // the project folder holding rubrics/ and schemas/
  auto load = [&](const std::string& name) {
    dir.Write("rubrics/r.lua", "local files = require 'gavel.test_files'\nlocal t = files.open('" + name +
                                   "')\nreturn rubric { checks = { check { name = 'c', fn = function() "
                                   "return t:text() == 'shared text', files.json() end } } }");
    return gavel::Rubric::Load(dir.path() / "rubrics/r.lua", registry, opts);
  };
  auto good = load("../schemas/data.txt");
  INFO((good ? "" : good.error().message()));
  REQUIRE(good);
  auto engine = gavel::Engine::Create(*good, registry, {});
  REQUIRE(engine);
  std::vector<gavel::ParsedSample> batch;
  batch.push_back(gavel::testing::MakeSample("a", "x"));
  gavel::Score score = (*engine)->ScoreBatch(std::move(batch)).at(0);
  INFO(gavel::testing::ErrorText(score));
  CHECK(score.reward == 1);
  CHECK(score.details["c"] == gavel::Json::parse(R"({"list": [1, null, "x"], "n": 2.5})"));

  opts.data_root = dir.path() / "schemas";
  CHECK_THAT(load("../outside/secret.txt").error().message(),
             Catch::Contains("file '../outside/secret.txt' is outside the folders a rubric may read"));
  CHECK_THAT(load("/etc/passwd").error().message(), Catch::Contains("is outside the folders a rubric may read"));
  opts.data_root = dir.path();
  CHECK_THAT(load("../schemas/absent.txt").error().message(), Catch::Contains("file '../schemas/absent.txt' not found"));
}

TEST_CASE("by default the data root is the folder above the rubrics folder", "[lua_support]") {
  gavel::PluginRegistry registry;
  auto rubric = gavel::Rubric::Load(GAVEL_SOURCE_DIR "/rubrics/math_answer.lua", registry);
  REQUIRE(rubric);
  CHECK(std::filesystem::equivalent((*rubric)->data_root(), GAVEL_SOURCE_DIR));
}

TEST_CASE("compiling functions run at load and are refused inside a step", "[lua_support]") {
  gavel::testing::TempDir dir;
  dir.Write("data.txt", "shared text");
  gavel::PluginRegistry registry;
  REQUIRE(registry.Add(std::make_unique<FilesPlugin>()));
  // The scorer's rubric lives in its own temporary folder; both lie under the data root.
  const std::string file = (dir.path() / "data.txt").string();
  gavel::testing::Scorer scorer(
      "local files = require 'gavel.test_files'\n"
      "local at_load = files.open('" + file + "')\n"
      "return rubric { checks = {\n"
      "  check { name = 'loaded', fn = function() return at_load:text() == 'shared text' end },\n"
      "  check { name = 'late', fn = function() return files.open('" + file + "') ~= nil end } } }",
      1, &registry);
  REQUIRE(scorer.ok());
  gavel::Score score = scorer.Answer("x");
  CHECK(score.neutral);
  CHECK_THAT(gavel::testing::ErrorText(score),
             Catch::Contains("files.open compiles once, when the rubric loads") &&
                 Catch::Contains("check 'late'"));
}
