// The toolkit plugins use for their Lua modules: data files a rubric names, shared compiled
// objects as userdata, JSON values, and the arguments, results and errors of module functions.
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

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

namespace {

// `gavel.test_glue`: module functions built on the shared glue, one per rule it enforces.
//   text(x)          returns CheckText(x)
//   fail(kind)       a core error of that kind ("rubric", "sample", "limit", "plugin", ...)
//   throws(what)     the core throws: "oom" std::bad_alloc, anything else std::runtime_error
//   half()           pushes a table, then runs out of memory while pushing a second result
//   fields()         a result table made with the Set* helpers
class GluePlugin : public gavel::Plugin {
 public:
  std::string_view name() const override { return "gavel.test_glue"; }
  void Open(lua_State* L) const override {
    static const luaL_Reg module[] = {{"text", Text_},     {"fail", Fail},     {"throws", Throws},
                                      {"half", Half},      {"fields", Fields}, {nullptr, nullptr}};
    luaL_newlib(L, module);
  }

 private:
  static int Text_(lua_State* L) {
    gavel::PushString(L, gavel::CheckText(L, 1));
    return 1;
  }
  static int Fail(lua_State* L) {
    const std::string_view name = gavel::CheckText(L, 1);
    return gavel::CallCore(
        L, "glue.fail",
        [&]() -> gavel::Result<int> {
          for (const gavel::ErrorKind kind :
               {gavel::ErrorKind::kBadRubric, gavel::ErrorKind::kBadSample, gavel::ErrorKind::kLimit,
                gavel::ErrorKind::kDeadline, gavel::ErrorKind::kPlugin, gavel::ErrorKind::kJudgeUnavailable,
                gavel::ErrorKind::kIo, gavel::ErrorKind::kUsage, gavel::ErrorKind::kInternal}) {
            if (gavel::ErrorKindName(kind) == name) return gavel::Error(kind, "the core said no");
          }
          return 7;
        },
        [&](int n) {
          lua_pushinteger(L, n);
          return 1;
        });
  }
  static int Throws(lua_State* L) {
    const std::string_view what = gavel::CheckText(L, 1);
    return gavel::CallCore(
        L, "glue.throws",
        [&]() -> gavel::Result<int> {
          if (what == "oom") throw std::bad_alloc();
          throw std::runtime_error(std::string(what));
        },
        [&](int) { return 0; });
  }
  static int Half(lua_State* L) {
    return gavel::CallCore(
        L, "glue.half", [] { return gavel::Result<int>(1); },
        [&](int) -> int {
          lua_newtable(L);
          throw std::bad_alloc();
        });
  }
  static int Fields(lua_State* L) {
    lua_newtable(L);
    gavel::SetString(L, "s", std::string_view("a\0b", 3));
    gavel::SetInteger(L, "i", 42);
    gavel::SetNumber(L, "n", 0.5);
    gavel::SetBool(L, "b", true);
    return 1;
  }
};

// Scores one sample whose check returns `expr`; `registry` holds gavel.test_glue.
gavel::Score GlueScore(const std::string& expr) {
  gavel::PluginRegistry registry;
  REQUIRE(registry.Add(std::make_unique<GluePlugin>()));
  gavel::testing::Scorer scorer(
      "local glue = require 'gavel.test_glue'\n"
      "return rubric { checks = { check { name = 'c', fn = function(s)\n"
      "  return 1, " + expr + "\nend } } }",
      1, &registry);
  INFO(scorer.load_error);
  REQUIRE(scorer.ok());
  return scorer.Answer("x");
}

// The one error of a sample whose check raises, with the rubric line it came from.
gavel::ScoreError GlueError(const std::string& expr) {
  const gavel::Score score = GlueScore(expr);
  CHECK(score.neutral);
  REQUIRE(score.errors.size() == 1);
  CHECK_THAT(score.errors[0].message, Catch::Contains("rubric.lua:3:"));
  return score.errors[0];
}

}  // namespace

TEST_CASE("CheckText takes strings, bytes and all, and refuses numbers", "[lua_support]") {
  CHECK(GlueScore("glue.text('a\\0b')").details["c"] == std::string("a\0b", 3));
  for (const char* arg : {"42", "1.5", "nil", "{}"}) {
    INFO(arg);
    const gavel::ScoreError e = GlueError(std::string("glue.text(") + arg + ")");
    CHECK(e.kind == gavel::ErrorKind::kBadRubric);
    CHECK_THAT(e.message, Catch::Contains("bad argument #1 to 'text' (string expected, got "));
  }
}

TEST_CASE("RaiseTop classes a core's error by one rule for every plugin", "[lua_support]") {
  using gavel::ErrorKind;
  const std::pair<const char*, ErrorKind> cases[] = {
      {"rubric", ErrorKind::kBadRubric},  {"usage", ErrorKind::kBadRubric},
      {"limit", ErrorKind::kLimit},       {"sample", ErrorKind::kBadSample},
      {"deadline", ErrorKind::kDeadline}, {"judge", ErrorKind::kJudgeUnavailable},
      {"plugin", ErrorKind::kPlugin},     {"internal", ErrorKind::kPlugin},
      {"io", ErrorKind::kPlugin},
  };
  for (const auto& [name, kind] : cases) {
    INFO(name);
    const gavel::ScoreError e = GlueError(std::string("glue.fail('") + name + "')");
    CHECK(e.kind == kind);
    CHECK_THAT(e.message, Catch::Contains("glue.fail: the core said no"));
  }
  CHECK(GlueScore("glue.fail('none')").details["c"] == 7);
}

TEST_CASE("out of memory in plugin code is a limit error, other exceptions plugin errors", "[lua_support]") {
  const gavel::ScoreError oom = GlueError("glue.throws('oom')");
  CHECK(oom.kind == gavel::ErrorKind::kLimit);
  CHECK_THAT(oom.message, Catch::Contains("glue.throws: out of memory"));
  const gavel::ScoreError other = GlueError("glue.throws('disk on fire')");
  CHECK(other.kind == gavel::ErrorKind::kPlugin);
  CHECK_THAT(other.message, Catch::Contains("glue.throws: disk on fire"));
  // Results half pushed when the exception came are dropped: the message is what is raised.
  const gavel::ScoreError half = GlueError("glue.half()");
  CHECK(half.kind == gavel::ErrorKind::kLimit);
  CHECK_THAT(half.message, Catch::Contains("glue.half: out of memory"));
  // A rubric may catch it like any error.
  const gavel::Score caught = GlueScore("select(2, pcall(glue.throws, 'oom'))");
  CHECK_FALSE(caught.neutral);
  CHECK_THAT(caught.details["c"].get<std::string>(), Catch::Contains("glue.throws: out of memory"));
}

TEST_CASE("result tables are filled with the Set helpers", "[lua_support]") {
  CHECK(GlueScore("glue.fields()").details["c"] ==
        gavel::Json{{"s", std::string("a\0b", 3)}, {"i", 42}, {"n", 0.5}, {"b", true}});
}
