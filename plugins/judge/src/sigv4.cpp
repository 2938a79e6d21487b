// AWS Signature Version 4, header form. The steps follow AWS's "Create a signed AWS API request"
// guide; where the guide is vague, the official test suite (aws-c-auth's v4 vectors) decides.
#include "gavel/judge/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>

#include "gavel/text_codec.h"

namespace gavel::judge {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::size_t kSha256Size = 32;

Error UsageError(std::string_view message) {
  return Error(ErrorKind::kUsage, "SigV4: " + std::string(message));
}

bool IsAlnum(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 3986 "unreserved": the only bytes SigV4 leaves unencoded.
bool IsUnreserved(unsigned char c) {
  return IsAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// RFC 9110 token characters, for methods and header names.
bool IsTokenChar(unsigned char c) {
  return IsAlnum(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

// Bytes allowed in an already percent-encoded path: unreserved, sub-delims, ':', '@', '/', '%'.
bool IsEncodedPathChar(unsigned char c) {
  return IsUnreserved(c) ||
         std::string_view("!$&'()*+,;=:@/%").find(static_cast<char>(c)) != std::string_view::npos;
}

bool AllOf(std::string_view s, bool (*pred)(unsigned char)) {
  return std::all_of(s.begin(), s.end(),
                     [pred](char c) { return pred(static_cast<unsigned char>(c)); });
}

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Key material, wiped when it goes out of scope so that no copy of a derived key outlives the
// signing call in freed memory.
class KeyBytes {
 public:
  explicit KeyBytes(std::size_t size) : bytes_(size) {}
  ~KeyBytes() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }
  KeyBytes(const KeyBytes&) = delete;
  KeyBytes& operator=(const KeyBytes&) = delete;

  unsigned char* data() { return bytes_.data(); }
  const unsigned char* data() const { return bytes_.data(); }
  std::size_t size() const { return bytes_.size(); }

 private:
  std::vector<unsigned char> bytes_;
};

// OpenSSL's own message for its most recent error; it never contains key or data bytes.
Error OpenSslError(std::string_view what) {
  std::string message = "SigV4: OpenSSL " + std::string(what) + " failed";
  if (const unsigned long code = ERR_get_error(); code != 0) {
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    message += ": ";
    message += text.data();
  }
  ERR_clear_error();
  return Error(ErrorKind::kInternal, std::move(message));
}

}  // namespace

Result<std::string> Sha256Hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  std::size_t size = 0;
  const int ok =
      EVP_Q_digest(nullptr, "SHA256", nullptr, data.data(), data.size(), digest.data(), &size);
  if (ok == 0 || size != kSha256Size) {
    return OpenSslError("SHA-256");
  }
  return LowerHex({digest.data(), size});
}

namespace {

// out = HMAC-SHA256(key, data); `out` must hold 32 bytes.
Status HmacSha256(const KeyBytes& key, std::string_view data, KeyBytes& out) {
  std::size_t size = 0;
  const unsigned char* result =
      EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(),
                out.size(), &size);
  if (result == nullptr || size != kSha256Size) return OpenSslError("HMAC-SHA256");
  return Status::Ok();
}

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
Status DeriveSigningKey(std::string_view secret, std::string_view date, const SigV4Options& options,
                        KeyBytes& signing_key) {
  KeyBytes k_secret(4 + secret.size());
  std::memcpy(k_secret.data(), "AWS4", 4);
  std::memcpy(k_secret.data() + 4, secret.data(), secret.size());
  KeyBytes k_date(kSha256Size), k_region(kSha256Size), k_service(kSha256Size);
  if (Status s = HmacSha256(k_secret, date, k_date); !s) return s;
  if (Status s = HmacSha256(k_date, options.region, k_region); !s) return s;
  if (Status s = HmacSha256(k_region, options.service, k_service); !s) return s;
  return HmacSha256(k_service, "aws4_request", signing_key);
}

// Removes empty, "." and ".." segments. A trailing '/' survives, as in the test suite
// ("//example//" -> "/example/"), but "/a/b/.." gives "/a".
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  const bool ends_with_slash = !path.empty() && path.back() == '/';
  std::string out = "/";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    out += segments[i];
    if (i + 1 < segments.size() || ends_with_slash) out += '/';
  }
  return out;
}

Result<std::string> CanonicalUri(std::string_view path, const SigV4Options& options) {
  if (path.empty()) return std::string("/");
  if (path.front() != '/') return UsageError("the path must start with '/'");
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsControl(c)) return UsageError("the path contains a control character");
    if (c == '?' || c == '#') {
      return UsageError("the path contains '?' or '#'; pass the query in HttpRequestToSign::query");
    }
  }
  const std::string normalized = options.normalize_path ? NormalizePath(path) : std::string(path);
  // The wire path is already encoded once; services other than S3 sign it encoded once more.
  if (options.double_encode_path) return UriEncode(normalized, /*encode_slash=*/false);
  if (!AllOf(normalized, IsEncodedPathChar)) {
    return UsageError("with double_encode_path off the path must already be percent-encoded");
  }
  return normalized;
}

Result<std::string> CanonicalQuery(std::string_view query) {
  for (const char ch : query) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsControl(c) || c == '#') {
      return UsageError("the query contains a control character or '#'");
    }
  }
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view param = query.substr(start, end - start);
    start = end + 1;
    if (param.empty()) continue;  // "a=1&&b=2" has no third parameter
    const std::size_t eq = param.find('=');
    const std::string_view key = param.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : param.substr(eq + 1);
    // A '%' not followed by two hex digits stays a literal '%' (and so is re-encoded as %25)
    // rather than rejected: the query is the caller's, and signing it as sent is the most
    // useful thing to do with it.
    params.emplace_back(UriEncode(PercentDecode(key)), UriEncode(PercentDecode(value)));
  }
  // Sorted by encoded key, then encoded value, byte by byte.
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

// Checks a header value for bytes that could end the header early. A CR or LF is accepted only
// as obsolete line folding (followed by a space or tab), which canonicalisation turns into a
// space.
bool IsSafeHeaderValue(std::string_view value) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c == '\r') {
      if (i + 1 >= value.size() || value[i + 1] != '\n') return false;  // a bare CR
      continue;  // the LF that follows must itself be a fold
    }
    if (c == '\n') {
      const bool folded = i + 1 < value.size() && (value[i + 1] == ' ' || value[i + 1] == '\t');
      if (!folded) return false;
      continue;
    }
    if (c != '\t' && IsControl(c)) return false;
  }
  return true;
}

// Trims, and turns every run of spaces, tabs and line breaks into one space.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (const char c : value) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

bool IsSignerHeader(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "x-amz-date" ||
         lower_name == "x-amz-security-token" || lower_name == "x-amz-content-sha256";
}

struct CanonicalHeaders {
  std::string block;  // "name:value\n" per distinct name
  std::string names;  // "name1;name2"
};

Result<CanonicalHeaders> BuildCanonicalHeaders(
    const std::vector<std::pair<std::string, std::string>>& headers,
    const std::vector<std::pair<std::string, std::string>>& signer_headers) {
  std::vector<std::pair<std::string, std::string>> entries;  // lower-case name, canonical value
  entries.reserve(headers.size() + signer_headers.size());
  bool has_host = false;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const auto& [name, value] = headers[i];
    // Header names are not secret, but a bad one may hold anything: quote positions instead.
    const std::string where = "header #" + std::to_string(i + 1);
    if (name.empty() || !AllOf(name, IsTokenChar)) {
      return UsageError(where + " has an empty name or a character not allowed in a header name");
    }
    std::string lower = ToLowerAscii(name);
    if (IsSignerHeader(lower)) {
      return UsageError(where + " (" + lower +
                        ") is set by the signer; leave it out of the request");
    }
    if (!IsSafeHeaderValue(value)) {
      return UsageError(where + " (" + lower +
                        ") has a line break or control character in its value");
    }
    has_host = has_host || lower == "host";
    entries.emplace_back(std::move(lower), CanonicalHeaderValue(value));
  }
  if (!has_host) {
    return UsageError("the request has no Host header; SigV4 requires it to be signed");
  }
  for (const auto& [name, value] : signer_headers) entries.emplace_back(ToLowerAscii(name), value);

  // Stable, so that the values of a repeated header keep their request order.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i > 0 && entries[i].first == entries[i - 1].first) {
      out.block.pop_back();  // the '\n' of the previous line: join the values with ','
      out.block += ',';
    } else {
      if (!out.names.empty()) out.names += ';';
      out.names += entries[i].first;
      out.block += entries[i].first;
      out.block += ':';
    }
    out.block += entries[i].second;
    out.block += '\n';
  }
  return out;
}

bool IsAmzDate(std::string_view date) {
  if (date.size() != 16 || date[8] != 'T' || date[15] != 'Z') return false;
  for (std::size_t i = 0; i < 15; ++i) {
    if (i != 8 && !IsDigit(date[i])) return false;
  }
  return true;
}

Status ValidateInputs(const HttpRequestToSign& request, const AwsCredentials& credentials,
                      const SigV4Options& options, std::string_view amz_date) {
  if (!IsAmzDate(amz_date)) return UsageError("amz_date must have the form YYYYMMDDTHHMMSSZ");
  if (request.method.empty() || !AllOf(request.method, IsTokenChar)) {
    return UsageError("the method is empty or not an HTTP token");
  }
  // The region, service and key id go into the credential scope, where '/' separates fields.
  if (options.region.empty() || !AllOf(options.region, IsUnreserved)) {
    return UsageError("the region is empty or has characters other than letters, digits, '-._~'");
  }
  if (options.service.empty() || !AllOf(options.service, IsUnreserved)) {
    return UsageError("the service is empty or has characters other than letters, digits, '-._~'");
  }
  if (credentials.access_key_id.empty() || !AllOf(credentials.access_key_id, IsUnreserved)) {
    return UsageError(
        "the access key id is empty or has characters other than letters, digits, '-._~'");
  }
  if (credentials.secret_access_key.empty()) return UsageError("the secret access key is empty");
  const auto visible = [](unsigned char c) { return c > 0x20 && c < 0x7f; };
  if (!AllOf(credentials.session_token, visible)) {
    return UsageError("the session token has a character that cannot be sent in a header");
  }
  return Status::Ok();
}

}  // namespace

std::optional<AwsCredentials> AwsCredentials::FromEnvironment() {
  const auto get = [](const char* name) -> std::string {
    const char* value = std::getenv(name);
    return value == nullptr ? std::string() : std::string(value);
  };
  AwsCredentials credentials{get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY"),
                             get("AWS_SESSION_TOKEN")};
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return std::nullopt;
  }
  return credentials;
}

std::string UriEncode(std::string_view bytes, bool encode_slash) {
  std::string out;
  out.reserve(bytes.size());
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (c == '/' && !encode_slash)) {
      out += ch;
    } else {
      out += '%';
      AppendHexByte(out, c);
    }
  }
  return out;
}

std::string FormatAmzDate(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(time);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss hms{secs - day};
  std::string out;
  const auto put = [&out](long long value, std::size_t width) {
    const std::string digits = std::to_string(value);
    if (digits.size() < width) out.append(width - digits.size(), '0');
    out += digits;
  };
  put(static_cast<int>(ymd.year()), 4);
  put(static_cast<unsigned>(ymd.month()), 2);
  put(static_cast<unsigned>(ymd.day()), 2);
  out += 'T';
  put(hms.hours().count(), 2);
  put(hms.minutes().count(), 2);
  put(hms.seconds().count(), 2);
  out += 'Z';
  return out;
}

Result<SignedHeaders> SignRequest(const HttpRequestToSign& request,
                                  const AwsCredentials& credentials, const SigV4Options& options,
                                  std::string_view amz_date) {
  if (Status valid = ValidateInputs(request, credentials, options, amz_date); !valid) {
    return valid.error();
  }
  SignedHeaders out;
  out.amz_date = std::string(amz_date);
  out.security_token = credentials.session_token;

  Result<std::string> payload_hash = Sha256Hex(request.body);
  if (!payload_hash) return payload_hash.error();
  out.content_sha256 = *payload_hash;

  // The headers the signer adds, in the order they are sent (the test suite's order).
  std::vector<std::pair<std::string, std::string>> signed_extra;
  if (!out.security_token.empty()) {
    out.headers.emplace_back("X-Amz-Security-Token", out.security_token);
    if (options.sign_session_token) {
      signed_extra.emplace_back("x-amz-security-token", out.security_token);
    }
  }
  out.headers.emplace_back("X-Amz-Date", out.amz_date);
  signed_extra.emplace_back("x-amz-date", out.amz_date);
  if (options.add_content_sha256_header) {
    out.headers.emplace_back("x-amz-content-sha256", out.content_sha256);
    signed_extra.emplace_back("x-amz-content-sha256", out.content_sha256);
  }

  Result<std::string> uri = CanonicalUri(request.path, options);
  if (!uri) return uri.error();
  Result<std::string> query = CanonicalQuery(request.query);
  if (!query) return query.error();
  Result<CanonicalHeaders> headers = BuildCanonicalHeaders(request.headers, signed_extra);
  if (!headers) return headers.error();
  out.signed_header_names = headers->names;

  out.canonical_request = request.method + '\n' + *uri + '\n' + *query + '\n' + headers->block +
                          '\n' + headers->names + '\n' + out.content_sha256;

  Result<std::string> request_hash = Sha256Hex(out.canonical_request);
  if (!request_hash) return request_hash.error();
  const std::string_view date = amz_date.substr(0, 8);
  const std::string scope =
      std::string(date) + '/' + options.region + '/' + options.service + "/aws4_request";
  out.string_to_sign =
      std::string(kAlgorithm) + '\n' + out.amz_date + '\n' + scope + '\n' + *request_hash;

  KeyBytes signing_key(kSha256Size), signature(kSha256Size);
  if (Status derived = DeriveSigningKey(credentials.secret_access_key, date, options, signing_key);
      !derived) {
    return derived.error();
  }
  if (Status signed_ok = HmacSha256(signing_key, out.string_to_sign, signature); !signed_ok) {
    return signed_ok.error();
  }
  out.signature = LowerHex({signature.data(), signature.size()});

  out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + '/' +
                      scope + ", SignedHeaders=" + out.signed_header_names +
                      ", Signature=" + out.signature;
  out.headers.emplace_back("Authorization", out.authorization);
  return out;
}

}  // namespace gavel::judge
