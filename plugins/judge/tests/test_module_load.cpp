// The Lua module `gavel.judge`, end to end: loading graders, the load on the client, usage, cost,
// the reply cache and canned verdicts (helpers in module_fixture.h).
#include <catch2/catch.hpp>

#include "module_fixture.h"

namespace {

using namespace judge_module_test;
using gavel::Json;
using gavel::Score;
using gavel::testing::ErrorText;
using gavel::testing::MakeSample;
using gavel::testing::TempDir;
namespace fs = std::filesystem;

// --- Loading ------------------------------------------------------------------------------------

TEST_CASE("judge.new: the URL comes from the option or the module's default URL") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  const std::string files = "prompt = '../prompts/review.txt', verdict = '../schemas/verdict.json'";
  SECTION("neither: a load error naming GAVEL_JUDGE_URL") {
    Project p;
    REQUIRE_FALSE(p.Load(Rubric(files)));
    CHECK(p.error.find("r.lua:2: judge.new: no judge URL") != std::string::npos);
    CHECK(p.error.find("GAVEL_JUDGE_URL") != std::string::npos);
  }
  SECTION("the default URL") {
    Project p({.default_url = OpenAiUrl(*standin)});
    REQUIRE(p.Load(Rubric(files)));
    const Score s = p.Answer("x");
    INFO(ErrorText(s));
    CHECK_FALSE(s.neutral);
    CHECK(standin->stats().requests == 1);
  }
  SECTION("the option wins over the default URL") {
    Project p({.default_url = "http://127.0.0.1:1/v1?model=nowhere"});
    REQUIRE(p.Load(Rubric("url = '" + OpenAiUrl(*standin) + "', " + files)));
    CHECK_FALSE(p.Answer("x").neutral);
  }
  SECTION("a password in the URL is not described") {
    Project p;
    REQUIRE(p.Load(Rubric("url = 'http://user:hunter2@127.0.0.1:9/v1?model=m', " + files,
                          "return 1, g:describe()")));
    const Score s = p.Answer("x");
    INFO(ErrorText(s));
    CHECK(s.details.at("review") == "openai http://127.0.0.1:9/v1 model m");
  }
  SECTION("a URL that does not parse") {
    Project p;
    REQUIRE_FALSE(p.Load(Rubric("url = 'ftp://judge', " + files)));
    CHECK(p.error.find("judge.new: judge URL: ") != std::string::npos);
    REQUIRE_FALSE(p.Load(Rubric("url = 'http://127.0.0.1/v1', " + files)));
    CHECK(p.error.find("needs ?model=NAME") != std::string::npos);
  }
}

TEST_CASE("judge.new: options are checked") {
  auto env = CleanEnv();
  Project p;
  const std::string url = "url = 'http://127.0.0.1:9/v1?model=m'";
  const std::string files = "prompt = '../prompts/review.txt', verdict = '../schemas/verdict.json'";
  struct Case {
    std::string options;
    std::string error;
  };
  const std::vector<Case> cases = {
      {url + ", " + files + ", tempreature = 1", "judge.new: unknown option 'tempreature' (options: name, url, prompt, system, verdict, temperature, max_tokens, timeout_ms, attempt_timeout_ms, prices)"},
      {url + ", " + files + ", attempt_timeout_ms = 0", "judge.new: option 'attempt_timeout_ms' must be an integer from 1 to 86400000 (got 0)"},
      {url + ", verdict = '../schemas/verdict.json'", "judge.new: option 'prompt' (the prompt template file) is required"},
      {url + ", prompt = '../prompts/review.txt'", "judge.new: option 'verdict' (the verdict schema file) is required"},
      {"url = 5, " + files, "judge.new: option 'url' must be a string (got number)"},
      {url + ", prompt = true, verdict = '../schemas/verdict.json'", "judge.new: option 'prompt' must be a string (got boolean)"},
      {url + ", " + files + ", system = {}", "judge.new: option 'system' must be a string (got table)"},
      {url + ", " + files + ", temperature = 'hot'", "judge.new: option 'temperature' must be a number from 0 to 2 (got string)"},
      {url + ", " + files + ", temperature = 3", "judge.new: option 'temperature' must be a number from 0 to 2 (got 3)"},
      {url + ", " + files + ", max_tokens = 1.5", "judge.new: option 'max_tokens' must be an integer from 1 to 1000000 (got 1.5)"},
      {url + ", " + files + ", max_tokens = 0", "option 'max_tokens' must be an integer from 1 to 1000000"},
      {url + ", " + files + ", timeout_ms = -1", "judge.new: option 'timeout_ms' must be an integer from 1 to 86400000 (got -1)"},
      {url + ", " + files + ", timeout_ms = '10'", "option 'timeout_ms' must be an integer from 1 to 86400000 (got string)"},
      {url + ", " + files + ", [1] = 2", "judge.new: option names must be strings"},
  };
  for (const Case& c : cases) {
    INFO(c.options);
    REQUIRE_FALSE(p.Load(Rubric(c.options)));
    CHECK(p.error.find("r.lua:2: ") != std::string::npos);
    CHECK(p.error.find(c.error) != std::string::npos);
  }
  REQUIRE_FALSE(p.Load("local J = require 'gavel.judge'\nlocal g = J.new('x')\nreturn rubric {}"));
  CHECK(p.error.find("judge.new: expects a table of options (got string)") != std::string::npos);
}

TEST_CASE("judge.new: template and schema files are checked at load, naming the file") {
  auto env = CleanEnv();
  Project p;
  const std::string url = "url = 'http://127.0.0.1:9/v1?model=m'";
  auto with_prompt = [&](const std::string& text) {
    p.Write("prompts/bad.txt", text);
    return p.Load(Rubric(url + ", prompt = '../prompts/bad.txt', verdict = '../schemas/verdict.json'"));
  };
  SECTION("an unknown placeholder") {
    REQUIRE_FALSE(with_prompt("line one\nline two {{answr}}\n"));
    CHECK(p.error.find("r.lua:2: judge.new: prompts/bad.txt:2: unknown placeholder {{answr}}") != std::string::npos);
  }
  SECTION("an unclosed placeholder") {
    REQUIRE_FALSE(with_prompt("a\nb\nc {{answer"));
    CHECK(p.error.find("judge.new: prompts/bad.txt:3: '{{' is never closed") != std::string::npos);
  }
  SECTION("a metadata placeholder without a key") {
    REQUIRE_FALSE(with_prompt("{{metadata.}}"));
    CHECK(p.error.find("prompts/bad.txt:1: unknown placeholder {{metadata.}}") != std::string::npos);
  }
  SECTION("a bad system template") {
    p.Write("prompts/badsys.txt", "{{nope}}");
    REQUIRE_FALSE(p.Load(Rubric(url + ", prompt = '../prompts/review.txt', system = '../prompts/badsys.txt', "
                                      "verdict = '../schemas/verdict.json'")));
    CHECK(p.error.find("prompts/badsys.txt:1: unknown placeholder {{nope}}") != std::string::npos);
  }
  SECTION("a missing template file") {
    REQUIRE_FALSE(p.Load(Rubric(url + ", prompt = '../prompts/none.txt', verdict = '../schemas/verdict.json'")));
    CHECK(p.error.find("file '../prompts/none.txt' not found") != std::string::npos);
  }
  SECTION("a template outside the data root") {
    REQUIRE_FALSE(p.Load(Rubric(url + ", prompt = '/etc/hostname', verdict = '../schemas/verdict.json'")));
    CHECK(p.error.find("file '/etc/hostname' is outside the folders a rubric may read") != std::string::npos);
  }
  SECTION("a schema that is not JSON") {
    p.Write("schemas/bad.json", "{ not json");
    REQUIRE_FALSE(p.Load(Rubric(url + ", prompt = '../prompts/review.txt', verdict = '../schemas/bad.json'")));
    CHECK(p.error.find("judge.new: schemas/bad.json") != std::string::npos);
  }
  SECTION("a schema with a bad keyword") {
    p.Write("schemas/bad.json", R"({"type": "object", "properties": {"a": {"minLength": -1}}})");
    REQUIRE_FALSE(p.Load(Rubric(url + ", prompt = '../prompts/review.txt', verdict = '../schemas/bad.json'")));
    CHECK(p.error.find("judge.new: schemas/bad.json: /properties/a/minLength") != std::string::npos);
  }
  SECTION("a schema that refers to another file") {
    p.Write("schemas/common.json", R"({"definitions": {"s": {"type": "integer"}}})");
    p.Write("schemas/bad.json", R"({"type": "object", "properties": {"score": {"$ref": "common.json#/definitions/s"}}})");
    REQUIRE_FALSE(p.Load(Rubric(url + ", prompt = '../prompts/review.txt', verdict = '../schemas/bad.json'")));
    CHECK(p.error.find("judge.new: schemas/bad.json: \"$ref\": \"common.json#/definitions/s\" names another file") !=
          std::string::npos);
  }
  SECTION("a missing schema file") {
    REQUIRE_FALSE(p.Load(Rubric(url + ", prompt = '../prompts/review.txt', verdict = '../schemas/none.json'")));
    CHECK(p.error.find("file '../schemas/none.json' not found") != std::string::npos);
  }
}

TEST_CASE("graders are compiled once per rubric and shared by every worker") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  p.Write("prompts/once.txt", "[[standin:verdict={\"score\": 2, \"rationale\": \"first {{answer}}\"}]]");
  REQUIRE(p.LoadRubric(Rubric("url = '" + OpenAiUrl(*standin) + "', prompt = '../prompts/once.txt', verdict = '../schemas/verdict.json'",
                              "local v = g:ask(s)\n return v.score / 5, v.rationale")));
  // The workers load the rubric after this: they get the grader compiled by Rubric::Load.
  p.Write("prompts/once.txt", "{{not a placeholder}}");
  REQUIRE(p.Start(2));
  std::vector<gavel::ParsedSample> batch;
  for (int i = 0; i < 8; ++i) batch.push_back(MakeSample(std::to_string(i), "answer-" + std::to_string(i)));
  const auto scores = p.Batch(std::move(batch));
  for (std::size_t i = 0; i < scores.size(); ++i) {
    INFO(ErrorText(scores[i]));
    REQUIRE_FALSE(scores[i].neutral);
    CHECK(scores[i].details.at("review") == "first answer-" + std::to_string(i));
  }
  CHECK(standin->stats().requests == 8);
}

TEST_CASE("the example of docs/rubrics.md runs") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p({.default_url = OpenAiUrl(*standin)});
  p.Write("rubrics/prompts/review.txt",
          "Question:\n{{prompt}}\n\nAnswer to review:\n{{answer}}\n\n"
          "Focus on {{vars.focus}}. Reply with JSON: a score from 1 to 5 and a short rationale.\n");
  p.Write("rubrics/prompts/review_system.txt", "You review code answers.");
  p.Write("schemas/review_verdict.json",
          R"({"type": "object", "required": ["score", "rationale"], "additionalProperties": false,
 "properties": {"score": {"type": "integer", "minimum": 1, "maximum": 5},
                "rationale": {"type": "string"}}})");
  REQUIRE(p.Load(R"(
local llm = require "gavel.judge"

local reviewer = llm.new {
  prompt = "prompts/review.txt",
  system = "prompts/review_system.txt",
  verdict = "../schemas/review_verdict.json",
  max_tokens = 512,
}

return rubric {
  name = "code-review",
  gates = {
    gate { name = "answered", fn = function(s) return s.answer:find("%S") ~= nil end },
  },
  judges = {
    judge { name = "quality", weight = 1, fn = function(s)
      local v, info = reviewer:ask(s, { focus = "correctness" })
      return (v.score - 1) / 4, v.rationale
    end },
  },
}
)"));
  const Score s = p.Answer("def add(a, b): return a + b");
  INFO(ErrorText(s));
  REQUIRE_FALSE(s.neutral);
  CHECK(s.reward >= 0);
  CHECK(s.reward <= 1);
  CHECK(s.details.at("quality").is_string());
  const Score empty = p.Answer("   ");
  CHECK(empty.reward == 0);
  CHECK(standin->stats().requests == 1);  // the gate kept the judge from being called
}

// --- Load ---------------------------------------------------------------------------------------

TEST_CASE("200 samples with one ask each are all in flight at once") {
  auto env = CleanEnv();
  gavel::standin::Options so;
  so.latency = std::chrono::milliseconds(2000);  // long enough for all 200 to arrive first
  auto standin = StartStandin(so);
  Project p({.window = 256});
  REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin)))));
  std::vector<gavel::ParsedSample> batch;
  for (int i = 0; i < 200; ++i) batch.push_back(MakeSample(std::to_string(i), "answer " + std::to_string(i)));
  const auto scores = p.Batch(std::move(batch));
  REQUIRE(scores.size() == 200);
  std::size_t scored = 0;
  for (const Score& s : scores) {
    INFO(ErrorText(s));
    CHECK_FALSE(s.neutral);
    scored += s.neutral ? 0 : 1;
  }
  CHECK(scored == 200);
  const auto stats = standin->stats();
  CHECK(stats.requests == 200);
  CHECK(stats.peak_in_flight == 200);
}

TEST_CASE("the module's window bounds the calls in flight") {
  auto env = CleanEnv();
  gavel::standin::Options so;
  so.latency = std::chrono::milliseconds(100);
  auto standin = StartStandin(so);
  Project p({.window = 4});
  REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin)))));
  std::vector<gavel::ParsedSample> batch;
  for (int i = 0; i < 12; ++i) batch.push_back(MakeSample(std::to_string(i), "answer " + std::to_string(i)));
  const auto scores = p.Batch(std::move(batch));
  for (const Score& s : scores) CHECK_FALSE(s.neutral);
  CHECK(standin->stats().peak_in_flight <= 4);
  CHECK(standin->stats().requests == 12);
}

// --- Usage, cost and the reply cache ----------------------------------------------------------

TEST_CASE("each sample's usage counts its judge calls, attempts, retries and tokens") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin)))));
  const Score s = p.Answer("Throttled once. [[standin:fail=1,status=429,retry_after=0]]");
  INFO(ErrorText(s));
  REQUIRE_FALSE(s.neutral);
  const Json& info = Detail(s).at("info");
  CHECK(s.usage.at("judge.calls") == 1);
  CHECK(s.usage.at("judge.attempts") == 2);
  CHECK(s.usage.at("judge.retries") == 1);
  CHECK(s.usage.at("judge.throttled") == 1);
  CHECK(s.usage.at("judge.input_tokens") == info.at("input_tokens").get<double>());
  CHECK(s.usage.at("judge.output_tokens") == info.at("output_tokens").get<double>());
  CHECK(s.usage.at("judge.input_tokens") > 0);
  CHECK(s.usage.count("judge.cost_usd") == 0);  // no prices configured
  CHECK(s.usage.count("judge.cache_hits") == 0);
  // Written in the details, as whole numbers.
  const Json item = gavel::ScoreToJson(s);
  CHECK(item.at("details").at("usage").at("judge.attempts") == 2);
  CHECK(item.at("details").at("usage").at("judge.attempts").is_number_integer());

  SECTION("a failed call still counts, on the neutral score") {
    const Score failed = p.Answer("[[standin:status=400]]");
    RequireJudgeError(failed, "HTTP 400");
    CHECK(failed.usage.at("judge.calls") == 1);
    CHECK(failed.usage.at("judge.attempts") == 1);
    CHECK(gavel::ScoreToJson(failed).at("details").at("usage").at("judge.calls") == 1);
  }
}

TEST_CASE("prices give each sample's estimated cost") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  auto cost_of = [](const Score& s, double in, double out) {
    return (s.usage.at("judge.input_tokens") * in + s.usage.at("judge.output_tokens") * out) / 1e6;
  };
  SECTION("from the rubric") {
    REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin), "prices = { input = 3, output = 15 }"))));
    const Score s = p.Answer("priced");
    REQUIRE_FALSE(s.neutral);
    CHECK(s.usage.at("judge.cost_usd") == Approx(cost_of(s, 3, 15)));
    CHECK(s.usage.at("judge.cost_usd") > 0);
  }
  SECTION("the module's default prices when the rubric gives none, the rubric's over them") {
    Project priced({.default_prices = gavel::judge::Prices{.input = 0.8, .output = 3.2}});
    REQUIRE(priced.Load(Rubric(Options(OpenAiUrl(*standin)))));
    const Score s = priced.Answer("priced");
    REQUIRE_FALSE(s.neutral);
    CHECK(s.usage.at("judge.cost_usd") == Approx(cost_of(s, 0.8, 3.2)));
    REQUIRE(priced.Load(Rubric(Options(OpenAiUrl(*standin), "prices = { input = 3, output = 15 }"))));
    const Score own = priced.Answer("priced");
    REQUIRE_FALSE(own.neutral);
    CHECK(own.usage.at("judge.cost_usd") == Approx(cost_of(own, 3, 15)));
  }
  SECTION("bad prices are load errors") {
    REQUIRE_FALSE(p.Load(Rubric(Options(OpenAiUrl(*standin), "prices = { input = -1 }"))));
    CHECK(p.error.find("option 'input' must be a price") != std::string::npos);
    REQUIRE_FALSE(p.Load(Rubric(Options(OpenAiUrl(*standin), "prices = { inputs = 1 }"))));
    CHECK(p.error.find("inputs") != std::string::npos);
    REQUIRE_FALSE(p.Load(Rubric(Options(OpenAiUrl(*standin), "prices = 3"))));
    CHECK(p.error.find("option 'prices' must be a table") != std::string::npos);
  }
}

TEST_CASE("the reply cache answers a rerun without calling the judge") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  TempDir dir;
  const fs::path file = dir.path() / "cache" / "judge.sqlite";
  auto batch = [] {
    std::vector<gavel::ParsedSample> b;
    // Two identical samples, then a different one: the repeat index keeps both replies.
    b.push_back(MakeSample("a", "same answer"));
    b.push_back(MakeSample("a", "same answer"));
    b.push_back(MakeSample("b", "another answer"));
    return b;
  };
  std::vector<Json> first_verdicts;
  {
    Project p({.cache_file = file});
    REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin)))));
    for (const Score& s : p.Batch(batch())) {
      INFO(ErrorText(s));
      REQUIRE_FALSE(s.neutral);
      CHECK(s.usage.at("judge.calls") == 1);
      CHECK(s.usage.count("judge.cache_hits") == 0);
      first_verdicts.push_back(Detail(s).at("verdict"));
    }
    CHECK(standin->stats().requests == 3);
  }
  auto cache = gavel::judge::ReplyCache::Open(file);
  REQUIRE(cache);
  CHECK((*cache)->size() == 3);

  SECTION("a new process (a new module) finds every reply, repeats included") {
    Project p({.cache_file = file});
    REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin)))));
    const auto scores = p.Batch(batch());
    for (std::size_t i = 0; i < scores.size(); ++i) {
      INFO(ErrorText(scores[i]));
      REQUIRE_FALSE(scores[i].neutral);
      CHECK(scores[i].usage.at("judge.cache_hits") == 1);
      CHECK(scores[i].usage.count("judge.calls") == 0);
      CHECK(Detail(scores[i]).at("verdict") == first_verdicts[i]);
    }
    CHECK(standin->stats().requests == 3);  // none new
    // A third identical sample is a new repeat: the judge is asked.
    std::vector<gavel::ParsedSample> more;
    more.push_back(MakeSample("a", "same answer"));
    const auto third = p.Batch(std::move(more));
    CHECK(third[0].usage.at("judge.calls") == 1);
    CHECK(standin->stats().requests == 4);
  }
  SECTION("a different request is not served from the cache") {
    Project p({.cache_file = file});
    REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin), "temperature = 0.7"))));
    const auto scores = p.Batch(batch());
    for (const Score& s : scores) CHECK(s.usage.at("judge.calls") == 1);
    CHECK(standin->stats().requests == 6);
  }
  SECTION("a module without a cache always asks the judge") {
    Project p;
    REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin)))));
    p.Batch(batch());
    CHECK(standin->stats().requests == 6);
  }
}

TEST_CASE("a cache file that cannot be opened fails the rubric load, naming it") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  TempDir dir;
  const fs::path file = dir.Write("not-a-database.sqlite", std::string(4096, 'x'));
  Project p({.cache_file = file});
  REQUIRE_FALSE(p.Load(Rubric(Options(OpenAiUrl(*standin)))));
  CHECK(p.error.find("judge.new: judge cache " + file.string()) != std::string::npos);
}

}  // namespace

TEST_CASE("canned verdicts answer locally, fit the schema and need no URL or credentials") {
  ScopedEnv env = CleanEnv();
  Project p(gavel::judge::Options{.canned_verdicts = true});
  // No url option and no default URL; a Bedrock URL without credentials is ignored as well.
  for (const std::string& url : {std::string(), std::string("bedrock://us-east-1/m")}) {
    INFO(url);
    const std::string options = (url.empty() ? "" : "url = '" + url + "', ") +
                                "prompt = '../prompts/review.txt', verdict = '../schemas/verdict.json'";
    REQUIRE(p.Load(Rubric(options)));
    Score s = p.Answer("Paris");
    INFO(ErrorText(s));
    REQUIRE(s.errors.empty());
    const gavel::Json& verdict = s.details["review"]["verdict"];
    CHECK(verdict["score"].is_number_integer());
    CHECK(verdict["score"].get<int>() >= 1);
    CHECK(verdict["score"].get<int>() <= 5);
    CHECK(verdict["rationale"].is_string());
    CHECK(s.usage.at("judge.canned") == 1);
    CHECK(s.usage.count("judge.calls") == 0);
    // The same request gets the same verdict.
    CHECK(p.Answer("Paris").details["review"]["verdict"] == verdict);
  }
  // compare needs a winner: the canned verdict gives one from the schema's enum.
  REQUIRE(p.Load(Rubric("prompt = '../prompts/pair.txt', verdict = '../schemas/pair.json'",
                        "local r = g:compare(s, 'a', 'b')\n return 1, r")));
  Score pair = p.Answer("x");
  INFO(ErrorText(pair));
  CHECK(pair.errors.empty());
}

TEST_CASE("without canned verdicts a grader still needs a judge URL") {
  ScopedEnv env = CleanEnv();
  Project p;
  CHECK_FALSE(p.Load(Rubric("prompt = '../prompts/review.txt', verdict = '../schemas/verdict.json'")));
  CHECK_THAT(p.error, Catch::Contains("no judge URL"));
}
