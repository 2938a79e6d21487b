// The handler library's parts on their own: settings from the environment, the secret scrubber,
// the event shape check, the log and EMF lines, the trace id variable, and the handler in this
// process.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>

#include "gavel/lambda/config.h"
#include "gavel/lambda/handler.h"
#include "gavel/lambda/invocation_report.h"
#include "gavel/lambda/runtime_client.h"

namespace {

using gavel::Json;
using namespace gavel::lambda;

EnvLookup Vars(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string ConfigError(std::map<std::string, std::string> vars) {
  auto config = ConfigFromEnvironment(Vars(std::move(vars)));
  REQUIRE_FALSE(config);
  CHECK(config.error().kind() == gavel::ErrorKind::kUsage);
  return config.error().message();
}

}  // namespace

TEST_CASE("config: the rubric from the handler or GAVEL_RUBRIC, numbers checked", "[units]") {
  SECTION("defaults") {
    auto config = ConfigFromEnvironment(Vars({{"_HANDLER", "contract_review"}, {"LAMBDA_TASK_ROOT", "/var/task"}}));
    REQUIRE(config);
    CHECK(config->rubric == "/var/task/rubrics/contract_review.lua");
    CHECK(config->threads == 0);
    CHECK(config->window == 256);
    CHECK(config->deadline_margin == std::chrono::milliseconds(300));
    CHECK_FALSE(config->details);
    CHECK(config->max_response_bytes == 6 * 1024 * 1024);
  }
  SECTION("a handler with .lua, and every setting") {
    auto config = ConfigFromEnvironment(Vars({{"_HANDLER", "math_answer.lua"},
                                              {"LAMBDA_TASK_ROOT", "/opt/fn"},
                                              {"GAVEL_THREADS", "3"},
                                              {"GAVEL_WINDOW", "64"},
                                              {"GAVEL_DEADLINE_MARGIN_MS", "0"},
                                              {"GAVEL_DETAILS", "1"},
                                              {"GAVEL_MAX_RESPONSE_BYTES", "1000"}}));
    REQUIRE(config);
    CHECK(config->rubric == "/opt/fn/rubrics/math_answer.lua");
    CHECK(config->threads == 3);
    CHECK(config->window == 64);
    CHECK(config->deadline_margin == std::chrono::milliseconds(0));
    CHECK(config->details);
    CHECK(config->max_response_bytes == 1000);
  }
  SECTION("GAVEL_RUBRIC wins over the handler; empty variables count as unset") {
    auto config = ConfigFromEnvironment(
        Vars({{"_HANDLER", "x"}, {"GAVEL_RUBRIC", "/tmp/r.lua"}, {"GAVEL_THREADS", ""}}));
    REQUIRE(config);
    CHECK(config->rubric == "/tmp/r.lua");
    CHECK(config->threads == 0);
  }
  SECTION("errors name the variable") {
    CHECK_THAT(ConfigError({}), Catch::StartsWith("no rubric: set the function's handler"));
    CHECK_THAT(ConfigError({{"_HANDLER", "x"}}), Catch::StartsWith("LAMBDA_TASK_ROOT is not set"));
    for (const char* bad : {"../x", "a/b", ".hidden", "a b", "index.handler:fn"}) {
      INFO(bad);
      CHECK_THAT(ConfigError({{"_HANDLER", bad}, {"LAMBDA_TASK_ROOT", "/t"}}),
                 Catch::StartsWith("the handler must be a rubric name"));
    }
    CHECK(ConfigError({{"GAVEL_RUBRIC", "r"}, {"GAVEL_THREADS", "0"}}) ==
          "GAVEL_THREADS must be a whole number from 1 to 1024");
    CHECK(ConfigError({{"GAVEL_RUBRIC", "r"}, {"GAVEL_WINDOW", "-1"}}) ==
          "GAVEL_WINDOW must be a whole number from 1 to 1048576");
    CHECK(ConfigError({{"GAVEL_RUBRIC", "r"}, {"GAVEL_DEADLINE_MARGIN_MS", "1e3"}}) ==
          "GAVEL_DEADLINE_MARGIN_MS must be a whole number from 0 to 900000");
    CHECK(ConfigError({{"GAVEL_RUBRIC", "r"}, {"GAVEL_DETAILS", "yes"}}) == "GAVEL_DETAILS must be 0 or 1");
    // Above Lambda's own limit, a setting would only trade gavel's clear error for the Runtime
    // API's refusal.
    for (const char* bad : {"1", "6291457", "6MB"}) {
      INFO(bad);
      CHECK(ConfigError({{"GAVEL_RUBRIC", "r"}, {"GAVEL_MAX_RESPONSE_BYTES", bad}}) ==
            "GAVEL_MAX_RESPONSE_BYTES must be a whole number from 2 to 6291456");
    }
  }
}

TEST_CASE("config: the judge's settings from GAVEL_JUDGE_URL, _WINDOW and _PRICES", "[units]") {
  SECTION("unset or empty: none") {
    auto config = ConfigFromEnvironment(Vars({{"GAVEL_RUBRIC", "r"}, {"GAVEL_JUDGE_URL", ""}}));
    REQUIRE(config);
    CHECK(config->judge.default_url.empty());
    CHECK(config->judge.window == 0);
    CHECK_FALSE(config->judge.default_prices);
    CHECK(config->judge.cache_file.empty());
    CHECK_FALSE(config->judge.canned_verdicts);
  }
  SECTION("all three") {
    auto config = ConfigFromEnvironment(Vars({{"GAVEL_RUBRIC", "r"},
                                              {"GAVEL_JUDGE_URL", "http://127.0.0.1:9/v1?model=m"},
                                              {"GAVEL_JUDGE_WINDOW", "12"},
                                              {"GAVEL_JUDGE_PRICES", "input=0.8,output=3.2"}}));
    REQUIRE(config);
    CHECK(config->judge.default_url == "http://127.0.0.1:9/v1?model=m");
    CHECK(config->judge.window == 12);
    REQUIRE(config->judge.default_prices);
    CHECK(config->judge.default_prices->input == 0.8);
    CHECK(config->judge.default_prices->output == 3.2);
  }
  SECTION("a bad value names the variable") {
    CHECK(ConfigError({{"GAVEL_RUBRIC", "r"}, {"GAVEL_JUDGE_WINDOW", "0"}}) ==
          "GAVEL_JUDGE_WINDOW must be an integer from 1 to 100000 (got '0')");
    CHECK(ConfigError({{"GAVEL_RUBRIC", "r"}, {"GAVEL_JUDGE_PRICES", "output"}}) ==
          "GAVEL_JUDGE_PRICES must look like 'input=0.8,output=3.2' (US dollars per million tokens): 'output' has "
          "no '='");
  }
}

TEST_CASE("secret scrubber: judge URL password, AWS keys, API keys named by key_env", "[units]") {
  const SecretScrubber scrubber = SecretScrubber::FromEnvironment(
      Vars({{"GAVEL_JUDGE_URL", "openai+https://user:hunter2-pass@judge.example/v1?model=m&key_env=MY_KEY"},
            {"MY_KEY", "sk-my-key-123"},
            {"AWS_SECRET_ACCESS_KEY", "aws-secret-0123456789"},
            {"AWS_SESSION_TOKEN", "token-abcdef"},
            {"OPENAI_API_KEY", "abc"}}));  // too short to scrub without blanking ordinary words
  CHECK(scrubber.Scrub("url user:hunter2-pass@judge, key sk-my-key-123, aws aws-secret-0123456789 token-abcdef abc") ==
        "url user:[redacted]@judge, key [redacted], aws [redacted] [redacted] abc");
  CHECK(scrubber.Scrub("nothing secret") == "nothing secret");
  const SecretScrubber encoded = SecretScrubber::FromEnvironment(
      Vars({{"GAVEL_JUDGE_URL", "http://u:p%40ss%2Fword@127.0.0.1:1/v1?model=m"}}));
  CHECK(encoded.Scrub("p%40ss%2Fword or p@ss/word") == "[redacted] or [redacted]");
  CHECK(SecretScrubber::FromEnvironment(Vars({})).Scrub("hunter2-pass") == "hunter2-pass");
}

TEST_CASE("event shape: arrays of objects pass, anything else is found", "[units]") {
  CHECK(ArrayElementsAreObjects("[]"));
  CHECK(ArrayElementsAreObjects(" [ ] "));
  CHECK(ArrayElementsAreObjects(R"([{"a": [1, "x,]"]}, {"b": {"c": [2]}} ,{}])"));
  CHECK(ArrayElementsAreObjects("[\n\t{}\r\n]"));
  CHECK_FALSE(ArrayElementsAreObjects("[1]"));
  CHECK_FALSE(ArrayElementsAreObjects(R"([{}, "s"])"));
  CHECK_FALSE(ArrayElementsAreObjects(R"([{}, [{}]])"));
  CHECK_FALSE(ArrayElementsAreObjects("[null, {}]"));
}

TEST_CASE("invocation report: the log line and the EMF line", "[units]") {
  InvocationReport report;
  report.request_id = "req-1";
  report.rubric = "math-answer";
  gavel::Score good;
  good.id = "a";
  good.reward = 1;
  good.usage = {{"judge.calls", 3}, {"judge.attempts", 4}, {"judge.retries", 1}, {"judge.cost_usd", 0.25}};
  good.metrics = {{"well_formed", 1, gavel::MetricType::kMetric}, {"score", 0.5, gavel::MetricType::kReward}};
  report.totals.Add(good);
  gavel::Score rejected;
  rejected.id = "e";
  rejected.metrics = {{"well_formed", 0, gavel::MetricType::kMetric}};
  report.totals.Add(rejected);
  report.totals.Add(gavel::Score::Failed("b", 0.5, gavel::ErrorKind::kBadSample, "missing messages"));
  report.totals.Add(gavel::Score::Failed("c", 0.5, gavel::ErrorKind::kDeadline, "late"));
  gavel::Score late = gavel::Score::Failed("d", 0.5, gavel::ErrorKind::kDeadline, "late");
  late.usage = {{"judge.calls", 1}, {"judge.attempts", 2}, {"judge.retries", 1}};  // a failed sample's calls count
  report.totals.Add(late);
  report.total_ms = 12.5;
  report.score_ms = 10;
  report.response_bytes = 300;
  CHECK(report.totals.samples == 5);
  CHECK(report.totals.neutral == 3);
  CHECK(report.totals.error_count() == 3);
  CHECK(report.totals.cut_off_count() == 2);

  const Json log = Json::parse(InvocationLogLine(report));
  CHECK(log["message"] == "invocation");
  CHECK(log["request_id"] == "req-1");
  CHECK(log["samples"] == 5);
  // The rubric's metrics as batch means over the samples that have them; error.* are not among them.
  CHECK(log["metrics"] == Json({{"score", {{"mean", 0.5}, {"samples", 1}}},
                                {"well_formed", {{"mean", 0.5}, {"samples", 2}}}}));
  CHECK(log["cut_off"] == Json({{"deadline", 2}}));
  CHECK_FALSE(log.contains("response_limit_bytes"));
  CHECK(log["neutral"] == 3);
  CHECK(log["errors"] == Json({{"deadline", 2}, {"sample", 1}}));
  CHECK(log["usage"]["judge.calls"] == 4);
  CHECK(log["ms"]["total"] == 12.5);
  CHECK(log["ms"]["per_sample"] == 2.0);
  CHECK(log["response_bytes"] == 300);
  CHECK_THAT(InvocationLogLine(report), !Catch::Contains("missing messages"));  // no message text

  const Json emf = Json::parse(EmbeddedMetricsLine(report, 1700000000000));
  CHECK(emf["_aws"]["Timestamp"] == 1700000000000);
  const Json& directive = emf["_aws"]["CloudWatchMetrics"][0];
  CHECK(directive["Namespace"] == "gavel");
  std::map<std::string, std::string> units;
  for (const Json& m : directive["Metrics"]) units[m["Name"]] = m["Unit"];
  CHECK(units == std::map<std::string, std::string>{{"Samples", "Count"},
                                                    {"NeutralRewards", "Count"},
                                                    {"Errors", "Count"},
                                                    {"SchemaFailures", "Count"},
                                                    {"DeadlineErrors", "Count"},
                                                    {"LimitErrors", "Count"},
                                                    {"CutOffSamples", "Count"},
                                                    {"InvocationErrors", "Count"},
                                                    {"DurationMs", "Milliseconds"},
                                                    {"ResponseBytes", "Bytes"},
                                                    {"judge.attempts", "Count"},
                                                    {"judge.calls", "Count"},
                                                    {"judge.cost_usd", "None"},
                                                    {"metric.score", "None"},
                                                    {"metric.score.samples", "Count"},
                                                    {"metric.well_formed", "None"},
                                                    {"metric.well_formed.samples", "Count"},
                                                    {"judge.retries", "Count"}});
  CHECK(emf["Rubric"] == "math-answer");
  CHECK(emf["Samples"] == 5);
  CHECK(emf["metric.well_formed"] == 0.5);
  CHECK(emf["metric.well_formed.samples"] == 2);
  CHECK(emf["ResponseBytes"] == 300);
  CHECK(emf["NeutralRewards"] == 3);
  CHECK(emf["Errors"] == 3);
  CHECK(emf["SchemaFailures"] == 1);
  CHECK(emf["DeadlineErrors"] == 2);
  CHECK(emf["LimitErrors"] == 0);
  CHECK(emf["CutOffSamples"] == 2);
  CHECK(emf["InvocationErrors"] == 0);
  CHECK(emf["judge.calls"] == 4);
  CHECK(emf["judge.retries"] == 2);
  CHECK(emf["judge.cost_usd"] == 0.25);
}

TEST_CASE("invocation report: samples cut off keep the rates of the steps they reached", "[units]") {
  // A batch of 64 behind a format gate and a slow judge: 22 answers fail the gate, 4 are judged
  // in time, 36 pass the gate and are cut off by the deadline while the judge works, 2 by a
  // sandbox limit. The cut-off ones come back failed, with the gate's metric they earned.
  InvocationReport report;
  report.rubric = "contract-review";
  auto failed = [](gavel::ErrorKind kind, std::vector<gavel::Metric> finished) {
    gavel::Score score = gavel::Score::Failed("s", 0.5, kind, "cut off");
    for (gavel::Metric& metric : finished) score.metrics.push_back(std::move(metric));
    return score;
  };
  for (int i = 0; i < 22; ++i) {
    gavel::Score rejected;
    rejected.metrics = {{"well_formed", 0, gavel::MetricType::kMetric}};
    report.totals.Add(rejected);
  }
  for (int i = 0; i < 4; ++i) {
    gavel::Score judged;
    judged.reward = 0.75;
    judged.metrics = {{"well_formed", 1, gavel::MetricType::kMetric}, {"grounding", 0.75, gavel::MetricType::kReward}};
    report.totals.Add(judged);
  }
  for (int i = 0; i < 36; ++i) report.totals.Add(failed(gavel::ErrorKind::kDeadline, {{"well_formed", 1}}));
  for (int i = 0; i < 2; ++i) report.totals.Add(failed(gavel::ErrorKind::kLimit, {{"well_formed", 1}}));
  // A malformed sample reaches no step: it is neither cut off nor counted for the gate.
  report.totals.Add(gavel::Score::Failed("bad", 0.5, gavel::ErrorKind::kBadSample, "no messages"));

  CHECK(report.totals.samples == 65);
  CHECK(report.totals.neutral == 39);
  CHECK(report.totals.cut_off_count() == 38);
  const Json log = Json::parse(InvocationLogLine(report));
  // 42 of the 64 samples that reached the gate passed it; the judge's metric is over the 4 it scored.
  CHECK(log["metrics"] == Json({{"well_formed", {{"mean", 42.0 / 64.0}, {"samples", 64}}},
                                {"grounding", {{"mean", 0.75}, {"samples", 4}}}}));
  CHECK(log["cut_off"] == Json({{"deadline", 36}, {"limit", 2}}));
  CHECK(log["errors"] == Json({{"deadline", 36}, {"limit", 2}, {"sample", 1}}));
  CHECK(log["neutral"] == 39);

  const Json emf = Json::parse(EmbeddedMetricsLine(report, 1));
  CHECK(emf["metric.well_formed"] == 42.0 / 64.0);
  CHECK(emf["metric.well_formed.samples"] == 64);
  CHECK(emf["metric.grounding"] == 0.75);
  CHECK(emf["metric.grounding.samples"] == 4);
  CHECK(emf["CutOffSamples"] == 38);
  CHECK(emf["DeadlineErrors"] == 36);
  CHECK(emf["LimitErrors"] == 2);
  CHECK(emf["SchemaFailures"] == 1);
  CHECK(emf["Errors"] == 39);
}

TEST_CASE("invocation report: the EMF directive stays within 100 metrics, each rate with its count", "[units]") {
  InvocationReport report;
  gavel::Score score;
  for (int i = 0; i < 12; ++i) score.usage["judge.counter_" + std::to_string(i)] = i;
  for (int i = 0; i < 60; ++i) score.metrics.push_back({"check_" + std::to_string(100 + i), 1, gavel::MetricType::kMetric});
  report.totals.Add(score);
  const Json emf = Json::parse(EmbeddedMetricsLine(report, 1));
  const Json& declared = emf["_aws"]["CloudWatchMetrics"][0]["Metrics"];
  // 10 fixed, 12 usage keys, then 39 rubric metrics of two entries each: 100 - 22 = 78 = 2 * 39.
  CHECK(declared.size() == kMaxEmfMetrics);
  std::size_t rates = 0;
  for (const Json& m : declared) {
    const std::string name = m["Name"];
    INFO(name);
    CHECK(emf.contains(name));
    if (name.starts_with("metric.") && !name.ends_with(".samples")) {
      ++rates;
      CHECK(emf.contains(name + ".samples"));
    }
  }
  CHECK(rates == 39);
  CHECK(emf.contains("metric.check_138"));
  CHECK_FALSE(emf.contains("metric.check_139"));
  CHECK(emf["judge.counter_11"] == 11);
}

TEST_CASE("trace id variable: rewritten in place, not copied for every invocation", "[units]") {
  const char* name = TraceIdVariable::kName;
  REQUIRE(std::getenv(name) == nullptr);
  {
    TraceIdVariable variable;
    variable.Set("Root=1-00000000-000000000000000000000000;Sampled=0");
    const char* storage = std::getenv(name);
    REQUIRE(storage != nullptr);
    CHECK(std::string(storage) == "Root=1-00000000-000000000000000000000000;Sampled=0");
    // setenv would give each new value new storage (and never free the old); here the
    // environment keeps pointing at the same bytes.
    for (int i = 1; i <= 1000; ++i) {
      char id[64];
      std::snprintf(id, sizeof id, "Root=1-00000000-%024d;Sampled=0", i);
      variable.Set(id);
      REQUIRE(std::getenv(name) == storage);
      REQUIRE(std::string(storage) == id);
    }
    variable.Set("short");
    CHECK(std::getenv(name) == storage);
    CHECK(std::string(std::getenv(name)) == "short");
    const std::string long_id(1000, 'x');
    variable.Set(long_id);
    CHECK(std::string(std::getenv(name)) == long_id);
    variable.Set("");
    CHECK(std::getenv(name) == nullptr);
    variable.Set("Root=again");
    CHECK(std::string(std::getenv(name)) == "Root=again");
  }
  // Gone with the object: the environment never points at freed memory.
  CHECK(std::getenv(name) == nullptr);
}

TEST_CASE("handler: in this process, details only when asked for, errors as values", "[units]") {
  LambdaConfig config;
  config.rubric = std::string(GAVEL_SOURCE_DIR) + "/rubrics/math_answer.lua";
  config.threads = 1;
  const std::string event =
      R"([{"id": "x", "messages": [{"role": "assistant", "content": "#### 5"}], "reference_answer": 5}])";
  SECTION("without details") {
    auto handler = Handler::Create(config);
    REQUIRE(handler);
    InvocationOutcome out = (*handler)->Handle(event, std::nullopt);
    REQUIRE(out.ok);
    CHECK(Json::parse(out.body)[0].size() == 3);
    CHECK(out.report.totals.samples == 1);
    CHECK(out.report.rubric == "math-answer");
  }
  SECTION("with details") {
    config.details = true;
    auto handler = Handler::Create(config);
    REQUIRE(handler);
    InvocationOutcome out = (*handler)->Handle(event, std::nullopt);
    REQUIRE(out.ok);
    CHECK(Json::parse(out.body)[0]["details"]["correct"] == "final answer \"5\" (hashes), reference 5");
  }
  SECTION("a deadline already past: every sample neutral with a deadline error") {
    auto handler = Handler::Create(config);
    REQUIRE(handler);
    InvocationOutcome out = (*handler)->Handle(event, std::chrono::steady_clock::now());
    REQUIRE(out.ok);
    CHECK(Json::parse(out.body) ==
          Json::parse(R"([{"id":"x","aggregate_reward_score":0.5,"metrics_list":[{"name":"error.deadline","value":1,"type":"Metric"}]}])"));
  }
  SECTION("a rubric that does not exist") {
    config.rubric = "/nonexistent/r.lua";
    auto handler = Handler::Create(config);
    REQUIRE_FALSE(handler);
    CHECK_THAT(handler.error().message(), Catch::Contains("/nonexistent/r.lua"));
  }
  CHECK(ErrorBody("a \"quoted\" \xff", "T") == R"({"errorMessage":"a \"quoted\" �","errorType":"T"})");
}

TEST_CASE("handler: a response over max_response_bytes is an invocation error naming both sizes", "[units]") {
  LambdaConfig config;
  config.rubric = std::string(GAVEL_SOURCE_DIR) + "/rubrics/math_answer.lua";
  config.threads = 1;
  const std::string event =
      R"([{"id": "x", "messages": [{"role": "assistant", "content": "#### 5"}], "reference_answer": 5},
          {"id": "y", "messages": []}])";
  std::size_t full_size = 0;
  std::string full_body;
  {
    auto handler = Handler::Create(config);
    REQUIRE(handler);
    InvocationOutcome out = (*handler)->Handle(event, std::nullopt);
    REQUIRE(out.ok);
    full_body = out.body;
    full_size = out.body.size();
  }
  SECTION("exactly at the limit: posted") {
    config.max_response_bytes = full_size;
    auto handler = Handler::Create(config);
    REQUIRE(handler);
    InvocationOutcome out = (*handler)->Handle(event, std::nullopt);
    REQUIRE(out.ok);
    CHECK(out.body == full_body);
    CHECK(out.report.response_limit_bytes == 0);
  }
  SECTION("a byte over: refused, with the scoring still reported") {
    config.max_response_bytes = full_size - 1;
    auto handler = Handler::Create(config);
    REQUIRE(handler);
    InvocationOutcome out = (*handler)->Handle(event, std::nullopt);
    REQUIRE_FALSE(out.ok);
    CHECK(out.error_type == "Gavel.ResponseTooLarge");
    const std::string message = "the response for 2 samples is " + std::to_string(full_size) +
                                " bytes, over the limit of " + std::to_string(full_size - 1) +
                                " bytes for a synchronous Lambda response (GAVEL_MAX_RESPONSE_BYTES); send fewer "
                                "samples per event";
    CHECK(Json::parse(out.body) == Json({{"errorMessage", message}, {"errorType", "Gavel.ResponseTooLarge"}}));
    CHECK(out.report.invocation_error);
    CHECK(out.report.response_bytes == full_size);
    CHECK(out.report.response_limit_bytes == full_size - 1);
    const Json log = Json::parse(InvocationLogLine(out.report));
    CHECK(log["invocation_error"] == "Gavel.ResponseTooLarge");
    CHECK(log["response_bytes"] == full_size);
    CHECK(log["response_limit_bytes"] == full_size - 1);
    CHECK(log["samples"] == 2);
    CHECK(log["errors"] == Json({{"sample", 1}}));
    const Json emf = Json::parse(EmbeddedMetricsLine(out.report, 1));
    CHECK(emf["InvocationErrors"] == 1);
    CHECK(emf["Samples"] == 2);
    CHECK(emf["ResponseBytes"] == full_size);
    // The handler carries on: a smaller event fits.
    InvocationOutcome next = (*handler)->Handle("[]", std::nullopt);
    CHECK(next.ok);
    CHECK(next.body == "[]");
  }
  SECTION("with details on, the message says they can go") {
    config.details = true;
    config.max_response_bytes = full_size;  // details make it larger
    auto handler = Handler::Create(config);
    REQUIRE(handler);
    InvocationOutcome out = (*handler)->Handle(event, std::nullopt);
    REQUIRE_FALSE(out.ok);
    CHECK_THAT(Json::parse(out.body)["errorMessage"].get<std::string>(),
               Catch::EndsWith("send fewer samples per event or set GAVEL_DETAILS=0"));
  }
}

TEST_CASE("handler: the response and the invocation log line, byte for byte", "[units]") {
  LambdaConfig config;
  config.rubric = std::string(GAVEL_SOURCE_DIR) + "/rubrics/math_answer.lua";
  config.threads = 2;
  config.details = true;
  const std::string event =
      R"([{"id": "x", "messages": [{"role": "assistant", "content": "#### 5"}], "reference_answer": 5},
          {"id": "y", "messages": [{"role": "assistant", "content": "the answer is 4"}], "reference_answer": 5},
          {"id": "z", "messages": []},
          {"id": 4, "messages": [{"role": "assistant", "content": ""}]}])";
  auto handler = Handler::Create(config);
  REQUIRE(handler);
  InvocationOutcome out = (*handler)->Handle(event, std::nullopt);
  REQUIRE(out.ok);
  // As the handler answered before it wrote through a ScoreSink.
  CHECK(out.body == R"([{"id":"x","aggregate_reward_score":1.0,"metrics_list":[{"name":"answered","type":"Metric","value":1.0},{"name":"not_rambling","type":"Metric","value":1.0},{"name":"correct","type":"Reward","value":1.0},{"name":"states_final_answer","type":"Reward","value":1.0},{"name":"concise","type":"Reward","value":1.0},{"name":"answer_bytes","type":"Metric","value":6.0}],"details":{"correct":"final answer \"5\" (hashes), reference 5"}},{"id":"y","aggregate_reward_score":0.2,"metrics_list":[{"name":"answered","type":"Metric","value":1.0},{"name":"not_rambling","type":"Metric","value":1.0},{"name":"correct","type":"Reward","value":0.0},{"name":"states_final_answer","type":"Reward","value":1.0},{"name":"concise","type":"Reward","value":1.0},{"name":"answer_bytes","type":"Metric","value":15.0}],"details":{"correct":"final answer \"4\" (phrase), reference 5"}},{"id":"z","aggregate_reward_score":0.5,"metrics_list":[{"name":"error.sample","type":"Metric","value":1.0}],"details":{"errors":[{"kind":"sample","message":"sample 3: \"messages\" must be a non-empty array, not an empty array"}]}},{"id":4,"aggregate_reward_score":0.0,"metrics_list":[{"name":"answered","type":"Metric","value":0.0}],"details":{"gate":{"name":"answered","passed":false,"reason":"the answer is empty"}}}])");
  // Durations differ between runs; everything else in the line is fixed.
  out.report.request_id = "req";
  out.report.parse_ms = out.report.score_ms = out.report.total_ms = 0;
  CHECK(InvocationLogLine(out.report) ==
        R"({"cut_off":{},"errors":{"sample":1},"message":"invocation","metrics":{"answer_bytes":{"mean":10.5,"samples":2},"answered":{"mean":0.6666666666666666,"samples":3},"concise":{"mean":1.0,"samples":2},"correct":{"mean":0.5,"samples":2},"not_rambling":{"mean":1.0,"samples":2},"states_final_answer":{"mean":1.0,"samples":2}},"ms":{"parse":0.0,"per_sample":0.0,"score":0.0,"total":0.0},"neutral":1,"request_id":"req","response_bytes":1275,"rubric":"math-answer","samples":4,"usage":{}})");
}
