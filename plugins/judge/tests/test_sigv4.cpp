// Tests for the SigV4 signer: the official test suite byte for byte, Bedrock's ':' model ids,
// session tokens, credentials from the environment, and errors that never leak a secret.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gavel/judge/sigv4.h"

namespace {

namespace fs = std::filesystem;
using gavel::judge::AwsCredentials;
using gavel::judge::HttpRequestToSign;
using gavel::judge::SignedHeaders;
using gavel::judge::SignRequest;
using gavel::judge::SigV4Options;

constexpr const char* kExampleKeyId = "AKIDEXAMPLE";
constexpr const char* kExampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A request.txt of the test suite: request line, header lines (a line starting with a space or
// tab continues the previous header), a blank line, the body.
struct RawRequest {
  std::string method, target, version;
  std::vector<std::pair<std::string, std::string>> headers;  // name and raw value, as written
  std::string body;
};

RawRequest ParseRawRequest(const std::string& text) {
  RawRequest out;
  std::size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (first) {
      // The target may hold spaces ("GET /example space/ HTTP/1.1").
      const std::size_t a = line.find(' ');
      const std::size_t b = line.rfind(' ');
      out.method = line.substr(0, a);
      out.target = line.substr(a + 1, b - a - 1);
      out.version = line.substr(b + 1);
      first = false;
    } else if (line.empty()) {
      out.body = pos < text.size() ? text.substr(pos) : "";
      break;
    } else if (line[0] == ' ' || line[0] == '\t') {
      out.headers.back().second += "\n" + line;
    } else {
      const std::size_t colon = line.find(':');
      out.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
  }
  return out;
}

// The signed request as the test suite writes it: the original request with the signer's headers
// appended after the original ones.
std::string RenderSignedRequest(const RawRequest& raw, const SignedHeaders& signed_headers) {
  std::string out = raw.method + " " + raw.target + " " + raw.version + "\n";
  for (const auto& [name, value] : raw.headers) out += name + ":" + value + "\n";
  for (const auto& [name, value] : signed_headers.headers) out += name + ":" + value + "\n";
  return out + "\n" + raw.body;
}

// Where the official vectors are; nullopt when they are absent and the test should skip.
// An explicitly configured directory that is missing is a failure, not a skip.
std::optional<fs::path> VectorDirectory() {
  if (const char* env = std::getenv("GAVEL_SIGV4_VECTORS"); env != nullptr && *env != '\0') {
    INFO("GAVEL_SIGV4_VECTORS=" << env);
    REQUIRE(fs::is_directory(env));
    return fs::path(env);
  }
  const fs::path fallback = fs::path(GAVEL_SOURCE_DIR) / ".." / "shared" / "testdata" / "aws-sigv4";
  if (!fs::is_directory(fallback)) return std::nullopt;
  return fallback;
}

struct Vector {
  HttpRequestToSign request;
  AwsCredentials credentials;
  SigV4Options options;
  std::string amz_date;
  RawRequest raw;
};

Vector LoadVector(const fs::path& dir) {
  const nlohmann::json context = nlohmann::json::parse(ReadFile(dir / "context.json"));
  Vector v;
  v.raw = ParseRawRequest(ReadFile(dir / "request.txt"));
  const std::size_t question = v.raw.target.find('?');
  v.request.method = v.raw.method;
  v.request.path = v.raw.target.substr(0, question);
  v.request.query = question == std::string::npos ? "" : v.raw.target.substr(question + 1);
  v.request.headers = v.raw.headers;
  v.request.body = v.raw.body;

  const auto& creds = context.at("credentials");
  v.credentials.access_key_id = creds.at("access_key_id").get<std::string>();
  v.credentials.secret_access_key = creds.at("secret_access_key").get<std::string>();
  v.credentials.session_token = creds.value("token", "");

  v.options.region = context.at("region").get<std::string>();
  v.options.service = context.at("service").get<std::string>();
  v.options.normalize_path = context.value("normalize", true);
  v.options.add_content_sha256_header = context.value("sign_body", false);
  v.options.sign_session_token = !context.value("omit_session_token", false);

  // "2015-08-30T12:36:00Z" -> "20150830T123600Z"
  for (const char c : context.at("timestamp").get<std::string>()) {
    if (c != '-' && c != ':') v.amz_date += c;
  }
  return v;
}

HttpRequestToSign BedrockConverse(const std::string& model_id) {
  HttpRequestToSign request;
  request.method = "POST";
  request.path = "/model/" + gavel::judge::UriEncode(model_id) + "/converse";
  request.headers = {{"Host", "bedrock-runtime.us-east-1.amazonaws.com"},
                     {"Content-Type", "application/json"}};
  request.body = R"({"messages":[{"role":"user","content":[{"text":"Hello"}]}]})";
  return request;
}

AwsCredentials ExampleCredentials(std::string session_token = "") {
  return AwsCredentials{kExampleKeyId, kExampleSecret, std::move(session_token)};
}

std::string CanonicalUriOf(const SignedHeaders& signed_headers) {
  const std::string& creq = signed_headers.canonical_request;
  const std::size_t first = creq.find('\n');
  return creq.substr(first + 1, creq.find('\n', first + 1) - first - 1);
}

std::string CanonicalQueryOf(const SignedHeaders& signed_headers) {
  std::istringstream lines(signed_headers.canonical_request);
  std::string line;
  for (int i = 0; i < 3; ++i) std::getline(lines, line);
  return line;
}

SignedHeaders MustSign(const HttpRequestToSign& request, const AwsCredentials& credentials,
                       const SigV4Options& options, const char* amz_date = "20150830T123600Z") {
  auto result = SignRequest(request, credentials, options, amz_date);
  if (!result) FAIL(result.error().ToString());
  return *result;
}

}  // namespace

TEST_CASE("SigV4 reproduces every header-form file of the official test suite", "[sigv4]") {
  const std::optional<fs::path> root = VectorDirectory();
  if (!root) {
    WARN(
        "SigV4 test vectors not found (set GAVEL_SIGV4_VECTORS or provide "
        "../shared/testdata/aws-sigv4 beside the source tree); skipping the conformance test");
    return;
  }

  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(*root)) {
    if (entry.is_directory() && fs::exists(entry.path() / "context.json"))
      dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  REQUIRE(!dirs.empty());

  std::size_t files_seen = 0;
  std::size_t files_matched = 0;
  for (const fs::path& dir : dirs) {
    INFO("vector " << dir.filename().string());
    const Vector v = LoadVector(dir);
    const auto result = SignRequest(v.request, v.credentials, v.options, v.amz_date);
    REQUIRE(result.ok());

    // What each header-* file must hold, byte for byte.
    const std::map<std::string, std::string> actual = {
        {"header-canonical-request.txt", result->canonical_request},
        {"header-string-to-sign.txt", result->string_to_sign},
        {"header-signature.txt", result->signature},
        {"header-signed-request.txt", RenderSignedRequest(v.raw, *result)},
    };
    // The three files every vector must have; the string to sign is checked where present.
    for (const char* required :
         {"header-canonical-request.txt", "header-signature.txt", "header-signed-request.txt"}) {
      INFO("missing " << required);
      CHECK(fs::exists(dir / required));
    }
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("header-", 0) != 0) continue;
      ++files_seen;
      INFO("file " << name);
      const auto it = actual.find(name);
      REQUIRE(it != actual.end());  // a header-* file this test does not know how to check
      const std::string expected = ReadFile(entry.path());
      CHECK(it->second == expected);
      if (it->second == expected) ++files_matched;
    }
  }
  CHECK(files_seen >= 3 * dirs.size());
  CHECK(files_matched == files_seen);
}

TEST_CASE("SigV4 matches AWS's published IAM ListUsers example", "[sigv4]") {
  // From AWS General Reference, "Signed Signature Version 4 Requests Examples" (2011-09-09).
  HttpRequestToSign request;
  request.method = "POST";
  request.path = "/";
  request.headers = {{"host", "iam.amazonaws.com"},
                     {"Content-type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = "Action=ListUsers&Version=2010-05-08";
  const SignedHeaders s =
      MustSign(request, ExampleCredentials(), {"us-east-1", "iam"}, "20110909T233600Z");
  CHECK(s.authorization ==
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/iam/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, "
        "Signature=ced6826de92d2bdeed8f846f0bf508e8559e98e4b0199114b84c54174deb456c");
}

TEST_CASE("SigV4 Bedrock Converse: ':' in the model id is %3A on the wire and %253A signed",
          "[sigv4]") {
  const HttpRequestToSign request = BedrockConverse("anthropic.claude-3-5-sonnet-20240620-v1:0");
  REQUIRE(request.path == "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse");

  const SignedHeaders s =
      MustSign(request, ExampleCredentials(), {"us-east-1", "bedrock"}, "20240701T120000Z");
  CHECK(CanonicalUriOf(s) == "/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse");
  // Expected values computed independently (Python hashlib/hmac) from this canonical request.
  CHECK(s.canonical_request ==
        "POST\n"
        "/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse\n"
        "\n"
        "content-type:application/json\n"
        "host:bedrock-runtime.us-east-1.amazonaws.com\n"
        "x-amz-date:20240701T120000Z\n"
        "\n"
        "content-type;host;x-amz-date\n"
        "7421da8d1a0949a481724fee62d5886aacde03836bf58248adb73e8b61ac0d54");
  const std::string scope_prefix =
      "AWS4-HMAC-SHA256\n20240701T120000Z\n20240701/us-east-1/bedrock/aws4_request\n";
  CHECK(s.string_to_sign.substr(0, scope_prefix.size()) == scope_prefix);
  CHECK(s.signature == "e1e576eea84b9c4f1c94201fa289c0e522f4fb17df38349386092274cacdbd50");
  CHECK(s.authorization ==
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240701/us-east-1/bedrock/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, "
        "Signature=e1e576eea84b9c4f1c94201fa289c0e522f4fb17df38349386092274cacdbd50");
  CHECK(s.content_sha256 == "7421da8d1a0949a481724fee62d5886aacde03836bf58248adb73e8b61ac0d54");
  REQUIRE(s.headers.size() == 2);
  CHECK(s.headers[0] == std::pair<std::string, std::string>{"X-Amz-Date", "20240701T120000Z"});
  CHECK(s.headers[1].first == "Authorization");

  SECTION("S3-style single encoding signs the wire path as it is") {
    SigV4Options single{"us-east-1", "bedrock"};
    single.double_encode_path = false;
    CHECK(CanonicalUriOf(MustSign(request, ExampleCredentials(), single)) ==
          "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse");
  }
}

TEST_CASE("SigV4 session token is sent and, by default, signed", "[sigv4]") {
  const HttpRequestToSign request = BedrockConverse("anthropic.claude-3-haiku-20240307-v1:0");
  const std::string token = "FQoGZXIvYXdzEXAMPLE//token+with/base64=";

  SECTION("signed") {
    const SignedHeaders s = MustSign(request, ExampleCredentials(token), {"us-east-1", "bedrock"});
    CHECK(s.security_token == token);
    CHECK(s.signed_header_names == "content-type;host;x-amz-date;x-amz-security-token");
    CHECK(s.canonical_request.find("\nx-amz-security-token:" + token + "\n") != std::string::npos);
    REQUIRE(s.headers.size() == 3);
    CHECK(s.headers[0] == std::pair<std::string, std::string>{"X-Amz-Security-Token", token});
    CHECK(s.headers[1].first == "X-Amz-Date");
    CHECK(s.headers[2].first == "Authorization");
    // The token changes the signature.
    CHECK(s.signature !=
          MustSign(request, ExampleCredentials(), {"us-east-1", "bedrock"}).signature);
  }
  SECTION("sent but not signed") {
    SigV4Options options{"us-east-1", "bedrock"};
    options.sign_session_token = false;
    const SignedHeaders s = MustSign(request, ExampleCredentials(token), options);
    CHECK(s.signed_header_names == "content-type;host;x-amz-date");
    CHECK(s.canonical_request.find(token) == std::string::npos);
    CHECK(s.headers.front() == std::pair<std::string, std::string>{"X-Amz-Security-Token", token});
    CHECK(s.signature ==
          MustSign(request, ExampleCredentials(), {"us-east-1", "bedrock"}).signature);
  }
}

TEST_CASE("SigV4 credentials from the environment", "[sigv4]") {
  // Restores the variables this test touches, whatever happens.
  struct SavedEnv {
    std::vector<std::pair<std::string, std::optional<std::string>>> saved;
    SavedEnv() {
      for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}) {
        const char* value = std::getenv(name);
        saved.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
      }
    }
    ~SavedEnv() {
      for (const auto& [name, value] : saved) {
        if (value)
          setenv(name.c_str(), value->c_str(), 1);
        else
          unsetenv(name.c_str());
      }
    }
  } restore;

  setenv("AWS_ACCESS_KEY_ID", "AKIDENVEXAMPLE", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "envSecretEXAMPLEKEY", 1);
  unsetenv("AWS_SESSION_TOKEN");

  SECTION("long-term keys") {
    const auto creds = AwsCredentials::FromEnvironment();
    REQUIRE(creds.has_value());
    CHECK(creds->access_key_id == "AKIDENVEXAMPLE");
    CHECK(creds->secret_access_key == "envSecretEXAMPLEKEY");
    CHECK(creds->session_token.empty());
  }
  SECTION("with a session token") {
    setenv("AWS_SESSION_TOKEN", "envTokenEXAMPLE", 1);
    const auto creds = AwsCredentials::FromEnvironment();
    REQUIRE(creds.has_value());
    CHECK(creds->session_token == "envTokenEXAMPLE");
  }
  SECTION("missing secret") {
    unsetenv("AWS_SECRET_ACCESS_KEY");
    CHECK_FALSE(AwsCredentials::FromEnvironment().has_value());
  }
  SECTION("empty key id") {
    setenv("AWS_ACCESS_KEY_ID", "", 1);
    CHECK_FALSE(AwsCredentials::FromEnvironment().has_value());
  }
}

TEST_CASE("SigV4 canonicalisation details", "[sigv4]") {
  HttpRequestToSign request;
  request.method = "GET";
  request.headers = {{"Host", "example.amazonaws.com"}};
  const SigV4Options options{"us-east-1", "service"};

  SECTION("empty path is '/'") {
    CHECK(CanonicalUriOf(MustSign(request, ExampleCredentials(), options)) == "/");
  }
  SECTION("'..' pops a segment; a trailing slash survives only if the path had one") {
    request.path = "/a/b/../c/./d//";
    CHECK(CanonicalUriOf(MustSign(request, ExampleCredentials(), options)) == "/a/c/d/");
    request.path = "/a/b/..";
    CHECK(CanonicalUriOf(MustSign(request, ExampleCredentials(), options)) == "/a");
    request.path = "/../../x";
    CHECK(CanonicalUriOf(MustSign(request, ExampleCredentials(), options)) == "/x");
  }
  SECTION("encoded path bytes are encoded again, with upper-case hex") {
    request.path = "/a%2fb/%E1%88%B4/c+d";
    CHECK(CanonicalUriOf(MustSign(request, ExampleCredentials(), options)) ==
          "/a%252fb/%25E1%2588%25B4/c%2Bd");
  }
  SECTION("query: decoded, re-encoded, sorted by key then value; '=' added to bare keys") {
    request.query = "b=2&a=z&a=y&flag&&c=x%20y+z&d=%zz&e=a/b";
    CHECK(CanonicalQueryOf(MustSign(request, ExampleCredentials(), options)) ==
          "a=y&a=z&b=2&c=x%20y%2Bz&d=%25zz&e=a%2Fb&flag=");
  }
  SECTION("header values: trimmed, runs of whitespace and folded lines become one space") {
    request.headers.emplace_back("X-Folded", "\t one  \r\n  two\n\tthree  ");
    request.headers.emplace_back("x-folded", "four");
    const SignedHeaders s = MustSign(request, ExampleCredentials(), options);
    CHECK(s.canonical_request.find("\nx-folded:one two three,four\n") != std::string::npos);
    CHECK(s.signed_header_names == "host;x-amz-date;x-folded");
  }
  SECTION("x-amz-content-sha256 is sent and signed on request") {
    SigV4Options with_hash = options;
    with_hash.add_content_sha256_header = true;
    const SignedHeaders s = MustSign(request, ExampleCredentials(), with_hash);
    CHECK(s.signed_header_names == "host;x-amz-content-sha256;x-amz-date");
    CHECK(s.content_sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    REQUIRE(s.headers.size() == 3);
    CHECK(s.headers[1] ==
          std::pair<std::string, std::string>{"x-amz-content-sha256", s.content_sha256});
  }
}

TEST_CASE("SigV4 UriEncode and FormatAmzDate", "[sigv4]") {
  using gavel::judge::UriEncode;
  CHECK(UriEncode("AZaz09-._~") == "AZaz09-._~");
  CHECK(UriEncode("a b/c:d\xE1\x88\xB4") == "a%20b%2Fc%3Ad%E1%88%B4");
  CHECK(UriEncode("a/b", /*encode_slash=*/false) == "a/b");

  const std::chrono::system_clock::time_point t{std::chrono::seconds(1440938160)};
  CHECK(gavel::judge::FormatAmzDate(t) == "20150830T123600Z");
  CHECK(gavel::judge::FormatAmzDate(t + std::chrono::milliseconds(999)) == "20150830T123600Z");
  CHECK(gavel::judge::FormatAmzDate(std::chrono::system_clock::time_point{}) == "19700101T000000Z");
}

TEST_CASE("SigV4 rejects bad input without quoting secrets", "[sigv4]") {
  const std::string secret = "SuperSecretKeyDoNotLeak0123456789";
  const std::string token = "SessionTokenDoNotLeak0123456789";
  const std::string header_secret = "HeaderValueDoNotLeak";
  const AwsCredentials creds{"AKIDEXAMPLE", secret, token};
  HttpRequestToSign good = BedrockConverse("anthropic.claude-3-5-sonnet-20240620-v1:0");
  const SigV4Options options{"us-east-1", "bedrock"};

  // A successful signature carries the token (it is a header) but never the secret.
  const SignedHeaders ok = MustSign(good, creds, options);
  CHECK(ok.authorization.find(secret) == std::string::npos);
  CHECK(ok.canonical_request.find(secret) == std::string::npos);
  CHECK(ok.string_to_sign.find(secret) == std::string::npos);

  struct Case {
    const char* what;
    HttpRequestToSign request;
    AwsCredentials credentials;
    SigV4Options options;
    std::string amz_date;
  };
  std::vector<Case> cases;
  const auto add = [&](const char* what, auto mutate) {
    Case c{what, good, creds, options, "20240701T120000Z"};
    mutate(c);
    cases.push_back(std::move(c));
  };
  add("bad date", [](Case& c) { c.amz_date = "2024-07-01T12:00:00Z"; });
  add("date without Z", [](Case& c) { c.amz_date = "20240701T1200000"; });
  add("no host", [](Case& c) { c.request.headers.erase(c.request.headers.begin()); });
  add("header injection",
      [&](Case& c) { c.request.headers.emplace_back("X-Api", header_secret + "\r\nEvil: 1"); });
  add("bad header name",
      [&](Case& c) { c.request.headers.emplace_back("Bad Name", header_secret); });
  add("authorization preset",
      [&](Case& c) { c.request.headers.emplace_back("Authorization", header_secret); });
  add("x-amz-date preset",
      [](Case& c) { c.request.headers.emplace_back("X-Amz-Date", "20240701T120000Z"); });
  add("bare CR before a space", [](Case& c) { c.request.headers.emplace_back("X-Cr", "a\r b"); });
  add("token with newline", [&](Case& c) { c.credentials.session_token = token + "\n"; });
  add("empty secret", [](Case& c) { c.credentials.secret_access_key.clear(); });
  add("key id with '/'", [&](Case& c) { c.credentials.access_key_id = "AKID/" + secret; });
  add("empty region", [](Case& c) { c.options.region.clear(); });
  add("service with '/'", [](Case& c) { c.options.service = "bed/rock"; });
  add("empty method", [](Case& c) { c.request.method.clear(); });
  add("relative path", [](Case& c) { c.request.path = "model/x/converse"; });
  add("'?' in path", [](Case& c) { c.request.path = "/model?x=1"; });
  add("control char in path", [](Case& c) { c.request.path = "/model\n/x"; });
  add("control char in query", [](Case& c) { c.request.query = "a=\r"; });
  add("raw bytes with single encoding", [](Case& c) {
    c.request.path = "/model/a b";
    c.options.double_encode_path = false;
  });

  for (const Case& c : cases) {
    INFO(c.what);
    const auto result = SignRequest(c.request, c.credentials, c.options, c.amz_date);
    REQUIRE_FALSE(result.ok());
    const std::string message = result.error().ToString();
    CHECK(result.error().kind() == gavel::ErrorKind::kUsage);
    CHECK(message.find(secret) == std::string::npos);
    CHECK(message.find(token) == std::string::npos);
    CHECK(message.find(header_secret) == std::string::npos);
  }
}
