#include "gavel/judge/provider.h"

#include <cstdlib>
#include <map>

#include "gavel/text_codec.h"

namespace gavel::judge {
namespace {

Error Bad(std::string message) { return Error(ErrorKind::kUsage, "judge URL: " + std::move(message)); }
Error Unusable(std::string message) { return Error(ErrorKind::kJudgeUnavailable, std::move(message)); }

std::string Env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value == nullptr ? std::string() : std::string(value);
}

// Percent-decoding of a query value or path part ('+' stays '+'); a malformed escape is an error.
Result<std::string> Decode(std::string_view text) {
  Result<std::string> decoded = PercentDecodeStrict(text);
  if (!decoded) return Bad(decoded.error().message());
  return decoded;
}

// Splits "a=1&b=2" into a map; a repeated or empty key is an error.
Result<std::map<std::string, std::string>> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    const std::size_t eq = part.find('=');
    if (eq == 0 || eq == std::string_view::npos) return Bad("'" + std::string(part) + "' is not key=value");
    auto value = Decode(part.substr(eq + 1));
    if (!value) return value.error();
    if (!out.emplace(std::string(part.substr(0, eq)), std::move(*value)).second) {
      return Bad("'" + std::string(part.substr(0, eq)) + "' is given twice");
    }
  }
  return out;
}

bool IsHttpUrl(std::string_view url) { return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0; }

}  // namespace

std::string_view ProviderKindName(ProviderKind kind) { return kind == ProviderKind::kOpenAI ? "openai" : "bedrock"; }

Result<ProviderConfig> ParseJudgeUrl(std::string_view url) {
  ProviderConfig config;
  std::string_view rest = url;
  if (rest.rfind("openai+", 0) == 0) {
    rest.remove_prefix(7);
  } else if (rest.rfind("bedrock+", 0) == 0) {
    config.kind = ProviderKind::kBedrock;
    rest.remove_prefix(8);
  } else if (rest.rfind("bedrock://", 0) == 0) {
    config.kind = ProviderKind::kBedrock;
    rest.remove_prefix(10);
    // bedrock://REGION/MODEL: the public endpoint of the region.
    const std::size_t slash = rest.find('/');
    if (slash == 0 || slash == std::string_view::npos) return Bad("expected bedrock://REGION/MODEL_ID");
    config.region = std::string(rest.substr(0, slash));
    config.endpoint = "https://bedrock-runtime." + config.region + ".amazonaws.com";
    rest.remove_prefix(slash + 1);
  } else if (!IsHttpUrl(rest)) {
    return Bad("'" + std::string(url.substr(0, 40)) +
               "' is not http(s)://..., openai+http(s)://..., bedrock+http(s)://... or bedrock://REGION/MODEL");
  }
  const std::size_t question = rest.find('?');
  auto query = ParseQuery(question == std::string_view::npos ? std::string_view() : rest.substr(question + 1));
  if (!query) return query.error();
  rest = rest.substr(0, question);
  auto take = [&](const char* key) {
    auto it = query->find(key);
    if (it == query->end()) return std::string();
    std::string v = it->second;
    query->erase(it);
    return v;
  };

  if (config.kind == ProviderKind::kOpenAI) {
    while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    config.endpoint = std::string(rest);
    config.model = take("model");
    if (config.model.empty()) return Bad("an OpenAI-compatible judge needs ?model=NAME");
    config.key_env = take("key_env");
    if (config.key_env.empty()) config.key_env = "OPENAI_API_KEY";
    config.api_key = Env(config.key_env);
  } else {
    if (config.endpoint.empty()) {
      // bedrock+http(s)://HOST[:PORT]/MODEL_ID: an explicit endpoint (tests, private links).
      if (!IsHttpUrl(rest)) return Bad("expected bedrock+http(s)://HOST/MODEL_ID");
      const std::size_t host_start = rest.find("://") + 3;
      const std::size_t slash = rest.find('/', host_start);
      if (slash == std::string_view::npos) return Bad("expected bedrock+http(s)://HOST/MODEL_ID");
      config.endpoint = std::string(rest.substr(0, slash));
      rest.remove_prefix(slash + 1);
      config.region = take("region");
      if (config.region.empty()) config.region = Env("AWS_REGION");
      if (config.region.empty()) config.region = Env("AWS_DEFAULT_REGION");
      if (config.region.empty()) return Bad("a Bedrock endpoint needs ?region=REGION or AWS_REGION");
    }
    auto model = Decode(rest);
    if (!model) return model.error();
    config.model = std::move(*model);
    if (config.model.empty()) return Bad("the Bedrock model id is missing");
    config.key_env = take("key_env");
    if (config.key_env.empty()) config.key_env = "AWS_BEARER_TOKEN_BEDROCK";
    config.api_key = Env(config.key_env);
    if (config.api_key.empty()) {
      config.aws = AwsCredentials::FromEnvironment();
      if (!config.aws) {
        return Bad("Bedrock needs credentials: " + config.key_env +
                   ", or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)");
      }
    }
  }
  if (!query->empty()) return Bad("unknown parameter '" + query->begin()->first + "'");
  return config;
}

UrlSecrets SecretsOf(std::string_view url) {
  UrlSecrets secrets;
  const std::size_t scheme = url.find("://");
  const std::size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const std::size_t at = url.find('@', start);
  const std::size_t slash = url.find('/', start);
  if (at != std::string_view::npos && (slash == std::string_view::npos || at < slash)) {
    const std::string_view userinfo = url.substr(start, at - start);
    if (const std::size_t colon = userinfo.find(':'); colon != std::string_view::npos) {
      const std::string_view password = userinfo.substr(colon + 1);
      secrets.passwords.emplace_back(password);
      // As a client sends it, and as a message might quote it.
      if (Result<std::string> decoded = Decode(password); decoded && *decoded != password) {
        secrets.passwords.push_back(std::move(*decoded));
      }
    }
  }
  for (std::size_t pos = url.find("key_env="); pos != std::string_view::npos; pos = url.find("key_env=", pos + 1)) {
    const std::size_t from = pos + 8;
    secrets.key_variables.emplace_back(url.substr(from, url.find('&', from) - from));
  }
  return secrets;
}

std::string Describe(const ProviderConfig& config) {
  std::string text(ProviderKindName(config.kind));
  text += " ";
  text += config.endpoint;
  text += " model ";
  text += config.model;
  if (config.kind == ProviderKind::kBedrock) {
    text += " region ";
    text += config.region;
    text += config.api_key.empty() ? " (SigV4)" : " (API key)";
  } else if (!config.api_key.empty()) {
    text += " (API key from ";
    text += config.key_env;
    text += ")";
  }
  return text;
}

Result<HttpRequest> BuildRequest(const ProviderConfig& config, const JudgeRequest& request) {
  HttpRequest http;
  http.method = "POST";
  http.headers.emplace_back("Content-Type", "application/json");
  http.headers.emplace_back("Accept", "application/json");
  Json body;
  if (config.kind == ProviderKind::kOpenAI) {
    http.url = config.endpoint + "/chat/completions";
    Json messages = Json::array();
    if (!request.system.empty()) messages.push_back({{"role", "system"}, {"content", request.system}});
    messages.push_back({{"role", "user"}, {"content", request.user}});
    body = {{"model", config.model},
            {"messages", std::move(messages)},
            {"temperature", request.temperature},
            {"max_tokens", request.max_tokens}};
    if (request.schema) {
      body["response_format"] = {
          {"type", "json_schema"},
          {"json_schema", {{"name", request.schema_name}, {"schema", *request.schema}, {"strict", true}}}};
    }
    if (!config.api_key.empty()) http.headers.emplace_back("Authorization", "Bearer " + config.api_key);
  } else {
    // The model id goes into the path percent-encoded (':' as %3A); SigV4 encodes it again.
    http.url = config.endpoint + "/model/" + UriEncode(config.model) + "/converse";
    body = {{"messages", Json::array({{{"role", "user"}, {"content", Json::array({{{"text", request.user}}})}}})},
            {"inferenceConfig", {{"maxTokens", request.max_tokens}, {"temperature", request.temperature}}}};
    if (!request.system.empty()) body["system"] = Json::array({{{"text", request.system}}});
    if (request.schema) {
      body["outputConfig"] = {
          {"textFormat",
           {{"type", "json_schema"},
            {"structure", {{"jsonSchema", {{"schema", request.schema->dump()}, {"name", request.schema_name}}}}}}}};
    }
    if (!config.api_key.empty()) http.headers.emplace_back("Authorization", "Bearer " + config.api_key);
  }
  http.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return http;
}

std::function<Status(HttpRequest&)> Prepare(const ProviderConfig& config) {
  if (config.kind != ProviderKind::kBedrock || !config.api_key.empty() || !config.aws) return {};
  const AwsCredentials credentials = *config.aws;
  const std::string region = config.region;
  return [credentials, region](HttpRequest& request) -> Status {
    // Split the URL into host, path and query for the signer.
    const std::size_t scheme = request.url.find("://");
    if (scheme == std::string::npos) return Error(ErrorKind::kUsage, "cannot sign a URL without a scheme");
    const std::size_t path_start = request.url.find('/', scheme + 3);
    const std::string host = request.url.substr(scheme + 3, path_start - (scheme + 3));
    std::string path = path_start == std::string::npos ? "/" : request.url.substr(path_start);
    std::string query;
    if (const std::size_t q = path.find('?'); q != std::string::npos) {
      query = path.substr(q + 1);
      path.resize(q);
    }
    HttpRequestToSign to_sign;
    to_sign.method = request.method;
    to_sign.path = path;
    to_sign.query = query;
    to_sign.headers = request.headers;
    to_sign.headers.emplace_back("Host", host);
    to_sign.body = request.body;
    SigV4Options options;
    options.region = region;
    options.service = "bedrock";
    auto signed_headers = SignRequest(to_sign, credentials, options, FormatAmzDate(std::chrono::system_clock::now()));
    if (!signed_headers) return signed_headers.error();
    for (const auto& [name, value] : signed_headers->headers) {
      if (name == "Host" || name == "host") continue;  // libcurl sends Host itself
      bool present = false;
      for (const auto& [have, ignored] : request.headers) present = present || have == name;
      if (!present) request.headers.emplace_back(name, value);
    }
    return Status::Ok();
  };
}

Result<JudgeReply> ParseReply(ProviderKind kind, std::string_view body) {
  Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Unusable("the judge's reply is not a JSON object");
  JudgeReply reply;
  auto integer = [](const Json& obj, const char* key) -> std::int64_t {
    auto it = obj.find(key);
    return it != obj.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
  };
  if (kind == ProviderKind::kOpenAI) {
    auto choices = doc.find("choices");
    if (choices == doc.end() || !choices->is_array() || choices->empty()) return Unusable("the judge's reply has no choices");
    const Json& first = (*choices)[0];
    if (!first.is_object() || !first.contains("message") || !first["message"].is_object()) {
      return Unusable("the judge's reply has no message");
    }
    const Json& message = first["message"];
    auto content = message.find("content");
    if (content == message.end() || !content->is_string()) {
      if (auto refusal = message.find("refusal"); refusal != message.end() && refusal->is_string()) {
        return Unusable("the judge refused: " + refusal->get<std::string>().substr(0, 200));
      }
      return Unusable("the judge's message has no text content");
    }
    reply.text = content->get<std::string>();
    if (auto fr = first.find("finish_reason"); fr != first.end() && fr->is_string()) reply.stop_reason = fr->get<std::string>();
    if (auto usage = doc.find("usage"); usage != doc.end() && usage->is_object()) {
      reply.input_tokens = integer(*usage, "prompt_tokens");
      reply.output_tokens = integer(*usage, "completion_tokens");
    }
  } else {
    const Json* content = nullptr;
    if (auto output = doc.find("output"); output != doc.end() && output->is_object()) {
      if (auto message = output->find("message"); message != output->end() && message->is_object()) {
        if (auto c = message->find("content"); c != message->end() && c->is_array()) content = &*c;
      }
    }
    if (content == nullptr) return Unusable("the judge's reply has no output.message.content");
    for (const Json& block : *content) {
      if (block.is_object() && block.contains("text") && block["text"].is_string()) reply.text += block["text"].get<std::string>();
    }
    if (reply.text.empty()) return Unusable("the judge's reply has no text block");
    if (auto sr = doc.find("stopReason"); sr != doc.end() && sr->is_string()) reply.stop_reason = sr->get<std::string>();
    if (auto usage = doc.find("usage"); usage != doc.end() && usage->is_object()) {
      reply.input_tokens = integer(*usage, "inputTokens");
      reply.output_tokens = integer(*usage, "outputTokens");
    }
  }
  return reply;
}

}  // namespace gavel::judge
