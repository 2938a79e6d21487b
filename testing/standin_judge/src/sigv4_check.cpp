#include "sigv4_check.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

namespace gavel::standin::internal {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kService = "bedrock";
constexpr auto kMaxSkew = std::chrono::minutes(5);
constexpr std::string_view kMismatch =
    "The request signature we calculated does not match the signature you provided.";

SigV4Verdict Deny(std::string reason) { return {false, std::move(reason)}; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

struct AuthorizationFields {
  std::string_view credential, signed_headers, signature;
};

std::optional<AuthorizationFields> ParseAuthorization(std::string_view value) {
  if (value.substr(0, kAlgorithm.size()) != kAlgorithm || value.size() == kAlgorithm.size() ||
      value[kAlgorithm.size()] != ' ') {
    return std::nullopt;
  }
  AuthorizationFields out;
  for (const std::string_view part : Split(value.substr(kAlgorithm.size() + 1), ',')) {
    const std::string_view field = Trim(part);
    const std::size_t eq = field.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view key = field.substr(0, eq);
    const std::string_view v = field.substr(eq + 1);
    if (key == "Credential")
      out.credential = v;
    else if (key == "SignedHeaders")
      out.signed_headers = v;
    else if (key == "Signature")
      out.signature = v;
    else
      return std::nullopt;
  }
  if (out.credential.empty() || out.signed_headers.empty() || out.signature.empty()) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::chrono::system_clock::time_point> ParseAmzDate(std::string_view d) {
  if (d.size() != 16 || d[8] != 'T' || d[15] != 'Z') return std::nullopt;
  int v[6] = {};
  const std::size_t starts[6] = {0, 4, 6, 9, 11, 13};
  const std::size_t widths[6] = {4, 2, 2, 2, 2, 2};
  for (int i = 0; i < 6; ++i) {
    for (std::size_t j = 0; j < widths[i]; ++j) {
      const char c = d[starts[i] + j];
      if (c < '0' || c > '9') return std::nullopt;
      v[i] = v[i] * 10 + (c - '0');
    }
  }
  const std::chrono::year_month_day ymd{std::chrono::year(v[0]),
                                        std::chrono::month(static_cast<unsigned>(v[1])),
                                        std::chrono::day(static_cast<unsigned>(v[2]))};
  if (!ymd.ok() || v[3] > 23 || v[4] > 59 || v[5] > 60) return std::nullopt;
  return std::chrono::sys_days(ymd) + std::chrono::hours(v[3]) + std::chrono::minutes(v[4]) +
         std::chrono::seconds(v[5]);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

}  // namespace

SigV4Verdict VerifySigV4(const HttpRequest& request,
                         const gavel::judge::AwsCredentials& credentials, const std::string& region,
                         std::chrono::system_clock::time_point now) {
  const HttpHead& head = request.head;
  const std::string* authorization = head.Find("authorization");
  if (authorization == nullptr) {
    return Deny("Missing Authentication Token: the request has no Authorization header.");
  }
  const std::optional<AuthorizationFields> auth = ParseAuthorization(*authorization);
  if (!auth) {
    return Deny(
        "The Authorization header is not 'AWS4-HMAC-SHA256 Credential=..., "
        "SignedHeaders=..., Signature=...'.");
  }

  const std::vector<std::string_view> scope = Split(auth->credential, '/');
  if (scope.size() != 5 || scope[4] != "aws4_request") {
    return Deny("The credential scope is not <key id>/<date>/<region>/<service>/aws4_request.");
  }
  if (scope[0] != credentials.access_key_id) {
    return Deny("The security token included in the request is invalid (unknown access key id).");
  }
  if (scope[2] != region) {
    return Deny("Credential should be scoped to a valid region: expected '" + region + "'.");
  }
  if (scope[3] != kService) {
    return Deny("Credential should be scoped to correct service: 'bedrock'.");
  }

  const std::string* amz_date = head.Find("x-amz-date");
  if (amz_date == nullptr) return Deny("The request has no X-Amz-Date header.");
  const auto signed_at = ParseAmzDate(*amz_date);
  if (!signed_at) return Deny("X-Amz-Date is not of the form YYYYMMDDTHHMMSSZ.");
  if (amz_date->substr(0, 8) != scope[1]) {
    return Deny("The credential date does not match the date in X-Amz-Date.");
  }
  if (*signed_at > now + kMaxSkew || *signed_at < now - kMaxSkew) {
    return Deny("Signature expired: X-Amz-Date is more than 5 minutes from the server's time.");
  }

  // Every header the client signed, values in the order received; the signer adds its own.
  std::vector<std::string> names;
  for (const std::string_view name : Split(auth->signed_headers, ';')) {
    names.emplace_back(name);
  }
  if (std::find(names.begin(), names.end(), "host") == names.end()) {
    return Deny("The Host header must be signed.");
  }
  const bool signs_token =
      std::find(names.begin(), names.end(), "x-amz-security-token") != names.end();
  const bool signs_sha256 =
      std::find(names.begin(), names.end(), "x-amz-content-sha256") != names.end();
  const std::string* token = head.Find("x-amz-security-token");
  if (!credentials.session_token.empty()) {
    if (token == nullptr) {
      return Deny("The request has no X-Amz-Security-Token, but these credentials need one.");
    }
    if (!ConstantTimeEquals(*token, credentials.session_token)) {
      return Deny("The security token included in the request is invalid.");
    }
  } else if (token != nullptr) {
    return Deny("The security token included in the request is invalid (none expected).");
  }

  gavel::judge::HttpRequestToSign to_sign;
  to_sign.method = head.method;
  to_sign.path = head.path;
  to_sign.query = head.query;
  to_sign.body = request.body;
  for (const std::string& name : names) {
    if (name == "authorization") return Deny("The Authorization header cannot be signed.");
    if (name == "x-amz-date" || name == "x-amz-security-token" || name == "x-amz-content-sha256") {
      continue;
    }
    bool found = false;
    for (const auto& [key, value] : head.headers) {
      if (EqualsIgnoreCase(key, name)) {
        to_sign.headers.emplace_back(name, value);
        found = true;
      }
    }
    if (!found) return Deny("The signed header '" + name + "' is not in the request.");
  }

  gavel::judge::SigV4Options options{region, std::string(kService)};
  options.add_content_sha256_header = signs_sha256;
  options.sign_session_token = signs_token || credentials.session_token.empty();
  const Result<gavel::judge::SignedHeaders> expected =
      gavel::judge::SignRequest(to_sign, credentials, options, *amz_date);
  if (!expected) return Deny("The request cannot be signed: " + expected.error().message());

  if (signs_sha256) {
    const std::string* sha = head.Find("x-amz-content-sha256");
    if (sha == nullptr || *sha != expected->content_sha256) {
      return Deny("X-Amz-Content-Sha256 does not match the body.");
    }
  }
  if (expected->signed_header_names != auth->signed_headers) {
    return Deny(std::string(kMismatch) + " (SignedHeaders should be '" +
                expected->signed_header_names + "'.)");
  }
  if (!ConstantTimeEquals(expected->signature, auth->signature))
    return Deny(std::string(kMismatch));
  return {true, ""};
}

}  // namespace gavel::standin::internal
