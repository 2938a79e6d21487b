// Directives in the message text, and random faults: each makes the judge fail in its own way,
// deterministically, on both protocols.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "client.h"
#include "gavel/schema/extract.h"
#include "gavel/schema/schema.h"

namespace {

using namespace standin_test;
using gavel::schema::ExtractJson;
using gavel::schema::ExtractStatus;
using gavel::schema::JsonForm;

const Json kSchema = Json::parse(R"({
  "type": "object",
  "properties": {"score": {"type": "integer", "minimum": 1, "maximum": 5},
                 "reason": {"type": "string"}},
  "required": ["score", "reason"]
})");

enum class Protocol { kOpenAI, kBedrock };

HttpCall Call(const gavel::standin::Server& server, Protocol protocol, const std::string& text,
              const std::optional<Json>& schema = kSchema) {
  if (protocol == Protocol::kOpenAI) {
    return Post(server.base_url() + "/v1/chat/completions", OpenAIBody(text, schema));
  }
  return Post(server.base_url() + "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
              BedrockBody(text, schema));
}

bool Valid(const Json& schema, const Json& value) {
  auto compiled = gavel::schema::Schema::FromJson(schema, "test schema");
  REQUIRE(compiled.ok());
  return (*compiled)->IsValid(value);
}

// Polls the server's counters (no sleep: each look is a lock and a copy) until `ready` holds,
// for at most `seconds`.
bool WaitForStats(const gavel::standin::Server& server,
                  const std::function<bool(const gavel::standin::Stats&)>& ready,
                  int seconds = 10) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready(server.stats())) return true;
    std::this_thread::yield();
  }
  return ready(server.stats());
}

}  // namespace

TEST_CASE("directives: status=N fails with that status in the protocol's shape", "[directives]") {
  gavel::standin::Options options;
  options.faults.retry_after_s = 7;
  auto server = StartServer(options);
  const auto protocol = GENERATE(Protocol::kOpenAI, Protocol::kBedrock);
  const bool openai = protocol == Protocol::kOpenAI;

  const HttpResult throttled = Perform(Call(*server, protocol, "grade [[standin:status=429]]"));
  CHECK(throttled.status == 429);
  CHECK(throttled.header("retry-after") == "7");
  if (openai) {
    CHECK(throttled.json().at("error").at("code") == "rate_limit_exceeded");
  } else {
    CHECK(throttled.header("x-amzn-errortype") == "ThrottlingException");
    CHECK(throttled.json().at("message").is_string());
  }

  const HttpResult later = Perform(Call(*server, protocol, "[[standin:status=429,retry_after=2]]"));
  CHECK(later.status == 429);
  CHECK(later.header("retry-after") == "2");

  const HttpResult unavailable = Perform(Call(*server, protocol, "x [[standin:status=503]] y"));
  CHECK(unavailable.status == 503);
  CHECK(unavailable.header("retry-after").empty());
  if (!openai) CHECK(unavailable.header("x-amzn-errortype") == "ServiceUnavailableException");

  const HttpResult internal = Perform(Call(*server, protocol, "[[standin:status=500]]"));
  CHECK(internal.status == 500);
  if (openai) CHECK(internal.json().at("error").at("type") == "server_error");
  if (!openai) CHECK(internal.header("x-amzn-errortype") == "InternalServerException");

  const HttpResult invalid = Perform(Call(*server, protocol, "[[standin:status=400]]"));
  CHECK(invalid.status == 400);
  if (openai) CHECK(invalid.json().at("error").at("type") == "invalid_request_error");
  if (!openai) CHECK(invalid.header("x-amzn-errortype") == "ValidationException");

  const HttpResult typo = Perform(Call(*server, protocol, "[[standin:stats=429]]"));
  CHECK(typo.status == 400);
  CHECK(typo.body.find("unknown key") != std::string::npos);

  const gavel::standin::Stats stats = server->stats();
  CHECK(stats.directive_requests == 5);  // the typo is refused before it counts
  CHECK(stats.by_status.at(429) == 2);
}

TEST_CASE("directives: fail=N fails the first N requests with that exact body", "[directives]") {
  auto server = StartServer();
  const auto protocol = GENERATE(Protocol::kOpenAI, Protocol::kBedrock);
  const HttpCall call = Call(*server, protocol, "answer A [[standin:fail=2,status=503]]");
  CHECK(Perform(call).status == 503);
  CHECK(Perform(call).status == 503);
  const HttpResult third = Perform(call);
  CHECK(third.status == 200);
  CHECK(Valid(kSchema, Json::parse(AssistantText(third))));
  CHECK(Perform(call).status == 200);

  // Another body has its own count; a status can be chosen, and retry_after comes along.
  const HttpCall other =
      Call(*server, protocol, "answer B [[standin:fail=1,status=429,retry_after=3]]");
  const HttpResult first = Perform(other);
  CHECK(first.status == 429);
  CHECK(first.header("retry-after") == "3");
  CHECK(Perform(other).status == 200);
}

TEST_CASE("directives: hang ends when the client gives up", "[directives]") {
  auto server = StartServer();
  HttpCall call = Call(*server, Protocol::kOpenAI, "[[standin:hang]]");
  call.timeout_ms = 300;
  const HttpResult r = Perform(call);
  CHECK(r.code == CURLE_OPERATION_TIMEDOUT);
  CHECK(server->stats().hangs == 1);
  // The server notices the client closing and lets the connection and the request go.
  CHECK(WaitForStats(*server,
                     [](const auto& s) { return s.connections_open == 0 && s.in_flight == 0; }));
  CHECK(server->stats().by_status.empty());
}

TEST_CASE("directives: hang ends at Stop()", "[directives]") {
  auto server = StartServer();
  MultiDriver driver;
  HttpCall call = Call(*server, Protocol::kBedrock, "[[standin:hang]]");
  call.timeout_ms = 60000;
  driver.Add(call);
  driver.Add(call);
  REQUIRE(driver.RunUntil([&] { return server->stats().hangs == 2; }, 20000));
  CHECK(server->stats().in_flight == 2);
  server->Stop();
  REQUIRE(driver.RunUntil([&] { return driver.AllFinished(); }, 20000));
  for (const HttpResult& r : driver.results()) {
    CHECK(r.code == CURLE_GOT_NOTHING);  // closed without a reply, long before the timeout
  }
}

TEST_CASE("directives: latency_ms delays the reply", "[directives]") {
  auto server = StartServer();
  const HttpResult r = Perform(Call(*server, Protocol::kBedrock, "[[standin:latency_ms=50]]"));
  REQUIRE(r.status == 200);
  CHECK(r.json().at("metrics").at("latencyMs") == 50);
  CHECK(r.seconds >= 0.050);
}

TEST_CASE("directives: malformed, truncated, off_schema, prose, fenced", "[directives]") {
  auto server = StartServer();
  const auto protocol = GENERATE(Protocol::kOpenAI, Protocol::kBedrock);
  const auto text_for = [&](const std::string& directive,
                            const std::optional<Json>& schema = kSchema) {
    const HttpResult r = Perform(Call(*server, protocol, "the answer " + directive, schema));
    REQUIRE(r.status == 200);
    return AssistantText(r);
  };

  SECTION("malformed: not JSON at all") {
    const std::string text = text_for("[[standin:malformed]]");
    CHECK(Json::parse(text, nullptr, false).is_discarded());
    CHECK(ExtractJson(text).status == ExtractStatus::kNotFound);
  }
  SECTION("truncated: JSON cut in the middle") {
    const std::string text = text_for("[[standin:truncated]]");
    CHECK(Json::parse(text, nullptr, false).is_discarded());
    CHECK(ExtractJson(text).status == ExtractStatus::kInvalid);
    const std::string whole = text_for("");
    CHECK(whole.rfind(text, 0) == 0);  // a prefix of the normal verdict
  }
  SECTION("off_schema: valid JSON that violates the schema") {
    const Json verdict = Json::parse(text_for("[[standin:off_schema]]"));
    CHECK_FALSE(Valid(kSchema, verdict));
    const Json plain = Json::parse(text_for("[[standin:off_schema]]", std::nullopt));
    CHECK_FALSE(plain.contains("verdict"));  // the default shape loses its required field
  }
  SECTION("prose: a sentence, then the verdict") {
    const std::string text = text_for("[[standin:prose]]");
    CHECK(Json::parse(text, nullptr, false).is_discarded());
    const auto found = ExtractJson(text);
    REQUIRE(found.ok());
    CHECK(found.form == JsonForm::kAfterProse);
    CHECK(Valid(kSchema, found.value));
  }
  SECTION("fenced: inside a ```json fence") {
    const std::string text = text_for("[[standin:fenced]]");
    CHECK(text.rfind("```json\n", 0) == 0);
    const auto found = ExtractJson(text);
    REQUIRE(found.ok());
    CHECK(found.form == JsonForm::kFenced);
    CHECK(Valid(kSchema, found.value));
  }
  SECTION("verdict={...}: exactly this text") {
    const std::string exact = R"({"score": 9, "reason": "a ]] inside", "extra": [1, {"a": 2}]})";
    CHECK(text_for("[[standin:verdict=" + exact + "]]") == exact);
    CHECK(text_for("[[standin:verdict=" + exact + ",fenced]]") == "```json\n" + exact + "\n```");
  }
}

TEST_CASE("directives: stream_forever sends chunks until the client leaves", "[directives]") {
  auto server = StartServer();
  HttpCall call = Call(*server, Protocol::kOpenAI, "[[standin:stream_forever]]");
  call.timeout_ms = 60000;
  int chunks = 0;
  call.on_body = [&](const std::string& body) {
    chunks = 0;
    for (std::size_t at = body.find("stream chunk"); at != std::string::npos;
         at = body.find("stream chunk", at + 1)) {
      ++chunks;
    }
    return chunks < 5;  // abort after five chunks
  };
  const HttpResult r = Perform(call);
  CHECK(r.code == CURLE_WRITE_ERROR);
  CHECK(r.status == 200);
  CHECK(r.header("transfer-encoding") == "chunked");
  CHECK(chunks >= 5);
  CHECK(server->stats().streams == 1);
  CHECK(WaitForStats(*server, [](const auto& s) { return s.connections_open == 0; }));
}

TEST_CASE("directives: huge=N sends a body of N bytes", "[directives]") {
  auto server = StartServer();
  const HttpResult r = Perform(Call(*server, Protocol::kBedrock, "[[standin:huge=3000000]]"));
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.status == 200);
  CHECK(r.body.size() == 3000000);
  CHECK(Json::parse(r.body).at("padding").get<std::string>().size() == 3000000 - 14);

  // A client with a size limit stops early.
  HttpCall limited = Call(*server, Protocol::kOpenAI, "[[standin:huge=50000000]]");
  limited.max_file_size = 1 << 20;
  CHECK(Perform(limited).code == CURLE_FILESIZE_EXCEEDED);
}

TEST_CASE("random faults: each kind at rate 1", "[faults]") {
  gavel::standin::Options options;
  options.faults.retry_after_s = 4;
  SECTION("429 with Retry-After") {
    options.faults.rate_429 = 1;
    auto server = StartServer(options);
    const HttpResult r = Perform(Call(*server, Protocol::kOpenAI, "x"));
    CHECK(r.status == 429);
    CHECK(r.header("retry-after") == "4");
    // Directives are exempt from random faults.
    CHECK(Perform(Call(*server, Protocol::kOpenAI, "[[standin:latency_ms=0]]")).status == 200);
    CHECK(server->stats().random_faults == 1);
  }
  SECTION("503") {
    options.faults.rate_503 = 1;
    auto server = StartServer(options);
    const HttpResult r = Perform(Call(*server, Protocol::kBedrock, "x"));
    CHECK(r.status == 503);
    CHECK(r.header("x-amzn-errortype") == "ServiceUnavailableException");
  }
  SECTION("hang") {
    options.faults.rate_hang = 1;
    auto server = StartServer(options);
    HttpCall call = Call(*server, Protocol::kOpenAI, "x");
    call.timeout_ms = 200;
    CHECK(Perform(call).code == CURLE_OPERATION_TIMEDOUT);
    CHECK(server->stats().hangs == 1);
  }
  SECTION("malformed") {
    options.faults.rate_malformed = 1;
    auto server = StartServer(options);
    const HttpResult r = Perform(Call(*server, Protocol::kOpenAI, "x"));
    REQUIRE(r.status == 200);
    CHECK(Json::parse(AssistantText(r), nullptr, false).is_discarded());
  }
  SECTION("off-schema") {
    options.faults.rate_off_schema = 1;
    auto server = StartServer(options);
    const HttpResult r = Perform(Call(*server, Protocol::kBedrock, "x"));
    REQUIRE(r.status == 200);
    CHECK_FALSE(Valid(kSchema, Json::parse(AssistantText(r))));
  }
}

TEST_CASE("random faults: mixed rates, counted, and the same for the same seed", "[faults]") {
  gavel::standin::Options options;
  options.faults.rate_429 = 0.3;
  options.faults.rate_503 = 0.3;
  options.faults.seed = 12345;
  std::vector<long> runs[2];
  for (auto& statuses : runs) {
    auto server = StartServer(options);
    CURL* handle = curl_easy_init();
    for (int i = 0; i < 100; ++i) {
      std::string question = "q";  // appended: GCC 12 warns falsely (-Wrestrict) on "q" + ... at -O3
      question += std::to_string(i);
      statuses.push_back(Perform(Call(*server, Protocol::kOpenAI, question), handle).status);
    }
    curl_easy_cleanup(handle);
    const gavel::standin::Stats stats = server->stats();
    const auto count = [&](long status) {
      return static_cast<std::uint64_t>(std::count(statuses.begin(), statuses.end(), status));
    };
    CHECK(count(429) > 10);
    CHECK(count(503) > 10);
    CHECK(count(200) > 10);
    CHECK(count(429) + count(503) + count(200) == 100);
    CHECK(stats.random_faults == count(429) + count(503));
    CHECK(stats.by_status.at(429) == count(429));
  }
  CHECK(runs[0] == runs[1]);
}

TEST_CASE("noise: that share of verdicts changes from one asking to the next", "[faults]") {
  // Asks the same 40 questions twice and counts the verdicts that changed.
  auto changed = [](double noise) {
    gavel::standin::Options options;
    options.faults.noise = noise;
    auto server = StartServer(options);
    CURL* handle = curl_easy_init();
    int differ = 0;
    for (int i = 0; i < 40; ++i) {
      const std::string q = "question " + std::to_string(i);
      const HttpResult first = Perform(Call(*server, Protocol::kOpenAI, q), handle);
      const HttpResult second = Perform(Call(*server, Protocol::kOpenAI, q), handle);
      REQUIRE(first.status == 200);
      REQUIRE(second.status == 200);
      CHECK(Valid(kSchema, Json::parse(AssistantText(second))));
      if (AssistantText(first) != AssistantText(second)) ++differ;
    }
    curl_easy_cleanup(handle);
    CHECK(server->stats().random_faults == 0);  // noise is not a fault
    return differ;
  };
  CHECK(changed(0) == 0);
  // Every verdict is drawn anew: two draws of a 1-5 score and a reason rarely coincide.
  CHECK(changed(1) >= 30);
  gavel::standin::Options bad;
  bad.faults.noise = 1.5;
  CHECK_FALSE(gavel::standin::Server::Start(bad).ok());
}
