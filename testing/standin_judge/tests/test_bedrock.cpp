// The Bedrock Converse route: request and reply shapes, outputConfig schemas, SigV4 checked
// with requests signed here by gavel::judge's signer (model ids with ':' included), bearer keys.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "client.h"
#include "gavel/judge/sigv4.h"
#include "gavel/schema/schema.h"

namespace {

using namespace standin_test;
using gavel::judge::AwsCredentials;

constexpr const char* kModelId = "anthropic.claude-3-5-sonnet-20240620-v1:0";

const Json kSchema = Json::parse(R"({
  "type": "object",
  "properties": {"score": {"type": "integer", "minimum": 0, "maximum": 4},
                 "label": {"type": "string", "enum": ["correct", "partial", "wrong"]},
                 "reason": {"type": "string"}},
  "required": ["score", "label", "reason"],
  "additionalProperties": false
})");

AwsCredentials Credentials(std::string token = "") {
  return {"AKIDSTANDINTEST", "standin/secret+key/EXAMPLE", std::move(token)};
}

std::string ConversePath(const std::string& model_id) {
  return "/model/" + gavel::judge::UriEncode(model_id) + "/converse";
}

struct SignedCall {
  HttpCall call;
  gavel::judge::SignedHeaders signature;
};

// A Converse call signed for `credentials`, as the judge client would send it.
SignedCall Signed(const gavel::standin::Server& server, const std::string& body,
                  const AwsCredentials& credentials,
                  std::chrono::system_clock::time_point when = std::chrono::system_clock::now(),
                  const std::string& region = "us-east-1") {
  const std::string path = ConversePath(kModelId);
  const std::string host = "127.0.0.1:" + std::to_string(server.port());
  gavel::judge::HttpRequestToSign request;
  request.method = "POST";
  request.path = path;
  request.headers = {{"Host", host}, {"Content-Type", "application/json"}};
  request.body = body;
  auto signature = gavel::judge::SignRequest(request, credentials, {region, "bedrock"},
                                             gavel::judge::FormatAmzDate(when));
  REQUIRE(signature.ok());
  SignedCall out{Post(server.base_url() + path, body), *signature};
  out.call.headers = {"Host: " + host, "Content-Type: application/json"};
  for (const auto& [name, value] : signature->headers)
    out.call.headers.push_back(name + ": " + value);
  return out;
}

void CheckDenied(const HttpResult& r, const std::string& reason_part) {
  INFO(r.body);
  CHECK(r.status == 403);
  CHECK(r.header("x-amzn-errortype") == "AccessDeniedException");
  CHECK(r.json().at("message").get<std::string>().find(reason_part) != std::string::npos);
}

}  // namespace

TEST_CASE("Bedrock: the reply has Converse's shape", "[bedrock]") {
  auto server = StartServer();
  const HttpResult r =
      Perform(Post(server->base_url() + ConversePath(kModelId), BedrockBody("Is 7 prime? Yes.")));
  REQUIRE(r.code == CURLE_OK);
  REQUIRE(r.status == 200);
  CHECK_FALSE(r.header("x-amzn-requestid").empty());
  const Json j = r.json();
  CHECK(j.at("output").at("message").at("role") == "assistant");
  REQUIRE(j["output"]["message"].at("content").size() == 1);
  CHECK(j["output"]["message"]["content"][0].at("text").is_string());
  CHECK(j.at("stopReason") == "end_turn");
  const Json& usage = j.at("usage");
  CHECK(usage.at("inputTokens").get<int>() > 0);
  CHECK(usage.at("outputTokens").get<int>() > 0);
  CHECK(usage.at("totalTokens") ==
        usage["inputTokens"].get<int>() + usage["outputTokens"].get<int>());
  CHECK(j.at("metrics").at("latencyMs") == 0);
  const Json verdict = Json::parse(AssistantText(r));
  CHECK(verdict.contains("verdict"));
  CHECK(server->stats().bedrock == 1);
}

TEST_CASE("Bedrock: the verdict follows outputConfig's schema, like OpenAI's", "[bedrock]") {
  auto server = StartServer();
  auto compiled = gavel::schema::Schema::FromJson(kSchema, "test schema");
  REQUIRE(compiled.ok());
  for (int i = 0; i < 20; ++i) {
    const std::string answer = "answer " + std::to_string(i);
    const HttpResult r =
        Perform(Post(server->base_url() + ConversePath(kModelId), BedrockBody(answer, kSchema)));
    REQUIRE(r.status == 200);
    const Json verdict = Json::parse(AssistantText(r));
    INFO(verdict.dump());
    CHECK((*compiled)->IsValid(verdict));
    // The same messages give the same verdict whichever protocol carries them.
    const HttpResult openai =
        Perform(Post(server->base_url() + "/v1/chat/completions", OpenAIBody(answer, kSchema)));
    CHECK(AssistantText(openai) == AssistantText(r));
  }
}

TEST_CASE("Bedrock: SigV4 signed by gavel::judge's signer is accepted", "[bedrock]") {
  SECTION("long-term keys") {
    gavel::standin::Options options;
    options.aws = Credentials();
    auto server = StartServer(options);
    const SignedCall s = Signed(*server, BedrockBody("signed"), Credentials());
    const HttpResult r = Perform(s.call);
    INFO(r.body);
    CHECK(r.status == 200);
    CHECK(server->stats().auth_failures == 0);
  }
  SECTION("temporary keys with a session token") {
    gavel::standin::Options options;
    options.aws = Credentials("FwoGZXIvYXdzEStandinSessionToken==");
    auto server = StartServer(options);
    SignedCall s = Signed(*server, BedrockBody("signed"), *options.aws);
    CHECK(Perform(s.call).status == 200);

    // Without the token header the request is refused.
    std::erase_if(s.call.headers,
                  [](const std::string& h) { return h.rfind("X-Amz-Security-Token", 0) == 0; });
    CheckDenied(Perform(s.call), "X-Amz-Security-Token");
  }
  SECTION("the region and host in the scope must match") {
    gavel::standin::Options options;
    options.aws = Credentials();
    options.region = "eu-west-3";
    auto server = StartServer(options);
    CheckDenied(Perform(Signed(*server, BedrockBody("x"), Credentials()).call), "region");
    const SignedCall ok = Signed(*server, BedrockBody("x"), Credentials(),
                                 std::chrono::system_clock::now(), "eu-west-3");
    CHECK(Perform(ok.call).status == 200);
  }
}

TEST_CASE("Bedrock: a bad signature gets 403 AccessDeniedException with a reason", "[bedrock]") {
  gavel::standin::Options options;
  options.aws = Credentials();
  auto server = StartServer(options);
  const std::string body = BedrockBody("tamper with me");

  SECTION("no Authorization header") {
    CheckDenied(Perform(Post(server->base_url() + ConversePath(kModelId), body)), "Authorization");
  }
  SECTION("signed with another secret") {
    AwsCredentials other = Credentials();
    other.secret_access_key = "not-the-secret";
    CheckDenied(Perform(Signed(*server, body, other).call), "signature");
  }
  SECTION("another key id") {
    AwsCredentials other = Credentials();
    other.access_key_id = "AKIDSOMEONEELSE";
    CheckDenied(Perform(Signed(*server, body, other).call), "access key id");
  }
  SECTION("the body changed after signing") {
    SignedCall s = Signed(*server, body, Credentials());
    s.call.body = BedrockBody("tampered");
    CheckDenied(Perform(s.call), "signature");
  }
  SECTION("the model id changed after signing (':' vs '%3A' matters)") {
    SignedCall s = Signed(*server, body, Credentials());
    s.call.url = server->base_url() + "/model/anthropic.claude-3-5-sonnet-20240620-v1:0/converse";
    CheckDenied(Perform(s.call), "signature");
  }
  SECTION("no X-Amz-Date") {
    SignedCall s = Signed(*server, body, Credentials());
    std::erase_if(s.call.headers,
                  [](const std::string& h) { return h.rfind("X-Amz-Date", 0) == 0; });
    CheckDenied(Perform(s.call), "X-Amz-Date");
  }
  SECTION("signed ten minutes ago") {
    const auto then = std::chrono::system_clock::now() - std::chrono::minutes(10);
    CheckDenied(Perform(Signed(*server, body, Credentials(), then).call), "expired");
  }
  CHECK(server->stats().auth_failures == 1);
}

TEST_CASE("Bedrock: bearer API keys", "[bedrock]") {
  gavel::standin::Options options;
  options.bedrock_api_key = "bedrock-api-key-123";
  const std::string path = ConversePath(kModelId);

  SECTION("alone") {
    auto server = StartServer(options);
    HttpCall call = Post(server->base_url() + path, BedrockBody("x"));
    CheckDenied(Perform(call), "Bearer");
    call.headers = {"Authorization: Bearer wrong"};
    CheckDenied(Perform(call), "API key");
    call.headers = {"Authorization: Bearer bedrock-api-key-123"};
    CHECK(Perform(call).status == 200);
  }
  SECTION("beside SigV4: either is accepted") {
    options.aws = Credentials();
    auto server = StartServer(options);
    HttpCall call = Post(server->base_url() + path, BedrockBody("x"));
    call.headers = {"Authorization: Bearer bedrock-api-key-123"};
    CHECK(Perform(call).status == 200);
    CHECK(Perform(Signed(*server, BedrockBody("x"), Credentials()).call).status == 200);
    CheckDenied(Perform(Post(server->base_url() + path, BedrockBody("x"))), "Authorization");
  }
}

TEST_CASE("Bedrock: malformed requests get 400 ValidationException", "[bedrock]") {
  auto server = StartServer();
  const std::string url = server->base_url() + ConversePath(kModelId);
  const auto check_invalid = [&](const std::string& body) {
    INFO(body);
    const HttpResult r = Perform(Post(url, body));
    CHECK(r.status == 400);
    CHECK(r.header("x-amzn-errortype") == "ValidationException");
    CHECK(r.json().at("message").is_string());
  };
  check_invalid("{");
  check_invalid(R"({"messages": []})");
  check_invalid(R"({"messages": [{"role": "system", "content": [{"text": "x"}]}]})");
  check_invalid(R"({"messages": [{"role": "user", "content": "x"}]})");
  check_invalid(R"({"messages": [{"role": "user", "content": [{"text": 1}]}]})");
  check_invalid(R"({"messages": [{"role": "user", "content": [{"text": "x"}]}],
                    "inferenceConfig": {"maxTokens": 0}})");
  check_invalid(R"({"messages": [{"role": "user", "content": [{"text": "x"}]}],
                    "inferenceConfig": {"temperature": 1.5}})");
  check_invalid(R"({"messages": [{"role": "user", "content": [{"text": "x"}]}],
                    "outputConfig": {"textFormat": {"type": "json_schema",
                      "structure": {"jsonSchema": {"schema": {"type": "object"}}}}}})");
  check_invalid(R"({"messages": [{"role": "user", "content": [{"text": "x"}]}],
                    "outputConfig": {"textFormat": {"type": "json_schema",
                      "structure": {"jsonSchema": {"schema": "{not json"}}}}})");
  // A model id that is not validly encoded.
  const HttpResult bad_id =
      Perform(Post(server->base_url() + "/model/a%zz/converse", BedrockBody("x")));
  CHECK(bad_id.status == 404);
}
