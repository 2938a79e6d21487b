// Escape attempts against the rubric sandbox, and every per-sample limit. Each is refused with
// a clear error, and the sample gets the neutral reward without disturbing the next one.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "test_support.h"

#include "gavel/lua_support.h"
#include "lua_stdlib.h"

using gavel::ErrorKind;
using gavel::testing::ErrorText;
using gavel::testing::Scorer;

namespace {

// A rubric with one check running `body`, with tight limits so the tests stay quick.
std::string CheckRubric(const std::string& body, const std::string& limits = "memory_mb = 16, instructions = 2e6") {
  return "return rubric {\n  limits = { " + limits + " },\n  checks = { check { name = \"probe\", fn = function(s)\n" +
         body + "\n  end } },\n}\n";
}

struct Outcome {
  bool failed;
  ErrorKind kind;
  std::string message;
};

Outcome Run(const std::string& body, const std::string& limits = "memory_mb = 16, instructions = 2e6") {
  Scorer s(CheckRubric(body, limits));
  REQUIRE(s.ok());
  gavel::Score score = s.Answer("answer");
  if (!score.neutral) return {false, ErrorKind::kInternal, ""};
  REQUIRE(score.errors.size() == 1);
  CHECK(score.reward == 0.5);
  return {true, score.errors[0].kind, score.errors[0].message};
}

}  // namespace

TEST_CASE("io, os, package, debug and coroutine are not reachable", "[sandbox]") {
  for (const char* name : {"io", "os", "package", "debug", "coroutine", "dofile_x"}) {
    Outcome o = Run(std::string("return ") + name + " ~= nil");
    CHECK(o.failed);
    CHECK(o.kind == ErrorKind::kBadRubric);
    CHECK_THAT(o.message, Catch::Contains(std::string("undefined global '") + name + "'"));
  }
  Outcome dofile = Run("return dofile('/etc/passwd')");
  CHECK_THAT(dofile.message, Catch::Contains("dofile is not available in rubrics"));
  Outcome loadfile = Run("return loadfile('/etc/passwd')");
  CHECK_THAT(loadfile.message, Catch::Contains("loadfile is not available in rubrics"));
  Outcome require_os = Run("return require('os')");
  CHECK_THAT(require_os.message, Catch::Contains("require 'os': no file"));
  Outcome gc = Run("collectgarbage('stop') return 1");
  CHECK_THAT(gc.message, Catch::Contains("collectgarbage('stop') is not available in rubrics"));
  CHECK_FALSE(Run("return collectgarbage('count') > 0").failed);
}

TEST_CASE("bytecode cannot be made or loaded", "[sandbox]") {
  Outcome dump = Run("return string.dump(function() end)");
  CHECK(dump.failed);
  CHECK_THAT(dump.message, Catch::Contains("attempt to call a nil value (field 'dump')"));
  // A binary chunk is refused even when the mode asks for it; source text still loads.
  CHECK_FALSE(Run(R"(
    local f, err = load("\27LuaT\0\25\147\13\10\26\10", "x", "b")
    assert(f == nil and err:find("binary chunk"), tostring(err))
    return load("return 1")() )").failed);
}

TEST_CASE("globals, library tables and the string metatable cannot be changed", "[sandbox]") {
  CHECK_THAT(Run("counter = 1 return 1").message,
             Catch::Contains("attempt to set global 'counter': globals are read-only while scoring"));
  CHECK_THAT(Run("string.upper = nil return 1").message, Catch::Contains("attempt to modify a read-only table"));
  CHECK_THAT(Run("rawset(_G, 'x', 1) return 1").message, Catch::Contains("rawset is not available"));
  CHECK_THAT(Run("setmetatable(_G, nil) return 1").message, Catch::Contains("cannot change a protected metatable"));
  CHECK_THAT(Run("return getmetatable('').__index").message, Catch::Contains("attempt to index a boolean value"));
  CHECK_FALSE(Run("local n = 0 for _ in pairs(string) do n = n + 1 end\n"
                  "return ('abc'):upper() == 'ABC' and n > 10 or error('proxy')").failed);
}

TEST_CASE("one sample cannot change what another sample sees", "[sandbox]") {
  // Globals set while the rubric file loads are fine; from then on they are read-only, so
  // nothing one sample does to them reaches the next sample on the same worker.
  Scorer s(R"(
    shared_count = 0
    return rubric {
      checks = { check { name = "count", fn = function(s)
        if s.answer == "write" then shared_count = shared_count + 1 end
        return shared_count
      end, weight = 0 } },
    })");
  REQUIRE(s.ok());
  gavel::Score writer = s.Answer("write");
  CHECK(writer.neutral);
  CHECK_THAT(writer.errors.at(0).message, Catch::Contains("attempt to set global 'shared_count'"));
  gavel::Score reader = s.Answer("read");
  INFO(ErrorText(reader));
  CHECK_FALSE(reader.neutral);
  CHECK(gavel::testing::FindMetric(reader, "count")->value == 0);
}

TEST_CASE("gavel's modules are read-only all the way down", "[sandbox][isolation]") {
  // The reported leak: replacing gavel.json.decode on one sample changed the next one's reward.
  CHECK_THAT(Run("gavel.json.decode = function() return { score = 5 } end return 1").message,
             Catch::Contains("attempt to modify a read-only table (field 'decode')"));
  CHECK_THAT(Run("setmetatable(gavel.json, { __index = function() return 5 end }) return 1").message,
             Catch::Contains("cannot change a protected metatable"));
  CHECK_THAT(Run("table.insert(gavel.json, 1) return 1").message, Catch::Contains("attempt to modify a read-only table"));
  // Reading is unchanged: the same view every time, and every way of reading sees the table.
  Outcome reads = Run(R"(
    assert(gavel.json == gavel.json and rawequal(gavel.json, gavel.json), "identity")
    assert(getmetatable(gavel.json) == false, "metatable")
    local n = 0
    for k, v in pairs(gavel) do n = n + 1 assert(gavel[k] == v, k) end
    assert(n == 3, "pairs saw " .. n)
    assert(next(gavel) ~= nil and rawget(gavel, "json") == gavel.json, "next, rawget")
    return gavel.json.decode('{"a": [1, 2]}').a[2] == 2 and 1 or 0)");
  INFO(reads.message);
  CHECK_FALSE(reads.failed);
}

TEST_CASE("a required module's nested tables are read-only and read as the tables behind them", "[sandbox][isolation]") {
  gavel::testing::TempDir dir;
  dir.Write("rubrics/lib/state.lua", R"(
local M = { config = { threshold = 0.5, words = { "a", "b", "c" }, [true] = "yes" }, list = { 10, 20, 30 } }
M.config.self = M.config
M.keyed = { [M.list] = "list" }
M.Point = setmetatable({}, { __call = function(_, x) return { x = x } end })
local calls = 0  -- the module's own state: persists across samples on a worker
function M.count() calls = calls + 1 return calls end
return M)");
  gavel::PluginRegistry registry;
  auto load = [&](const std::string& body, const std::string& step = "return 1") {
    return gavel::Rubric::Load(
        dir.Write("rubrics/r.lua", "local m = require 'lib.state'\n" + body +
                                       "\nreturn rubric { checks = { check { name = 'c', fn = function(s) " + step +
                                       " end } } }"),
        registry);
  };
  auto reads = load(R"(
assert(m.config == m.config and rawequal(m.list, m.list) and m.config.self == m.config, "identity")
assert(#m.list == 3 and rawlen(m.list) == 3 and select('#', table.unpack(m.list)) == 3, "length")
assert(table.concat(m.list, ",") == "10,20,30", "concat")
local sum = 0 for _, v in ipairs(m.list) do sum = sum + v end
assert(sum == 60, "ipairs")
local keys = 0
for k, v in pairs(m.config) do
  keys = keys + 1
  if type(v) == "table" then assert(not pcall(function() v.z = 1 end), "pairs gave a writable table") end
end
assert(keys == 4, "pairs saw " .. keys)
assert(next(m.list) == 1 and rawget(m.config, "words") == m.config.words and m.config[true] == "yes", "raw")
for k, v in pairs(m.keyed) do assert(k == m.list and v == "list", "table key") end
assert(m.keyed[m.list] == "list" and rawget(m.keyed, m.list) == "list", "lookup by a table key")
assert(m.Point(3).x == 3, "callable")
assert(gavel.json.encode(m.list) == "[10,20,30]", "encode")
assert(getmetatable(m.config) == false and not pcall(setmetatable, m.config, {}), "metatable"))");
  INFO((reads ? "" : reads.error().message()));
  CHECK(reads);
  for (const char* write : {"m.config.threshold = 1", "m.config.words[1] = 'x'", "m.list[4] = 1",
                            "table.insert(m.list, 1)", "m.config.self.self = nil", "m.Point.x = 1"}) {
    INFO(write);
    auto r = load(write);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message(), Catch::Contains("attempt to modify a read-only table"));
  }

  // What the module keeps in its own locals is its author's: it persists across samples.
  auto counting = load("", "return m.count()");
  REQUIRE(counting);
  gavel::EngineOptions eo;
  eo.threads = 1;
  auto engine = gavel::Engine::Create(*counting, registry, eo);
  REQUIRE(engine);
  std::vector<gavel::ParsedSample> batch;
  batch.push_back(gavel::testing::MakeSample("a", "x"));
  batch.push_back(gavel::testing::MakeSample("b", "x"));
  const std::vector<gavel::Score> scores = (*engine)->ScoreBatch(std::move(batch));
  CHECK(scores.at(0).reward == 1);
  CHECK(scores.at(1).reward == 2);
}

TEST_CASE("tables a rubric file leaves in globals are read-only while scoring", "[sandbox][isolation]") {
  Scorer s(R"(
    config = { n = 1, nested = { tag = "a" } }
    config.n = 2             -- writable while the file loads
    config.nested.tag = "b"
    return rubric {
      checks = { check { name = "c", weight = 0, fn = function(s)
        if s.answer ~= "read" then config.nested.tag = s.answer end
        return config.n, config.nested.tag
      end } },
    })");
  REQUIRE(s.ok());
  gavel::Score writer = s.Answer("leaked answer");
  CHECK(writer.neutral);
  CHECK_THAT(ErrorText(writer), Catch::Contains("attempt to modify a read-only table (field 'tag')"));
  gavel::Score reader = s.Answer("read");
  INFO(ErrorText(reader));
  CHECK_FALSE(reader.neutral);
  CHECK(gavel::testing::FindMetric(reader, "c")->value == 2);
  CHECK(reader.details.at("c") == "b");
}

TEST_CASE("the memory limit stops a huge string, and a pcall cannot swallow it", "[sandbox][limits]") {
  Outcome rep = Run("return #string.rep('x', 1e9)");
  CHECK(rep.kind == ErrorKind::kLimit);
  CHECK(rep.message == "memory limit of 16 MiB exceeded (in check 'probe')");
  Outcome swallowed = Run("local ok = pcall(string.rep, 'x', 1e9) return 1");
  CHECK(swallowed.kind == ErrorKind::kLimit);
  CHECK_THAT(swallowed.message, Catch::StartsWith("memory limit of 16 MiB exceeded"));
  Outcome table_growth = Run("local t = {} for i = 1, 1e8 do t[i] = i end return 1", "memory_mb = 4");
  CHECK(table_growth.kind == ErrorKind::kLimit);
  CHECK_THAT(table_growth.message, Catch::StartsWith("memory limit of 4 MiB exceeded"));
}

TEST_CASE("the instruction limit stops an endless loop, inside pcall or not", "[sandbox][limits]") {
  Outcome loop = Run("while true do end");
  CHECK(loop.kind == ErrorKind::kLimit);
  CHECK(loop.message == "instruction limit of 2000000 exceeded (in check 'probe')");
  Outcome pcalled = Run("pcall(function() while true do end end) return 1");
  CHECK(pcalled.kind == ErrorKind::kLimit);
  Outcome retried = Run("for i = 1, 100 do pcall(function() while true do end end) end return 1");
  CHECK(retried.kind == ErrorKind::kLimit);
  Outcome handler = Run("xpcall(function() while true do end end, function(e) while true do end end) return 1");
  CHECK(handler.kind == ErrorKind::kLimit);
}

TEST_CASE("finalizers, which would run without limits, cannot be set", "[sandbox][limits]") {
  Outcome o = Run("setmetatable({}, { __gc = function() while true do end end }) return 1");
  CHECK(o.failed);
  CHECK_THAT(o.message, Catch::Contains("__gc metamethods are not available in rubrics"));
  CHECK_FALSE(Run("return getmetatable(setmetatable({}, { __index = { x = 1 } })).__index.x").failed);
}

TEST_CASE("the wall-clock limit stops a loop the instruction budget would allow", "[sandbox][limits]") {
  Outcome o = Run("while true do end", "instructions = 1e15, time_ms = 50");
  CHECK(o.kind == ErrorKind::kLimit);
  CHECK(o.message == "time limit of 50 ms exceeded (in check 'probe')");
}

TEST_CASE("endless recursion is an error, not a crash", "[sandbox][limits]") {
  Outcome o = Run("local function f(n) return 1 + f(n + 1) end return f(1)", "memory_mb = 64, instructions = 1e8");
  CHECK(o.failed);
  const bool clear = o.message.find("stack overflow") != std::string::npos ||
                     o.message.find("memory limit") != std::string::npos;
  CHECK(clear);
}

TEST_CASE("a sample that hit a limit leaves the worker healthy for the next sample", "[sandbox][limits]") {
  Scorer s(CheckRubric("if s.answer == 'hog' then return #string.rep('x', 1e9) end return 1"));
  REQUIRE(s.ok());
  for (int i = 0; i < 3; ++i) {
    CHECK(s.Answer("hog").errors.at(0).kind == ErrorKind::kLimit);
    gavel::Score fine = s.Answer("fine");
    INFO(ErrorText(fine));
    CHECK_FALSE(fine.neutral);
    CHECK(fine.reward == 1);
  }
}

TEST_CASE("a rubric file that loops at load is rejected, not hung", "[sandbox][load]") {
  gavel::testing::TempDir dir;
  gavel::PluginRegistry registry;
  gavel::RubricLoadOptions opts;
  opts.load_limits.instructions = 1'000'000;
  auto rubric = gavel::Rubric::Load(dir.Write("loop.lua", "while true do end"), registry, opts);
  REQUIRE_FALSE(rubric);
  CHECK_THAT(rubric.error().message(),
             Catch::EndsWith("loop.lua: loading the rubric hit a limit: instruction limit of 1000000 exceeded"));
}

TEST_CASE("require reaches Lua helpers in the rubrics folder and nothing outside it", "[sandbox][require]") {
  gavel::testing::TempDir dir;
  dir.Write("rubrics/lib/util.lua", "local M = {} function M.twice(x) return 2 * x end return M");
  dir.Write("outside.lua", "return { secret = 1 }");
  std::filesystem::create_symlink(dir.path() / "outside.lua", dir.path() / "rubrics/lib/link.lua");
  gavel::PluginRegistry registry;
  auto load = [&](const std::string& body) {
    return gavel::Rubric::Load(dir.Write("rubrics/r.lua", "local m = " + body +
                                                             "\nreturn rubric { checks = { check { name = 'c', fn = "
                                                             "function() return 1 end } } }"),
                               registry);
  };
  auto good = load("require 'lib.util' assert(m.twice(21) == 42) m.twice = nil");
  REQUIRE_FALSE(good);  // the module table is read-only
  CHECK_THAT(good.error().message(), Catch::Contains("attempt to modify a read-only table"));
  CHECK(load("require 'lib.util' assert(m.twice(21) == 42)"));
  CHECK_THAT(load("require '../outside'").error().message(),
             Catch::Contains("module names are dotted identifiers"));
  CHECK_THAT(load("require 'lib.link'").error().message(), Catch::Contains("leaves the rubrics folder"));
  CHECK_THAT(load("require 'lib.absent'").error().message(), Catch::Contains("no file"));
  CHECK_THAT(load("require 'gavel.absent'").error().message(), Catch::Contains("no such gavel module"));
}

TEST_CASE("red team: string.format and string.rep blow-ups end at a limit or a plain error", "[sandbox][limits]") {
  // Lua caps a conversion's width at two digits: no 100 MB padding from one format.
  Outcome wide = Run("return #string.format('%0999999d', 1)");
  CHECK(wide.kind == ErrorKind::kBadRubric);
  CHECK_THAT(wide.message, Catch::Contains("invalid conversion"));
  // A string built by doubling through format hits the memory limit, pcall or not.
  Outcome doubling = Run("local x = 'x' for i = 1, 40 do x = string.format('%s%s', x, x) end return #x");
  CHECK(doubling.kind == ErrorKind::kLimit);
  Outcome separator = Run("local ok = pcall(string.rep, 'x', 1e5, string.rep('y', 1e4)) return 1");
  CHECK(separator.kind == ErrorKind::kLimit);
  Outcome concat = Run("local t = {} for i = 1, 64 do t[i] = string.rep('z', 1e6) end return #table.concat(t)");
  CHECK(concat.kind == ErrorKind::kLimit);
}

TEST_CASE("red team: recursion through __index and __tostring is an error, not a crash", "[sandbox][limits]") {
  Outcome index = Run("local t = setmetatable({}, {}) getmetatable(t).__index = function(t, k) return t[k] end "
                      "return t.x",
                      "memory_mb = 64, instructions = 1e8");
  CHECK(index.failed);
  CHECK(index.kind != ErrorKind::kInternal);
  Outcome chain = Run("local t = {} setmetatable(t, { __index = t }) return t.missing",
                      "memory_mb = 64, instructions = 1e8");
  CHECK(chain.failed);
  CHECK_THAT(chain.message, Catch::Contains("loop"));
  Outcome str = Run("local t = setmetatable({}, {}) getmetatable(t).__tostring = function(x) return tostring(x) end "
                    "return #tostring(t)",
                    "memory_mb = 64, instructions = 1e8");
  CHECK(str.failed);
  CHECK(str.kind != ErrorKind::kInternal);
}

TEST_CASE("red team: the garbage collector cannot be turned off or tuned to hide memory", "[sandbox][limits]") {
  for (const char* option : {"stop", "restart", "collect", "step", "incremental", "generational", "setpause",
                             "setstepmul", "isrunning"}) {
    INFO(option);
    Outcome o = Run(std::string("collectgarbage('") + option + "') return 1");
    CHECK(o.failed);
    CHECK_THAT(o.message, Catch::Contains("is not available in rubrics"));
  }
  // Only reading the heap's size is allowed.
  CHECK_FALSE(Run("return collectgarbage('count') > 0").failed);
  Outcome bare = Run("collectgarbage() return 1");  // the default option is 'collect'
  CHECK_THAT(bare.message, Catch::Contains("collectgarbage('collect') is not available"));
}

namespace {

using Reach = std::map<std::string, std::set<std::string>>;

// Records every name reachable from the sandbox's globals, by walking the table behind the
// globals proxy and, through the read-only views, every table in it ("gavel.json" for nested
// ones); "string methods" is what method calls on strings read.
void Walk(lua_State* L, int idx, const std::string& name, Reach& out, int depth) {
  lua_pushvalue(L, idx);
  gavel::SeeThrough(L, -1);
  const int t = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    const std::string key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "(not a string)";
    out[name].insert(key);
    if (lua_type(L, -1) == LUA_TTABLE && key != "_G" && depth < 3) {
      Walk(L, lua_gettop(L), name == "globals" ? key : name + "." + key, out, depth + 1);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

class ReachPlugin : public gavel::Plugin {
 public:
  explicit ReachPlugin(Reach* out) : out_(out) {}
  std::string_view name() const override { return "gavel.test_reach"; }
  void Open(lua_State* L) const override {
    const int top = lua_gettop(L);
    out_->clear();
    // Open runs inside a Lua call: a failed check is recorded and leaves `out_` short, rather
    // than throwing through Lua.
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    if (lua_getmetatable(L, -1) == 1 && lua_getfield(L, -1, "__index") == LUA_TTABLE) {
      Walk(L, lua_gettop(L), "globals", *out_, 0);
    }
    lua_pushliteral(L, "");
    if (lua_getmetatable(L, -1) == 1 && lua_getfield(L, -1, "__index") == LUA_TTABLE) {
      Walk(L, lua_gettop(L), "string methods", *out_, 3);
    }
    lua_settop(L, top);
    lua_newtable(L);
  }

 private:
  Reach* out_;
};

// The list in docs/rubrics.md between "<!-- allow-list" and "<!-- end allow-list": one row per
// table, the names in backquotes.
Reach DocumentedReach() {
  std::ifstream in(std::string(GAVEL_SOURCE_DIR) + "/docs/rubrics.md");
  REQUIRE(in.good());
  Reach doc;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("<!-- allow-list", 0) == 0) inside = true;
    if (line.rfind("<!-- end allow-list", 0) == 0) break;
    if (!inside || line.rfind("| ", 0) != 0 || line.rfind("| table", 0) == 0) continue;
    const std::size_t bar = line.find(" | ", 2);
    REQUIRE(bar != std::string::npos);
    std::string table = line.substr(2, bar - 2);
    std::erase(table, '`');
    std::set<std::string>& names = doc[table];
    for (std::size_t open = line.find('`', bar); open != std::string::npos; open = line.find('`', open + 1)) {
      const std::size_t close = line.find('`', open + 1);
      REQUIRE(close != std::string::npos);
      names.insert(line.substr(open + 1, close - open - 1));
      open = close;
    }
  }
  return doc;
}

// What Lua's opener for the library gives, plus a field a later Lua might add.
lua_CFunction g_lua_open = nullptr;
int OpenWithFutureField(lua_State* L) {
  lua_pushcfunction(L, g_lua_open);
  lua_call(L, 0, 1);
  lua_pushcfunction(L, [](lua_State*) { return 0; });
  lua_setfield(L, -2, "future");
  return 1;
}

}  // namespace

TEST_CASE("a rubric reaches exactly the names docs/rubrics.md lists", "[sandbox]") {
  Reach reach;
  gavel::PluginRegistry registry;
  REQUIRE(registry.Add(std::make_unique<ReachPlugin>(&reach)));
  Scorer s("local reach = require 'gavel.test_reach'\n"
           "return rubric { checks = { check { name = 'c', fn = function(s) return 1 end } } }",
           1, &registry);
  REQUIRE(s.ok());
  REQUIRE(reach.count("globals") == 1);
  // Method calls on strings read the same functions as the global `string`.
  CHECK(reach["string methods"] == reach["string"]);
  reach.erase("string methods");
  const Reach doc = DocumentedReach();
  CHECK(doc.size() >= 7);
  for (const auto& [table, names] : reach) {
    INFO("table " << table);
    REQUIRE(doc.count(table) == 1);
    CHECK(names == doc.at(table));
  }
  for (const auto& [table, names] : doc) {
    INFO("documented table " << table);
    CHECK(reach.count(table) == 1);
  }
}

TEST_CASE("a library function that is not on the allow list is not reachable", "[sandbox]") {
  lua_State* L = luaL_newstate();
  REQUIRE(L != nullptr);
  for (const gavel::detail::AllowedLibrary& lib : gavel::detail::RubricLibraries()) {
    INFO("library " << lib.name);
    gavel::detail::AllowedLibrary later = lib;
    g_lua_open = lib.open;
    later.open = OpenWithFutureField;
    lua_newtable(L);
    gavel::detail::BuildAllowedLibrary(L, later, -1);
    CHECK(lua_getfield(L, -1, "future") == LUA_TNIL);
    lua_pop(L, 1);
    // Everything on the list is there, and nothing else.
    std::set<std::string> listed(lib.refused.begin(), lib.refused.end());
    for (const auto& field : lib.fields) listed.insert(field.name);
    std::set<std::string> built;
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
      built.insert(lua_tostring(L, -2));
      lua_pop(L, 1);
    }
    CHECK(built == listed);
    lua_pop(L, 1);
  }
  // The library as Lua made it did have the field.
  g_lua_open = luaopen_math;
  lua_pushcfunction(L, OpenWithFutureField);
  lua_call(L, 0, 1);
  CHECK(lua_getfield(L, -1, "future") == LUA_TFUNCTION);
  lua_close(L);
}
