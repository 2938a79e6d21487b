// One sample cannot reach another: whatever a step writes, into gavel's modules, the standard
// libraries, a required helper module, the rubric's global tables or the objects plugins
// compile, the next sample on the same worker scores exactly as if it had run alone.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "builtin.h"
#include "gavel/engine.h"
#include "gavel/sample_io.h"
#include "rubric_support.h"

namespace {

const std::filesystem::path& kSource = gavel::testing::kSourceDir;

// A helper module with nested state, as rubric authors write them.
constexpr const char* kHelper = R"(
local M = { config = { threshold = 0.5, words = { "sorry", "thank", "refund" } }, notes = {} }
M.config.limits = { min_words = 5 }
function M.word_share(text)
  local lower, hits = text:lower(), 0
  for _, w in ipairs(M.config.words) do
    if lower:find(w, 1, true) then hits = hits + 1 end
  end
  return hits / #M.config.words
end
return M
)";

// Every kind of shared thing a step can reach, read while scoring. A sample marked hostile
// first tries every write it can find, each in a pcall, then scores like the others.
constexpr const char* kRubric = R"(
local schema   = require "gavel.schema"
local safety   = require "gavel.safety"
local language = require "gavel.language"
local text     = require "gavel.text"
local judge    = require "gavel.judge"
local helper   = require "lib.helper"

local reply_schema = schema.load("../schemas/support_reply.json")
local guard = safety.load { packs = { "rules/pii.json", "rules/injection.json" },
                            actions = { pii = "zero", injection = "zero" } }
local detector = language.detector { min_letters = 20 }
local polite = text.matcher { kind = "regex", pattern = "(?i)sorry|thank" }
local band = text.penalty { unit = "words", min = 5, max = 150, shape = "linear", margin = 30 }

settings = { label = "support", weights = { schema = 2, words = 1 }, names = { "a", "b" } }

local objects = { reply_schema, guard, detector, polite, band }

local function attack(s)
  -- Read while scoring: a local that kept a global's table from load time would be the file's
  -- own state, not something a sample can reach.
  local roots = {
    { "_G", _G }, { "_ENV", _ENV }, { "string", string }, { "table", table }, { "math", math },
    { "utf8", utf8 }, { "gavel", gavel }, { "gavel.json", gavel.json }, { "schema", schema },
    { "safety", safety }, { "language", language }, { "text", text }, { "judge", judge },
    { "helper", helper }, { "settings", settings },
  }
  local evil = function() return { score = 5, status = "ok", valid = true } end
  local seen, tries, done = {}, 0, 0
  local function try(f, ...)
    tries = tries + 1
    if pcall(f, ...) then done = done + 1 end
  end
  local function hit(t)
    try(function() t.injected = s.answer end)
    try(function() t[1] = s.answer end)
    try(function() t[#t + 1] = s.answer end)
    try(function() table.insert(t, s.answer) end)
    try(function() table.remove(t, 1) end)
    try(function() setmetatable(t, { __index = function() return evil end }) end)
    try(function() rawset(t, "injected", s.answer) end)
    try(function() getmetatable(t).__index = evil end)
    try(function() getmetatable(t).__newindex = evil end)
  end
  local function walk(t, depth)
    if type(t) ~= "table" or seen[t] or depth > 8 then return end
    seen[t] = true
    local keys = {}
    for k in pairs(t) do keys[#keys + 1] = k end
    for _, k in ipairs(keys) do
      walk(t[k], depth + 1)
      walk(rawget(t, k), depth + 1)
      try(function() t[k] = evil end)
      try(function() t[k] = s.answer end)
      try(function() t[k] = nil end)
    end
    hit(t)
  end
  for _, root in ipairs(roots) do walk(root[2], 0) end
  for _, name in ipairs({ "string", "table", "math", "utf8", "gavel", "settings", "pairs", "next",
                          "rawget", "type", "tostring", "require", "rubric", "check", "gate" }) do
    try(function() _G[name] = evil end)
    try(function() _ENV[name] = evil end)
    try(function() load(name .. " = ...")(evil) end)
  end
  try(function() getmetatable("").__index = { upper = evil } end)
  try(function() getmetatable("").__index.upper = evil end)
  try(function() setmetatable("", {}) end)
  try(function() local m = require("lib.helper") m.config.threshold = 99 end)
  try(function() local m = require("gavel") m.json.decode = evil end)
  for _, obj in ipairs(objects) do
    try(function() getmetatable(obj).__index = evil end)
    try(function() setmetatable(obj, {}) end)
    try(function() obj.check = evil end)
    try(function() obj.scan = evil end)
  end
  return done, tries
end

return rubric {
  checks = {
    check { name = "probe", weight = 0, fn = function(s)
      if s.metadata.hostile then
        local done, tries = attack(s)
        return 0, done .. " of " .. tries .. " writes went through"
      end
      return 0
    end },
    check { name = "schema", weight = 2, fn = function(s)
      local r = reply_schema:check(s.answer)
      local decoded = gavel.json.decode(s.answer:match("%b{}") or "null")
      local detail = { status = r.status, category = type(decoded) == "table" and decoded.category or nil,
                       label = settings.label, names = table.concat(settings.names, ","),
                       notes = #helper.notes, encoded = gavel.json.encode(helper.config) }
      return (r.valid and 1 or 0) * settings.weights.schema / 2, detail
    end },
    check { name = "safe", fn = function(s)
      local scan = guard:scan(s.answer)
      return scan.action ~= "zero" and 1 or 0, scan.summary
    end },
    check { name = "language", fn = function(s)
      local d = detector:detect(s.answer)
      return d.reliable and 1 or 0.5, d.language .. " " .. string.format("%.3f", d.confidence)
    end },
    check { name = "words", fn = function(s)
      local share = helper.word_share(s.answer)
      local v = band:score(s.answer)
      local polite_hit = polite:matches(s.answer)
      return share >= helper.config.threshold and v or v / 2,
             { share = share, polite = polite_hit, min = helper.config.limits.min_words,
               upper = ("abc"):upper(), pi = math.floor(math.pi * 1000), n = utf8.len("héllo") }
    end },
  },
}
)";

struct Fixture {
  gavel::testing::TempDir dir;
  gavel::PluginRegistry registry;
  std::shared_ptr<const gavel::Rubric> rubric;

  Fixture() {
    dir.Write("rubrics/lib/helper.lua", kHelper);
    for (const char* rel : {"rubrics/rules/pii.json", "rubrics/rules/injection.json", "schemas/support_reply.json"}) {
      std::ifstream in(kSource / rel, std::ios::binary);
      std::stringstream content;
      content << in.rdbuf();
      dir.Write(rel, content.str());
    }
    REQUIRE(gavel::RegisterBuiltinPlugins(registry));
    auto loaded = gavel::Rubric::Load(dir.Write("rubrics/isolation.lua", kRubric), registry);
    INFO((loaded ? "" : loaded.error().message()));
    REQUIRE(loaded);
    rubric = *loaded;
  }

  // Scores the samples in order on one worker; the serialized score of each.
  std::vector<std::string> Score(const std::vector<std::string>& lines) {
    gavel::EngineOptions eo;
    eo.threads = 1;
    auto engine = gavel::Engine::Create(rubric, registry, eo);
    REQUIRE(engine);
    std::vector<gavel::ParsedSample> batch;
    for (const std::string& line : lines) batch.push_back(gavel::ParseSampleText(line, batch.size()));
    std::vector<std::string> out;
    for (const gavel::Score& score : (*engine)->ScoreBatch(std::move(batch))) {
      out.push_back(gavel::ScoreToJsonLine(score));
    }
    return out;
  }
};

std::vector<std::string> GoodSamples() {
  std::ifstream in(kSource / "rubrics/examples/support_reply.jsonl");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  REQUIRE(lines.size() >= 6);
  return lines;
}

// The hostile sample: an answer full of things to leak, marked for the probe step.
std::string HostileSample(const std::string& id) {
  using gavel::Json;
  const Json user{{"role", "user"}, {"content", "hi"}};
  const Json assistant{{"role", "assistant"},
                       {"content", R"({"category": "LEAKED", "reply": "sorry thank refund LEAKED LEAKED"})"}};
  const Json sample{{"id", id}, {"messages", Json::array({user, assistant})}, {"metadata", Json{{"hostile", true}}}};
  return sample.dump();
}

}  // namespace

TEST_CASE("samples scored after a hostile sample score byte for byte as when scored alone", "[isolation]") {
  Fixture f;
  const std::vector<std::string> good = GoodSamples();
  std::vector<std::string> alone;
  for (const std::string& line : good) alone.push_back(f.Score({line}).at(0));

  // One worker: the hostile sample first, and again between the good ones.
  std::vector<std::string> mixed = {HostileSample("hostile-1")};
  std::vector<bool> hostile = {true};
  for (std::size_t i = 0; i < good.size(); ++i) {
    mixed.push_back(good[i]);
    hostile.push_back(false);
    if (i == good.size() / 2) {
      mixed.push_back(HostileSample("hostile-2"));
      hostile.push_back(true);
    }
  }
  const std::vector<std::string> scored = f.Score(mixed);
  REQUIRE(scored.size() == mixed.size());

  std::vector<std::string> after;
  for (std::size_t i = 0; i < mixed.size(); ++i) {
    if (!hostile[i]) after.push_back(scored[i]);
  }
  REQUIRE(after.size() == alone.size());
  for (std::size_t i = 0; i < alone.size(); ++i) {
    INFO("sample " << i);
    CHECK(after[i] == alone[i]);
    CHECK(after[i].find("LEAKED") == std::string::npos);
  }

  // The attack ran to its end (nothing ended the sample early) and every write it tried was
  // refused.
  const gavel::Json first = gavel::Json::parse(scored[0]);
  const gavel::Json probe = first.value(gavel::Json::json_pointer("/details/probe"), gavel::Json());
  INFO(scored[0]);
  REQUIRE(probe.is_string());
  const std::string text = probe.get<std::string>();
  CHECK_THAT(text, Catch::StartsWith("0 of ") && Catch::EndsWith(" writes went through"));
  CHECK(std::atoi(text.c_str() + 5) > 500);
}

TEST_CASE("objects plugins compile keep their metatables to themselves", "[isolation]") {
  Fixture f;
  // getmetatable on each object gives false, never a table that could be changed.
  gavel::testing::TempDir& dir = f.dir;
  auto rubric = gavel::Rubric::Load(dir.Write("rubrics/objects.lua", R"(
local schema, safety = require "gavel.schema", require "gavel.safety"
local language, text = require "gavel.language", require "gavel.text"
local objects = { schema.load("../schemas/support_reply.json"),
                  safety.load { packs = { "rules/pii.json" } }, language.detector {},
                  text.matcher { kind = "contains", pattern = "x" }, text.penalty { max = 3 } }
for i, obj in ipairs(objects) do
  assert(getmetatable(obj) == false, "object " .. i .. " shows its metatable")
  assert(not pcall(setmetatable, obj, {}), "object " .. i .. " takes a metatable")
end
return rubric { checks = { check { name = "c", fn = function() return 1 end } } }
)"),
                                    f.registry);
  INFO((rubric ? "" : rubric.error().message()));
  CHECK(rubric);
}

TEST_CASE("a plugin given options from a module's read-only table checks them as written", "[isolation]") {
  Fixture f;
  f.dir.Write("rubrics/lib/opts.lua", "return { band = { unit = 'words', max = 3 }, bad = { max = 3, colour = 'red' } }");
  auto load = [&](const std::string& options) {
    return gavel::Rubric::Load(f.dir.Write("rubrics/opts.lua", "local o = require 'lib.opts'\n"
                                                                "local band = require('gavel.text').penalty(" +
                                                                    options +
                                                                    ")\n"
                                                                    "return rubric { checks = { check { name = 'c', "
                                                                    "fn = function(s) return band:score(s.answer) end } } }"),
                               f.registry);
  };
  auto good = load("o.band");
  INFO((good ? "" : good.error().message()));
  CHECK(good);
  auto bad = load("o.bad");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message(), Catch::Contains("unknown option 'colour'"));
}

TEST_CASE("plugins that read tables raw see what a module's read-only table holds", "[isolation]") {
  // Views are empty proxies: without SeeThrough these lists and options read as empty.
  Fixture f;
  f.dir.Write("rubrics/lib/conf.lua",
              "return { packs = { 'rules/pii.json' }, detector = { min_letters = 5 }, keys = { 'lang' } }");
  auto loaded = gavel::Rubric::Load(f.dir.Write("rubrics/conf.lua", R"(
    local conf = require 'lib.conf'
    local safety = require 'gavel.safety'
    local language = require 'gavel.language'
    local guard = safety.load { packs = conf.packs }
    local detector = language.detector(conf.detector)
    return rubric { checks = {
      check { name = "rules", fn = function(s) return guard:size() end },
      check { name = "expected", fn = function(s)
        local c = language.same_as_prompt(s, { from = "metadata", keys = conf.keys })
        return c.expected == "de"
      end },
    } })"),
                                    f.registry);
  INFO((loaded ? "" : loaded.error().message()));
  REQUIRE(loaded);
  auto engine = gavel::Engine::Create(*loaded, f.registry, {});
  REQUIRE(engine);
  std::vector<gavel::ParsedSample> batch;
  batch.push_back(gavel::testing::MakeSample("x", "Das ist eine Antwort auf Deutsch.", R"("metadata": {"lang": "de"})"));
  std::vector<gavel::Score> scores = (*engine)->ScoreBatch(std::move(batch));
  REQUIRE(scores.size() == 1);
  INFO(gavel::testing::ErrorText(scores[0]));
  REQUIRE_FALSE(scores[0].neutral);
  const gavel::Metric* rules = gavel::testing::FindMetric(scores[0], "rules");
  REQUIRE(rules != nullptr);
  CHECK(rules->value > 0);
  const gavel::Metric* expected = gavel::testing::FindMetric(scores[0], "expected");
  REQUIRE(expected != nullptr);
  CHECK(expected->value == 1);
}
