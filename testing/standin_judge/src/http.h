// The stand-in judge's HTTP/1.1 request head parser and response writer. The server's loop
// finds the end of a head (FindHeadEnd), parses it once (ParseHead), then waits for
// Content-Length bytes of body. Bodies are Content-Length only: chunked uploads get 411.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gavel::standin::internal {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpHead {
  std::string method;
  std::string target;  // as received
  std::string path;    // the target up to '?', still percent-encoded
  std::string query;   // after '?', without it
  int minor_version = 1;
  HeaderList headers;  // names as received, values trimmed
  std::uint64_t content_length = 0;
  bool keep_alive = true;
  bool expect_continue = false;

  // The first header with this name (compared case-insensitively), or nullptr.
  const std::string* Find(std::string_view name) const;
};

struct HttpRequest {
  HttpHead head;
  std::string body;
};

struct HeadLimits {
  std::size_t max_head_bytes = 64 << 10;
  std::size_t max_headers = 128;
  std::uint64_t max_body_bytes = 8 << 20;
};

struct HeadParse {
  enum class State { kIncomplete, kDone, kError };
  State state = State::kIncomplete;
  HttpHead head;       // kDone
  int status = 0;      // kError: the status to answer with (400, 411, 413, 417, 431, 505, ...)
  std::string reason;  // kError: why, for the error body; never quotes header values
};

// Bytes before the first request line that HTTP allows a server to skip (stray CRLFs).
std::size_t LeadingLineBreaks(std::string_view data);

// The length of the head (through its blank line) if `data` holds a whole one, else npos.
// `from` is where the previous, unsuccessful search may resume.
std::size_t FindHeadEnd(std::string_view data, std::size_t from);

// For data with no complete head yet: kError when it can already be told to be garbage (a
// request line that cannot be HTTP, or a head past the size limit), kIncomplete otherwise.
HeadParse CheckPartialHead(std::string_view data, const HeadLimits& limits);

// Parses a complete head (`data` is exactly FindHeadEnd's length).
HeadParse ParseHead(std::string_view data, const HeadLimits& limits);

struct HttpResponse {
  int status = 200;
  HeaderList headers;  // Content-Length and Connection are added by SerializeResponse
  std::string body;
};

std::string_view ReasonPhrase(int status);

// The whole response as sent: status line, headers, Content-Length, Connection: close when
// `close`, blank line, body.
std::string SerializeResponse(const HttpResponse& response, bool close);

// The head of a response whose body follows separately (chunked, or a streamed Content-Length).
std::string SerializeHead(int status, const HeaderList& headers, bool close);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);

}  // namespace gavel::standin::internal
