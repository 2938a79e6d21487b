// Judge providers: how a judge request becomes an HTTP request, and a reply a verdict text.
//
//   openai   POST {endpoint}/chat/completions  (vLLM, Ollama, llama.cpp server, OpenAI)
//            bearer API key; structured output with response_format json_schema
//   bedrock  POST {endpoint}/model/{modelId}/converse  (Amazon Bedrock Converse)
//            AWS Signature Version 4 (service "bedrock") or a Bedrock API key as a bearer
//            token; structured output with outputConfig.textFormat json_schema
//
// A judge is named by one setting, a URL:
//   http://localhost:8000/v1?model=Qwen/Qwen2.5-7B-Instruct          OpenAI-compatible
//   openai+https://api.openai.com/v1?model=gpt-4o-mini&key_env=OPENAI_API_KEY
//   bedrock://us-east-1/anthropic.claude-3-5-haiku-20241022-v1:0    Bedrock in a region
//   bedrock+http://127.0.0.1:8089/amazon.nova-lite-v1:0?region=us-east-1   Bedrock at an endpoint
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gavel/judge/http_client.h"
#include "gavel/judge/sigv4.h"
#include "gavel/sample.h"
#include "gavel/status.h"

namespace gavel::judge {

enum class ProviderKind { kOpenAI, kBedrock };
std::string_view ProviderKindName(ProviderKind kind);  // "openai", "bedrock"

struct ProviderConfig {
  ProviderKind kind = ProviderKind::kOpenAI;
  std::string endpoint;  // openai: the base URL before /chat/completions; bedrock: scheme://host[:port]
  std::string model;
  std::string region;    // bedrock
  // Credentials, read from the environment when the config is made; never logged.
  std::string api_key;   // openai: bearer key; bedrock: a Bedrock API key (bearer) if set
  std::optional<AwsCredentials> aws;  // bedrock, when there is no API key
  std::string key_env;   // the variable the key came from, for messages
};

// Parses a judge URL (see above). Keys come from the environment: `key_env` names the variable
// (default OPENAI_API_KEY for openai; AWS_BEARER_TOKEN_BEDROCK, then the AWS_* variables, for
// bedrock). A missing OpenAI key is fine (local servers need none); Bedrock without any
// credentials is an error.
Result<ProviderConfig> ParseJudgeUrl(std::string_view url);

// The secret-bearing parts of a judge URL, for a log scrubber: the password of
// scheme://user:password@host (as written and percent-decoded) and the variables every
// key_env=NAME names. Read the way ParseJudgeUrl reads the URL, but from any text, so that a
// URL the parser refuses still has its secrets found.
struct UrlSecrets {
  std::vector<std::string> passwords;
  std::vector<std::string> key_variables;
};
UrlSecrets SecretsOf(std::string_view url);

// The configuration without secrets, for logs and details: "openai http://host/v1 model m".
std::string Describe(const ProviderConfig& config);

struct JudgeRequest {
  std::string system;  // may be empty
  std::string user;
  std::optional<Json> schema;  // the verdict schema, for structured output
  std::string schema_name = "verdict";
  double temperature = 0;
  int max_tokens = 1024;
};

// The HTTP request, not yet signed (see Prepare).
Result<HttpRequest> BuildRequest(const ProviderConfig& config, const JudgeRequest& request);

// What to run before every attempt: SigV4 signing with the time of the attempt for Bedrock
// with AWS credentials, nothing otherwise. The hook owns copies of what it needs.
std::function<Status(HttpRequest&)> Prepare(const ProviderConfig& config);

struct JudgeReply {
  std::string text;  // the assistant's text: the verdict
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::string stop_reason;
};

// Reads a 2xx reply body; an error (ErrorKind::kJudgeUnavailable) names what is missing.
Result<JudgeReply> ParseReply(ProviderKind kind, std::string_view body);

}  // namespace gavel::judge
