// The judge's HTTP client: backoff, Retry-After, and calls against real servers on loopback.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "gavel/judge/http_client.h"
#include "gavel/judge/provider.h"
#include "gavel/standin/server.h"

using namespace std::chrono_literals;
using gavel::judge::BackoffDelay;
using gavel::judge::IsRetryableStatus;
using gavel::judge::ParseRetryAfter;
using gavel::judge::RetryPolicy;

TEST_CASE("backoff is full jitter under an exponential ceiling capped at max_delay", "[http]") {
  RetryPolicy policy;
  policy.base_delay = 100ms;
  policy.max_delay = 1000ms;
  CHECK(BackoffDelay(1, policy, 0.0) == 0ms);
  CHECK(BackoffDelay(1, policy, 0.999) == 99ms);
  CHECK(BackoffDelay(2, policy, 0.5) == 100ms);   // ceiling 200
  CHECK(BackoffDelay(3, policy, 0.5) == 200ms);   // ceiling 400
  CHECK(BackoffDelay(5, policy, 0.5) == 500ms);   // ceiling 1600 capped at 1000
  CHECK(BackoffDelay(60, policy, 0.999) == 999ms);  // no overflow on many attempts
  CHECK(BackoffDelay(1, policy, 7.0) == 100ms);     // out-of-range draws are clamped
}

TEST_CASE("Retry-After is read as seconds or as an HTTP date", "[http]") {
  const auto now = std::chrono::system_clock::from_time_t(1700000000);  // Tue, 14 Nov 2023 22:13:20 GMT
  CHECK(ParseRetryAfter("2", now) == std::optional<std::chrono::milliseconds>(2000ms));
  CHECK(ParseRetryAfter(" 0 ", now) == std::optional<std::chrono::milliseconds>(0ms));
  CHECK(ParseRetryAfter("Tue, 14 Nov 2023 22:13:50 GMT", now) == std::optional<std::chrono::milliseconds>(30000ms));
  CHECK(ParseRetryAfter("Tue, 14 Nov 2023 22:00:00 GMT", now) == std::optional<std::chrono::milliseconds>(0ms));
  CHECK_FALSE(ParseRetryAfter("", now).has_value());
  CHECK_FALSE(ParseRetryAfter("soon", now).has_value());
  CHECK_FALSE(ParseRetryAfter("-1", now).has_value());
  CHECK(ParseRetryAfter("99999999999999", now).value() > 1000000s);  // huge, not wrapped
}

TEST_CASE("the CA bundle: the environment first, then the usual places of each distribution", "[http]") {
  using gavel::judge::FindCaBundle;
  const auto no_env = [](const char*) -> const char* { return nullptr; };
  const auto amazon = [](const std::string& f) { return f == "/etc/pki/tls/certs/ca-bundle.crt"; };
  const auto debian = [](const std::string& f) {
    return f == "/etc/ssl/certs/ca-certificates.crt" || f == "/etc/pki/tls/certs/ca-bundle.crt";
  };
  const auto nothing = [](const std::string&) { return false; };
  CHECK(FindCaBundle(no_env, amazon) == "/etc/pki/tls/certs/ca-bundle.crt");
  CHECK(FindCaBundle(no_env, debian) == "/etc/ssl/certs/ca-certificates.crt");
  CHECK(FindCaBundle(no_env, nothing).empty());
  const auto ssl_cert_file = [](const char* n) -> const char* {
    return std::string_view(n) == "SSL_CERT_FILE" ? "/opt/certs.pem" : nullptr;
  };
  CHECK(FindCaBundle(ssl_cert_file, amazon) == "/opt/certs.pem");
  const auto both = [](const char* n) -> const char* {
    return std::string_view(n) == "CURL_CA_BUNDLE" ? "/a.pem" : std::string_view(n) == "SSL_CERT_FILE" ? "/b.pem" : "";
  };
  CHECK(FindCaBundle(both, amazon) == "/a.pem");
  const auto empty = [](const char*) -> const char* { return ""; };
  CHECK(FindCaBundle(empty, amazon) == "/etc/pki/tls/certs/ca-bundle.crt");
}

TEST_CASE("only 408, 429 and 5xx are worth another attempt", "[http]") {
  for (long s : {408L, 429L, 500L, 502L, 503L, 504L, 599L}) CHECK(IsRetryableStatus(s));
  for (long s : {200L, 400L, 401L, 403L, 404L, 413L, 422L}) CHECK_FALSE(IsRetryableStatus(s));
}

// ---------------------------------------------------------------------------------------------
// Against the stand-in judge on loopback.


namespace {

using gavel::judge::CallFailure;
using gavel::judge::ClientOptions;
using gavel::judge::HttpClient;
using gavel::judge::HttpResponse;

// Collects the responses of many calls; Wait blocks until all have ended.
class Collector {
 public:
  std::function<void(HttpResponse)> Slot(std::size_t index) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (responses_.size() <= index) responses_.resize(index + 1);
      ++expected_;
    }
    return [this, index](HttpResponse r) {
      std::lock_guard<std::mutex> lock(mutex_);
      responses_[index] = std::move(r);
      ++done_;
      cv_.notify_all();
    };
  }
  const std::vector<HttpResponse>& Wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return done_ == expected_; });
    return responses_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<HttpResponse> responses_;
  std::size_t expected_ = 0, done_ = 0;
};

std::unique_ptr<gavel::standin::Server> StartJudge(gavel::standin::Options options = {}) {
  auto server = gavel::standin::Server::Start(std::move(options));
  INFO((server ? "" : server.error().message()));
  REQUIRE(server);
  return std::move(*server);
}

std::unique_ptr<HttpClient> MakeClient(ClientOptions options = {}) {
  options.seed = 7;
  auto client = HttpClient::Create(std::move(options));
  REQUIRE(client);
  return std::move(*client);
}

// A chat-completions request whose user text carries `directive`.
gavel::judge::HttpRequest OpenAiRequest(const std::string& base, const std::string& user) {
  gavel::judge::ProviderConfig config;
  config.endpoint = base + "/v1";
  config.model = "stand-in";
  gavel::judge::JudgeRequest request;
  request.user = user;
  request.schema = gavel::Json::parse(R"({"type": "object", "required": ["score"],
      "properties": {"score": {"type": "integer", "minimum": 1, "maximum": 5}}})");
  return *gavel::judge::BuildRequest(config, request);
}

gavel::judge::Call MakeCall(gavel::judge::HttpRequest request, std::function<void(HttpResponse)> done,
                            std::chrono::milliseconds deadline = 20s) {
  gavel::judge::Call call;
  call.request = std::move(request);
  call.deadline = gavel::judge::Clock::now() + deadline;
  call.done = std::move(done);
  return call;
}

}  // namespace

TEST_CASE("every call is in flight at once and connections are reused", "[http][standin]") {
  gavel::standin::Options so;
  so.latency = 1000ms;  // long enough for all 200 to arrive first, even under the sanitizers
  auto judge = StartJudge(so);
  ClientOptions co;
  co.concurrency.max_in_flight = 256;
  auto client = MakeClient(co);
  for (int wave = 0; wave < 2; ++wave) {
    Collector collector;
    for (std::size_t i = 0; i < 200; ++i) {
      client->Submit(MakeCall(OpenAiRequest(judge->base_url(), "answer " + std::to_string(i)), collector.Slot(i)));
    }
    for (const HttpResponse& r : collector.Wait()) {
      INFO(r.error);
      REQUIRE(r.ok());
      CHECK(r.status == 200);
      CHECK(r.attempts == 1);
      CHECK(gavel::judge::ParseReply(gavel::judge::ProviderKind::kOpenAI, r.body));
    }
  }
  // 200 requests waited at the same time: none queued behind another.
  CHECK(judge->stats().peak_in_flight == 200);
  CHECK(client->stats().peak_in_flight == 200);
  // The second wave reused the first wave's connections.
  CHECK(client->stats().connections <= 200);
  CHECK(judge->stats().connections_accepted <= 200);
  CHECK(client->stats().succeeded == 400);
}

TEST_CASE("throttling and server errors are retried; other client errors are not", "[http][standin]") {
  auto judge = StartJudge();
  ClientOptions co;
  co.retry.base_delay = 5ms;
  co.concurrency.max_in_flight = 64;
  auto client = MakeClient(co);
  const std::string base = judge->base_url();
  Collector collector;
  client->Submit(MakeCall(OpenAiRequest(base, "[[standin:fail=2,status=503]] a"), collector.Slot(0)));
  client->Submit(MakeCall(OpenAiRequest(base, "[[standin:fail=2,status=429,retry_after=0]] b"), collector.Slot(1)));
  client->Submit(MakeCall(OpenAiRequest(base, "[[standin:status=400]] c"), collector.Slot(2)));
  client->Submit(MakeCall(OpenAiRequest(base, "[[standin:status=500]] d"), collector.Slot(3)));
  // The server asks for 30 s; the deadline is 5 s away: the call ends now, without waiting.
  client->Submit(MakeCall(OpenAiRequest(base, "[[standin:status=429,retry_after=30]] e"), collector.Slot(4), 5s));
  const auto& r = collector.Wait();
  CHECK(r[0].ok());
  CHECK(r[0].attempts == 3);
  CHECK(r[1].ok());
  CHECK(r[1].attempts == 3);
  CHECK(r[1].throttled == 2);
  CHECK(r[2].failure == CallFailure::kHttpStatus);
  CHECK(r[2].attempts == 1);
  CHECK(r[2].status == 400);
  CHECK(r[3].failure == CallFailure::kHttpStatus);
  CHECK(r[3].attempts == co.retry.max_attempts);
  CHECK_THAT(r[3].error, Catch::Contains("HTTP 500") && Catch::Contains("after 5 attempts"));
  CHECK(r[4].failure == CallFailure::kDeadline);
  CHECK(r[4].attempts == 1);
  CHECK(r[4].elapsed < 5s);
  CHECK_THAT(r[4].error, Catch::Contains("no time left"));
}

TEST_CASE("a quota (most replies 429) shrinks the window; the odd 429 does not", "[http][standin]") {
  ClientOptions co;
  co.concurrency.max_in_flight = 64;
  co.retry.base_delay = 1ms;
  SECTION("every call throttled twice before its verdict") {
    auto judge = StartJudge();
    auto client = MakeClient(co);
    Collector collector;
    for (std::size_t i = 0; i < 64; ++i) {
      client->Submit(MakeCall(
          OpenAiRequest(judge->base_url(), "[[standin:fail=2,status=429,retry_after=0]] " + std::to_string(i)),
          collector.Slot(i)));
    }
    for (const HttpResponse& r : collector.Wait()) CHECK(r.ok());
    CHECK(client->stats().throttled == 128);
    CHECK(client->stats().min_window_seen <= 32);
  }
  SECTION("one reply in ten throttled at random") {
    gavel::standin::Options so;
    so.faults.rate_429 = 0.10;
    so.faults.retry_after_s = 0;
    so.faults.seed = 11;
    auto judge = StartJudge(so);
    auto client = MakeClient(co);
    Collector collector;
    for (std::size_t i = 0; i < 256; ++i) {
      client->Submit(MakeCall(OpenAiRequest(judge->base_url(), "call " + std::to_string(i)), collector.Slot(i)));
    }
    for (const HttpResponse& r : collector.Wait()) CHECK(r.ok());
    CHECK(client->stats().throttled > 10);
    CHECK(client->stats().min_window_seen == 64);
  }
}

TEST_CASE("hung replies end at the attempt timeout or the deadline", "[http][standin]") {
  auto judge = StartJudge();
  ClientOptions co;
  co.attempt_timeout = 200ms;
  co.retry.max_attempts = 2;
  co.retry.base_delay = 1ms;
  auto client = MakeClient(co);
  Collector collector;
  client->Submit(MakeCall(OpenAiRequest(judge->base_url(), "[[standin:hang]] a"), collector.Slot(0)));
  // Less than one attempt's timeout to go: the deadline ends the call, and no retry starts.
  client->Submit(MakeCall(OpenAiRequest(judge->base_url(), "[[standin:hang]] b"), collector.Slot(1), 150ms));
  const auto& r = collector.Wait();
  CHECK(r[0].failure == CallFailure::kTransport);
  CHECK(r[0].attempts == 2);
  CHECK_THAT(r[0].error, Catch::Contains("no reply in time"));
  CHECK(r[1].failure == CallFailure::kDeadline);
  CHECK(judge->stats().hangs == 3);
}

TEST_CASE("a reply larger than the limit is cut off, not buffered", "[http][standin]") {
  auto judge = StartJudge();
  ClientOptions co;
  co.max_response_bytes = 64 * 1024;
  auto client = MakeClient(co);
  Collector collector;
  client->Submit(MakeCall(OpenAiRequest(judge->base_url(), "[[standin:huge=10000000]]"), collector.Slot(0)));
  client->Submit(MakeCall(OpenAiRequest(judge->base_url(), "[[standin:stream_forever]]"), collector.Slot(1)));
  const auto& r = collector.Wait();
  for (const HttpResponse& one : r) {
    CHECK(one.failure == CallFailure::kTooLarge);
    CHECK(one.attempts == 1);
    CHECK(one.body.size() <= co.max_response_bytes);
  }
}

TEST_CASE("refused connections, cancelled calls and a stopped client all end their calls", "[http][standin]") {
  std::string dead_base;
  {
    auto judge = StartJudge();
    dead_base = judge->base_url();
  }  // nothing listens there any more
  ClientOptions co;
  co.retry.base_delay = 1ms;
  co.retry.max_attempts = 3;
  Collector collector;
  auto judge = StartJudge();
  {
    auto client = MakeClient(co);
    client->Submit(MakeCall(OpenAiRequest(dead_base, "x"), collector.Slot(0)));
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    auto call = MakeCall(OpenAiRequest(judge->base_url(), "[[standin:hang]] y"), collector.Slot(1));
    call.cancelled = [cancelled] { return cancelled->load(); };
    client->Submit(std::move(call));
    client->Submit(MakeCall(OpenAiRequest(judge->base_url(), "[[standin:hang]] z"), collector.Slot(2)));
    // Wait until both hung requests reached the server, then cancel one and stop the client.
    while (judge->stats().hangs < 2) std::this_thread::yield();
    cancelled->store(true);
    while (client->stats().failed < 2) std::this_thread::yield();
  }
  const auto& r = collector.Wait();
  CHECK(r[0].failure == CallFailure::kTransport);
  CHECK(r[0].attempts == 3);
  CHECK(r[1].failure == CallFailure::kCancelled);
  CHECK(r[2].failure == CallFailure::kStopped);
}

TEST_CASE("credentials: bearer keys and SigV4 signatures the server verifies", "[http][standin]") {
  gavel::standin::Options so;
  so.api_key = "sk-right";
  so.aws = gavel::judge::AwsCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session"};
  auto judge = StartJudge(so);
  auto client = MakeClient();
  Collector collector;
  gavel::judge::JudgeRequest request;
  request.user = "grade this";

  gavel::judge::ProviderConfig openai;
  openai.endpoint = judge->base_url() + "/v1";
  openai.model = "m";
  for (std::size_t i = 0; i < 2; ++i) {
    openai.api_key = i == 0 ? "sk-right" : "sk-wrong";
    client->Submit(MakeCall(*gavel::judge::BuildRequest(openai, request), collector.Slot(i)));
  }
  gavel::judge::ProviderConfig bedrock;
  bedrock.kind = gavel::judge::ProviderKind::kBedrock;
  bedrock.endpoint = judge->base_url();
  bedrock.model = "anthropic.claude-3-haiku-20240307-v1:0";  // ':' in the path
  bedrock.region = "us-east-1";
  for (std::size_t i = 2; i < 4; ++i) {
    bedrock.aws = *so.aws;
    if (i == 3) bedrock.aws->secret_access_key = "not-the-secret";
    auto call = MakeCall(*gavel::judge::BuildRequest(bedrock, request), collector.Slot(i));
    call.prepare = gavel::judge::Prepare(bedrock);
    client->Submit(std::move(call));
  }
  const auto& r = collector.Wait();
  CHECK(r[0].ok());
  CHECK(r[1].status == 401);
  CHECK(r[1].attempts == 1);
  INFO(r[2].error);
  CHECK(r[2].ok());
  auto reply = gavel::judge::ParseReply(gavel::judge::ProviderKind::kBedrock, r[2].body);
  CHECK(reply);
  CHECK(r[3].status == 403);
  CHECK(r[3].attempts == 1);
}

namespace {

// Five calls with 1.5 s deadlines under a limit that lets one start now and the next a second
// later: one or two succeed, the others end without ever starting, and the judge saw only the
// ones that succeeded.
void CheckPacedOneOrTwo(const std::vector<HttpResponse>& responses, const gavel::standin::Server& judge) {
  std::size_t ok = 0, not_started = 0;
  for (const HttpResponse& r : responses) {
    if (r.ok()) ++ok;
    if (r.failure == CallFailure::kDeadline && r.attempts == 0) ++not_started;
  }
  CHECK(responses.size() == 5);
  CHECK(ok >= 1);
  CHECK(ok <= 2);
  CHECK(ok + not_started == 5);
  CHECK(judge.stats().requests == ok);
}

}  // namespace

TEST_CASE("a requests-per-minute limit paces starts; calls that cannot start in time end", "[http][standin]") {
  auto judge = StartJudge();
  ClientOptions co;
  co.concurrency.requests_per_minute = 60;  // one start per second, one at once
  auto client = MakeClient(co);
  Collector collector;
  for (std::size_t i = 0; i < 5; ++i) {
    client->Submit(MakeCall(OpenAiRequest(judge->base_url(), "paced " + std::to_string(i)), collector.Slot(i), 1500ms));
  }
  CheckPacedOneOrTwo(collector.Wait(), *judge);
}

TEST_CASE("a tokens-per-minute limit paces starts by each call's estimated tokens", "[http][standin]") {
  auto judge = StartJudge();
  ClientOptions co;
  co.concurrency.tokens_per_minute = 60000;  // 1,000 tokens a second; a full bucket holds 1,000
  auto client = MakeClient(co);
  Collector collector;
  SECTION("large calls: one at once, the next a second later; the rest cannot start in time") {
    for (std::size_t i = 0; i < 5; ++i) {
      auto call = MakeCall(OpenAiRequest(judge->base_url(), "large " + std::to_string(i)), collector.Slot(i), 1500ms);
      call.estimated_tokens = 1000;
      client->Submit(std::move(call));
    }
    CheckPacedOneOrTwo(collector.Wait(), *judge);
  }
  SECTION("small calls: as many as the bucket holds start at once") {
    for (std::size_t i = 0; i < 5; ++i) {
      auto call = MakeCall(OpenAiRequest(judge->base_url(), "small " + std::to_string(i)), collector.Slot(i), 1500ms);
      call.estimated_tokens = 150;
      client->Submit(std::move(call));
    }
    for (const HttpResponse& r : collector.Wait()) {
      INFO(r.error);
      CHECK(r.ok());
    }
    CHECK(judge->stats().requests == 5);
  }
}

TEST_CASE("a call's own attempt timeout ends a hung attempt and retries it", "[http][standin]") {
  auto judge = StartJudge();
  ClientOptions co;
  co.retry.base_delay = 10ms;
  co.retry.max_attempts = 3;
  auto client = MakeClient(co);
  Collector collector;
  auto call = MakeCall(OpenAiRequest(judge->base_url(), "[[standin:hang]]"), collector.Slot(0), 20s);
  call.attempt_timeout = 200ms;
  client->Submit(std::move(call));
  const HttpResponse& r = collector.Wait()[0];
  CHECK_FALSE(r.ok());
  CHECK(r.failure == CallFailure::kTransport);
  CHECK(r.attempts == 3);
  CHECK(judge->stats().hangs == 3);
  CHECK(client->stats().attempt_timeouts == 3);
}
