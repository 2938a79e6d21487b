// The real `bootstrap` binary against the stand-in Runtime API (and, for contract_review, the
// stand-in judge): every response body, error post, init error and exit checked.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>

#include "child_process.h"
#include "gavel/lambda/handler.h"
#include "gavel/lambda/standin_runtime_api.h"
#include "gavel/sample.h"
#include "gavel/standin/server.h"
#include "test_support.h"

namespace {

using gavel::Json;
using gavel::lambda::StandinPost;
using gavel::lambda::StandinRuntimeApi;
using gavel::lambda::testing::ChildProcess;
using gavel::lambda::testing::Lines;
using gavel::lambda::testing::ReadFile;
using Env = std::map<std::string, std::optional<std::string>>;

const std::string kSource = GAVEL_SOURCE_DIR;
constexpr auto kPatience = std::chrono::seconds(120);  // an upper bound, never a timing

// One Lambda function: the stand-in Runtime API and the bootstrap process running against it.
struct Function {
  explicit Function(Env env, gavel::lambda::StandinRuntimeApiOptions options = {},
                    const char* bootstrap = GAVEL_LAMBDA_BOOTSTRAP) {
    auto started = StandinRuntimeApi::Start(options);
    REQUIRE(started);
    api = std::move(*started);
    Env full = {{"LAMBDA_TASK_ROOT", kSource}, {"_HANDLER", "math_answer"}, {"GAVEL_THREADS", "2"}};
    for (auto& [k, v] : env) full[k] = v;
    full["AWS_LAMBDA_RUNTIME_API"] = api->address();
    process = std::make_unique<ChildProcess>(bootstrap, std::vector<std::string>{}, full,
                                             (dir.path() / "stdout.txt").string(),
                                             (dir.path() / "stderr.txt").string());
    REQUIRE(process->started());
  }

  // Waits for `count` posts; fails the test if fewer arrive.
  std::vector<StandinPost> Posts(std::size_t count) {
    std::vector<StandinPost> posts = api->WaitForPosts(count, kPatience);
    INFO(process->out() << process->err());
    REQUIRE(posts.size() == count);
    return posts;
  }

  // Takes the Runtime API away; the bootstrap retries /next, then exits 2. Returns the exit code.
  int Finish() {
    api->Stop();
    REQUIRE(process->Wait(kPatience));
    return process->exit_code();
  }

  std::vector<Json> StdoutJson() const {
    std::vector<Json> lines;
    for (const std::string& line : Lines(process->out())) lines.push_back(Json::parse(line));
    return lines;
  }

  gavel::testing::TempDir dir;
  std::unique_ptr<StandinRuntimeApi> api;
  std::unique_ptr<ChildProcess> process;
};

Json Metric(const char* name, double value, const char* type = "Metric") {
  return {{"name", name}, {"value", value}, {"type", type}};
}

// The math_answer batch of good and malformed samples, and its exact response.
const char kMathEvent[] = R"([
 {"id": "add-1", "messages": [{"role": "user", "content": "What is 17 + 25?"}, {"role": "assistant", "content": "17 + 25 = 42.\n#### 42"}], "reference_answer": "42"},
 {"id": 7, "messages": [{"role": "user", "content": "What is 6 * 7?"}, {"role": "assistant", "content": "It is 41."}], "reference_answer": 42},
 {"id": "no-messages", "reference_answer": 1},
 {"id": "no-answer", "messages": [{"role": "user", "content": "What is 1 + 1?"}], "reference_answer": 2},
 {"id": "broken" "messages": []},
 {"id": "empty-answer", "messages": [{"role": "user", "content": "What is 2 + 2?"}, {"role": "assistant", "content": "  "}], "reference_answer": 4}
])";

Json MathResponse() {
  const Json error_sample = Json::array({Metric("error.sample", 1)});
  return Json::array({
      {{"id", "add-1"},
       {"aggregate_reward_score", 1.0},
       {"metrics_list", {Metric("answered", 1), Metric("not_rambling", 1), Metric("correct", 1, "Reward"),
                         Metric("states_final_answer", 1, "Reward"), Metric("concise", 1, "Reward"),
                         Metric("answer_bytes", 21)}}},
      {{"id", 7},
       {"aggregate_reward_score", 0.1},
       {"metrics_list", {Metric("answered", 1), Metric("not_rambling", 1), Metric("correct", 0, "Reward"),
                         Metric("states_final_answer", 0, "Reward"), Metric("concise", 1, "Reward"),
                         Metric("answer_bytes", 9)}}},
      {{"id", "no-messages"}, {"aggregate_reward_score", 0.5}, {"metrics_list", error_sample}},
      {{"id", "no-answer"}, {"aggregate_reward_score", 0.5}, {"metrics_list", error_sample}},
      // Not JSON: the id cannot be read, so the item keeps its place with a null id.
      {{"id", nullptr}, {"aggregate_reward_score", 0.5}, {"metrics_list", error_sample}},
      {{"id", "empty-answer"}, {"aggregate_reward_score", 0.0}, {"metrics_list", {Metric("answered", 0)}}},
  });
}

void CheckResponse(const StandinPost& post, const std::string& request_id) {
  CHECK(post.kind == StandinPost::Kind::kResponse);
  CHECK(post.path == "/2018-06-01/runtime/invocation/" + request_id + "/response");
  CHECK(post.request_id == request_id);
  CHECK(post.status == 202);
  CHECK(post.Header("Content-Type") == "application/json");
  CHECK_FALSE(post.Header("Lambda-Runtime-Function-Error-Type"));
}

void CheckError(const StandinPost& post, const std::string& request_id, const std::string& message) {
  CHECK(post.kind == StandinPost::Kind::kError);
  CHECK(post.path == "/2018-06-01/runtime/invocation/" + request_id + "/error");
  CHECK(post.Header("Lambda-Runtime-Function-Error-Type") == "Gavel.InvalidEvent");
  CHECK(Json::parse(post.body) == Json({{"errorMessage", message}, {"errorType", "Gavel.InvalidEvent"}}));
}

// The response the handler gives in this process for the same rubric and event.
std::string InProcessResponse(const std::string& rubric, const std::string& event,
                              const std::string& judge_url = {}) {
  gavel::lambda::LambdaConfig config;
  config.rubric = rubric;
  config.judge.default_url = judge_url;
  config.threads = 2;
  auto handler = gavel::lambda::Handler::Create(config);
  INFO((handler ? "" : handler.error().message()));
  REQUIRE(handler);
  auto outcome = (*handler)->Handle(event, std::nullopt);
  REQUIRE(outcome.ok);
  return outcome.body;
}

std::string ExampleEvent() { return ReadFile(kSource + "/apps/lambda/examples/contract_review_event.json"); }

}  // namespace

TEST_CASE("bootstrap: batches with good and malformed samples, three invocations on one init", "[bootstrap]") {
  Function fn(Env{});
  const std::string first = fn.api->Enqueue(kMathEvent);
  const std::string second = fn.api->Enqueue(kMathEvent);
  const std::string third = fn.api->Enqueue("[]");
  std::vector<StandinPost> posts = fn.Posts(3);
  CheckResponse(posts[0], first);
  CheckResponse(posts[1], second);
  CheckResponse(posts[2], third);
  CHECK(Json::parse(posts[0].body) == MathResponse());
  CHECK(posts[1].body == posts[0].body);
  CHECK(posts[2].body == "[]");
  // The loop asked for a fourth event and waits for it: one process, one init, four /next.
  CHECK(fn.api->WaitForNextRequests(4, kPatience) == 4);
  const int code = fn.Finish();
  INFO(fn.process->out() << fn.process->err());
  CHECK(code == 2);  // the Runtime API went away
  CHECK(fn.api->posts().size() == 3);

  // Logs: init once; per invocation a log line and an EMF line; a last line saying why it stopped.
  std::vector<Json> lines = fn.StdoutJson();
  REQUIRE(lines.size() == 1 + 3 * 2 + 1);
  CHECK(lines[0]["message"] == "init done");
  CHECK(lines[0]["rubric"] == "math-answer");
  CHECK(lines[0]["rubric_file"] == kSource + "/rubrics/math_answer.lua");
  const std::vector<std::string> ids = {first, second, third};
  for (std::size_t i = 0; i < 3; ++i) {
    const Json& log = lines[1 + 2 * i];
    const Json& emf = lines[2 + 2 * i];
    INFO(log.dump() << "\n" << emf.dump());
    CHECK(log["message"] == "invocation");
    CHECK(log["request_id"] == ids[i]);
    CHECK(emf["request_id"] == ids[i]);
    CHECK(emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "gavel");
    CHECK(emf["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == Json::array({Json::array({"Rubric"})}));
    CHECK(emf["Rubric"] == "math-answer");
    const bool empty = i == 2;
    CHECK(log["samples"] == (empty ? 0 : 6));
    CHECK(log["neutral"] == (empty ? 0 : 3));
    CHECK(log["errors"] == (empty ? Json::object() : Json{{"sample", 3}}));
    CHECK(emf["Samples"] == (empty ? 0 : 6));
    CHECK(emf["NeutralRewards"] == (empty ? 0 : 3));
    CHECK(emf["Errors"] == (empty ? 0 : 3));
    CHECK(emf["SchemaFailures"] == (empty ? 0 : 3));
    CHECK(emf["DeadlineErrors"] == 0);
    CHECK(emf["InvocationErrors"] == 0);
    std::set<std::string> declared;
    for (const Json& m : emf["_aws"]["CloudWatchMetrics"][0]["Metrics"]) declared.insert(m["Name"].get<std::string>());
    for (const char* name : {"Samples", "NeutralRewards", "Errors", "SchemaFailures", "DeadlineErrors",
                             "InvocationErrors", "DurationMs"}) {
      CHECK(declared.count(name) == 1);
    }
  }
  CHECK(lines[7]["level"] == "error");
  CHECK_THAT(lines[7]["message"].get<std::string>(),
             Catch::Contains("the Runtime API at " + fn.api->address() + " did not give an event after 4 attempts"));
}

TEST_CASE("bootstrap: an event that is not a JSON array of objects is an invocation error", "[bootstrap]") {
  Function fn(Env{});
  const std::string object = fn.api->Enqueue(R"({"id": "a", "messages": []})");
  const std::string numbers = fn.api->Enqueue("[1, 2]");
  const std::string mixed = fn.api->Enqueue(R"([{"id": "a"}, "text"])");
  const std::string empty = fn.api->Enqueue("");
  const std::string unclosed = fn.api->Enqueue(R"([{"id": "a"})");
  const std::string good = fn.api->Enqueue(R"([{"id": "after", "messages": [{"role": "assistant", "content": "#### 3"}], "reference_answer": 3}])");
  std::vector<StandinPost> posts = fn.Posts(6);
  CheckError(posts[0], object, "event is not a JSON array of samples: it starts with '{'");
  CheckError(posts[1], numbers, "event is not a JSON array of samples: an element is not an object");
  CheckError(posts[2], mixed, "event is not a JSON array of samples: an element is not an object");
  CheckError(posts[3], empty, "event is not a JSON array of samples: the body is empty");
  CheckError(posts[4], unclosed,
             "event is not a JSON array of samples: the array is not closed (a ']' is missing or a string is not "
             "terminated)");
  // The function carries on after refusing events.
  CheckResponse(posts[5], good);
  const Json response = Json::parse(posts[5].body);
  REQUIRE(response.size() == 1);
  CHECK(response[0]["id"] == "after");
  CHECK(response[0]["aggregate_reward_score"] == 1.0);
  CHECK(fn.Finish() == 2);
  std::size_t refused = 0;
  for (const Json& line : fn.StdoutJson()) {
    if (line.contains("invocation_error")) {
      CHECK(line["invocation_error"] == "Gavel.InvalidEvent");
      ++refused;
    }
    if (line.contains("_aws") && line["InvocationErrors"] == 1) ++refused;
  }
  CHECK(refused == 5 * 2);
}

TEST_CASE("bootstrap: a rubric that fails to load posts an init error and exits 1 before any /next", "[bootstrap]") {
  const std::string tests_root = kSource + "/apps/lambda/tests";
  struct Case {
    Env env;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{"LAMBDA_TASK_ROOT", tests_root}, {"_HANDLER", "broken"}},
       tests_root + "/rubrics/broken.lua:4: gate 'g': 'fn' must be a function, got number"},
      {{{"_HANDLER", "no_such_rubric"}}, "no_such_rubric.lua"},
      {{{"_HANDLER", "../etc/passwd"}}, "the handler must be a rubric name"},
      {{{"GAVEL_THREADS", "many"}}, "GAVEL_THREADS must be a whole number from 1 to 1024"},
  };
  for (const Case& c : cases) {
    INFO(c.message);
    Function fn(c.env);
    REQUIRE(fn.process->Wait(kPatience));
    INFO(fn.process->out() << fn.process->err());
    CHECK(fn.process->exit_code() == 1);
    std::vector<StandinPost> posts = fn.api->posts();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].kind == StandinPost::Kind::kInitError);
    CHECK(posts[0].path == "/2018-06-01/runtime/init/error");
    CHECK(posts[0].Header("Lambda-Runtime-Function-Error-Type") == "Gavel.InitError");
    const Json body = Json::parse(posts[0].body);
    CHECK(body["errorType"] == "Gavel.InitError");
    CHECK_THAT(body["errorMessage"].get<std::string>(), Catch::Contains(c.message));
    CHECK(fn.api->next_requests() == 0);
    std::vector<Json> lines = fn.StdoutJson();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0]["level"] == "error");
    CHECK(lines[0]["message"] == "init failed: " + body["errorMessage"].get<std::string>());
  }
}

TEST_CASE("bootstrap: support_reply and contract_review batches, the judge's through the stand-in judge",
          "[bootstrap]") {
  auto judge = gavel::standin::Server::Start({});
  REQUIRE(judge);
  const std::string url = (*judge)->base_url() + "/v1?model=gavel-standin";

  SECTION("support_reply: its example file as one event") {
    std::string event = "[";
    for (const std::string& line : Lines(ReadFile(kSource + "/rubrics/examples/support_reply.jsonl"))) {
      event += (event.size() > 1 ? "," : "") + line;
    }
    event += "]";
    Function fn(Env{{"_HANDLER", "support_reply"}});
    const std::string id = fn.api->Enqueue(event);
    std::vector<StandinPost> posts = fn.Posts(1);
    CheckResponse(posts[0], id);
    CHECK(posts[0].body == InProcessResponse(kSource + "/rubrics/support_reply.lua", event));
    const Json response = Json::parse(posts[0].body);
    const Json samples = Json::parse(event);
    REQUIRE(response.size() == samples.size());
    for (std::size_t i = 0; i < samples.size(); ++i) {
      CHECK(response[i]["id"] == samples[i]["id"]);
      CHECK(response[i].size() == 3);  // id, aggregate_reward_score, metrics_list: no details
      CHECK_FALSE(response[i]["metrics_list"].empty());
    }
    CHECK(response[0]["id"] == "valid-en");
    CHECK(response[0]["aggregate_reward_score"] == 1.0);
    CHECK(fn.Finish() == 2);
  }

  SECTION("contract_review: the example event, every comment judged once") {
    const std::string event = ExampleEvent();
    Function fn(Env{{"_HANDLER", "contract_review"}, {"GAVEL_JUDGE_URL", url}});
    const std::string id = fn.api->Enqueue(event);
    std::vector<StandinPost> posts = fn.Posts(1);
    CheckResponse(posts[0], id);
    const Json response = Json::parse(posts[0].body);
    const std::vector<std::string> ids = {"thorough", "thorough-nova-parts", "fenced-partial", "ungrounded-vague",
                                          "not-json", "off-schema", "injection", "vague-with-system"};
    REQUIRE(response.size() == ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      INFO(response[i].dump());
      CHECK(response[i]["id"] == ids[i]);
      const double reward = response[i]["aggregate_reward_score"].get<double>();
      CHECK(reward >= 0);
      CHECK(reward <= 1);
      for (const Json& m : response[i]["metrics_list"]) {
        CHECK(m["name"].get<std::string>().rfind("error.", 0) == std::string::npos);
      }
    }
    for (const char* refused : {"not-json", "off-schema", "injection"}) {
      for (const Json& item : response) {
        if (item["id"] == refused) CHECK(item["aggregate_reward_score"] == 0.0);
      }
    }
    // 3 + 3 + 1 + 2 + 2 comments judged, one call each.
    CHECK((*judge)->stats().openai == 11);
    // The same verdicts in this process: the stand-in judge answers by a hash of the request.
    CHECK(posts[0].body == InProcessResponse(kSource + "/rubrics/contract_review.lua", event, url));
    CHECK((*judge)->stats().openai == 22);
    CHECK(fn.Finish() == 2);
  }
}

TEST_CASE("bootstrap: a deadline too short answers in time, unfinished samples neutral", "[bootstrap]") {
  auto judge = gavel::standin::Server::Start({});
  REQUIRE(judge);
  const std::string url = (*judge)->base_url() + "/v1?model=gavel-standin";
  // The second sample's first comment makes its judge call hang until the deadline.
  Json samples = Json::parse(ExampleEvent());
  Json hanging = samples[0];
  hanging["id"] = "hangs";
  Json answer = Json::parse(hanging["messages"][1]["content"].get<std::string>());
  answer["comments"][0]["issue"] = answer["comments"][0]["issue"].get<std::string>() + " [[standin:hang]]";
  hanging["messages"][1]["content"] = answer.dump();
  const Json event = Json::array({samples[0], hanging, samples[3]});

  Function fn(Env{{"_HANDLER", "contract_review"}, {"GAVEL_JUDGE_URL", url}, {"GAVEL_DEADLINE_MARGIN_MS", "1000"}});
  const std::string id = fn.api->Enqueue({event.dump(), std::chrono::milliseconds(4000), "", ""});
  std::vector<StandinPost> posts = fn.Posts(1);
  CheckResponse(posts[0], id);
  // Answered before the deadline the Runtime API sent.
  const auto deadline = fn.api->DeadlineOf(id);
  REQUIRE(deadline);
  const auto received_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(posts[0].received.time_since_epoch()).count();
  CHECK(received_ms < *deadline);

  const Json response = Json::parse(posts[0].body);
  REQUIRE(response.size() == 3);
  CHECK(response[0]["id"] == "thorough");
  CHECK(response[0]["metrics_list"].size() == 3);
  // Cut off while its judge call hung: it keeps the gates it passed, then the deadline error.
  CHECK(response[1] ==
        Json({{"id", "hangs"},
              {"aggregate_reward_score", 0.5},
              {"metrics_list", Json::array({Metric("safe", 1), Metric("well_formed", 1), Metric("error.deadline", 1)})}}));
  CHECK(response[2]["id"] == "ungrounded-vague");
  CHECK(response[2]["metrics_list"].size() == 3);
  CHECK((*judge)->stats().hangs == 1);
  CHECK(fn.Finish() == 2);
  bool logged = false;
  for (const Json& line : fn.StdoutJson()) {
    if (line.value("message", "") == "invocation") {
      CHECK(line["errors"] == Json({{"deadline", 1}}));
      CHECK(line["cut_off"] == Json({{"deadline", 1}}));
      CHECK(line["neutral"] == 1);
      logged = true;
    }
    if (line.contains("_aws")) {
      CHECK(line["DeadlineErrors"] == 1);
      CHECK(line["CutOffSamples"] == 1);
    }
  }
  CHECK(logged);
}

TEST_CASE("bootstrap: a response the Runtime API refuses becomes an error post", "[bootstrap]") {
  gavel::lambda::StandinRuntimeApiOptions options;
  options.max_response_bytes = 100;
  Function fn(Env{}, options);
  const std::string id = fn.api->Enqueue(kMathEvent);
  std::vector<StandinPost> posts = fn.Posts(2);
  CHECK(posts[0].kind == StandinPost::Kind::kResponse);
  CHECK(posts[0].status == 413);
  CHECK(posts[1].kind == StandinPost::Kind::kError);
  CHECK(posts[1].path == "/2018-06-01/runtime/invocation/" + id + "/error");
  CHECK(posts[1].Header("Lambda-Runtime-Function-Error-Type") == "Gavel.InternalError");
  const Json body = Json::parse(posts[1].body);
  CHECK(body["errorType"] == "Gavel.InternalError");
  CHECK_THAT(body["errorMessage"].get<std::string>(),
             Catch::StartsWith("the response could not be posted: the Runtime API answered") &&
                 Catch::Contains("with status 413"));
  CHECK(fn.Finish() == 2);
}

TEST_CASE("bootstrap: a response over GAVEL_MAX_RESPONSE_BYTES is an error post, logged with both sizes",
          "[bootstrap]") {
  const std::string full = InProcessResponse(kSource + "/rubrics/math_answer.lua", kMathEvent);
  const std::size_t limit = full.size() - 1;
  Function fn(Env{{"GAVEL_MAX_RESPONSE_BYTES", std::to_string(limit)}});
  const std::string id = fn.api->Enqueue(kMathEvent);
  const std::string after = fn.api->Enqueue("[]");
  std::vector<StandinPost> posts = fn.Posts(2);
  // Refused by gavel before posting, not by the Runtime API: one error post, no 413.
  CHECK(posts[0].kind == StandinPost::Kind::kError);
  CHECK(posts[0].path == "/2018-06-01/runtime/invocation/" + id + "/error");
  CHECK(posts[0].status == 202);
  CHECK(posts[0].Header("Lambda-Runtime-Function-Error-Type") == "Gavel.ResponseTooLarge");
  const Json body = Json::parse(posts[0].body);
  CHECK(body["errorType"] == "Gavel.ResponseTooLarge");
  CHECK(body["errorMessage"] == "the response for 6 samples is " + std::to_string(full.size()) +
                                    " bytes, over the limit of " + std::to_string(limit) +
                                    " bytes for a synchronous Lambda response (GAVEL_MAX_RESPONSE_BYTES); send "
                                    "fewer samples per event");
  CheckResponse(posts[1], after);
  CHECK(posts[1].body == "[]");
  CHECK(fn.Finish() == 2);
  bool logged = false;
  for (const Json& line : fn.StdoutJson()) {
    if (line.value("message", "") == "invocation" && line["request_id"] == id) {
      CHECK(line["invocation_error"] == "Gavel.ResponseTooLarge");
      CHECK(line["response_bytes"] == full.size());
      CHECK(line["response_limit_bytes"] == limit);
      CHECK(line["samples"] == 6);
      logged = true;
    }
    if (line.contains("_aws") && line["request_id"] == id) CHECK(line["InvocationErrors"] == 1);
  }
  CHECK(logged);
}

TEST_CASE("bootstrap: secrets from the environment never reach logs or posts", "[bootstrap]") {
  auto judge = gavel::standin::Server::Start({});
  REQUIRE(judge);
  const std::string password = "pw-Zq81xx-secret";
  const std::string aws_secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";
  const std::string api_key = "sk-test-9f8e7d6c5b4a";
  std::string url = (*judge)->base_url();
  url.insert(url.find("://") + 3, "gavel:" + password + "@");

  SECTION("a judge URL the judge refuses: the init error quotes it without the password") {
    Function fn(Env{{"_HANDLER", "contract_review"},
                 {"GAVEL_JUDGE_URL", "ftp://gavel:" + password + "@example.com/judge"},
                 {"AWS_SECRET_ACCESS_KEY", aws_secret}});
    REQUIRE(fn.process->Wait(kPatience));
    CHECK(fn.process->exit_code() == 1);
    std::vector<StandinPost> posts = fn.api->posts();
    REQUIRE(posts.size() == 1);
    CHECK_THAT(posts[0].body, Catch::Contains("judge URL"));
    for (const std::string& text : {posts[0].body, fn.process->out(), fn.process->err()}) {
      CHECK_THAT(text, !Catch::Contains(password) && !Catch::Contains(aws_secret));
    }
  }
  SECTION("a batch scored with a judge URL that has a password, and keys set") {
    Function fn(Env{{"_HANDLER", "contract_review"},
                 {"GAVEL_JUDGE_URL", url + "/v1?model=gavel-standin"},
                 {"AWS_SECRET_ACCESS_KEY", aws_secret},
                 {"OPENAI_API_KEY", api_key}});
    fn.api->Enqueue(ExampleEvent());
    fn.api->Enqueue("not json " + password);
    std::vector<StandinPost> posts = fn.Posts(2);
    CHECK(posts[0].kind == StandinPost::Kind::kResponse);
    CHECK(posts[1].kind == StandinPost::Kind::kError);
    CHECK(fn.Finish() == 2);
    CHECK((*judge)->stats().openai == 11);
    for (const std::string& text : {posts[0].body, posts[1].body, fn.process->out(), fn.process->err()}) {
      CHECK_THAT(text, !Catch::Contains(password) && !Catch::Contains(aws_secret) && !Catch::Contains(api_key));
    }
  }
}

namespace {

// Milliseconds between a post's arrival and the invocation's deadline (positive: in time).
std::int64_t MsBeforeDeadline(const Function& fn, const StandinPost& post, const std::string& id) {
  const auto deadline = fn.api->DeadlineOf(id);
  REQUIRE(deadline);
  const auto received_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(post.received.time_since_epoch()).count();
  return *deadline - received_ms;
}

Json PlainSample(const std::string& id, const std::string& answer) {
  return {{"id", id},
          {"messages", Json::array({{{"role", "user"}, {"content", "Say something."}},
                                    {{"role", "assistant"}, {"content", answer}}})}};
}

}  // namespace

TEST_CASE("bootstrap: a backtracking pattern cannot hold the response past the deadline", "[bootstrap][deadline]") {
  // The reproduction: Lua's own string.find ran this for seconds in C, past the rubric's time
  // limit and the invocation's deadline, and the slow sample still got reward 1.
  gavel::testing::TempDir dir;
  const auto rubric = dir.Write("slow_pattern.lua", R"(
    return rubric {
      limits = { time_ms = 1000 },
      checks = { check { name = "pattern", fn = function(s)
        if s.answer:find("^slow") then return s.answer:rep(450):find(".-.-.-b") == nil end
        return true
      end } },
    })");
  Function fn(Env{{"GAVEL_RUBRIC", rubric.string()}, {"GAVEL_DEADLINE_MARGIN_MS", "300"}});
  const Json event = Json::array({PlainSample("fast-1", "fine"), PlainSample("slow", "slow " + std::string(200, 'a')),
                                  PlainSample("fast-2", "also fine")});
  const std::string id = fn.api->Enqueue({event.dump(), std::chrono::milliseconds(4000), "", ""});
  std::vector<StandinPost> posts = fn.Posts(1);
  CheckResponse(posts[0], id);
  CHECK(MsBeforeDeadline(fn, posts[0], id) > 0);
  const Json response = Json::parse(posts[0].body);
  REQUIRE(response.size() == 3);
  CHECK(response[0]["aggregate_reward_score"] == 1.0);
  CHECK(response[2]["aggregate_reward_score"] == 1.0);
  CHECK(response[1]["id"] == "slow");
  CHECK(response[1]["aggregate_reward_score"] == 0.5);
  CHECK(response[1]["metrics_list"] == Json::array({Metric("error.limit", 1)}));
  CHECK(fn.Finish() == 2);
}

TEST_CASE("bootstrap: a worker stuck in native code: the response on time, then a fresh process", "[bootstrap][deadline]") {
  gavel::testing::TempDir dir;
  const auto rubric = dir.Write("stuck.lua", R"(
    local native = require "gavel.test_native"
    return rubric {
      gates = { gate { name = "answered", fn = function(s) return #s.answer > 0 end } },
      checks = { check { name = "native", fn = function(s)
        if s.answer == "stuck" then return native.block() end
        return 1
      end } },
    })");
  Function fn(Env{{"GAVEL_RUBRIC", rubric.string()}, {"GAVEL_DEADLINE_MARGIN_MS", "300"}}, {},
              GAVEL_LAMBDA_BOOTSTRAP_TEST_PLUGINS);
  const Json event =
      Json::array({PlainSample("fast-1", "fine"), PlainSample("stuck", "stuck"), PlainSample("fast-2", "fine")});
  const std::string id = fn.api->Enqueue({event.dump(), std::chrono::milliseconds(1500), "", ""});
  std::vector<StandinPost> posts = fn.Posts(1);
  CheckResponse(posts[0], id);
  // Answered by the engine's deadline (1,200 ms) plus its grace, well before Lambda's.
  CHECK(MsBeforeDeadline(fn, posts[0], id) > 200);
  const Json response = Json::parse(posts[0].body);
  REQUIRE(response.size() == 3);
  CHECK(response[0]["aggregate_reward_score"] == 1.0);
  CHECK(response[2]["aggregate_reward_score"] == 1.0);
  CHECK(response[1]["id"] == "stuck");
  CHECK(response[1]["aggregate_reward_score"] == 0.5);
  CHECK(response[1]["metrics_list"] == Json::array({Metric("error.deadline", 1)}));
  // The process exits by itself after its response and logs; it does not ask for more work.
  REQUIRE(fn.process->Wait(kPatience));
  CHECK(fn.process->exit_code() == 3);
  bool logged = false;
  for (const Json& line : fn.StdoutJson()) {
    if (line.value("message", "").find("cannot be reclaimed") != std::string::npos) {
      CHECK(line["stuck_threads"] == 1);
      logged = true;
    }
  }
  CHECK(logged);
}
