// AWS Signature Version 4 (header form) for the judge's Amazon Bedrock client: turns an HTTP
// request plus credentials into the headers that authenticate it. Build the request exactly as it
// will go on the wire, call SignRequest, and add every header of `SignedHeaders::headers`.
//
//   auto creds = gavel::judge::AwsCredentials::FromEnvironment();
//   HttpRequestToSign req{"POST", "/model/" + UriEncode(model_id) + "/converse", "",
//                         {{"host", "bedrock-runtime.us-east-1.amazonaws.com"},
//                          {"content-type", "application/json"}}, body};
//   auto signed_headers = SignRequest(req, *creds, {"us-east-1", "bedrock"},
//                                     FormatAmzDate(std::chrono::system_clock::now()));
//
// Why our own signer: libcurl 7.88's --aws-sigv4 builds the canonical URI from the path without
// encoding it again, so a Bedrock model id such as "...-v1:0" (sent as "%3A") signs wrongly.
// Conformance: reproduces every header-form file of the official SigV4 test suite byte for byte.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gavel/status.h"

namespace gavel::judge {

// Never print or log a whole AwsCredentials: two of its three fields are secrets.
struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term (IAM user) keys

  // AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, if set and non-empty, AWS_SESSION_TOKEN.
  // nullopt unless both the key id and the secret are set and non-empty.
  static std::optional<AwsCredentials> FromEnvironment();
};

struct HttpRequestToSign {
  std::string method;  // "GET", "POST", ...
  // The path as sent on the wire: percent-encoded segments (build them with UriEncode), starting
  // with '/'. Raw bytes such as ' ' are accepted and encoded like the test suite does. No '?'.
  std::string path;
  // The query as sent, without the '?'. Parameters are percent-decoded, then re-encoded; '+' is
  // a literal plus, not a space (AWS wants spaces sent as %20).
  std::string query;
  // Every header here is signed, so list only headers that reach AWS unchanged (Host is
  // required). Names keep their case for sending; values may use obsolete line folding
  // ("a\n  b"). Authorization, X-Amz-Date, X-Amz-Security-Token and X-Amz-Content-Sha256 are
  // the signer's to set and are rejected here.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct SigV4Options {
  std::string region;   // "us-east-1"
  std::string service;  // the signing name: "bedrock" for bedrock-runtime endpoints
  // Remove "." and ".." segments and empty segments ("//") before encoding. Every service but S3.
  bool normalize_path = true;
  // Encode the (already encoded) wire path once more for the canonical URI, so "%3A" becomes
  // "%253A". Every service but S3; with false the path must already be percent-encoded and is
  // used as it is.
  bool double_encode_path = true;
  // Also send and sign x-amz-content-sha256 (S3 requires it; Bedrock does not need it).
  bool add_content_sha256_header = false;
  // With false the session token is sent but left out of the signature (a few services, such as
  // IoT, want that). Bedrock wants it signed.
  bool sign_session_token = true;
};

struct SignedHeaders {
  // The headers to add to the request, in this order and spelling: X-Amz-Security-Token (with a
  // session token), X-Amz-Date, x-amz-content-sha256 (when asked for), Authorization.
  std::vector<std::pair<std::string, std::string>> headers;

  std::string authorization;  // "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."
  std::string amz_date;       // YYYYMMDDTHHMMSSZ, as given
  std::string security_token;  // the session token, empty when there is none
  std::string content_sha256;  // hex SHA-256 of the body, always computed

  // Intermediate values, for tests and debugging. The canonical request contains the session
  // token when it is signed: do not log it verbatim.
  std::string signed_header_names;  // "host;x-amz-date"
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lower-case hex
};

// Signs `request` for `options.region`/`options.service` at `amz_date` (YYYYMMDDTHHMMSSZ, UTC).
// Errors (ErrorKind::kUsage for bad input, kInternal if OpenSSL fails) never quote a secret, a
// session token or a header value.
Result<SignedHeaders> SignRequest(const HttpRequestToSign& request,
                                  const AwsCredentials& credentials, const SigV4Options& options,
                                  std::string_view amz_date);

// RFC 3986 percent-encoding as SigV4 wants it: every byte except A-Z a-z 0-9 - . _ ~ becomes %XX
// with upper-case hex; '/' too unless `encode_slash` is false. Use it for each path segment
// (e.g. a model id) when building HttpRequestToSign::path.
std::string UriEncode(std::string_view bytes, bool encode_slash = true);

// The lower-case hex SHA-256 of `data` (kInternal if OpenSSL fails).
Result<std::string> Sha256Hex(std::string_view data);

// `time` as YYYYMMDDTHHMMSSZ in UTC, for SignRequest's amz_date.
std::string FormatAmzDate(std::chrono::system_clock::time_point time);

}  // namespace gavel::judge
