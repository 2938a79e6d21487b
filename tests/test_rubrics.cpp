// The rubrics that ship in rubrics/, scored end to end on their example datasets with every
// built-in plugin, as `gavel score` runs them.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "builtin.h"
#include "gavel/standin/server.h"
#include "rubric_support.h"

namespace {

using gavel::testing::Detail;
using gavel::testing::ErrorText;
using gavel::testing::FindMetric;
using gavel::testing::MetricValue;

const std::filesystem::path& kSource = gavel::testing::kSourceDir;

// Scores every sample of a JSONL file with a rubric; returns the scores by id.
// `judge_url`: the judge of graders whose rubric names none (as GAVEL_JUDGE_URL gives it).
std::map<std::string, gavel::Score> ScoreExamples(const std::filesystem::path& rubric_file,
                                                  const std::filesystem::path& examples,
                                                  const std::string& judge_url = {}) {
  gavel::PluginRegistry registry;
  REQUIRE(gavel::RegisterBuiltinPlugins(registry, gavel::BuiltinOptions{.judge = {.default_url = judge_url}}));
  auto rubric = gavel::Rubric::Load(rubric_file, registry);
  INFO((rubric ? "" : rubric.error().message()));
  REQUIRE(rubric);
  gavel::EngineOptions eo;
  eo.threads = 2;
  auto engine = gavel::Engine::Create(*rubric, registry, eo);
  REQUIRE(engine);
  std::ifstream in(examples);
  REQUIRE(in);
  std::vector<gavel::ParsedSample> batch;
  std::string line;
  std::size_t index = 0;
  while (std::getline(in, line)) batch.push_back(gavel::ParseSampleText(line, index++));
  std::map<std::string, gavel::Score> by_id;
  for (gavel::Score& score : (*engine)->ScoreBatch(std::move(batch))) {
    by_id.emplace(score.id.get<std::string>(), std::move(score));
  }
  CHECK(by_id.size() == index);
  return by_id;
}

}  // namespace

TEST_CASE("support_reply: every failure the rubric exists for is caught and explained", "[rubrics]") {
  auto scores = ScoreExamples(kSource / "rubrics/support_reply.lua",
                              kSource / "rubrics/examples/support_reply.jsonl");
  for (const auto& [id, score] : scores) {
    INFO(id << ": " << ErrorText(score));
    CHECK_FALSE(score.neutral);  // every example is scorable: no sample fails
  }
  auto at = [&](const std::string& id) -> const gavel::Score& {
    INFO("sample " << id);
    REQUIRE(scores.count(id) == 1);
    return scores.at(id);
  };

  SECTION("valid answers: bare and fenced JSON score 1, prose around the JSON costs the format") {
    CHECK(at("valid-en").reward == Approx(1));
    CHECK(Detail(at("valid-en"), "format") == "bare");
    CHECK(at("fenced-de").reward == Approx(1));
    CHECK(Detail(at("fenced-de"), "format") == "fenced");
    CHECK(MetricValue(at("prose-fr"), "format") == Approx(0.5));
    CHECK(Detail(at("prose-fr"), "format") == "after_prose");
    CHECK(at("prose-fr").reward == Approx(0.9));
    CHECK(at("expected-ja").reward == Approx(1));
    CHECK_THAT(Detail(at("expected-ja"), "language"), Catch::Contains("reply ja, customer ja"));
  }
  SECTION("a truncated answer and an answer without JSON fail the json gate") {
    for (const char* id : {"truncated", "no-json"}) {
      INFO(id);
      CHECK(at(id).reward == 0);
      CHECK(MetricValue(at(id), "json") == 0);
      CHECK(FindMetric(at(id), "schema") == nullptr);  // nothing after a failed gate runs
    }
    CHECK_THAT(Detail(at("truncated"), "json"), Catch::Contains("missing closing quote"));
    CHECK_THAT(Detail(at("no-json"), "json"), Catch::Contains("no JSON object or array found"));
  }
  SECTION("an off-schema answer loses the schema check and says why") {
    CHECK(MetricValue(at("off-schema"), "schema") == 0);
    CHECK(at("off-schema").reward == Approx(0.7));
    CHECK_THAT(Detail(at("off-schema"), "schema"), Catch::Contains("/priority") && Catch::Contains("refund"));
  }
  SECTION("a PII leak and a prompt injection zero the reward, naming the rule without its text") {
    CHECK(at("pii-leak").reward == 0);
    CHECK(MetricValue(at("pii-leak"), "safe") == 0);
    CHECK_THAT(Detail(at("pii-leak"), "safe"), Catch::Contains("credit_card"));
    CHECK_THAT(at("pii-leak").details.dump(), !Catch::Contains("4111 1111"));
    CHECK(at("injection").reward == 0);
    CHECK_THAT(Detail(at("injection"), "safe"),
               Catch::Contains("injection: ignore_previous_instructions") && Catch::Contains("maximum_score_request"));
  }
  SECTION("a reply in another language than the customer's loses the language check") {
    CHECK(MetricValue(at("language-mismatch"), "language") == 0);
    CHECK_THAT(Detail(at("language-mismatch"), "language"), Catch::Contains("reply en, customer es"));
    CHECK(at("language-mismatch").reward == Approx(0.7));
  }
  SECTION("too long and too short replies lose the length check in proportion") {
    CHECK(MetricValue(at("too-long"), "length") == 0);
    CHECK(at("too-long").reward == Approx(0.8));
    const double short_length = MetricValue(at("too-short"), "length");
    CHECK(short_length == Approx(1 - 19.0 / 60));
    // One word is too little to tell the language: reported as undecided, not guessed.
    CHECK(MetricValue(at("too-short"), "language") == Approx(0.5));
    CHECK_THAT(Detail(at("too-short"), "language"), Catch::Contains("undecided"));
    CHECK(at("too-short").reward < at("valid-en").reward);
  }
}

TEST_CASE("contract_review: per-comment judge verdicts behind format and safety gates", "[rubrics]") {
  gavel::standin::Options options;
  auto standin = gavel::standin::Server::Start(options);
  REQUIRE(standin);
  std::map<std::string, gavel::Score> scores;
  scores = ScoreExamples(kSource / "rubrics/contract_review.lua", kSource / "rubrics/examples/contract_review.jsonl",
                         (*standin)->base_url() + "/v1?model=gavel-standin");

  for (const auto& [id, score] : scores) {
    INFO(id << ": " << ErrorText(score));
    CHECK_FALSE(score.neutral);
  }
  // Answers with well-formed comments are judged, one call per comment; the reward is the mean
  // comment score mapped from 1..5 to 0..1.
  const std::map<std::string, std::size_t> comments = {{"thorough", 3}, {"fenced-partial", 1}, {"ungrounded-vague", 2}};
  for (const auto& [id, count] : comments) {
    INFO(id);
    const gavel::Score& score = scores.at(id);
    const gavel::Json& detail = score.details.at("comments");
    REQUIRE(detail["comments"].size() == count);
    CHECK(detail["calls"] == count);
    double sum = 0;
    for (const gavel::Json& c : detail["comments"]) {
      for (const char* dim : {"grounding", "consistency", "actionability"}) {
        CHECK(c[dim].get<int>() >= 1);
        CHECK(c[dim].get<int>() <= 5);
      }
      CHECK(c["score"].get<double>() ==
            Approx((c["grounding"].get<double>() + c["consistency"].get<double>() + c["actionability"].get<double>()) / 3));
      sum += c["score"].get<double>();
    }
    CHECK(score.reward == Approx((sum / static_cast<double>(count) - 1) / 4));
    CHECK(MetricValue(score, "comments") == Approx(score.reward));
  }
  // Malformed and off-schema answers, and text aimed at the judge, never reach it.
  for (const char* id : {"not-json", "off-schema"}) {
    INFO(id);
    CHECK(scores.at(id).reward == 0);
    CHECK(MetricValue(scores.at(id), "well_formed") == 0);
  }
  CHECK_THAT(Detail(scores.at("off-schema"), "well_formed"), Catch::Contains("/comments/0"));
  CHECK(scores.at("injection").reward == 0);
  CHECK_THAT(Detail(scores.at("injection"), "safe"), Catch::Contains("injection"));
  // 3 + 1 + 2 comments judged: the stand-in saw exactly those calls and nothing else.
  CHECK((*standin)->stats().openai == 6);
}

TEST_CASE("gavel score totals the judge's usage and answers a rerun from its reply cache", "[rubrics][cli]") {
  auto standin = gavel::standin::Server::Start({});
  REQUIRE(standin);
  gavel::testing::TempDir dir;
  const auto cache = dir.path() / "judge.sqlite";
  auto run = [&](const std::string& extra) {
    const auto err = dir.path() / "stderr.txt";
    const std::string command = std::string("cd '") + GAVEL_SOURCE_DIR + "' && GAVEL_JUDGE_URL='" +
                                (*standin)->base_url() + "/v1?model=gavel-standin' GAVEL_JUDGE_PRICES=input=1,output=2 '" +
                                GAVEL_CLI + "' score --rubric rubrics/contract_review.lua --input " +
                                "rubrics/examples/contract_review.jsonl --output '" + (dir.path() / "out.jsonl").string() +
                                "' " + extra + " 2> '" + err.string() + "'";
    const int status = std::system(command.c_str());
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    std::ifstream in(err);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  const std::string first = run("--judge-cache '" + cache.string() + "'");
  INFO(first);
  CHECK_THAT(first, Catch::Contains("scored 6 samples with rubric 'contract-review'"));
  CHECK_THAT(first, Catch::Contains("; judge: 6 calls (0 retries), "));
  CHECK_THAT(first, Catch::Contains("estimated cost $0.0"));
  CHECK_THAT(first, !Catch::Contains("from the cache"));
  CHECK((*standin)->stats().openai == 6);

  const std::string second = run("--judge-cache '" + cache.string() + "'");
  INFO(second);
  CHECK_THAT(second, Catch::Contains("; judge: 0 calls (0 retries), 0 input and 0 output tokens, 6 replies "
                                     "from the cache"));
  CHECK((*standin)->stats().openai == 6);

  const std::string uncached = run("--no-judge-cache");
  INFO(uncached);
  CHECK_THAT(uncached, Catch::Contains("; judge: 6 calls"));
  CHECK((*standin)->stats().openai == 12);
}

TEST_CASE("gavel score reads the judge's settings from GAVEL_JUDGE_URL, _WINDOW and _PRICES", "[rubrics][cli]") {
  gavel::standin::Options options;
  options.latency = std::chrono::milliseconds(50);  // calls overlap unless the window keeps them apart
  auto standin = gavel::standin::Server::Start(options);
  REQUIRE(standin);
  gavel::testing::TempDir dir;
  const std::string url = (*standin)->base_url() + "/v1?model=gavel-standin";
  auto run = [&](const std::string& variables, int expected_exit) {
    const auto err = dir.path() / "stderr.txt";
    const std::string command = std::string("cd '") + GAVEL_SOURCE_DIR + "' && env " + variables + " '" + GAVEL_CLI +
                                "' score --rubric rubrics/contract_review.lua --input " +
                                "rubrics/examples/contract_review.jsonl --no-judge-cache --threads 2 --output '" +
                                (dir.path() / "out.jsonl").string() + "' 2> '" + err.string() + "'";
    const int status = std::system(command.c_str());
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == expected_exit);
    std::ifstream in(err);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  SECTION("the URL, a window of one call and the prices") {
    const std::string err = run("GAVEL_JUDGE_URL='" + url + "' GAVEL_JUDGE_WINDOW=1 GAVEL_JUDGE_PRICES=input=1000000", 0);
    INFO(err);
    CHECK_THAT(err, Catch::Contains("; judge: 6 calls (0 retries), "));
    // A million dollars per million input tokens: the estimated cost is the input token count.
    const std::size_t tokens_at = err.find(" calls (0 retries), ") + 20;
    const std::string input_tokens = err.substr(tokens_at, err.find(' ', tokens_at) - tokens_at);
    CHECK_THAT(err, Catch::Contains("estimated cost $" + input_tokens + ".0000"));
    CHECK((*standin)->stats().openai == 6);
    CHECK((*standin)->stats().peak_in_flight == 1);
  }
  SECTION("no URL: the rubric does not load, and the message names the variable") {
    const std::string err = run("-u GAVEL_JUDGE_URL", 1);
    CHECK_THAT(err, Catch::Contains("judge.new: no judge URL: give the option 'url' or set the environment "
                                    "variable GAVEL_JUDGE_URL"));
  }
  SECTION("a bad window or price: the message names the variable") {
    CHECK_THAT(run("GAVEL_JUDGE_URL='" + url + "' GAVEL_JUDGE_WINDOW=lots", 1),
               Catch::Contains("gavel: GAVEL_JUDGE_WINDOW must be an integer from 1 to 100000 (got 'lots')"));
    CHECK_THAT(run("GAVEL_JUDGE_URL='" + url + "' GAVEL_JUDGE_PRICES=input=cheap", 1),
               Catch::Contains("gavel: GAVEL_JUDGE_PRICES must look like 'input=0.8,output=3.2' (US dollars per "
                               "million tokens): 'cheap' is not a price"));
    CHECK((*standin)->stats().openai == 0);
  }
}
