// The rubric language: gates, weighted checks, judge steps, custom score functions, and the
// errors a malformed rubric gets at load (file, line, plain message).
#include <catch2/catch.hpp>

#include "test_support.h"

using gavel::ErrorKind;
using gavel::MetricType;
using gavel::testing::FindMetric;
using gavel::testing::Scorer;

TEST_CASE("a failed gate decides the reward and skips every later step", "[dsl]") {
  Scorer s(R"(
    return rubric {
      gates = {
        gate { name = "non_empty", reward = 0.25,
               fn = function(s) return s.answer ~= "", "the answer is empty" end },
      },
      checks = { check { name = "never_runs", fn = function(s) error("a check ran after a failed gate") end } },
      judges = { judge { name = "never_judged", fn = function(s) error("a judge ran after a failed gate") end } },
    })");
  REQUIRE(s.ok());
  gavel::Score score = s.Answer("");
  CHECK_FALSE(score.neutral);
  CHECK(score.reward == 0.25);
  REQUIRE(score.metrics.size() == 1);
  CHECK(score.metrics[0].name == "non_empty");
  CHECK(score.metrics[0].value == 0);
  CHECK(score.details["gate"]["name"] == "non_empty");
  CHECK(score.details["gate"]["reason"] == "the answer is empty");

  // With the gate passed, the failing check runs and its error names the step.
  gavel::Score passed = s.Answer("text");
  CHECK(passed.neutral);
  REQUIRE(passed.errors.size() == 1);
  CHECK(passed.errors[0].message.find("check 'never_runs'") != std::string::npos);
  CHECK(passed.errors[0].message.find("a check ran after a failed gate") != std::string::npos);
}

TEST_CASE("the reward is the weighted mean of checks and judges; weight 0 is a plain metric", "[dsl]") {
  Scorer s(R"(
    return rubric {
      checks = {
        check { name = "half", weight = 3, fn = function() return 0.5 end },
        check { name = "full", fn = function() return true end },
        check { name = "length", weight = 0, fn = function(s) return #s.answer end },
      },
      judges = { judge { name = "quality", weight = 4, fn = function() return 0.25 end } },
    })");
  REQUIRE(s.ok());
  gavel::Score score = s.Answer("abcdef");
  INFO(gavel::testing::ErrorText(score));
  // (3*0.5 + 1*1 + 4*0.25) / (3 + 1 + 4) = 3.5 / 8
  CHECK(score.reward == Approx(0.4375));
  REQUIRE(score.metrics.size() == 4);
  CHECK(score.metrics[0].name == "half");
  CHECK(score.metrics[0].type == MetricType::kReward);
  CHECK(score.metrics[2].name == "length");
  CHECK(score.metrics[2].value == 6);
  CHECK(score.metrics[2].type == MetricType::kMetric);
  CHECK(score.metrics[3].name == "quality");  // judges run after checks
}

TEST_CASE("a rubric's own score function combines results and adds metrics", "[dsl]") {
  Scorer s(R"(
    return rubric {
      gates = { gate { name = "ok", fn = function() return true end } },
      checks = {
        check { name = "a", fn = function() return 0.2 end },
        check { name = "b", fn = function() return 0.9, "b looked fine" end },
      },
      score = function(s, r)
        assert(r.gates.ok == true and r.values.a == 0.2 and r.weighted > 0.54 and r.weighted < 0.56)
        return math.max(r.checks.a, r.checks.b), { spread = r.checks.b - r.checks.a }
      end,
    })");
  REQUIRE(s.ok());
  gavel::Score score = s.Answer("x");
  INFO(gavel::testing::ErrorText(score));
  CHECK(score.reward == Approx(0.9));
  const gavel::Metric* spread = FindMetric(score, "spread");
  REQUIRE(spread != nullptr);
  CHECK(spread->value == Approx(0.7));
  CHECK(spread->type == MetricType::kMetric);
  CHECK(score.details["b"] == "b looked fine");
}

TEST_CASE("a rubric reads the sample: prompt, reference, metadata, null, JSON helpers", "[dsl]") {
  Scorer s(R"(
    return rubric {
      checks = { check { name = "fields", fn = function(s)
        assert(s.id == "s", "id")
        assert(s.prompt == "question s", "prompt")
        assert(s.reference.value == 3, "reference")
        assert(s.metadata.topic == "sums", "metadata")
        assert(s.metadata.missing == gavel.null, "null")
        assert(#s.messages == 2 and s.messages[2].role == "assistant", "messages")
        local decoded = gavel.json.decode('{"a": [1, 2, null]}')
        assert(#decoded.a == 3 and decoded.a[3] == gavel.null, "decode")
        assert(gavel.json.encode({ 1, 2 }) == "[1,2]", "encode")
        assert(gavel.json.decode("{") == nil, "bad json")
        return 1, { seen = s.metadata.topic }
      end } },
    })");
  REQUIRE(s.ok());
  gavel::Score score =
      s.Answer("a", R"("reference_answer": {"value": 3}, "metadata": {"topic": "sums", "missing": null})");
  INFO(gavel::testing::ErrorText(score));
  CHECK_FALSE(score.neutral);
  CHECK(score.reward == 1);
  CHECK(score.details["fields"]["seen"] == "sums");
}

TEST_CASE("a step that returns the wrong type fails the sample, naming the step", "[dsl]") {
  Scorer s(R"(
    return rubric {
      neutral = 0.3,
      checks = { check { name = "bad", fn = function() return "yes" end } },
    })");
  REQUIRE(s.ok());
  gavel::Score score = s.Answer("x");
  CHECK(score.neutral);
  CHECK(score.reward == 0.3);
  REQUIRE(score.errors.size() == 1);
  CHECK(score.errors[0].kind == ErrorKind::kBadRubric);
  // The step has returned, so the message names the line where its function is defined.
  CHECK_THAT(score.errors[0].message, Catch::StartsWith("check 'bad': ") &&
                                          Catch::EndsWith("rubric.lua:4: must return a number or a boolean, got string"));
  const gavel::Metric* err = FindMetric(score, "error.rubric");
  REQUIRE(err != nullptr);
  CHECK(err->value == 1);
}

TEST_CASE("bad extra metrics from score name the score function's line and the key", "[dsl]") {
  struct Case {
    const char* extra;
    const char* message;
  };
  for (const Case& c : {Case{"{ ok = 1, ratio = math.huge }", "rubric.lua:3: extra metric 'ratio' must be a finite number, got inf"},
                        Case{"{ ok = 1, [2] = 3 }", "rubric.lua:3: extra metrics must be named by strings, got the key 2 (a number)"},
                        Case{"{ ok = 'high' }", "rubric.lua:3: extra metric 'ok' must be a finite number, got string"},
                        Case{"'many'", "rubric.lua:3: the second result must be a table of extra metrics, got string"}}) {
    Scorer s(std::string("return rubric {\n  checks = { check { name = 'c', fn = function() return 1 end } },\n"
                         "  score = function(s, r)\n    return 0.5, ") + c.extra + "\n  end,\n}\n");
    REQUIRE(s.ok());
    gavel::Score score = s.Answer("x");
    REQUIRE(score.errors.size() == 1);
    CHECK(score.errors[0].kind == ErrorKind::kBadRubric);
    CHECK_THAT(score.errors[0].message, Catch::StartsWith("score: ") && Catch::EndsWith(c.message));
  }
}

TEST_CASE("a sample that fails in a later step keeps the metrics of the steps it finished", "[dsl][metrics]") {
  Scorer s(R"(
    return rubric {
      gates = { gate { name = "well_formed", fn = function(s) return true end } },
      checks = {
        check { name = "first", weight = 2, fn = function(s) return 0.25 end },
        check { name = "second", fn = function(s) error("broken") end },
        check { name = "third", fn = function(s) return 1 end },
      },
    })");
  REQUIRE(s.ok());
  gavel::Score score = s.Answer("x");
  REQUIRE(score.neutral);
  REQUIRE(score.metrics.size() == 3);
  CHECK(score.metrics[0].name == "well_formed");
  CHECK(score.metrics[0].value == 1);
  CHECK(score.metrics[1].name == "first");
  CHECK(score.metrics[1].value == 0.25);
  CHECK(score.metrics[1].type == gavel::MetricType::kReward);
  CHECK(score.metrics[2].name == "error.rubric");
}

TEST_CASE("a runtime error in a step carries the rubric's file and line", "[dsl]") {
  Scorer s("return rubric {\n"
           "  checks = { check { name = \"nil_index\", fn = function(s)\n"
           "    return s.metadata.deep.value\n"
           "  end } },\n"
           "}\n");
  REQUIRE(s.ok());
  gavel::Score score = s.Answer("x");
  REQUIRE(score.errors.size() == 1);
  CHECK_THAT(score.errors[0].message, Catch::Contains("check 'nil_index': ") &&
                                          Catch::Contains("rubric.lua:3:") &&
                                          Catch::Contains("attempt to index a nil value"));
}

namespace {
std::string LoadError(const std::string& source) {
  gavel::testing::TempDir dir;
  gavel::PluginRegistry registry;
  auto rubric = gavel::testing::LoadSource(dir, source, registry);
  if (rubric) return "(loaded)";
  CHECK(rubric.error().kind() == ErrorKind::kBadRubric);
  const std::string text = rubric.error().message();
  const std::string prefix = (dir.path() / "rubric.lua").string();
  // Report the part after the temporary folder's path, which differs from run to run.
  return text.rfind(prefix, 0) == 0 ? "rubric.lua" + text.substr(prefix.size()) : text;
}
}  // namespace

TEST_CASE("malformed rubrics are rejected at load with file, line and a plain message", "[dsl][load]") {
  CHECK(LoadError("return rubric {\n  checks = {\n    check { name = 'x' fn = 1 },\n  },\n}\n") ==
        "rubric.lua:3: '}' expected near 'fn'");
  CHECK(LoadError("return rubric {\n  checks = {\n    check { name = 'x', wieght = 2, fn = function() end },\n  },\n}\n") ==
        "rubric.lua:3: check 'x': unknown field 'wieght' (fields: description, fn, measures, name, weight)");
  CHECK(LoadError("return rubric {\n  gates = { gate { name = 'g', measures = 'schemas', fn = function() end } },\n}\n") ==
        "rubric.lua:2: gate 'g': 'measures' must be one of language, safety, schema, got \"schemas\"");
  CHECK(LoadError("return rubric {\n  checks = {\n    check { name = 'x', fn = 'not a function' },\n  },\n}\n") ==
        "rubric.lua:3: check 'x': 'fn' must be a function, got string");
  CHECK(LoadError("return rubric {\n  checks = { check { name = 'x', weight = -1, fn = function() end } },\n}\n") ==
        "rubric.lua:2: check 'x': 'weight' must be a number >= 0, got -1");
  CHECK(LoadError("local f = function() return 1 end\nreturn rubric {\n  checks = { check { name = 'x', fn = f },\n"
                  "             check { name = 'x', fn = f } },\n}\n") ==
        "rubric.lua:2: rubric: two steps are named 'x'");
  CHECK(LoadError("return rubric {\n  gates = { check { name = 'g', fn = function() end } },\n}\n") ==
        "rubric.lua:1: rubric: gates[1] is a check step; 'gates' takes gate steps");
  CHECK(LoadError("return rubric {\n  limits = { memory = 10 },\n  score = function() return 1 end,\n}\n") ==
        "rubric.lua:1: rubric: unknown limit 'memory' (limits: instructions, memory_mb, time_ms)");
  CHECK(LoadError("return rubric {}\n") ==
        "rubric.lua:1: rubric: nothing to score: give gates, checks, judges or a score function");
  CHECK(LoadError("local x = nil\nlocal y = x.field\nreturn rubric {}\n") ==
        "rubric.lua:2: attempt to index a nil value (local 'x')");
  CHECK(LoadError("return 42\n") ==
        "rubric.lua: the rubric file must return a rubric table (return rubric { ... }), got number");
  // A plain table is accepted too, and checked the same way.
  CHECK(LoadError("return { checks = { { name = 'plain', fn = 7 } } }\n") ==
        "rubric.lua: rubric: checks[1]: check 'plain': 'fn' must be a function, got number");
  CHECK(LoadError("return { checks = { { name = 'plain', fn = function() return 1 end } } }\n") == "(loaded)");
}

// Found with tests/fuzz (fuzz_rubric_load): limits and the neutral reward were converted from
// Lua numbers without a range check, which is undefined for values no integer can hold, and the
// file could change them after `rubric { ... }` had checked them.
TEST_CASE("huge limits saturate, and limits or neutral changed after rubric{} are checked again", "[dsl][load]") {
  Scorer huge(
      "return rubric { limits = { time_ms = 1e300, memory_mb = 1e300, instructions = 1e300 }, "
      "checks = { check { name = \"a\", fn = function(s) return 1 end } } }");
  REQUIRE(huge.ok());
  CHECK(huge.Answer("x").reward == 1);

  CHECK(LoadError("local l = { memory_mb = 1 }\n"
                  "local r = rubric { limits = l, checks = { check { name = \"a\", fn = function(s) return 1 end } } }\n"
                  "l.memory_mb = -1\n"
                  "return r\n") == "rubric.lua: rubric: limit 'memory_mb' must be a number > 0");
  CHECK(LoadError("local r = rubric { checks = { check { name = \"a\", fn = function(s) return 1 end } } }\n"
                  "r.limits = { time_ms = 0/0 }\n"
                  "return r\n") == "rubric.lua: rubric: limit 'time_ms' must be a number > 0");
  CHECK(LoadError("local r = rubric { checks = { check { name = \"a\", fn = function(s) error(\"x\") end } } }\n"
                  "r.neutral = 0/0\n"
                  "return r\n") == "rubric.lua: rubric: 'neutral' must be a finite number");
}

TEST_CASE("steps may say what they measure, for reports over many samples", "[dsl][load]") {
  gavel::PluginRegistry registry;
  gavel::testing::TempDir dir;
  const auto file = dir.path() / "measures.lua";
  std::ofstream(file) << "local ok = function() return true end\n"
                         "return rubric {\n"
                         "  gates = { gate { name = 'json', measures = 'schema', fn = ok } },\n"
                         "  checks = { check { name = 'lang', measures = 'language', fn = ok },\n"
                         "             check { name = 'plain', fn = ok } },\n"
                         "  judges = { judge { name = 'clean', measures = 'safety', fn = ok } },\n"
                         "}\n";
  auto rubric = gavel::Rubric::Load(file, registry);
  REQUIRE(rubric);
  const std::map<std::string, std::string> expected{{"json", "schema"}, {"lang", "language"}, {"clean", "safety"}};
  CHECK((*rubric)->measures() == expected);
}

TEST_CASE("a rubric that cannot be read is an error naming the file", "[dsl][load]") {
  gavel::PluginRegistry registry;
  auto rubric = gavel::Rubric::Load("/nonexistent/rubric.lua", registry);
  REQUIRE_FALSE(rubric);
  CHECK(rubric.error().message() == "cannot read rubric file /nonexistent/rubric.lua");
}

TEST_CASE("the bundled example rubric loads and reports its steps", "[dsl][example]") {
  gavel::PluginRegistry registry;
  auto rubric = gavel::Rubric::Load(GAVEL_SOURCE_DIR "/rubrics/math_answer.lua", registry);
  REQUIRE(rubric);
  CHECK((*rubric)->name() == "math-answer");
  CHECK((*rubric)->gates() == std::vector<std::string>{"answered", "not_rambling"});
  CHECK((*rubric)->checks().size() == 4);
  CHECK((*rubric)->limits().memory_bytes == 16u << 20);
  CHECK((*rubric)->limits().time == std::chrono::milliseconds(2000));
}
