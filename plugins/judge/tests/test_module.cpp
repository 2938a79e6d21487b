// The Lua module `gavel.judge`, end to end: rubrics load graders from prompt templates and a
// verdict schema in the data folder, and score samples through the engine against the stand-in
// judge (gavel::standin::Server) started in each test. Verdicts that the tests need to predict
// are forced with the stand-in's `[[standin:verdict={...}]]` directive; a directive written
// inside a template around a placeholder makes the verdict echo what the placeholder became.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "gavel/engine.h"
#include "gavel/judge/module.h"
#include "gavel/judge/reply_cache.h"
#include "gavel/rubric.h"
#include "gavel/sample_io.h"
#include "gavel/standin/server.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using gavel::Json;
using gavel::Score;
using gavel::testing::ErrorText;
using gavel::testing::MakeSample;
using gavel::testing::TempDir;

// Sets (or, with nullopt, unsets) environment variables for one test and restores them after.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<const char*, std::optional<std::string>>> vars) {
    for (const auto& [name, value] : vars) {
      const char* old = std::getenv(name);
      saved_.emplace_back(name, old == nullptr ? std::nullopt : std::optional<std::string>(old));
      if (value) {
        setenv(name, value->c_str(), 1);
      } else {
        unsetenv(name);
      }
    }
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        unsetenv(it->first.c_str());
      }
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// The API key the provider reads, cleared so that the machine's settings do not leak in.
ScopedEnv CleanEnv() { return ScopedEnv{{"OPENAI_API_KEY", std::nullopt}}; }

std::unique_ptr<gavel::standin::Server> StartStandin(gavel::standin::Options options = {}) {
  auto server = gavel::standin::Server::Start(std::move(options));
  REQUIRE(server);
  return std::move(*server);
}

std::string OpenAiUrl(const gavel::standin::Server& s) { return s.base_url() + "/v1?model=m"; }

constexpr const char* kVerdictSchema = R"({
  "type": "object",
  "required": ["score", "rationale"],
  "properties": {
    "score": {"type": "integer", "minimum": 1, "maximum": 5},
    "rationale": {"type": "string"}
  },
  "additionalProperties": false
})";

constexpr const char* kPairSchema = R"({
  "type": "object",
  "required": ["winner"],
  "properties": {
    "winner": {"type": "string", "enum": ["A", "B", "tie"]},
    "rationale": {"type": "string"}
  }
})";

// A project folder: rubrics/r.lua, prompts/ and schemas/, the project folder being the data root.
class Project {
 public:
  explicit Project(gavel::judge::Options options = {}) {
    REQUIRE(registry_.Add(gavel::judge::MakeModule(std::move(options))));
    Write("prompts/review.txt", "Question: {{prompt}}\nAnswer: {{answer}}\nRate the answer from 1 to 5.\n");
    Write("prompts/system.txt", "You are a strict reviewer.");
    Write("prompts/pair.txt", "Question: {{prompt}}\nA: {{a}}\nB: {{b}}\nWhich is better?");
    Write("prompts/item.txt", "Claim {{index}}: {{item}}\nIs it supported by: {{answer}}");
    Write("schemas/verdict.json", kVerdictSchema);
    Write("schemas/pair.json", kPairSchema);
  }

  void Write(const std::string& name, const std::string& text) const { dir_.Write(name, text); }
  const fs::path& path() const { return dir_.path(); }

  // Loads rubrics/r.lua and starts an engine; false (with `error`) when either fails.
  bool Load(const std::string& source, unsigned threads = 1) { return LoadRubric(source) && Start(threads); }
  // Loads the rubric (once, on a throwaway state) without starting workers.
  bool LoadRubric(const std::string& source) {
    engine_.reset();
    auto rubric = gavel::Rubric::Load(dir_.Write("rubrics/r.lua", source), registry_);
    if (!rubric) {
      error = rubric.error().message();
      return false;
    }
    rubric_ = *rubric;
    return true;
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

  Score One(gavel::ParsedSample sample) {
    std::vector<gavel::ParsedSample> batch;
    batch.push_back(std::move(sample));
    return engine_->ScoreBatch(std::move(batch)).at(0);
  }
  Score Answer(const std::string& answer, const std::string& extra = "") { return One(MakeSample("s", answer, extra)); }
  std::vector<Score> Batch(std::vector<gavel::ParsedSample> samples) { return engine_->ScoreBatch(std::move(samples)); }

  std::string error;

 private:
  gavel::PluginRegistry registry_;
  TempDir dir_;
  std::shared_ptr<const gavel::Rubric> rubric_;
  std::unique_ptr<gavel::Engine> engine_;
};

// A rubric with one grader `g` made from `options` (Lua table fields) and one judge step
// "review" whose body is `body` (default: ask, score / 5, the verdict and info as detail).
std::string Rubric(const std::string& options, const std::string& body = "", const std::string& extra = "") {
  std::string fn = body.empty() ? "local v, info = g:ask(s)\n return v.score / 5, { verdict = v, info = info }" : body;
  return "local J = require 'gavel.judge'\n"
         "local g = J.new { " + options + " }\n"
         "return rubric { " + extra + " judges = { judge { name = 'review', fn = function(s)\n " + fn +
         "\n end } } }\n";
}

std::string Options(const std::string& url, const std::string& more = "") {
  std::string o = "url = '" + url + "', prompt = '../prompts/review.txt', verdict = '../schemas/verdict.json'";
  if (!more.empty()) o += ", " + more;
  return o;
}

const Json& Detail(const Score& s) { return s.details.at("review"); }

void RequireJudgeError(const Score& s, const std::string& part) {
  INFO(ErrorText(s));
  REQUIRE(s.neutral);
  REQUIRE(s.errors.size() == 1);
  CHECK(s.errors[0].kind == gavel::ErrorKind::kJudgeUnavailable);
  CHECK(s.errors[0].message.find(part) != std::string::npos);
  CHECK(gavel::testing::FindMetric(s, "error.judge") != nullptr);
  CHECK(s.reward == 0.5);
}

void RequireRubricError(const Score& s, const std::string& part) {
  INFO(ErrorText(s));
  REQUIRE(s.neutral);
  REQUIRE(s.errors.size() == 1);
  CHECK(s.errors[0].kind == gavel::ErrorKind::kBadRubric);
  CHECK(s.errors[0].message.find(part) != std::string::npos);
}

gavel::ParsedSample SampleFrom(const Json& j) { return gavel::ParseSampleText(j.dump(), 0); }

// A loopback HTTP server that records each request body and answers every request with an
// OpenAI chat completion whose text is `reply`; one request per connection.
class CaptureServer {
 public:
  explicit CaptureServer(std::string reply) : reply_(std::move(reply)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(fd_, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~CaptureServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1?model=capture-model"; }
  std::vector<std::string> bodies() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return bodies_;
  }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      Serve(c);
      close(c);
    }
  }
  void Serve(int c) {
    std::string in;
    char buf[4096];
    std::size_t need = std::string::npos;
    for (;;) {
      const std::size_t head = in.find("\r\n\r\n");
      if (head != std::string::npos && need == std::string::npos) {
        std::string lower = in.substr(0, head);
        for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        const std::size_t cl = lower.find("content-length:");
        need = head + 4 + (cl == std::string::npos ? 0 : std::stoul(lower.substr(cl + 15)));
      }
      if (need != std::string::npos && in.size() >= need) break;
      pollfd p{c, POLLIN, 0};
      if (poll(&p, 1, 2000) <= 0) return;
      const ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) return;
      in.append(buf, static_cast<std::size_t>(n));
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      bodies_.push_back(in.substr(in.find("\r\n\r\n") + 4));
    }
    const Json reply = {{"choices", Json::array({{{"message", {{"role", "assistant"}, {"content", reply_}}},
                                                  {"finish_reason", "stop"}}})},
                        {"usage", {{"prompt_tokens", 11}, {"completion_tokens", 7}}}};
    const std::string body = reply.dump();
    const std::string out = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n" + body;
    std::size_t sent = 0;
    while (sent < out.size()) {
      const ssize_t n = write(c, out.data() + sent, out.size() - sent);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  std::string reply_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> bodies_;
  std::thread thread_;
};

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
