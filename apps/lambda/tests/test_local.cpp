// `gavel lambda-local` as a real process: a saved event through the Lambda handler.
#include <catch2/catch.hpp>

#include "child_process.h"
#include "gavel/sample.h"
#include "gavel/standin/server.h"
#include "test_support.h"

namespace {

using gavel::Json;
using gavel::lambda::testing::ChildProcess;
using gavel::lambda::testing::Lines;
using Env = std::map<std::string, std::optional<std::string>>;
const std::string kSource = GAVEL_SOURCE_DIR;

struct Local {
  Local(const std::vector<std::string>& args, const Env& env) {
    std::vector<std::string> full = {"lambda-local"};
    full.insert(full.end(), args.begin(), args.end());
    ChildProcess cli(GAVEL_CLI, full, env, (dir.path() / "out.txt").string(), (dir.path() / "err.txt").string(),
                     kSource);
    REQUIRE(cli.started());
    REQUIRE(cli.Wait(std::chrono::seconds(120)));
    code = cli.exit_code();
    out = cli.out();
    err = cli.err();
  }
  gavel::testing::TempDir dir;
  int code = -1;
  std::string out, err;
};

}  // namespace

TEST_CASE("lambda-local: the example event with the stand-in judge, and a deadline", "[local]") {
  auto judge = gavel::standin::Server::Start({});
  REQUIRE(judge);
  const Env env = {{"GAVEL_JUDGE_URL", (*judge)->base_url() + "/v1?model=gavel-standin"}, {"GAVEL_THREADS", "2"}};

  SECTION("the example event: one response line, every id in order") {
    Local run({"--rubric", "rubrics/contract_review.lua", "--event", "apps/lambda/examples/contract_review_event.json"},
              env);
    INFO(run.err);
    REQUIRE(run.code == 0);
    const std::vector<std::string> lines = Lines(run.out);
    REQUIRE(lines.size() == 1);
    const Json response = Json::parse(lines[0]);
    const std::vector<std::string> ids = {"thorough", "thorough-nova-parts", "fenced-partial", "ungrounded-vague",
                                          "not-json", "off-schema", "injection", "vague-with-system"};
    REQUIRE(response.size() == ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      CHECK(response[i]["id"] == ids[i]);
      CHECK(response[i].size() == 3);
    }
    CHECK((*judge)->stats().openai == 11);
    const Json log = Json::parse(Lines(run.err).at(0));
    CHECK(log["message"] == "invocation");
    CHECK(log["request_id"] == "local");
    CHECK(log["samples"] == 8);
    CHECK(log["neutral"] == 0);
  }
  SECTION("GAVEL_DETAILS=1 adds the details; a deadline leaves a hanging sample neutral") {
    gavel::testing::TempDir dir;
    Json samples = Json::parse(gavel::lambda::testing::ReadFile(kSource + "/apps/lambda/examples/contract_review_event.json"));
    Json answer = Json::parse(samples[0]["messages"][1]["content"].get<std::string>());
    answer["comments"][0]["issue"] = "[[standin:hang]]";
    samples[0]["messages"][1]["content"] = answer.dump();
    const auto event = dir.Write("event.json", Json::array({samples[0], samples[2]}).dump());
    Env with_details = env;
    with_details["GAVEL_DETAILS"] = "1";
    with_details["GAVEL_DEADLINE_MARGIN_MS"] = "0";
    Local run({"--rubric", "rubrics/contract_review.lua", "--event", event.string(), "--deadline-ms", "2000"},
              with_details);
    INFO(run.err);
    REQUIRE(run.code == 0);
    const Json response = Json::parse(run.out);
    REQUIRE(response.size() == 2);
    // The usage counts every call the sample made, the one that hung until the deadline too.
    const int thorough_comments = static_cast<int>(answer["comments"].size());
    CHECK(response[0]["details"]["usage"]["judge.calls"] == thorough_comments);
    Json without_usage = response[0];
    without_usage["details"].erase("usage");
    CHECK(without_usage == Json({{"id", "thorough"},
                                 {"aggregate_reward_score", 0.5},
                                 // the gates it passed, then the deadline that cut it off
                                 {"metrics_list", Json::array({{{"name", "safe"}, {"value", 1}, {"type", "Metric"}},
                                                               {{"name", "well_formed"}, {"value", 1}, {"type", "Metric"}},
                                                               {{"name", "error.deadline"}, {"value", 1}, {"type", "Metric"}}})},
                                 {"details", {{"errors", Json::array({{{"kind", "deadline"},
                                                                        {"message", "the deadline passed while the sample "
                                                                                    "waited for an asynchronous step"}}})}}}}));
    CHECK(response[1]["id"] == "fenced-partial");
    CHECK(response[1]["details"]["comments"]["calls"] == 1);
  }
}

TEST_CASE("lambda-local: an invalid event prints the error body and exits 1, usage errors exit 2", "[local]") {
  gavel::testing::TempDir dir;
  const auto event = dir.Write("event.json", R"({"id": 1})");
  Local bad({"--rubric", "rubrics/math_answer.lua", "--event", event.string()}, {});
  CHECK(bad.code == 1);
  CHECK(Json::parse(bad.out) == Json({{"errorMessage", "event is not a JSON array of samples: it starts with '{'"},
                                      {"errorType", "Gavel.InvalidEvent"}}));
  Local missing({"--rubric", "rubrics/math_answer.lua"}, {});
  CHECK(missing.code == 2);
  CHECK_THAT(missing.err, Catch::Contains("lambda-local needs --event FILE"));
  Local broken({"--rubric", "apps/lambda/tests/rubrics/broken.lua", "--event", event.string()}, {});
  CHECK(broken.code == 1);
  CHECK(broken.out.empty());
  CHECK_THAT(broken.err, Catch::Contains("init failed: apps/lambda/tests/rubrics/broken.lua:4:"));
  Local unreadable({"--rubric", "rubrics/math_answer.lua", "--event", "/nonexistent.json"}, {});
  CHECK(unreadable.code == 1);
  CHECK_THAT(unreadable.err, Catch::Contains("cannot read event file /nonexistent.json"));
}
