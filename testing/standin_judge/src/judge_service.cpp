#include "judge_service.h"

#include <algorithm>
#include <cstdio>
#include <exception>

#include "directives.h"
#include "gavel/schema/schema.h"
#include "gavel/text_codec.h"
#include "sigv4_check.h"

namespace gavel::standin::internal {
namespace {

constexpr std::size_t kMaxJsonDepth = 128;
constexpr std::size_t kMaxCachedValidators = 256;
constexpr std::size_t kRetriesForValidVerdict = 8;
constexpr std::string_view kProse =
    "After reading the answer carefully, the stand-in judge gives this verdict:\n";
constexpr std::string_view kMalformed =
    "The stand-in judge has no verdict in JSON this time: this text is malformed on purpose.";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

std::string Hex16(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// nlohmann recurses on nesting when it parses, compares and destroys values: bound it first.
bool DepthWithin(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return true;
}

std::optional<Json> ParseBody(const std::string& body) {
  if (!DepthWithin(body, kMaxJsonDepth)) return std::nullopt;
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

// "/model/{id}/converse", possibly behind a prefix; the id is percent-decoded.
std::optional<std::string> BedrockModelId(const std::string& path) {
  constexpr std::string_view kSuffix = "/converse";
  constexpr std::string_view kModel = "/model/";
  if (!EndsWith(path, kSuffix)) return std::nullopt;
  const std::string_view rest = std::string_view(path).substr(0, path.size() - kSuffix.size());
  const std::size_t pos = rest.rfind(kModel);
  if (pos == std::string_view::npos) return std::nullopt;
  const std::string_view encoded = rest.substr(pos + kModel.size());
  if (encoded.empty() || encoded.find('/') != std::string_view::npos) return std::nullopt;
  Result<std::string> id = PercentDecodeStrict(encoded);
  if (!id || id->empty()) return std::nullopt;
  return std::move(*id);
}

std::string_view BedrockErrorType(int status) {
  switch (status) {
    case 400:
      return "ValidationException";
    case 401:
    case 403:
      return "AccessDeniedException";
    case 404:
      return "ResourceNotFoundException";
    case 408:
      return "ModelTimeoutException";
    case 424:
      return "ModelErrorException";
    case 429:
      return "ThrottlingException";
    case 503:
      return "ServiceUnavailableException";
    default:
      return status >= 500 ? "InternalServerException" : "ValidationException";
  }
}

Json OpenAIErrorBody(int status, const std::string& message) {
  std::string type = status >= 500 ? "server_error" : "invalid_request_error";
  Json code = nullptr;
  switch (status) {
    case 401:
      code = "invalid_api_key";
      break;
    case 403:
      type = "permission_error";
      break;
    case 404:
      code = "unknown_url";
      break;
    case 429:
      type = "requests";
      code = "rate_limit_exceeded";
      break;
    case 503:
      code = "service_unavailable";
      break;
    default:
      break;
  }
  return Json{
      {"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}}}};
}

std::size_t Tokens(std::size_t chars) { return std::max<std::size_t>(1, (chars + 3) / 4); }

// The verdict text cut in the middle; never valid JSON.
std::string Truncate(const std::string& text) {
  std::string cut = text.substr(0, text.size() / 2);
  const bool still_json =
      cut.empty() || !Json::parse(cut, nullptr, /*allow_exceptions=*/false).is_discarded();
  if (still_json) cut = "{\"verdict\": " + cut;
  return cut;
}

bool IsInteger(const Json& j) { return j.is_number_integer() || j.is_number_unsigned(); }

}  // namespace

struct JudgeService::JudgeRequest {
  Protocol protocol = Protocol::kOpenAI;
  std::string model;
  std::string text;  // every message's text, for directives
  std::uint64_t messages_hash = kFnvOffset;
  std::size_t prompt_chars = 0;
  std::optional<Json> schema;  // the requested verdict schema, if any

  void AddMessage(std::string_view role, std::string_view content) {
    messages_hash = Fnv1a(role, messages_hash);
    messages_hash = Fnv1a("\x1f", messages_hash);
    if (content.find(kDirectiveOpen) == std::string_view::npos) {
      messages_hash = Fnv1a(content, messages_hash);
    } else {
      messages_hash = Fnv1a(StripDirectives(content), messages_hash);
    }
    messages_hash = Fnv1a("\x1e", messages_hash);
    text += content;
    text += '\n';
    prompt_chars += content.size();
  }
};

// How the assistant text of a successful reply is to be shaped.
struct JudgeService::AnswerShape {
  std::optional<std::string> verdict;  // exact text from a directive
  bool malformed = false;
  bool off_schema = false;
  bool truncated = false;
  bool fenced = false;
  bool prose = false;
};

JudgeService::JudgeService(const Options& options, StatsBook& stats)
    : options_(options), stats_(stats), random_(options.faults.seed) {}

JudgeService::~JudgeService() = default;

Reply JudgeService::Handle(const HttpRequest& request) {
  const HttpHead& head = request.head;
  if (head.path == "/health" || head.path == "/stats") {
    Reply reply;
    reply.counted = false;
    reply.response.headers = {{"Content-Type", "application/json"}};
    if (head.method != "GET" && head.method != "HEAD") {
      reply.response.status = 405;
      reply.response.headers.emplace_back("Allow", "GET, HEAD");
      reply.response.body = Dump(OpenAIErrorBody(405, "use GET on " + head.path));
    } else if (head.path == "/health") {
      reply.response.body = R"({"status":"ok","server":"gavel-standin-judge"})";
    } else {
      reply.response.body = stats_.Snapshot().ToJson();
    }
    if (head.method == "HEAD") reply.response.body.clear();
    return reply;
  }

  stats_.Update([](Stats& s) { ++s.requests; });
  try {
    if (EndsWith(head.path, "/chat/completions")) {
      stats_.Update([](Stats& s) { ++s.openai; });
      if (head.method != "POST") {
        Reply reply = Error(Protocol::kOpenAI, 405, "use POST on " + head.path);
        reply.response.headers.emplace_back("Allow", "POST");
        return reply;
      }
      return HandleOpenAI(request);
    }
    if (const std::optional<std::string> model = BedrockModelId(head.path)) {
      stats_.Update([](Stats& s) { ++s.bedrock; });
      if (head.method != "POST") {
        Reply reply = Error(Protocol::kBedrock, 405, "use POST on " + head.path);
        reply.response.headers.emplace_back("Allow", "POST");
        return reply;
      }
      return HandleBedrock(request, *model);
    }
    return Error(Protocol::kOpenAI, 404,
                 "the stand-in judge serves POST .../chat/completions, POST "
                 "/model/{modelId}/converse, GET /stats and GET /health");
  } catch (const std::exception& e) {
    return Error(Protocol::kOpenAI, 500, std::string("stand-in judge internal error: ") + e.what());
  }
}

Reply JudgeService::HandleOpenAI(const HttpRequest& request) {
  if (!options_.api_key.empty()) {
    const std::string* auth = request.head.Find("authorization");
    const bool ok = auth != nullptr && StartsWithIgnoreCase(*auth, "Bearer ") &&
                    std::string_view(*auth).substr(7) == options_.api_key;
    if (!ok) {
      stats_.Update([](Stats& s) { ++s.auth_failures; });
      return Error(Protocol::kOpenAI, 401,
                   auth == nullptr ? "You didn't provide an API key. Send 'Authorization: Bearer "
                                     "<key>'."
                                   : "Incorrect API key provided.");
    }
  }
  const auto bad = [this](std::string message) {
    return Error(Protocol::kOpenAI, 400, std::move(message));
  };
  const std::optional<Json> body = ParseBody(request.body);
  if (!body) return bad("We could not parse the JSON body of your request (expected an object).");
  const Json& j = *body;

  JudgeRequest judge;
  judge.protocol = Protocol::kOpenAI;
  const auto model = j.find("model");
  if (model == j.end() || !model->is_string() || model->get<std::string>().empty()) {
    return bad("You must provide a model parameter.");
  }
  judge.model = model->get<std::string>();

  const auto messages = j.find("messages");
  if (messages == j.end() || !messages->is_array() || messages->empty()) {
    return bad("'messages' must be a non-empty array.");
  }
  for (std::size_t i = 0; i < messages->size(); ++i) {
    const Json& m = (*messages)[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string()) {
      return bad(where + " must be an object with a string 'role'.");
    }
    const std::string role = m["role"].get<std::string>();
    const auto content = m.find("content");
    if (content == m.end() || content->is_null()) {
      judge.AddMessage(role, "");
    } else if (content->is_string()) {
      judge.AddMessage(role, content->get_ref<const std::string&>());
    } else if (content->is_array()) {
      std::string joined;
      for (const Json& part : *content) {
        if (!part.is_object() || !part.contains("type") || !part["type"].is_string()) {
          return bad(where + ".content parts must be objects with a string 'type'.");
        }
        if (part["type"] == "text") {
          if (!part.contains("text") || !part["text"].is_string()) {
            return bad(where + ".content text parts need a string 'text'.");
          }
          if (!joined.empty()) joined += '\n';
          joined += part["text"].get<std::string>();
        }
      }
      judge.AddMessage(role, joined);
    } else {
      return bad(where + ".content must be a string, an array of parts or null.");
    }
  }

  if (const auto t = j.find("temperature"); t != j.end()) {
    if (!t->is_number() || t->get<double>() < 0 || t->get<double>() > 2) {
      return bad("'temperature' must be a number from 0 to 2.");
    }
  }
  for (const char* key : {"max_tokens", "max_completion_tokens"}) {
    if (const auto t = j.find(key); t != j.end() && !t->is_null()) {
      if (!IsInteger(*t) || t->get<std::int64_t>() < 1) {
        return bad(std::string("'") + key + "' must be a positive integer.");
      }
    }
  }
  if (const auto t = j.find("seed"); t != j.end() && !t->is_null() && !IsInteger(*t)) {
    return bad("'seed' must be an integer.");
  }
  if (const auto rf = j.find("response_format"); rf != j.end() && !rf->is_null()) {
    if (!rf->is_object() || !rf->contains("type") || !(*rf)["type"].is_string()) {
      return bad("'response_format' must be an object with a string 'type'.");
    }
    const std::string type = (*rf)["type"].get<std::string>();
    if (type == "json_schema") {
      const auto js = rf->find("json_schema");
      if (js == rf->end() || !js->is_object()) {
        return bad("Missing required parameter: 'response_format.json_schema'.");
      }
      if (!js->contains("name") || !(*js)["name"].is_string()) {
        return bad("Missing required parameter: 'response_format.json_schema.name'.");
      }
      if (const auto strict = js->find("strict");
          strict != js->end() && !strict->is_boolean() && !strict->is_null()) {
        return bad("'response_format.json_schema.strict' must be a boolean.");
      }
      const auto schema = js->find("schema");
      if (schema != js->end()) {
        if (!schema->is_object() && !schema->is_boolean()) {
          return bad("'response_format.json_schema.schema' must be a JSON schema object.");
        }
        judge.schema = *schema;
      }
    } else if (type != "text" && type != "json_object") {
      return bad("'response_format.type' must be 'text', 'json_object' or 'json_schema'.");
    }
  }
  return Judge(request, std::move(judge));
}

Reply JudgeService::HandleBedrock(const HttpRequest& request, const std::string& model_id) {
  if (options_.aws || !options_.bedrock_api_key.empty()) {
    const std::string* auth = request.head.Find("authorization");
    std::string denied;
    if (auth != nullptr && StartsWithIgnoreCase(*auth, "Bearer ") &&
        !options_.bedrock_api_key.empty()) {
      if (std::string_view(*auth).substr(7) != options_.bedrock_api_key) {
        denied = "Authentication failed: the API key is not valid.";
      }
    } else if (options_.aws) {
      const SigV4Verdict v =
          VerifySigV4(request, *options_.aws, options_.region, std::chrono::system_clock::now());
      if (!v.ok) denied = v.reason;
    } else {
      denied = "Authentication failed: send 'Authorization: Bearer <API key>'.";
    }
    if (!denied.empty()) {
      stats_.Update([](Stats& s) { ++s.auth_failures; });
      return Error(Protocol::kBedrock, 403, denied);
    }
  }

  const auto bad = [this](std::string message) {
    return Error(Protocol::kBedrock, 400, "Malformed input request: " + std::move(message));
  };
  const std::optional<Json> body = ParseBody(request.body);
  if (!body) return bad("the body is not a JSON object.");
  const Json& j = *body;

  JudgeRequest judge;
  judge.protocol = Protocol::kBedrock;
  judge.model = model_id;

  // Text blocks of a content list; other blocks (images, documents, ...) count only by type.
  const auto texts = [](const Json& blocks, std::string& out) -> bool {
    for (const Json& block : blocks) {
      if (!block.is_object() || block.empty()) return false;
      if (const auto t = block.find("text"); t != block.end()) {
        if (!t->is_string()) return false;
        if (!out.empty()) out += '\n';
        out += t->get<std::string>();
      }
    }
    return true;
  };

  if (const auto system = j.find("system"); system != j.end()) {
    std::string text;
    if (!system->is_array() || !texts(*system, text)) {
      return bad("'system' must be an array of content blocks such as {\"text\": \"...\"}.");
    }
    judge.AddMessage("system", text);
  }
  const auto messages = j.find("messages");
  if (messages == j.end() || !messages->is_array() || messages->empty()) {
    return bad("'messages' must be a non-empty array.");
  }
  for (std::size_t i = 0; i < messages->size(); ++i) {
    const Json& m = (*messages)[i];
    const std::string where = "messages." + std::to_string(i + 1);
    if (!m.is_object() || !m.contains("role") ||
        (m["role"] != "user" && m["role"] != "assistant")) {
      return bad(where + ".role must be 'user' or 'assistant'.");
    }
    const auto content = m.find("content");
    std::string text;
    if (content == m.end() || !content->is_array() || content->empty() || !texts(*content, text)) {
      return bad(where + ".content must be a non-empty array of content blocks.");
    }
    judge.AddMessage(m["role"].get<std::string>(), text);
  }

  if (const auto ic = j.find("inferenceConfig"); ic != j.end()) {
    if (!ic->is_object()) return bad("'inferenceConfig' must be an object.");
    if (const auto t = ic->find("maxTokens"); t != ic->end()) {
      if (!IsInteger(*t) || t->get<std::int64_t>() < 1) {
        return bad("inferenceConfig.maxTokens must be an integer of at least 1.");
      }
    }
    for (const char* key : {"temperature", "topP"}) {
      if (const auto t = ic->find(key); t != ic->end()) {
        if (!t->is_number() || t->get<double>() < 0 || t->get<double>() > 1) {
          return bad(std::string("inferenceConfig.") + key + " must be a number from 0 to 1.");
        }
      }
    }
  }
  if (const auto oc = j.find("outputConfig"); oc != j.end()) {
    const auto tf = oc->is_object() ? oc->find("textFormat") : oc->end();
    if (!oc->is_object() || tf == oc->end() || !tf->is_object()) {
      return bad("'outputConfig' must be an object with a 'textFormat' object.");
    }
    if (tf->value("type", Json()) != "json_schema") {
      return bad("outputConfig.textFormat.type must be 'json_schema'.");
    }
    const Json* schema_text = nullptr;
    if (const auto st = tf->find("structure"); st != tf->end() && st->is_object()) {
      if (const auto js = st->find("jsonSchema"); js != st->end() && js->is_object()) {
        if (const auto s = js->find("schema"); s != js->end()) schema_text = &*s;
        for (const char* key : {"name", "description"}) {
          if (js->contains(key) && !(*js)[key].is_string()) {
            return bad(std::string("outputConfig.textFormat.structure.jsonSchema.") + key +
                       " must be a string.");
          }
        }
      }
    }
    if (schema_text == nullptr || !schema_text->is_string()) {
      return bad(
          "outputConfig.textFormat.structure.jsonSchema.schema must be the schema as a "
          "JSON string.");
    }
    const std::string& text = schema_text->get_ref<const std::string&>();
    Json schema = DepthWithin(text, kMaxJsonDepth)
                      ? Json::parse(text, nullptr, /*allow_exceptions=*/false)
                      : Json(Json::value_t::discarded);
    if (schema.is_discarded() || (!schema.is_object() && !schema.is_boolean())) {
      return bad("outputConfig.textFormat.structure.jsonSchema.schema is not a JSON schema.");
    }
    judge.schema = std::move(schema);
  }
  return Judge(request, std::move(judge));
}

Reply JudgeService::Judge(const HttpRequest& request, JudgeRequest judge) {
  Result<Directives> parsed = ParseDirectives(judge.text);
  if (!parsed) return Error(judge.protocol, 400, parsed.error().message());
  const Directives& d = *parsed;

  // Both draws happen for every request, so that the faults seen by request N depend only on
  // the seed and N.
  const std::chrono::milliseconds drawn_latency = DrawLatency();
  const double fault_draw = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  const double noise_draw = options_.faults.noise > 0 ? std::uniform_real_distribution<double>(0.0, 1.0)(random_) : 1.0;
  const std::chrono::milliseconds delay =
      d.latency_ms ? std::chrono::milliseconds(*d.latency_ms) : drawn_latency;
  const auto delayed = [&](Reply reply) {
    reply.delay = delay;
    return reply;
  };
  if (d.any) stats_.Update([](Stats& s) { ++s.directive_requests; });

  if (d.fail) {
    int& failed = failures_by_body_[Fnv1a(request.body)];
    if (failed < *d.fail) {
      ++failed;
      return delayed(Error(judge.protocol, *d.status,
                           "stand-in judge: failure " + std::to_string(failed) + " of " +
                               std::to_string(*d.fail) + " asked for by a directive",
                           d.retry_after));
    }
  } else if (d.status) {
    return delayed(
        Error(judge.protocol, *d.status,
              "stand-in judge: status " + std::to_string(*d.status) + " asked for by a directive",
              d.retry_after));
  }
  if (d.hang) {
    stats_.Update([](Stats& s) { ++s.hangs; });
    Reply reply;
    reply.kind = Reply::Kind::kHang;
    return reply;
  }
  if (d.stream_forever || d.huge) {
    Reply reply;
    reply.response.headers = {{"Content-Type", "application/json"}};
    if (d.stream_forever) {
      stats_.Update([](Stats& s) { ++s.streams; });
      reply.kind = Reply::Kind::kStream;
      reply.response.headers.emplace_back("Transfer-Encoding", "chunked");
    } else {
      reply.kind = Reply::Kind::kHuge;
      reply.huge_bytes = *d.huge;
      reply.response.headers.emplace_back("Content-Length", std::to_string(*d.huge));
      reply.close = true;
    }
    return delayed(std::move(reply));
  }

  AnswerShape shape;
  shape.verdict = d.verdict;
  shape.malformed = d.malformed;
  shape.off_schema = d.off_schema;
  shape.truncated = d.truncated;
  shape.fenced = d.fenced;
  shape.prose = d.prose;
  if (!d.any) {
    const Faults& f = options_.faults;
    double edge = f.rate_429;
    int fault = 0;
    for (const double rate : {f.rate_503, f.rate_hang, f.rate_malformed, f.rate_off_schema, 0.0}) {
      if (fault_draw < edge) break;
      edge += rate;
      ++fault;
    }
    if (fault < 5) stats_.Update([](Stats& s) { ++s.random_faults; });
    switch (fault) {
      case 0:
        return delayed(Error(judge.protocol, 429, "stand-in judge: random throttling"));
      case 1:
        return delayed(Error(judge.protocol, 503, "stand-in judge: random unavailability"));
      case 2: {
        stats_.Update([](Stats& s) { ++s.hangs; });
        Reply reply;
        reply.kind = Reply::Kind::kHang;
        return reply;
      }
      case 3:
        shape.malformed = true;
        break;
      case 4:
        shape.off_schema = true;
        break;
      default:
        break;
    }
    if (noise_draw < f.noise) judge.messages_hash = Mix(judge.messages_hash, Mix(f.seed, sequence_ + 1));
  }

  judge.text.clear();  // read for directives; the answer needs only the hash
  judge.text.shrink_to_fit();
  Reply reply;
  reply.build = [this, judge = std::move(judge), shape = std::move(shape), delay] {
    try {
      return Answer(judge, shape, delay);
    } catch (const std::exception& e) {
      return Error(judge.protocol, 500, std::string("stand-in judge internal error: ") + e.what())
          .response;
    }
  };
  return delayed(std::move(reply));
}

HttpResponse JudgeService::Answer(const JudgeRequest& judge, const AnswerShape& shape,
                                  std::chrono::milliseconds delay) {
  std::string text = shape.verdict ? *shape.verdict : VerdictText(judge, shape.off_schema);
  if (shape.malformed) text = kMalformed;
  if (shape.truncated) text = Truncate(text);
  if (shape.fenced) text = "```json\n" + text + "\n```";
  if (shape.prose) text = std::string(kProse) + text;

  const std::size_t prompt_tokens = Tokens(judge.prompt_chars);
  const std::size_t completion_tokens = Tokens(text.size());
  const std::uint64_t id = Mix(judge.messages_hash, ++sequence_);
  HttpResponse response;
  response.headers = {{"Content-Type", "application/json"}};
  Json out;
  if (judge.protocol == Protocol::kOpenAI) {
    const auto created = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    out = {{"id", "chatcmpl-standin-" + Hex16(id)},
           {"object", "chat.completion"},
           {"created", created},
           {"model", judge.model},
           {"choices",
            Json::array(
                {{{"index", 0},
                  {"message", {{"role", "assistant"}, {"content", text}, {"refusal", nullptr}}},
                  {"logprobs", nullptr},
                  {"finish_reason", "stop"}}})},
           {"usage",
            {{"prompt_tokens", prompt_tokens},
             {"completion_tokens", completion_tokens},
             {"total_tokens", prompt_tokens + completion_tokens}}},
           {"system_fingerprint", "fp_standin"}};
    response.headers.emplace_back("x-request-id", "req_standin_" + Hex16(id));
  } else {
    out = {{"output",
            {{"message", {{"role", "assistant"}, {"content", Json::array({{{"text", text}}})}}}}},
           {"stopReason", "end_turn"},
           {"usage",
            {{"inputTokens", prompt_tokens},
             {"outputTokens", completion_tokens},
             {"totalTokens", prompt_tokens + completion_tokens}}},
           {"metrics", {{"latencyMs", delay.count()}}}};
    response.headers.emplace_back("x-amzn-RequestId", Hex16(id));
  }
  response.body = Dump(out);
  return response;
}

std::string JudgeService::VerdictText(const JudgeRequest& judge, bool off_schema) {
  const Json& schema = judge.schema ? *judge.schema : DefaultVerdictSchema();
  const std::uint64_t seed = judge.messages_hash;
  const gavel::schema::Schema* validator = Validator(schema);
  Json verdict = GenerateVerdict(schema, seed);
  // The generator does not know every keyword (pattern, not, if/then/else): try other seeds.
  for (std::size_t attempt = 1;
       validator != nullptr && attempt <= kRetriesForValidVerdict && !validator->IsValid(verdict);
       ++attempt) {
    Json other = GenerateVerdict(schema, Mix(seed, attempt));
    if (validator->IsValid(other)) verdict = std::move(other);
  }
  if (off_schema) {
    std::vector<Json> candidates = OffSchemaCandidates(schema, verdict, seed);
    Json chosen = candidates.front();
    if (validator != nullptr) {
      for (Json& c : candidates) {
        if (!validator->IsValid(c)) {
          chosen = std::move(c);
          break;
        }
      }
    }
    verdict = std::move(chosen);
  }
  return Dump(verdict);
}

const gavel::schema::Schema* JudgeService::Validator(const Json& schema) {
  // Dumping the default schema for every request would be wasted work; no dump reads "default".
  std::string key = &schema == &DefaultVerdictSchema() ? std::string("default") : Dump(schema);
  if (const auto it = validators_.find(key); it != validators_.end()) return it->second.get();
  if (validators_.size() >= kMaxCachedValidators) validators_.clear();
  std::shared_ptr<const gavel::schema::Schema> compiled;
  // A schema the validator cannot compile still gets a generated verdict, unchecked.
  if (auto loaded = gavel::schema::Schema::FromJson(schema, "the request's verdict schema")) {
    compiled = std::move(*loaded);
  }
  return validators_.emplace(std::move(key), std::move(compiled)).first->second.get();
}

Reply JudgeService::Error(Protocol protocol, int status, std::string message,
                          std::optional<int> retry_after) {
  Reply reply;
  reply.response.status = status;
  reply.response.headers = {{"Content-Type", "application/json"}};
  if (status == 429 && !retry_after) retry_after = options_.faults.retry_after_s;
  if (retry_after) reply.response.headers.emplace_back("Retry-After", std::to_string(*retry_after));
  if (protocol == Protocol::kOpenAI) {
    reply.response.body = Dump(OpenAIErrorBody(status, message));
  } else {
    reply.response.headers.emplace_back("x-amzn-ErrorType", std::string(BedrockErrorType(status)));
    reply.response.headers.emplace_back("x-amzn-RequestId", Hex16(Mix(++sequence_, status)));
    reply.response.body = Dump(Json{{"message", message}});
  }
  return reply;
}

std::chrono::milliseconds JudgeService::DrawLatency() {
  const auto jitter = options_.jitter.count();
  const auto extra =
      std::uniform_int_distribution<std::int64_t>(0, std::max<std::int64_t>(0, jitter))(random_);
  return options_.latency + std::chrono::milliseconds(jitter > 0 ? extra : 0);
}

std::string JudgeService::HugeBodyPiece(std::uint64_t size, std::uint64_t offset, std::size_t max) {
  constexpr std::string_view kPrefix = "{\"padding\":\"";
  constexpr std::string_view kSuffix = "\"}";
  const std::uint64_t end = std::min<std::uint64_t>(size, offset + max);
  if (offset >= end) return {};
  std::string out(static_cast<std::size_t>(end - offset), 'x');
  if (size < kPrefix.size() + kSuffix.size()) return out;
  for (std::uint64_t i = offset; i < std::min<std::uint64_t>(end, kPrefix.size()); ++i) {
    out[static_cast<std::size_t>(i - offset)] = kPrefix[static_cast<std::size_t>(i)];
  }
  const std::uint64_t suffix_start = size - kSuffix.size();
  for (std::uint64_t i = std::max(offset, suffix_start); i < end; ++i) {
    out[static_cast<std::size_t>(i - offset)] = kSuffix[static_cast<std::size_t>(i - suffix_start)];
  }
  return out;
}

std::string JudgeService::StreamChunk(std::uint64_t sequence) {
  const std::string data =
      "data: {\"standin\":\"stream chunk " + std::to_string(sequence) + "\"}\n\n";
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

}  // namespace gavel::standin::internal

namespace gavel::standin {

std::string Stats::ToJson() const {
  nlohmann::json statuses = nlohmann::json::object();
  for (const auto& [status, count] : by_status) statuses[std::to_string(status)] = count;
  return nlohmann::json{{"requests", requests},
                        {"by_status", statuses},
                        {"openai", openai},
                        {"bedrock", bedrock},
                        {"hangs", hangs},
                        {"streams", streams},
                        {"directive_requests", directive_requests},
                        {"random_faults", random_faults},
                        {"auth_failures", auth_failures},
                        {"in_flight", in_flight},
                        {"peak_in_flight", peak_in_flight},
                        {"connections_accepted", connections_accepted},
                        {"connections_open", connections_open},
                        {"peak_connections", peak_connections},
                        {"connections_refused", connections_refused}}
      .dump();
}

}  // namespace gavel::standin
