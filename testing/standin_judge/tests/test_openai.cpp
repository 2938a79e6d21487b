// The OpenAI chat completions route: request and reply shapes, verdicts that follow the
// request's schema, determinism, bearer authentication and request validation.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "client.h"
#include "gavel/schema/schema.h"

namespace {

using namespace standin_test;

const Json kReviewSchema = Json::parse(R"({
  "type": "object",
  "$defs": {"severity": {"type": "string", "enum": ["low", "medium", "high"]}},
  "definitions": {"issue": {"type": "object",
                            "properties": {"severity": {"$ref": "#/$defs/severity"},
                                           "note": {"type": "string", "maxLength": 60}},
                            "required": ["severity", "note"],
                            "additionalProperties": false}},
  "properties": {
    "score": {"type": "integer", "minimum": 1, "maximum": 10},
    "correct": {"type": "boolean"},
    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    "issues": {"type": "array", "items": {"$ref": "#/definitions/issue"}, "maxItems": 3},
    "rationale": {"type": "string"}
  },
  "required": ["score", "correct", "confidence", "issues", "rationale"],
  "additionalProperties": false
})");

bool Conforms(const Json& schema, const Json& value) {
  auto compiled = gavel::schema::Schema::FromJson(schema, "test schema");
  REQUIRE(compiled.ok());
  const auto result = (*compiled)->Validate(value);
  for (const auto& v : result.violations) UNSCOPED_INFO(v.ToString());
  return result.valid;
}

std::string ChatUrl(const gavel::standin::Server& server) {
  return server.base_url() + "/v1/chat/completions";
}

}  // namespace

TEST_CASE("OpenAI: the reply is a chat.completion object", "[openai]") {
  auto server = StartServer();
  const HttpResult r = Perform(Post(ChatUrl(*server), OpenAIBody("What is 2+2? Answer: 4")));
  REQUIRE(r.code == CURLE_OK);
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "application/json");
  const Json j = r.json();
  CHECK(j.at("id").get<std::string>().rfind("chatcmpl-", 0) == 0);
  CHECK(j.at("object") == "chat.completion");
  CHECK(j.at("created").is_number_integer());
  CHECK(j.at("model") == "standin-test-model");
  REQUIRE(j.at("choices").size() == 1);
  const Json& choice = j["choices"][0];
  CHECK(choice.at("index") == 0);
  CHECK(choice.at("finish_reason") == "stop");
  CHECK(choice.at("message").at("role") == "assistant");
  CHECK(choice.at("message").at("content").is_string());
  const Json& usage = j.at("usage");
  CHECK(usage.at("prompt_tokens").get<int>() > 0);
  CHECK(usage.at("completion_tokens").get<int>() > 0);
  CHECK(usage.at("total_tokens") ==
        usage["prompt_tokens"].get<int>() + usage["completion_tokens"].get<int>());

  // Without a schema: {"verdict": "pass"|"fail", "rationale": "..."}.
  const Json verdict = Json::parse(AssistantText(r));
  CHECK((verdict.at("verdict") == "pass" || verdict.at("verdict") == "fail"));
  CHECK(verdict.at("rationale").get<std::string>().find("Stand-in judge") != std::string::npos);
}

TEST_CASE("OpenAI: the verdict follows response_format's schema", "[openai]") {
  auto server = StartServer();
  for (int i = 0; i < 30; ++i) {
    const HttpResult r = Perform(
        Post(ChatUrl(*server), OpenAIBody("answer number " + std::to_string(i), kReviewSchema)));
    REQUIRE(r.status == 200);
    const Json verdict = Json::parse(AssistantText(r));
    INFO(verdict.dump());
    CHECK(Conforms(kReviewSchema, verdict));
    CHECK(verdict.at("score").get<int>() >= 1);
    CHECK(verdict.at("score").get<int>() <= 10);
  }
}

TEST_CASE("OpenAI: a prefix before /v1 and a bare /chat/completions both work", "[openai]") {
  auto server = StartServer();
  for (const char* path : {"/openai/deployments/x/v1/chat/completions", "/chat/completions"}) {
    const HttpResult r = Perform(Post(server->base_url() + path, OpenAIBody("x")));
    CHECK(r.status == 200);
  }
  // Content as an array of parts is read too.
  const Json body = {{"model", "m"},
                     {"messages",
                      {{{"role", "user"},
                        {"content", {{{"type", "text"}, {"text", "[[standin:status=503]]"}}}}}}}};
  CHECK(Perform(Post(ChatUrl(*server), body.dump())).status == 503);
  CHECK(server->stats().openai == 3);
}

TEST_CASE("OpenAI: the same request gets the same verdict, other answers other scores",
          "[openai]") {
  auto server = StartServer();
  const std::string body = OpenAIBody("The capital of France is Paris.", kReviewSchema);
  const std::string first = AssistantText(Perform(Post(ChatUrl(*server), body)));
  const std::string second = AssistantText(Perform(Post(ChatUrl(*server), body)));
  CHECK(first == second);

  std::set<int> scores;
  for (int i = 0; i < 40; ++i) {
    const Json verdict = Json::parse(AssistantText(Perform(Post(
        ChatUrl(*server), OpenAIBody("candidate answer #" + std::to_string(i), kReviewSchema)))));
    scores.insert(verdict.at("score").get<int>());
  }
  CHECK(scores.size() >= 5);

  // The same messages on another server (another process, another day) give the same verdict.
  auto other = StartServer();
  CHECK(AssistantText(Perform(Post(ChatUrl(*other), body))) == first);
}

TEST_CASE("OpenAI: with api_key, a bearer token is required", "[openai]") {
  gavel::standin::Options options;
  options.api_key = "sk-standin-test-key";
  auto server = StartServer(options);
  HttpCall call = Post(ChatUrl(*server), OpenAIBody("x"));

  const HttpResult none = Perform(call);
  CHECK(none.status == 401);
  CHECK(none.json().at("error").at("code") == "invalid_api_key");
  CHECK(none.json().at("error").at("type") == "invalid_request_error");

  call.headers = {"Authorization: Bearer sk-wrong"};
  const HttpResult wrong = Perform(call);
  CHECK(wrong.status == 401);
  CHECK(wrong.body.find("sk-standin-test-key") == std::string::npos);

  call.headers = {"Authorization: Bearer sk-standin-test-key"};
  CHECK(Perform(call).status == 200);

  // A directive does not get past authentication.
  HttpCall directed = Post(ChatUrl(*server), OpenAIBody("[[standin:status=503]]"));
  CHECK(Perform(directed).status == 401);
  CHECK(server->stats().auth_failures == 3);
}

TEST_CASE("OpenAI: malformed requests get 400 in OpenAI's error shape", "[openai]") {
  auto server = StartServer();
  const auto status_of = [&](const std::string& body) {
    const HttpResult r = Perform(Post(ChatUrl(*server), body));
    if (r.status == 400) {
      const Json error = r.json().at("error");
      CHECK(error.at("type") == "invalid_request_error");
      CHECK(error.at("message").get<std::string>().size() > 0);
    }
    return r.status;
  };
  CHECK(status_of("not json") == 400);
  CHECK(status_of("[1, 2]") == 400);
  CHECK(status_of(std::string(1000, '[')) == 400);
  CHECK(status_of(R"({"messages": [{"role": "user", "content": "x"}]})") == 400);  // no model
  CHECK(status_of(R"({"model": "m", "messages": []})") == 400);
  CHECK(status_of(R"({"model": "m", "messages": [{"content": "x"}]})") == 400);
  CHECK(status_of(R"({"model": "m", "messages": [{"role": "user", "content": 5}]})") == 400);
  CHECK(status_of(R"({"model": "m", "messages": [{"role": "user", "content": "x"}],
                      "temperature": "hot"})") == 400);
  CHECK(status_of(R"({"model": "m", "messages": [{"role": "user", "content": "x"}],
                      "max_tokens": 0})") == 400);
  CHECK(status_of(R"({"model": "m", "messages": [{"role": "user", "content": "x"}],
                      "response_format": {"type": "json_schema",
                                          "json_schema": {"schema": {}}}})") == 400);  // no name
  CHECK(status_of(R"({"model": "m", "messages": [{"role": "user", "content": "x"}],
                      "response_format": {"type": "yaml"}})") == 400);
  CHECK(status_of(R"({"model": "m", "messages": [{"role": "user", "content": "x"}],
                      "response_format": {"type": "json_object"}})") == 200);
}
