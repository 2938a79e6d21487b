#include "gavel/lambda/config.h"

#include "gavel/judge/provider.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>


namespace gavel::lambda {
namespace {

Error Bad(std::string message) { return Error(ErrorKind::kUsage, std::move(message)); }

std::optional<std::string> ProcessEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

// A set, non-empty value; an empty variable counts as unset (as Lambda's console leaves them).
std::optional<std::string> Get(const EnvLookup& lookup, const char* name) {
  std::optional<std::string> value = lookup(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

// A whole number in [min, max]; the message names the variable, never quotes odd bytes.
Result<std::uint64_t> Number(const std::string& text, const char* name, std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < min || value > max) {
    return Bad(std::string(name) + " must be a whole number from " + std::to_string(min) + " to " +
               std::to_string(max));
  }
  return value;
}

// A handler names a rubric file under rubrics/: letters, digits, '_', '-' and '.', not
// starting with '.', so it cannot climb out of the folder. A trailing ".lua" is allowed.
bool IsRubricName(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

}  // namespace

Result<LambdaConfig> ConfigFromEnvironment(const EnvLookup& lookup) {
  LambdaConfig config;
  if (auto rubric = Get(lookup, "GAVEL_RUBRIC")) {
    config.rubric = *rubric;
  } else if (auto handler = Get(lookup, "_HANDLER")) {
    std::string name = *handler;
    if (!IsRubricName(name)) {
      return Bad("the handler must be a rubric name (letters, digits, '_', '-', '.'), such as "
                 "contract_review for rubrics/contract_review.lua");
    }
    if (name.size() < 4 || name.compare(name.size() - 4, 4, ".lua") != 0) name += ".lua";
    auto root = Get(lookup, "LAMBDA_TASK_ROOT");
    if (!root) return Bad("LAMBDA_TASK_ROOT is not set, so the handler's rubric cannot be found");
    config.rubric = std::filesystem::path(*root) / "rubrics" / name;
  } else {
    return Bad("no rubric: set the function's handler to a rubric name (contract_review for "
               "rubrics/contract_review.lua) or GAVEL_RUBRIC to a rubric file");
  }
  if (auto v = Get(lookup, "GAVEL_THREADS")) {
    auto n = Number(*v, "GAVEL_THREADS", 1, 1024);
    if (!n) return n.error();
    config.threads = static_cast<unsigned>(*n);
  }
  if (auto v = Get(lookup, "GAVEL_WINDOW")) {
    auto n = Number(*v, "GAVEL_WINDOW", 1, 1u << 20);
    if (!n) return n.error();
    config.window = static_cast<std::size_t>(*n);
  }
  if (auto v = Get(lookup, "GAVEL_DEADLINE_MARGIN_MS")) {
    auto n = Number(*v, "GAVEL_DEADLINE_MARGIN_MS", 0, 900'000);
    if (!n) return n.error();
    config.deadline_margin = std::chrono::milliseconds(*n);
  }
  if (auto v = Get(lookup, "GAVEL_MAX_RESPONSE_BYTES")) {
    // At least room for "[]"; never above Lambda's own limit.
    auto n = Number(*v, "GAVEL_MAX_RESPONSE_BYTES", 2, kLambdaMaxResponseBytes);
    if (!n) return n.error();
    config.max_response_bytes = static_cast<std::size_t>(*n);
  }
  if (auto v = Get(lookup, "GAVEL_DETAILS")) {
    if (*v != "0" && *v != "1") return Bad("GAVEL_DETAILS must be 0 or 1");
    config.details = *v == "1";
  }
  Result<judge::Options> judge = judge::OptionsFromVariables(lookup);
  if (!judge) return judge.error();
  config.judge = std::move(*judge);
  return config;
}

Result<LambdaConfig> ConfigFromEnvironment() { return ConfigFromEnvironment(ProcessEnv); }

SecretScrubber SecretScrubber::FromEnvironment(const EnvLookup& lookup) {
  SecretScrubber scrubber;
  auto add = [&](const std::string& value) {
    // Very short values would blank out ordinary words; real secrets are longer.
    if (value.size() >= 6) scrubber.secrets_.push_back(value);
  };
  for (const char* name : {"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK",
                           "OPENAI_API_KEY"}) {
    if (auto v = lookup(name)) add(*v);
  }
  if (auto url = lookup("GAVEL_JUDGE_URL")) {
    const judge::UrlSecrets secrets = judge::SecretsOf(*url);
    for (const std::string& password : secrets.passwords) add(password);
    for (const std::string& name : secrets.key_variables) {
      if (auto v = lookup(name.c_str())) add(*v);
    }
  }
  std::sort(scrubber.secrets_.begin(), scrubber.secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return scrubber;
}

SecretScrubber SecretScrubber::FromEnvironment() { return FromEnvironment(ProcessEnv); }

std::string SecretScrubber::Scrub(std::string text) const {
  static constexpr std::string_view kRedacted = "[redacted]";
  for (const std::string& secret : secrets_) {
    for (std::size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
      text.replace(pos, secret.size(), kRedacted);
      pos += kRedacted.size();
    }
  }
  return text;
}

}  // namespace gavel::lambda
