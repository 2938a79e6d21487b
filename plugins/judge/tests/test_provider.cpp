// Judge URLs, request bodies for both providers, and reading their replies.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "gavel/judge/provider.h"

using namespace gavel::judge;
using gavel::Json;

namespace {

// Sets environment variables for one test and restores them after.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<const char*, const char*>> vars) {
    for (const auto& [name, value] : vars) {
      const char* old = std::getenv(name);
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      if (value) setenv(name, value, 1); else unsetenv(name);
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) {
      if (value) setenv(name.c_str(), value->c_str(), 1); else unsetenv(name.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

const char* kNoAws[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                        "AWS_BEARER_TOKEN_BEDROCK", "AWS_REGION", "AWS_DEFAULT_REGION", "OPENAI_API_KEY"};

}  // namespace

TEST_CASE("judge URLs name the provider, endpoint, model and where the key comes from", "[provider]") {
  ScopedEnv env{{kNoAws[0], nullptr}, {kNoAws[1], nullptr}, {kNoAws[2], nullptr}, {kNoAws[3], nullptr},
                {kNoAws[4], nullptr}, {kNoAws[5], nullptr}, {kNoAws[6], nullptr}};
  auto local = ParseJudgeUrl("http://localhost:8000/v1/?model=Qwen/Qwen2.5-7B-Instruct");
  REQUIRE(local);
  CHECK(local->kind == ProviderKind::kOpenAI);
  CHECK(local->endpoint == "http://localhost:8000/v1");
  CHECK(local->model == "Qwen/Qwen2.5-7B-Instruct");
  CHECK(local->api_key.empty());

  {
    ScopedEnv key{{"MY_JUDGE_KEY", "sk-test-123"}};
    auto hosted = ParseJudgeUrl("openai+https://api.example.com/v1?model=m&key_env=MY_JUDGE_KEY");
    REQUIRE(hosted);
    CHECK(hosted->api_key == "sk-test-123");
    CHECK(Describe(*hosted).find("sk-test") == std::string::npos);  // secrets never described
    CHECK(Describe(*hosted) == "openai https://api.example.com/v1 model m (API key from MY_JUDGE_KEY)");
  }
  {
    ScopedEnv aws{{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY", "secret"}};
    auto region = ParseJudgeUrl("bedrock://eu-west-1/anthropic.claude-3-5-haiku-20241022-v1:0");
    REQUIRE(region);
    CHECK(region->kind == ProviderKind::kBedrock);
    CHECK(region->endpoint == "https://bedrock-runtime.eu-west-1.amazonaws.com");
    CHECK(region->region == "eu-west-1");
    CHECK(region->model == "anthropic.claude-3-5-haiku-20241022-v1:0");
    REQUIRE(region->aws);
    auto endpoint = ParseJudgeUrl("bedrock+http://127.0.0.1:9000/amazon.nova-lite-v1%3A0?region=us-east-1");
    REQUIRE(endpoint);
    CHECK(endpoint->endpoint == "http://127.0.0.1:9000");
    CHECK(endpoint->model == "amazon.nova-lite-v1:0");
    CHECK(Describe(*endpoint) == "bedrock http://127.0.0.1:9000 model amazon.nova-lite-v1:0 region us-east-1 (SigV4)");
  }
  {
    ScopedEnv bearer{{"AWS_BEARER_TOKEN_BEDROCK", "bedrock-key"}, {"AWS_REGION", "us-west-2"}};
    auto api_key = ParseJudgeUrl("bedrock+https://vpce.example.com/amazon.nova-pro-v1:0");
    REQUIRE(api_key);
    CHECK(api_key->region == "us-west-2");
    CHECK(api_key->api_key == "bedrock-key");
    CHECK_FALSE(api_key->aws);
  }

  auto error = [](const char* url) {
    auto r = ParseJudgeUrl(url);
    REQUIRE_FALSE(r);
    return r.error().message();
  };
  CHECK_THAT(error("http://localhost:8000/v1"), Catch::Contains("needs ?model=NAME"));
  CHECK_THAT(error("ftp://x/y?model=m"), Catch::Contains("is not http(s)://"));
  CHECK_THAT(error("http://h/v1?model=m&temp=1"), Catch::Contains("unknown parameter 'temp'"));
  CHECK_THAT(error("http://h/v1?model=m&model=n"), Catch::Contains("'model' is given twice"));
  CHECK_THAT(error("http://h/v1?model=a%2"), Catch::Contains("cut short"));
  CHECK_THAT(error("bedrock://us-east-1/amazon.nova-lite-v1:0"), Catch::Contains("Bedrock needs credentials"));
  CHECK_THAT(error("bedrock+http://127.0.0.1:9000/m"), Catch::Contains("needs ?region=REGION"));
  CHECK_THAT(error("bedrock://us-east-1"), Catch::Contains("bedrock://REGION/MODEL_ID"));
}

TEST_CASE("requests carry the messages, the settings and the verdict schema in each provider's shape", "[provider]") {
  const Json schema = Json::parse(R"({"type": "object", "required": ["score"], "properties": {"score": {"type": "integer"}}})");
  JudgeRequest request;
  request.system = "You grade answers.";
  request.user = "Grade this.";
  request.schema = schema;
  request.max_tokens = 300;

  ProviderConfig openai;
  openai.endpoint = "http://127.0.0.1:1/v1";
  openai.model = "judge-model";
  openai.api_key = "sk-abc";
  auto http = BuildRequest(openai, request);
  REQUIRE(http);
  CHECK(http->url == "http://127.0.0.1:1/v1/chat/completions");
  CHECK(std::count(http->headers.begin(), http->headers.end(),
                   std::pair<std::string, std::string>("Authorization", "Bearer sk-abc")) == 1);
  Json body = Json::parse(http->body);
  CHECK(body["model"] == "judge-model");
  CHECK(body["messages"] == Json::parse(R"([{"role": "system", "content": "You grade answers."},
                                            {"role": "user", "content": "Grade this."}])"));
  CHECK(body["max_tokens"] == 300);
  CHECK(body["response_format"]["type"] == "json_schema");
  CHECK(body["response_format"]["json_schema"]["schema"] == schema);
  CHECK(body["response_format"]["json_schema"]["strict"] == true);
  CHECK_FALSE(Prepare(openai));  // nothing to sign

  ProviderConfig bedrock;
  bedrock.kind = ProviderKind::kBedrock;
  bedrock.endpoint = "http://127.0.0.1:1";
  bedrock.model = "anthropic.claude-3-haiku-20240307-v1:0";
  bedrock.region = "us-east-1";
  bedrock.aws = AwsCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token"};
  http = BuildRequest(bedrock, request);
  REQUIRE(http);
  CHECK(http->url == "http://127.0.0.1:1/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
  body = Json::parse(http->body);
  CHECK(body["messages"] == Json::parse(R"([{"role": "user", "content": [{"text": "Grade this."}]}])"));
  CHECK(body["system"] == Json::parse(R"([{"text": "You grade answers."}])"));
  CHECK(body["inferenceConfig"]["maxTokens"] == 300);
  const Json& format = body["outputConfig"]["textFormat"];
  CHECK(format["type"] == "json_schema");
  // Bedrock takes the schema as a string.
  REQUIRE(format["structure"]["jsonSchema"]["schema"].is_string());
  CHECK(Json::parse(format["structure"]["jsonSchema"]["schema"].get<std::string>()) == schema);

  auto sign = Prepare(bedrock);
  REQUIRE(sign);
  gavel::judge::HttpRequest signed_request = *http;
  REQUIRE(sign(signed_request));
  auto header = [&](const std::string& name) {
    for (const auto& [k, v] : signed_request.headers) {
      if (k == name) return v;
    }
    return std::string();
  };
  CHECK_THAT(header("Authorization"),
             Catch::StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") && Catch::Contains("/us-east-1/bedrock/aws4_request"));
  CHECK(header("X-Amz-Security-Token") == "token");
  CHECK(header("X-Amz-Date").size() == 16);
  // Every attempt signs a fresh copy; a request that is signed already is refused.
  CHECK_FALSE(sign(signed_request));
}

TEST_CASE("replies yield the verdict text and token usage, or say what is missing", "[provider]") {
  auto openai = ParseReply(ProviderKind::kOpenAI, R"({"choices": [{"index": 0, "finish_reason": "stop",
      "message": {"role": "assistant", "content": "{\"score\": 4}"}}], "usage": {"prompt_tokens": 120, "completion_tokens": 9}})");
  REQUIRE(openai);
  CHECK(openai->text == R"({"score": 4})");
  CHECK(openai->input_tokens == 120);
  CHECK(openai->output_tokens == 9);
  CHECK(openai->stop_reason == "stop");

  auto bedrock = ParseReply(ProviderKind::kBedrock, R"({"output": {"message": {"role": "assistant",
      "content": [{"text": "{\"score\""}, {"text": ": 2}"}]}}, "stopReason": "end_turn",
      "usage": {"inputTokens": 80, "outputTokens": 7, "totalTokens": 87}})");
  REQUIRE(bedrock);
  CHECK(bedrock->text == R"({"score": 2})");
  CHECK(bedrock->input_tokens == 80);
  CHECK(bedrock->stop_reason == "end_turn");

  auto error = [](ProviderKind kind, const char* body) {
    auto r = ParseReply(kind, body);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == gavel::ErrorKind::kJudgeUnavailable);
    return r.error().message();
  };
  CHECK_THAT(error(ProviderKind::kOpenAI, "<html>"), Catch::Contains("not a JSON object"));
  CHECK_THAT(error(ProviderKind::kOpenAI, R"({"choices": []})"), Catch::Contains("no choices"));
  CHECK_THAT(error(ProviderKind::kOpenAI, R"({"choices": [{"message": {"refusal": "no"}}]})"), Catch::Contains("refused: no"));
  CHECK_THAT(error(ProviderKind::kOpenAI, R"({"choices": [{"message": {"content": null}}]})"), Catch::Contains("no text content"));
  CHECK_THAT(error(ProviderKind::kBedrock, R"({"output": {}})"), Catch::Contains("no output.message.content"));
  CHECK_THAT(error(ProviderKind::kBedrock, R"({"output": {"message": {"content": [{"image": {}}]}}})"), Catch::Contains("no text block"));
}
