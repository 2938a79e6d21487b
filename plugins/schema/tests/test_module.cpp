// The Lua module `gavel.schema`, end to end through the engine: rubrics load schemas from the
// data folder, check answers, and report extraction and validation results as Lua tables.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "gavel/engine.h"
#include "gavel/rubric.h"
#include "gavel/schema/module.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using gavel::Json;
using gavel::Score;
using gavel::testing::ErrorText;
using gavel::testing::MakeSample;
using gavel::testing::TempDir;

// A project folder holding rubrics/r.lua and data files. By default the data root is the project
// folder itself (the folder above rubrics/).
class Project {
 public:
  Project() { REQUIRE(registry_.Add(gavel::schema::MakeModule())); }

  void Write(const std::string& name, const std::string& text) const { dir_.Write(name, text); }
  const fs::path& path() const { return dir_.path(); }

  // Loads the rubric and starts an engine; false (with `error`) when either fails.
  bool Load(const std::string& source, gavel::RubricLoadOptions options = {}, unsigned threads = 1) {
    auto rubric = gavel::Rubric::Load(dir_.Write("rubrics/r.lua", source), registry_, options);
    if (!rubric) {
      error = rubric.error().message();
      return false;
    }
    rubric_ = *rubric;
    return Start(threads);
  }
  bool Start(unsigned threads = 1) {
    gavel::EngineOptions eo;
    eo.threads = threads;
    auto engine = gavel::Engine::Create(rubric_, registry_, eo);
    if (!engine) {
      error = engine.error().message();
      return false;
    }
    engine_ = std::move(*engine);
    return true;
  }
  // Loads the rubric without starting workers.
  bool LoadOnly(const std::string& source) {
    auto rubric = gavel::Rubric::Load(dir_.Write("rubrics/r.lua", source), registry_);
    if (!rubric) {
      error = rubric.error().message();
      return false;
    }
    rubric_ = *rubric;
    return true;
  }

  Score Answer(const std::string& answer) {
    std::vector<gavel::ParsedSample> batch;
    batch.push_back(MakeSample("s", answer));
    return engine_->ScoreBatch(std::move(batch)).at(0);
  }
  std::vector<Score> Answers(const std::vector<std::string>& answers) {
    std::vector<gavel::ParsedSample> batch;
    for (std::size_t i = 0; i < answers.size(); ++i) batch.push_back(MakeSample(std::to_string(i), answers[i]));
    return engine_->ScoreBatch(std::move(batch));
  }

  std::string error;

 private:
  TempDir dir_;
  gavel::PluginRegistry registry_;
  std::shared_ptr<const gavel::Rubric> rubric_;
  std::unique_ptr<gavel::Engine> engine_;
};

const char* const kReviewSchema = R"({
  "type": "object",
  "required": ["verdict", "comments"],
  "properties": {
    "verdict": {"enum": ["approve", "reject"]},
    "comments": {
      "type": "array",
      "items": {
        "type": "object",
        "required": ["severity"],
        "properties": {"severity": {"$ref": "common.json#/definitions/severity"},
                       "line": {"type": "integer", "minimum": 1}}
      }
    }
  }
})";
const char* const kCommonSchema = R"({"definitions": {"severity": {"enum": ["low", "high"]}}})";

// A project with schemas/review.json (referring to schemas/common.json).
void WriteReview(const Project& p) {
  p.Write("schemas/review.json", kReviewSchema);
  p.Write("schemas/common.json", kCommonSchema);
}

// A rubric whose check `c` returns r.valid and the whole check result as its detail.
std::string CheckRubric(const std::string& load = "schema.load('../schemas/review.json')",
                        const std::string& call = "verdict:check(s.answer)") {
  return "local schema = require 'gavel.schema'\n"
         "local verdict = " + load + "\n"
         "return rubric { checks = { check { name = 'c', fn = function(s)\n"
         "  local r = " + call + "\n"
         "  return r.valid, r\n"
         "end } } }\n";
}

// A rubric whose check `c` runs `body` (a function body of s) and returns what it returns.
std::string StepRubric(const std::string& body, const std::string& prelude = "") {
  return "local schema = require 'gavel.schema'\n" + prelude +
         "\nreturn rubric { checks = { check { name = 'c', fn = function(s)\n" + body + "\nend } } }\n";
}

}  // namespace

TEST_CASE("schema:check validates the JSON of an answer against a schema with sibling $refs", "[schema_module]") {
  Project p;
  WriteReview(p);
  REQUIRE(p.Load(CheckRubric()));

  SECTION("a valid bare answer") {
    const std::string answer = R"({"verdict": "approve", "comments": [{"severity": "low", "line": 3}]})";
    const Score s = p.Answer(answer);
    INFO(ErrorText(s));
    CHECK(s.reward == 1);
    const Json& r = s.details["c"];
    CHECK(r["status"] == "ok");
    CHECK(r["form"] == "bare");
    CHECK(r["offset"] == 1);
    CHECK(r["length"] == answer.size());
    CHECK(r["value"] == Json::parse(answer));
    CHECK(r["valid"] == true);
    CHECK(r["violations"] == Json::object());  // an empty Lua table
    CHECK(r["truncated"] == false);
    CHECK_FALSE(r.contains("error"));
  }
  SECTION("an invalid answer lists every violation with pointers") {
    const Score s = p.Answer(R"({"verdict": "maybe", "comments": [{"severity": "urgent", "line": 0}, {}]})");
    INFO(ErrorText(s));
    CHECK(s.reward == 0);
    CHECK_FALSE(s.neutral);
    const Json& r = s.details["c"];
    CHECK(r["status"] == "ok");
    CHECK(r["valid"] == false);
    CHECK(r["truncated"] == false);
    REQUIRE(r["violations"].size() == 4);
    std::vector<std::string> seen;
    for (const Json& v : r["violations"]) {
      seen.push_back(v["pointer"].get<std::string>() + " " + v["keyword"].get<std::string>() + " " +
                     v["schema_pointer"].get<std::string>());
      CHECK_FALSE(v["message"].get<std::string>().empty());
    }
    std::sort(seen.begin(), seen.end());
    CHECK(seen == std::vector<std::string>{
                      "/comments/0/line minimum /properties/comments/items/properties/line/minimum",
                      // a keyword reached through $ref names its file relative to the data root
                      "/comments/0/severity enum schemas/common.json#/definitions/severity/enum",
                      "/comments/1 required /properties/comments/items/required",
                      "/verdict enum /properties/verdict/enum",
                  });
    for (const Json& v : r["violations"]) {
      if (v["keyword"] == "enum" && v["pointer"] == "/verdict") {
        CHECK(v["message"] == R"(must be one of ["approve","reject"])");
      }
    }
  }
  SECTION("a fenced answer") {
    const std::string answer = "Here you go:\n```json\n{\"verdict\": \"reject\", \"comments\": []}\n```\n";
    const Score s = p.Answer(answer);
    CHECK(s.reward == 1);
    const Json& r = s.details["c"];
    CHECK(r["form"] == "fenced");
    const auto offset = r["offset"].get<std::size_t>();
    const auto length = r["length"].get<std::size_t>();
    CHECK(answer.substr(offset - 1, length).find("{\"verdict\"") == 0);
  }
  SECTION("JSON after prose") {
    const std::string answer = "My review: {\"verdict\": \"approve\", \"comments\": []} -- done.";
    const Score s = p.Answer(answer);
    CHECK(s.reward == 1);
    const Json& r = s.details["c"];
    CHECK(r["form"] == "after_prose");
    CHECK(r["offset"] == answer.find('{') + 1);  // 1-based, like string.sub
    CHECK(r["length"] == answer.rfind('}') - answer.find('{') + 1);
  }
  SECTION("no JSON at all") {
    const Score s = p.Answer("I think the code is fine.");
    CHECK(s.reward == 0);
    CHECK_FALSE(s.neutral);
    const Json& r = s.details["c"];
    CHECK(r["status"] == "not_found");
    CHECK(r["valid"] == false);
    CHECK_FALSE(r["error"].get<std::string>().empty());
    CHECK_FALSE(r.contains("form"));
    CHECK_FALSE(r.contains("value"));
    CHECK_FALSE(r.contains("offset"));
    CHECK(r["violations"] == Json::object());
  }
  SECTION("truncated JSON") {
    const Score s = p.Answer("```json\n{\"verdict\": \"approve\", \"comments\": [");
    CHECK(s.reward == 0);
    const Json& r = s.details["c"];
    CHECK(r["status"] == "invalid");
    CHECK(r["form"] == "fenced");
    CHECK_FALSE(r["error"].get<std::string>().empty());
    CHECK_FALSE(r.contains("value"));
    CHECK(r["valid"] == false);
  }
}

TEST_CASE("schema:check and schema:validate are usable from Lua code", "[schema_module]") {
  Project p;
  WriteReview(p);
  REQUIRE(p.Load(StepRubric(R"(
    local r = verdict:check(s.answer)
    assert(type(r.value) == 'table' and r.value.verdict == 'approve')
    assert(r.value.comments[1].severity == 'low')
    local text = s.answer:sub(r.offset, r.offset + r.length - 1)
    assert(text:sub(1, 1) == '{' and text:sub(-1) == '}', text)
    local ok, violations, truncated = verdict:validate({ verdict = 'approve', comments = { { severity = 'low' } } })
    assert(ok == true and next(violations) == nil and truncated == false)
    ok, violations = verdict:validate({ verdict = 'nope', comments = { { severity = 'mid' } } })
    assert(ok == false and #violations == 2, #violations)
    ok = verdict:validate('a string instance')
    assert(ok == false)
    assert(verdict:name() == 'schemas/review.json', verdict:name())
    return true)",
                             "local verdict = schema.load('../schemas/review.json')")));
  const Score s = p.Answer("Sure. {\"verdict\": \"approve\", \"comments\": [{\"severity\": \"low\"}]}");
  INFO(ErrorText(s));
  CHECK(s.reward == 1);
}

TEST_CASE("schema:check caps violations with max_violations", "[schema_module]") {
  Project p;
  p.Write("schemas/ints.json", R"({"type": "array", "items": {"type": "integer"}})");
  SECTION("a cap below the count") {
    REQUIRE(p.Load(CheckRubric("schema.load('../schemas/ints.json')", "verdict:check(s.answer, { max_violations = 2 })")));
    const Score s = p.Answer(R"(["a", "b", "c", "d"])");
    const Json& r = s.details["c"];
    CHECK(r["valid"] == false);
    CHECK(r["violations"].size() == 2);
    CHECK(r["truncated"] == true);
  }
  SECTION("the default cap is 20") {
    REQUIRE(p.Load(CheckRubric("schema.load('../schemas/ints.json')")));
    std::string answer = "[";
    for (int i = 0; i < 30; ++i) answer += std::string(i ? "," : "") + "\"x\"";
    answer += "]";
    const Score s = p.Answer(answer);
    CHECK(s.details["c"]["violations"].size() == 20);
    CHECK(s.details["c"]["truncated"] == true);
  }
  SECTION("zero lists none but the verdict stays exact") {
    REQUIRE(p.Load(CheckRubric("schema.load('../schemas/ints.json')", "verdict:check(s.answer, { max_violations = 0 })")));
    const Score s = p.Answer(R"([1, "b"])");
    CHECK(s.details["c"]["valid"] == false);
    CHECK(s.details["c"]["violations"] == Json::object());
    CHECK(s.details["c"]["truncated"] == true);
    CHECK(p.Answer("[1, 2]").details["c"]["valid"] == true);
  }
  SECTION("validate takes the same option") {
    REQUIRE(p.Load(StepRubric(R"(
      local ok, v, truncated = ints:validate({ 'a', 'b', 'c' }, { max_violations = 1 })
      return (not ok and #v == 1 and truncated) and 1 or 0)",
                              "local ints = schema.load('../schemas/ints.json')")));
    CHECK(p.Answer("x").reward == 1);
  }
}

TEST_CASE("schema.extract finds JSON without a schema", "[schema_module]") {
  Project p;
  REQUIRE(p.Load(StepRubric("local e = schema.extract(s.answer)\nreturn e.status == 'ok', e")));
  SECTION("an object after prose") {
    const Score s = p.Answer("Result: {\"a\": [1, null, true]}");
    const Json& e = s.details["c"];
    CHECK(e["status"] == "ok");
    CHECK(e["form"] == "after_prose");
    CHECK(e["value"] == Json::parse(R"({"a": [1, null, true]})"));
    CHECK(e["offset"] == 9);
    CHECK(e["length"] == std::string(R"({"a": [1, null, true]})").size());
    CHECK_FALSE(e.contains("error"));
  }
  SECTION("null is gavel.null") {
    REQUIRE(p.Load(StepRubric("local e = schema.extract(s.answer)\nreturn e.value == gavel.null")));
    CHECK(p.Answer("null").reward == 1);
  }
  SECTION("nothing found") {
    const Score s = p.Answer("no json here");
    const Json& e = s.details["c"];
    CHECK(e["status"] == "not_found");
    CHECK_FALSE(e["error"].get<std::string>().empty());
    CHECK_FALSE(e.contains("form"));
    CHECK_FALSE(e.contains("offset"));
    CHECK_FALSE(e.contains("length"));
  }
  SECTION("malformed") {
    const Score s = p.Answer("{\"a\": [1, 2,, 3]}");
    const Json& e = s.details["c"];
    CHECK(e["status"] == "invalid");
    CHECK(e["form"] == "bare");
    CHECK(e["offset"] == 1);
    CHECK_FALSE(e.contains("value"));
  }
}

TEST_CASE("schema: nesting that Lua values cannot hold is invalid, not a rubric error", "[schema_module]") {
  Project p;
  p.Write("schemas/any.json", "{}");
  // The detail is the status and error: the value itself is too deep for the details table.
  REQUIRE(p.Load(StepRubric("local r = any:check(s.answer)\nreturn r.valid, r.status .. ': ' .. tostring(r.error)",
                            "local any = schema.load('../schemas/any.json')")));
  auto nested = [](int depth) { return std::string(static_cast<std::size_t>(depth), '[') + "1" + std::string(static_cast<std::size_t>(depth), ']'); };
  const Score ok = p.Answer(nested(64));
  INFO(ErrorText(ok));
  CHECK(ok.reward == 1);
  CHECK(ok.details["c"] == "ok: nil");
  const Score deep = p.Answer(nested(65));
  INFO(ErrorText(deep));
  CHECK_FALSE(deep.neutral);
  CHECK(deep.reward == 0);
  CHECK(deep.details["c"] == "invalid: JSON nests deeper than 64 levels");
}

TEST_CASE("schema: a value too large for the sample's memory limit is a limit error", "[schema_module]") {
  Project p;
  p.Write("schemas/any.json", "{}");
  REQUIRE(p.Load("local schema = require 'gavel.schema'\n"
                 "local any = schema.load('../schemas/any.json')\n"
                 "return rubric { limits = { memory_mb = 1 }, checks = { check { name = 'c', fn = function(s)\n"
                 "  return any:check(s.answer).valid end } } }\n"));
  std::string answer = "[";
  for (int i = 0; i < 100000; ++i) answer += i ? ",[1]" : "[1]";
  answer += "]";
  const Score s = p.Answer(answer);
  CHECK(s.neutral);
  REQUIRE(s.errors.size() == 1);
  CHECK(s.errors[0].kind == gavel::ErrorKind::kLimit);
  // The next sample is unaffected.
  CHECK(p.Answer("[[1]]").reward == 1);
}

TEST_CASE("schema: bad options and arguments are per-sample rubric errors", "[schema_module]") {
  Project p;
  WriteReview(p);
  const std::string load = "local verdict = schema.load('../schemas/review.json')";
  const std::pair<std::string, std::string> cases[] = {
      {"return verdict:check(s.answer, { max_violation = 2 }).valid",
       "schema:check: unknown option 'max_violation' (options: max_violations)"},
      {"return verdict:check(s.answer, { max_violations = 'many' }).valid",
       "schema:check: option 'max_violations' must be an integer >= 0"},
      {"return verdict:check(s.answer, { max_violations = -1 }).valid",
       "schema:check: option 'max_violations' must be an integer >= 0"},
      {"return verdict:check(s.answer, { max_violations = 1.5 }).valid",
       "schema:check: option 'max_violations' must be an integer >= 0"},
      {"return verdict:check(s.answer, 5).valid", "schema:check: options must be a table (got number)"},
      {"return verdict:check(s.answer, { [1] = true }).valid", "schema:check: option names must be strings (got number)"},
      {"return verdict:check(nil).valid", "bad argument #1 to 'check' (string expected, got nil)"},
      {"return verdict.check(s.answer).valid", "bad argument #1 to 'check' (gavel.schema.schema expected, got string)"},
      {"return verdict:validate(function() end)", "schema:validate: a function value cannot be written as JSON"},
      {"return verdict:validate()", "bad argument #1 to 'validate' (value expected)"},
      {"return verdict:validate({}, { cap = 1 })", "schema:validate: unknown option 'cap'"},
      {"return schema.extract({}).status == 'ok'", "bad argument #1 to 'extract' (string expected, got table)"},
      // A number is not an answer text: every plugin refuses it where it reads text.
      {"return schema.extract(42).status == 'ok'", "bad argument #1 to 'extract' (string expected, got number)"},
      {"return verdict:check(42).valid", "bad argument #1 to 'check' (string expected, got number)"},
  };
  for (const auto& [body, message] : cases) {
    INFO(body);
    REQUIRE(p.Load(StepRubric(body, load)));
    const Score s = p.Answer(R"({"verdict": "approve", "comments": []})");
    CHECK(s.neutral);
    REQUIRE(s.errors.size() == 1);
    CHECK(s.errors[0].kind == gavel::ErrorKind::kBadRubric);
    CHECK_THAT(s.errors[0].message, Catch::Contains(message) && Catch::Contains("r.lua:"));
  }
}

TEST_CASE("schema.load errors stop the rubric load and name the file", "[schema_module]") {
  Project p;
  WriteReview(p);
  SECTION("a missing file") {
    REQUIRE_FALSE(p.LoadOnly(CheckRubric("schema.load('../schemas/absent.json')")));
    CHECK_THAT(p.error, Catch::Contains("r.lua:2:") && Catch::Contains("file '../schemas/absent.json' not found"));
  }
  SECTION("a file outside the data root") {
    REQUIRE_FALSE(p.LoadOnly(CheckRubric("schema.load('/etc/hostname')")));
    CHECK_THAT(p.error, Catch::Contains("is outside the folders a rubric may read"));
  }
  SECTION("malformed JSON") {
    p.Write("schemas/bad.json", R"({"type": "object",})");
    REQUIRE_FALSE(p.LoadOnly(CheckRubric("schema.load('../schemas/bad.json')")));
    CHECK_THAT(p.error, Catch::Contains("r.lua:2: schema.load: schemas/bad.json: invalid JSON"));
  }
  SECTION("a bad keyword names the file, pointer and keyword") {
    p.Write("schemas/bad.json", R"({"properties": {"a": {"minLength": -1}}})");
    REQUIRE_FALSE(p.LoadOnly(CheckRubric("schema.load('../schemas/bad.json')")));
    CHECK_THAT(p.error, Catch::Contains("schema.load: schemas/bad.json: /properties/a/minLength: must be a non-negative integer"));
  }
  SECTION("a bad keyword in a referenced file names that file") {
    p.Write("schemas/main.json", R"({"$ref": "defs/other.json"})");
    p.Write("schemas/defs/other.json", R"({"maxItems": "3"})");
    REQUIRE_FALSE(p.LoadOnly(CheckRubric("schema.load('../schemas/main.json')")));
    CHECK_THAT(p.error, Catch::Contains("schema.load: schemas/defs/other.json: /maxItems: must be a non-negative integer"));
  }
  SECTION("a missing referenced file") {
    p.Write("schemas/main.json", R"({"$ref": "nowhere.json"})");
    REQUIRE_FALSE(p.LoadOnly(CheckRubric("schema.load('../schemas/main.json')")));
    CHECK_THAT(p.error, Catch::Contains("schema.load: schemas/main.json: /$ref: cannot read schemas/nowhere.json"));
  }
  SECTION("no file name") {
    REQUIRE_FALSE(p.LoadOnly(CheckRubric("schema.load()")));
    CHECK_THAT(p.error, Catch::Contains("bad argument #1 to 'load' (string expected, got no value)"));
  }
}

TEST_CASE("schema.load: $refs may reach anywhere inside the data root and nowhere outside it", "[schema_module]") {
  Project p;
  p.Write("schemas/main.json", R"({"properties": {"tag": {"$ref": "../shared/tags.json"}}})");
  p.Write("shared/tags.json", R"({"enum": ["a", "b"]})");
  p.Write("outside/tags.json", R"({"enum": ["a"]})");
  p.Write("project/schemas/escape.json", R"({"$ref": "../../outside/tags.json"})");
  p.Write("project/schemas/fine.json", R"({"$ref": "../common/tags.json"})");
  p.Write("project/common/tags.json", R"({"enum": ["x"]})");

  SECTION("a sibling folder under the default data root") {
    REQUIRE(p.Load(CheckRubric("schema.load('../schemas/main.json')")));
    const Score good = p.Answer(R"({"tag": "b"})");
    INFO(ErrorText(good));
    CHECK(good.reward == 1);
    const Score bad = p.Answer(R"({"tag": "c"})");
    CHECK(bad.reward == 0);
    CHECK(bad.details["c"]["violations"][0]["schema_pointer"] == "shared/tags.json#/enum");
  }
  SECTION("a narrower data root confines references") {
    gavel::RubricLoadOptions options;
    options.data_root = p.path() / "project";
    REQUIRE_FALSE(p.Load(CheckRubric("schema.load('" + (p.path() / "project/schemas/escape.json").string() + "')"), options));
    CHECK_THAT(p.error, Catch::Contains("schema.load: schemas/escape.json: /$ref: cannot load") &&
                            Catch::Contains("outside the schema folder " + (p.path() / "project").string()));
    REQUIRE(p.Load(CheckRubric("schema.load('" + (p.path() / "project/schemas/fine.json").string() + "')"), options));
    CHECK(p.Answer(R"("x")").reward == 1);
    CHECK(p.Answer(R"("y")").details["c"]["violations"][0]["schema_pointer"] == "common/tags.json#/enum");
  }
}

TEST_CASE("schema.load compiles once, at load", "[schema_module]") {
  Project p;
  WriteReview(p);
  SECTION("refused inside a step") {
    REQUIRE(p.Load(StepRubric("return schema.load('../schemas/review.json') ~= nil")));
    const Score s = p.Answer("{}");
    CHECK(s.neutral);
    CHECK_THAT(ErrorText(s), Catch::Contains("schema.load compiles once, when the rubric loads") &&
                                 Catch::Contains("check 'c'"));
  }
  SECTION("workers share the schema compiled when the rubric loaded") {
    REQUIRE(p.LoadOnly(CheckRubric()));
    // The workers load the rubric after this: they must reuse the compiled schema, not re-read it.
    p.Write("schemas/review.json", "this is not JSON");
    REQUIRE(p.Start(2));
    const Score s = p.Answer(R"({"verdict": "approve", "comments": []})");
    INFO(ErrorText(s));
    CHECK(s.reward == 1);
  }
  SECTION("different spellings of one file share one schema") {
    REQUIRE(p.LoadOnly(StepRubric("return a:name() == b:name() and a:name() == 'schemas/review.json'",
                                  "local a = schema.load('../schemas/review.json')\n"
                                  "local b = schema.load('../rubrics/../schemas/./review.json')")));
    REQUIRE(p.Start());
    CHECK(p.Answer("x").reward == 1);
  }
}

TEST_CASE("schema: many workers check at once", "[schema_module]") {
  Project p;
  WriteReview(p);
  REQUIRE(p.Load(CheckRubric(), {}, 4));
  std::vector<std::string> answers;
  for (int i = 0; i < 200; ++i) {
    answers.push_back(i % 2 ? R"(```json
{"verdict": "approve", "comments": [{"severity": "high", "line": 7}]}
```)"
                            : R"({"verdict": "approve", "comments": [{"severity": "medium"}]})");
  }
  const std::vector<Score> scores = p.Answers(answers);
  REQUIRE(scores.size() == answers.size());
  for (std::size_t i = 0; i < scores.size(); ++i) {
    INFO(i << ": " << ErrorText(scores[i]));
    CHECK(scores[i].reward == (i % 2 ? 1 : 0));
  }
}

TEST_CASE("schema: the example rubric of the guide", "[schema_module]") {
  Project p;
  WriteReview(p);
  REQUIRE(p.Load(R"(
local schema = require "gavel.schema"
local review = schema.load("../schemas/review.json")   -- once, at load

return rubric {
  name = "code-review-json",
  checks = {
    check { name = "schema", weight = 1, fn = function(s)
      local r = review:check(s.answer, { max_violations = 5 })
      if r.status ~= "ok" then return 0, r.error end     -- no JSON, or broken JSON
      if not r.valid then return 0.2, r.violations end   -- JSON, but not the agreed shape
      return 1, string.format("%d comments", #r.value.comments)
    end },
    check { name = "bare_json", weight = 0, fn = function(s)
      return schema.extract(s.answer).form == "bare"     -- reported, not rewarded
    end },
  },
}
)"));
  Score s = p.Answer(R"({"verdict": "approve", "comments": [{"severity": "low"}]})");
  INFO(ErrorText(s));
  CHECK(s.reward == 1);
  CHECK(s.details["schema"] == "1 comments");
  CHECK(gavel::testing::FindMetric(s, "bare_json")->value == 1);
  s = p.Answer("```json\n{\"verdict\": \"approve\", \"comments\": [{\"severity\": \"urgent\"}]}\n```");
  CHECK(s.reward == Approx(0.2));
  CHECK(s.details["schema"] == Json::parse(R"([{"pointer": "/comments/0/severity", "keyword": "enum",
      "schema_pointer": "schemas/common.json#/definitions/severity/enum", "message": "must be one of [\"low\",\"high\"]"}])"));
  CHECK(gavel::testing::FindMetric(s, "bare_json")->value == 0);
  s = p.Answer("LGTM");
  CHECK(s.reward == 0);
  CHECK(s.details["schema"].is_string());
}
