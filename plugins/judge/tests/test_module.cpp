// The Lua module `gavel.judge`, end to end: rubrics load graders from prompt templates and a
// verdict schema in the data folder, and score samples through the engine against the stand-in
// judge (gavel::standin::Server) started in each test. Verdicts that the tests need to predict
// are forced with the stand-in's `[[standin:verdict={...}]]` directive; a directive written
// inside a template around a placeholder makes the verdict echo what the placeholder became.
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

// --- Verdicts -----------------------------------------------------------------------------------

TEST_CASE("an OpenAI-compatible judge's verdict comes back validated and usable in a judge step") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin)), "",
                        "checks = { check { name = 'described', weight = 0, fn = function(s) return 1, g:describe() end } },")));
  const Score s = p.Answer("The capital of France is Paris.");
  INFO(ErrorText(s));
  REQUIRE_FALSE(s.neutral);
  const Json& d = Detail(s);
  const auto score = d.at("verdict").at("score").get<int>();
  CHECK(score >= 1);
  CHECK(score <= 5);
  CHECK(s.reward == Approx(score / 5.0));
  CHECK(d.at("verdict").at("rationale").is_string());
  CHECK(d.at("info").at("attempts") == 1);
  CHECK(d.at("info").at("verdict_retries") == 0);
  CHECK(d.at("info").at("form") == "bare");
  CHECK(d.at("info").at("input_tokens").get<int>() > 0);
  CHECK(d.at("info").at("output_tokens").get<int>() > 0);
  CHECK(d.at("info").at("ms").get<int>() >= 0);
  CHECK(s.details.at("described") == "openai " + standin->base_url() + "/v1 model m");
  CHECK(standin->stats().openai == 1);

  SECTION("the same sample gets the same verdict, and different answers make different requests") {
    const Score again = p.Answer("The capital of France is Paris.");
    REQUIRE_FALSE(again.neutral);
    CHECK(Detail(again).at("verdict") == d.at("verdict"));
    std::set<std::string> verdicts;
    for (int i = 0; i < 8; ++i) {
      const Score other = p.Answer("Answer number " + std::to_string(i));
      REQUIRE_FALSE(other.neutral);
      verdicts.insert(Detail(other).at("verdict").dump());
    }
    CHECK(verdicts.size() > 1);
  }
}

TEST_CASE("a Bedrock judge is called with a SigV4 signature from the AWS environment") {
  auto env = CleanEnv();
  const gavel::judge::AwsCredentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token"};
  gavel::standin::Options so;
  so.aws = credentials;
  so.region = "eu-west-1";
  auto standin = StartStandin(so);
  const std::string url = "bedrock+" + standin->base_url() + "/amazon.nova-lite-v1:0?region=eu-west-1";
  Project p;

  SECTION("the right credentials") {
    ScopedEnv aws{{"AWS_ACCESS_KEY_ID", credentials.access_key_id},
                  {"AWS_SECRET_ACCESS_KEY", credentials.secret_access_key},
                  {"AWS_SESSION_TOKEN", credentials.session_token},
                  {"AWS_BEARER_TOKEN_BEDROCK", std::nullopt}};
    REQUIRE(p.Load(Rubric(Options(url), "",
                          "checks = { check { name = 'described', weight = 0, fn = function(s) return 1, g:describe() end } },")));
    const Score s = p.Answer("Bedrock answers too.");
    INFO(ErrorText(s));
    REQUIRE_FALSE(s.neutral);
    CHECK(Detail(s).at("verdict").at("score").get<int>() >= 1);
    CHECK(Detail(s).at("info").at("form") == "bare");
    const std::string described = s.details.at("described").get<std::string>();
    CHECK(described.find("bedrock " + standin->base_url()) == 0);
    CHECK(described.find("(SigV4)") != std::string::npos);
    CHECK(described.find(credentials.secret_access_key) == std::string::npos);
    CHECK(described.find(credentials.access_key_id) == std::string::npos);
    const auto stats = standin->stats();
    CHECK(stats.bedrock == 1);
    CHECK(stats.auth_failures == 0);
  }
  SECTION("a wrong secret: the judge refuses, the step fails, and the secret is never shown") {
    ScopedEnv aws{{"AWS_ACCESS_KEY_ID", credentials.access_key_id},
                  {"AWS_SECRET_ACCESS_KEY", "not-the-secret-key"},
                  {"AWS_SESSION_TOKEN", credentials.session_token},
                  {"AWS_BEARER_TOKEN_BEDROCK", std::nullopt}};
    REQUIRE(p.Load(Rubric(Options(url))));
    const Score s = p.Answer("Bedrock answers too.");
    RequireJudgeError(s, "HTTP 403");
    CHECK(s.errors[0].message.find("not-the-secret-key") == std::string::npos);
    CHECK(standin->stats().auth_failures == 1);
  }
  SECTION("no credentials at all: a load error") {
    ScopedEnv aws{{"AWS_ACCESS_KEY_ID", std::nullopt},
                  {"AWS_SECRET_ACCESS_KEY", std::nullopt},
                  {"AWS_BEARER_TOKEN_BEDROCK", std::nullopt}};
    REQUIRE_FALSE(p.Load(Rubric(Options(url))));
    CHECK(p.error.find("judge.new") != std::string::npos);
    CHECK(p.error.find("Bedrock needs credentials") != std::string::npos);
  }
}

TEST_CASE("the request carries the templates, the schema and the sampling options") {
  auto env = CleanEnv();
  CaptureServer capture(R"(Here is my verdict: {"score": 4, "rationale": "fine"} Thanks.)");
  Project p;
  REQUIRE(p.Load(Rubric(Options(capture.url(), "system = '../prompts/system.txt', temperature = 0.25, max_tokens = 77"))));
  const Score s = p.Answer("Forty-two.");
  INFO(ErrorText(s));
  REQUIRE_FALSE(s.neutral);
  CHECK(Detail(s).at("verdict").at("score") == 4);
  CHECK(Detail(s).at("info").at("form") == "after_prose");
  CHECK(Detail(s).at("info").at("input_tokens") == 11);
  CHECK(Detail(s).at("info").at("output_tokens") == 7);
  const auto bodies = capture.bodies();
  REQUIRE(bodies.size() == 1);
  const Json body = Json::parse(bodies[0]);
  CHECK(body.at("model") == "capture-model");
  CHECK(body.at("temperature") == 0.25);
  CHECK(body.at("max_tokens") == 77);
  REQUIRE(body.at("messages").size() == 2);
  CHECK(body.at("messages")[0].at("role") == "system");
  CHECK(body.at("messages")[0].at("content") == "You are a strict reviewer.");
  CHECK(body.at("messages")[1].at("role") == "user");
  CHECK(body.at("messages")[1].at("content") == "Question: question s\nAnswer: Forty-two.\nRate the answer from 1 to 5.\n");
  CHECK(body.at("response_format").at("json_schema").at("schema") == Json::parse(kVerdictSchema));
}

TEST_CASE("the defaults: temperature 0, 1024 tokens, no system message") {
  auto env = CleanEnv();
  CaptureServer capture(R"({"score": 2, "rationale": "meh"})");
  Project p;
  REQUIRE(p.Load(Rubric(Options(capture.url()))));
  const Score s = p.Answer("x");
  INFO(ErrorText(s));
  REQUIRE_FALSE(s.neutral);
  const auto bodies = capture.bodies();
  REQUIRE(bodies.size() == 1);
  const Json body = Json::parse(bodies[0]);
  CHECK(body.at("temperature") == 0);
  CHECK(body.at("max_tokens") == 1024);
  REQUIRE(body.at("messages").size() == 1);
  CHECK(body.at("messages")[0].at("role") == "user");
}

// --- Templates ----------------------------------------------------------------------------------

// A template whose verdict directive echoes every placeholder into the rationale.
constexpr const char* kEchoTemplate =
    "Grade it.\n[[standin:verdict={\"score\": 3, \"rationale\": \"P={{prompt}};A={{ answer }};S={{system}};"
    "R={{reference}};I={{id}};M={{metadata.topic}};V={{vars.note}}\"}]]\n";

TEST_CASE("the prompt template receives the sample's fields and the vars") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  p.Write("prompts/echo.txt", kEchoTemplate);
  const std::string options = "url = '" + OpenAiUrl(*standin) +
                              "', prompt = '../prompts/echo.txt', verdict = '../schemas/verdict.json'";
  REQUIRE(p.Load(Rubric(options, "local v = g:ask(s, { note = 'from-vars' })\n return v.score / 5, v.rationale")));
  const Json sample = {
      {"id", "sample-7"},
      {"messages", Json::array({{{"role", "system"}, {"content", "sys-text"}},
                                {{"role", "user"}, {"content", "the-question"}},
                                {{"role", "assistant"}, {"content", "the-answer {{vars.note}} {{answer}}"}}})},
      {"reference_answer", Json::array({1, 2})},
      {"metadata", {{"topic", "geography"}}}};
  const Score s = p.One(SampleFrom(sample));
  INFO(ErrorText(s));
  REQUIRE_FALSE(s.neutral);
  // {{ inside the answer is sent as it is, never expanded again; a non-string reference is JSON.
  CHECK(s.details.at("review") ==
        "P=the-question;A=the-answer {{vars.note}} {{answer}};S=sys-text;R=[1,2];I=sample-7;M=geography;V=from-vars");
}

TEST_CASE("a placeholder without a value is a rubric error naming it") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  p.Write("prompts/echo.txt", kEchoTemplate);
  const std::string options = "url = '" + OpenAiUrl(*standin) +
                              "', prompt = '../prompts/echo.txt', verdict = '../schemas/verdict.json'";
  REQUIRE(p.Load(Rubric(options, "local v = g:ask(s, s.metadata.vars)\n return 1")));
  const Json base = {{"id", 5},
                     {"messages", Json::array({{{"role", "user"}, {"content", "q"}}, {{"role", "assistant"}, {"content", "a"}}})},
                     {"reference_answer", "ref"},
                     {"metadata", {{"topic", "t"}, {"vars", {{"note", "n"}}}}}};
  SECTION("all present: an integer id is written as a number") {
    const Score s = p.One(SampleFrom(base));
    INFO(ErrorText(s));
    CHECK_FALSE(s.neutral);
  }
  SECTION("no reference") {
    Json j = base;
    j.erase("reference_answer");
    RequireRubricError(p.One(SampleFrom(j)), "{{reference}} (prompts/echo.txt:2) has no value: the sample has no reference");
  }
  SECTION("no metadata key") {
    Json j = base;
    j["metadata"].erase("topic");
    RequireRubricError(p.One(SampleFrom(j)), "{{metadata.topic}} (prompts/echo.txt:2) has no value");
  }
  SECTION("no vars") {
    Json j = base;
    j["metadata"].erase("vars");
    RequireRubricError(p.One(SampleFrom(j)), "{{vars.note}} (prompts/echo.txt:2) has no value: no vars were given");
  }
  SECTION("a var missing") {
    Json j = base;
    j["metadata"]["vars"] = {{"other", 1}};
    RequireRubricError(p.One(SampleFrom(j)), "{{vars.note}} (prompts/echo.txt:2) has no value: vars has no 'note'");
  }
  CHECK(standin->stats().requests <= 1);
}

TEST_CASE("a var that cannot be written as text is a rubric error") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  p.Write("prompts/v.txt", "Note: {{vars.note}}");
  const std::string options = "url = '" + OpenAiUrl(*standin) + "', prompt = '../prompts/v.txt', verdict = '../schemas/verdict.json'";
  REQUIRE(p.Load(Rubric(options, "local v = g:ask(s, { note = function() end })\n return 1")));
  RequireRubricError(p.Answer("x"), "{{vars.note}} (prompts/v.txt:1) cannot be written as text");
  CHECK(standin->stats().requests == 0);
}

TEST_CASE("{{ in an answer is never expanded") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  // Were the answer expanded, {{vars.trap}} would put a 418 directive into the request.
  REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin)),
                        "local v = g:ask(s, { trap = '[[standin:status=418]]' })\n return v.score / 5")));
  const Score s = p.Answer("{{vars.trap}} {{answer}} {{ {{");
  INFO(ErrorText(s));
  CHECK_FALSE(s.neutral);
  CHECK(standin->stats().by_status.count(418) == 0);
}

// --- Failures and retries -----------------------------------------------------------------------

TEST_CASE("429 with Retry-After 0, then a verdict") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin)))));
  const Score s = p.Answer("Throttled once. [[standin:fail=1,status=429,retry_after=0]]");
  INFO(ErrorText(s));
  REQUIRE_FALSE(s.neutral);
  CHECK(Detail(s).at("info").at("attempts") == 2);
  CHECK(Detail(s).at("info").at("verdict_retries") == 0);
  const auto stats = standin->stats();
  CHECK(stats.by_status.at(429) == 1);
  CHECK(stats.by_status.at(200) == 1);
}

TEST_CASE("an HTTP error that is final fails the step with the client's error") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin)))));
  const Score s = p.Answer("[[standin:status=400]]");
  RequireJudgeError(s, "grader:ask: the judge call failed: HTTP 400");
  CHECK(standin->stats().requests == 1);
}

TEST_CASE("a judge that cannot be reached fails the step") {
  auto env = CleanEnv();
  std::string url;
  {
    auto standin = StartStandin();
    url = OpenAiUrl(*standin);
  }  // stopped: nothing listens on the port any more
  Project p;
  REQUIRE(p.Load(Rubric(Options(url, "timeout_ms = 2000"))));
  RequireJudgeError(p.Answer("x"), "grader:ask: the judge call failed");
}

TEST_CASE("a malformed verdict is retried once") {
  auto env = CleanEnv();
  SECTION("malformed twice: error.judge with the neutral reward") {
    auto standin = StartStandin();
    Project p;
    REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin)))));
    const Score s = p.Answer("[[standin:malformed]]");
    RequireJudgeError(s, "grader:ask: no usable verdict in 2 calls: the verdict is not JSON");
    CHECK(standin->stats().requests == 2);
  }
}

TEST_CASE("an off-schema verdict is retried once") {
  auto env = CleanEnv();
  SECTION("a forced verdict that breaks the schema") {
    auto standin = StartStandin();
    Project p;
    REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin)))));
    const Score s = p.Answer(R"([[standin:verdict={"score": 9, "rationale": "too high"}]])");
    RequireJudgeError(s, "the verdict does not match schemas/verdict.json: /score: ");
    CHECK(standin->stats().requests == 2);
  }
}

TEST_CASE("a fenced verdict is accepted and its form reported") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin)))));
  const Score s = p.Answer("[[standin:fenced]]");
  INFO(ErrorText(s));
  REQUIRE_FALSE(s.neutral);
  CHECK(Detail(s).at("info").at("form") == "fenced");
}

TEST_CASE("a judge that hangs is ended by the call's timeout") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin), "timeout_ms = 300"))));
  const Score s = p.Answer("[[standin:hang]]");
  RequireJudgeError(s, "grader:ask: the judge call failed: the deadline passed");
}

TEST_CASE("a sample whose time limit passes while the judge hangs ends with error.limit") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin)), "", "limits = { time_ms = 300 },")));
  // Again and again: the call's deadline is the sample's, and the judge's client notices it at
  // the same moment as the engine, but the engine always reports it.
  for (int i = 0; i < 5; ++i) {
    const Score s = p.Answer("[[standin:hang]] " + std::to_string(i));
    INFO(ErrorText(s));
    REQUIRE(s.neutral);
    REQUIRE(s.errors.size() == 1);
    CHECK(s.errors[0].kind == gavel::ErrorKind::kLimit);
    CHECK(s.errors[0].message.find("time limit of 300 ms") != std::string::npos);
  }
  CHECK(standin->stats().requests == 5);
}

TEST_CASE("no retry is started that the sample's time limit would cut off") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  // The call may take 60 s, but the sample only 1.5 s: a Retry-After of 2 s cannot be waited.
  REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin)), "", "limits = { time_ms = 1500 },")));
  const Score s = p.Answer("[[standin:status=429,retry_after=2]]");
  RequireJudgeError(s, "no time left for another attempt before the deadline");
  CHECK(standin->stats().requests == 1);
  CHECK(s.usage.at("judge.calls") == 1);
  CHECK(s.usage.at("judge.attempts") == 1);
  CHECK(s.usage.at("judge.throttled") == 1);
}

TEST_CASE("attempt_timeout_ms ends a hung attempt and tries again within the call's timeout") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin), "timeout_ms = 20000, attempt_timeout_ms = 200"))));
  const Score s = p.Answer("[[standin:hang]]");
  RequireJudgeError(s, "grader:ask: the judge call failed");
  // The client's default: five attempts, each ended after 200 ms.
  CHECK(standin->stats().hangs == 5);
  CHECK(s.usage.at("judge.attempts") == 5);
  CHECK(s.usage.at("judge.retries") == 4);
}

TEST_CASE("a rubric can catch an unavailable judge with pcall") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  REQUIRE(p.Load(Rubric(Options(OpenAiUrl(*standin)),
                        "local ok, v = pcall(g.ask, g, s)\n"
                        " if not ok then return 0.25, tostring(v) end\n return v.score / 5")));
  const Score s = p.Answer("[[standin:status=400]]");
  INFO(ErrorText(s));
  REQUIRE_FALSE(s.neutral);
  CHECK(s.reward == 0.25);
  CHECK(s.details.at("review").get<std::string>().find("HTTP 400") != std::string::npos);
}

// --- ask_each and compare -----------------------------------------------------------------------

TEST_CASE("ask_each: one call per item, all at once, verdicts in item order") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  // Each verdict echoes the item's index (as the score) and the item (as the rationale); later
  // items are answered sooner, so completion order is the reverse of item order.
  p.Write("prompts/each.txt",
          "[[standin:latency_ms={{item}}]][[standin:verdict={\"score\": 1, \"rationale\": \"{{index}}:{{item}}\"}]]");
  const std::string options = "url = '" + OpenAiUrl(*standin) + "', prompt = '../prompts/each.txt', verdict = '../schemas/verdict.json'";
  SECTION("20 items") {
    REQUIRE(p.Load(Rubric(options,
                          "local items = {}\n"
                          " for i = 1, 20 do items[i] = tostring(1000 + (21 - i) * 20) end\n"
                          " local list, info = g:ask_each(s, items)\n"
                          " local out = {}\n"
                          " for i, v in ipairs(list) do out[i] = v.rationale end\n"
                          " return 1, { list = out, info = info }")));
    const Score s = p.Answer("x");
    INFO(ErrorText(s));
    REQUIRE_FALSE(s.neutral);
    const Json& d = Detail(s);
    REQUIRE(d.at("list").size() == 20);
    for (int i = 1; i <= 20; ++i) {
      CHECK(d.at("list")[static_cast<std::size_t>(i - 1)] == std::to_string(i) + ":" + std::to_string(1000 + (21 - i) * 20));
    }
    CHECK(d.at("info").at("calls") == 20);
    CHECK(d.at("info").at("attempts") == 20);
    CHECK(d.at("info").at("verdict_retries") == 0);
    CHECK(d.at("info").at("forms").size() == 20);
    CHECK(d.at("info").at("input_tokens").get<int>() > 0);
    const auto stats = standin->stats();
    CHECK(stats.requests == 20);
    CHECK(stats.peak_in_flight == 20);  // every call was in flight at once
  }
  SECTION("items that are not strings are sent as JSON; vars.item is the item") {
    p.Write("prompts/each2.txt", "[[standin:verdict={\"score\": 2, \"rationale\": \"{{vars.item}}|{{vars.index}}\"}]]");
    const std::string o2 = "url = '" + OpenAiUrl(*standin) + "', prompt = '../prompts/each2.txt', verdict = '../schemas/verdict.json'";
    REQUIRE(p.Load(Rubric(o2,
                          "local list = g:ask_each(s, { 7, {1, 2}, true })\n"
                          " return 1, { list[1].rationale, list[2].rationale, list[3].rationale }")));
    const Score s = p.Answer("x");
    INFO(ErrorText(s));
    REQUIRE_FALSE(s.neutral);
    CHECK(Detail(s) == Json::array({"7|1", "[1,2]|2", "true|3"}));
  }
  SECTION("no items: no call") {
    REQUIRE(p.Load(Rubric(options, "local list, info = g:ask_each(s, {})\n return 1, { n = #list, calls = info.calls }")));
    const Score s = p.Answer("x");
    INFO(ErrorText(s));
    REQUIRE_FALSE(s.neutral);
    CHECK(Detail(s) == Json({{"n", 0}, {"calls", 0}}));
    CHECK(standin->stats().requests == 0);
  }
  SECTION("one item fails: the step fails naming the item") {
    p.Write("prompts/each3.txt", "{{item}}");
    const std::string o3 = "url = '" + OpenAiUrl(*standin) + "', prompt = '../prompts/each3.txt', verdict = '../schemas/verdict.json'";
    REQUIRE(p.Load(Rubric(o3, "local list = g:ask_each(s, { 'fine', '[[standin:status=400]]', 'fine too' })\n return 1")));
    RequireJudgeError(p.Answer("x"), "grader:ask_each: item 2: the judge call failed: HTTP 400");
  }
  SECTION("an item that is nil or a function is a rubric error") {
    REQUIRE(p.Load(Rubric(options, "local list = g:ask_each(s, { 'a', print })\n return 1")));
    RequireRubricError(p.Answer("x"), "grader:ask_each: items[2] cannot be written as text");
  }
}

TEST_CASE("compare: both orders, a winner when they agree, a tie when they do not") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  const std::string options = "url = '" + OpenAiUrl(*standin) + "', prompt = '../prompts/pair.txt', verdict = '../schemas/pair.json'";
  REQUIRE(p.Load(Rubric(options,
                        "local w, d = g:compare(s, s.metadata.a, s.metadata.b)\n"
                        " return w == 'a' and 1 or w == 'b' and 0 or 0.5, "
                        "{ winner = w, consistent = d.consistent, first = d.first.winner, second = d.second.winner, "
                        "attempts = d.attempts }")));
  // The stand-in takes the last verdict directive in the text: in the order (a, b) that is b's.
  const std::string says_a = R"([[standin:verdict={"winner":"A"}]])";
  const std::string says_b = R"([[standin:verdict={"winner":"B"}]])";
  auto sample = [&](const std::string& a, const std::string& b, const std::string& question) {
    return SampleFrom({{"id", "c"},
                       {"messages", Json::array({{{"role", "user"}, {"content", question}}, {{"role", "assistant"}, {"content", "x"}}})},
                       {"metadata", {{"a", a}, {"b", b}}}});
  };
  SECTION("both orders prefer a") {
    // (a, b): "...A: <B> B: <A>" -> "A" (a); (b, a): "...A: <A> B: <B>" -> "B", which is a.
    const Score s = p.One(sample("answer one " + says_b, "answer two " + says_a, "q"));
    INFO(ErrorText(s));
    REQUIRE_FALSE(s.neutral);
    CHECK(Detail(s) == Json({{"winner", "a"}, {"consistent", true}, {"first", "A"}, {"second", "B"}, {"attempts", 2}}));
    CHECK(s.reward == 1);
  }
  SECTION("position bias: both orders say A, so the result is a tie") {
    // The directive is in the question, the same in both orders.
    const Score s = p.One(sample("answer one", "answer two", "q " + says_a));
    INFO(ErrorText(s));
    REQUIRE_FALSE(s.neutral);
    CHECK(Detail(s) == Json({{"winner", "tie"}, {"consistent", false}, {"first", "A"}, {"second", "A"}, {"attempts", 2}}));
    CHECK(s.reward == 0.5);
  }
  CHECK(standin->stats().requests == 2);
  CHECK(standin->stats().peak_in_flight >= 1);
}

TEST_CASE("each verdict is kept as a judgement: dimensions from the verdict schema, the rationale") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  p.Write("schemas/mixed.json", R"({
    "type": "object",
    "required": ["grounding", "pass", "tone", "reason"],
    "properties": {
      "grounding": {"type": "integer", "minimum": 1, "maximum": 5},
      "pass": {"enum": ["pass", "fail"]},
      "tone": {"enum": ["formal", "casual"]},
      "safe": {"type": "boolean"},
      "unbounded": {"type": "number"},
      "reason": {"type": "string"}
    }
  })");
  p.Write("prompts/each.txt",
          "[[standin:verdict={\"grounding\": {{index}}, \"pass\": \"{{item}}\", \"tone\": \"casual\", \"safe\": true, "
          "\"unbounded\": 7, \"reason\": \"item {{index}}\"}]]");
  const std::string options = "name = 'clauses', url = '" + OpenAiUrl(*standin) +
                              "', prompt = '../prompts/each.txt', verdict = '../schemas/mixed.json'";
  REQUIRE(p.Load(Rubric(options, "g:ask_each(s, { 'pass', 'fail' })\n return 1")));
  const Score s = p.Answer("x");
  INFO(ErrorText(s));
  REQUIRE_FALSE(s.neutral);
  REQUIRE(s.judgements.size() == 2);
  CHECK(s.judgements[0] == Json::parse(R"({"judge": "clauses", "item": 1, "rationale": "item 1",
    "dimensions": {"grounding": {"value": 1, "min": 1.0, "max": 5.0}, "pass": {"value": 1, "binary": true},
                   "tone": {"category": "casual"}, "safe": {"value": 1, "binary": true}}})"));
  CHECK(s.judgements[1].at("item") == 2);
  CHECK(s.judgements[1].at("dimensions").at("pass").at("value") == 0);
  CHECK(s.judgements[1].at("dimensions").at("grounding").at("value") == 2);
  // Written only when asked.
  CHECK(gavel::ScoreToJson(s).at("details").count("judgements") == 0);
  gavel::WriteOptions with;
  with.judgements = true;
  CHECK(gavel::ScoreToJson(s, with).at("details").at("judgements") == Json(s.judgements));

  SECTION("without a name, the prompt file's stem names the judge; a failed sample keeps none") {
    const std::string unnamed = "url = '" + OpenAiUrl(*standin) + "', prompt = '../prompts/review.txt', verdict = '../schemas/verdict.json'";
    REQUIRE(p.Load(Rubric(unnamed, "local v = g:ask(s)\n if s.answer == 'fail' then error('after the verdict') end\n return 1")));
    const Score ok = p.Answer("fine");
    REQUIRE(ok.judgements.size() == 1);
    CHECK(ok.judgements[0].at("judge") == "review");
    CHECK(ok.judgements[0].at("dimensions").at("score").at("max") == 5.0);
    const Score failed = p.Answer("fail");
    CHECK(failed.neutral);
    CHECK(failed.judgements.empty());
    CHECK(failed.usage.at("judge.calls") == 1);
  }
  SECTION("compare keeps one judgement: the preference and whether both orders agreed") {
    const std::string pair = "url = '" + OpenAiUrl(*standin) + "', prompt = '../prompts/pair.txt', verdict = '../schemas/pair.json'";
    REQUIRE(p.Load(Rubric(pair, "g:compare(s, 'one', 'two')\n return 1")));
    const Score c = p.Answer("x");
    INFO(ErrorText(c));
    REQUIRE(c.judgements.size() == 1);
    const Json& d = c.judgements[0].at("dimensions");
    const std::string winner = d.at("preference").at("category");
    CHECK((winner == "a" || winner == "b" || winner == "tie"));
    // A winner needs both orders to agree; a tie may come from disagreeing orders or two ties.
    if (winner != "tie") CHECK(d.at("position_consistent").at("value") == 1);
    CHECK(d.at("position_consistent").at("binary") == true);
  }
  SECTION("a bad name is refused at load") {
    CHECK_FALSE(p.Load(Rubric("name = 'two words', " + Options(OpenAiUrl(*standin)))));
    CHECK(p.error.find("option 'name' must be 1 to 64 letters") != std::string::npos);
  }
}

TEST_CASE("compare with vars, and its argument errors") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  p.Write("prompts/pair2.txt", "{{a}} vs {{b}} {{vars.note}}");
  const std::string options = "url = '" + OpenAiUrl(*standin) + "', prompt = '../prompts/pair2.txt', verdict = '../schemas/pair.json'";
  SECTION("vars reach the template; a verdict without a winner the schema allows is retried then fails") {
    p.Write("schemas/loose.json", R"({"type": "object", "required": ["winner"], "properties": {"winner": {"type": "string"}}})");
    const std::string loose = "url = '" + OpenAiUrl(*standin) + "', prompt = '../prompts/pair2.txt', verdict = '../schemas/loose.json'";
    REQUIRE(p.Load(Rubric(loose, "local w = g:compare(s, 'x', 'y', { note = '[[standin:verdict={\"winner\":\"C\"}]]' })\n return 1")));
    RequireJudgeError(p.Answer("x"), "no usable verdict in 2 calls: the verdict has no \"winner\" of \"A\", \"B\" or \"tie\"");
    CHECK(standin->stats().requests >= 2);
    CHECK(standin->stats().requests <= 4);
  }
  SECTION("a missing b") {
    REQUIRE(p.Load(Rubric(options, "local w = g:compare(s, 'x')\n return 1")));
    RequireRubricError(p.Answer("x"), "bad argument #3 to 'compare'");
  }
  SECTION("a nil b") {
    REQUIRE(p.Load(Rubric(options, "local w = g:compare(s, 'x', nil, {})\n return 1")));
    RequireRubricError(p.Answer("x"), "grader:compare: b is nil");
  }
  SECTION("a schema without a winner") {
    const std::string wrong = "url = '" + OpenAiUrl(*standin) + "', prompt = '../prompts/pair2.txt', verdict = '../schemas/verdict.json'";
    REQUIRE(p.Load(Rubric(wrong, "local w = g:compare(s, 'x', 'y', {})\n return 1")));
    RequireRubricError(p.Answer("x"), "grader:compare: the verdict schema schemas/verdict.json cannot judge a comparison");
  }
  SECTION("a winner that may be something else") {
    p.Write("schemas/other.json",
            R"({"type": "object", "required": ["winner"], "properties": {"winner": {"enum": ["A", "B", "both"]}}})");
    const std::string wrong = "url = '" + OpenAiUrl(*standin) + "', prompt = '../prompts/pair2.txt', verdict = '../schemas/other.json'";
    REQUIRE(p.Load(Rubric(wrong, "local w = g:compare(s, 'x', 'y', {})\n return 1")));
    RequireRubricError(p.Answer("x"), "\"winner\" may be \"both\"");
  }
  SECTION("a winner that is not required") {
    p.Write("schemas/optional.json", R"({"type": "object", "properties": {"winner": {"enum": ["A", "B", "tie"]}}})");
    const std::string wrong = "url = '" + OpenAiUrl(*standin) + "', prompt = '../prompts/pair2.txt', verdict = '../schemas/optional.json'";
    REQUIRE(p.Load(Rubric(wrong, "local w = g:compare(s, 'x', 'y', {})\n return 1")));
    RequireRubricError(p.Answer("x"), "does not require \"winner\"");
  }
}

// --- Arguments inside steps --------------------------------------------------------------------

TEST_CASE("wrong arguments in a step are rubric errors of that sample") {
  auto env = CleanEnv();
  auto standin = StartStandin();
  Project p;
  const std::string url = OpenAiUrl(*standin);
  SECTION("ask without the sample table") {
    REQUIRE(p.Load(Rubric(Options(url), "local v = g:ask(s.answer)\n return 1")));
    RequireRubricError(p.Answer("x"), "bad argument #1 to 'ask' (table expected, got string)");
  }
  SECTION("ask with vars that are not a table") {
    REQUIRE(p.Load(Rubric(Options(url), "local v = g:ask(s, 'vars')\n return 1")));
    RequireRubricError(p.Answer("x"), "bad argument #2 to 'ask' (table expected, got string)");
  }
  SECTION("ask called with a dot") {
    REQUIRE(p.Load(Rubric(Options(url), "local v = g.ask(s)\n return 1")));
    RequireRubricError(p.Answer("x"), "gavel.judge.grader expected");
  }
  SECTION("ask_each without items") {
    REQUIRE(p.Load(Rubric(Options(url), "local v = g:ask_each(s, 'items')\n return 1")));
    RequireRubricError(p.Answer("x"), "bad argument #2 to 'ask_each' (table expected, got string)");
  }
  SECTION("too many items") {
    REQUIRE(p.Load(Rubric(Options(url), "local t = {}\n for i = 1, 10001 do t[i] = 'x' end\n local v = g:ask_each(s, t)\n return 1")));
    RequireRubricError(p.Answer("x"), "grader:ask_each: at most 10000 items (got 10001)");
  }
  SECTION("requests larger than 64 MiB in one step") {
    REQUIRE(p.Load(Rubric(Options(url), "local t = {}\n for i = 1, 9000 do t[i] = 'x' end\n local v = g:ask_each(s, t)\n return 1")));
    RequireRubricError(p.Answer(std::string(8000, 'a')), "grader:ask_each: the requests of this step would take more than 64 MiB");
  }
  SECTION("judge.new inside a step") {
    REQUIRE(p.Load(Rubric(Options(url), "local h = J.new { " + Options(url) + " }\n return 1")));
    RequireRubricError(p.Answer("x"), "judge.new compiles once, when the rubric loads");
  }
  SECTION("ask while the rubric loads") {
    REQUIRE_FALSE(p.Load("local J = require 'gavel.judge'\nlocal g = J.new { " + Options(url) +
                         " }\ng:ask({ answer = 'x' })\nreturn rubric { checks = { check { name = 'c', fn = function() return 1 end } } }"));
    CHECK(p.error.find("r.lua:3: grader:ask: judge calls run only inside a step") != std::string::npos);
  }
  CHECK(standin->stats().requests == 0);
}

}  // namespace
