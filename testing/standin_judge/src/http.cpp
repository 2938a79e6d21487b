#include "http.h"

#include <algorithm>
#include <charconv>

namespace gavel::standin::internal {
namespace {

constexpr std::size_t kMaxMethodBytes = 32;
constexpr std::size_t kMaxTargetBytes = 8 << 10;

bool IsTokenChar(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsVisible(unsigned char c) { return c > 0x20 && c < 0x7f; }

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

HeadParse Fail(int status, std::string reason) {
  HeadParse out;
  out.state = HeadParse::State::kError;
  out.status = status;
  out.reason = std::move(reason);
  return out;
}

// Calls `fn` for each comma-separated, trimmed, non-empty element of a header value.
template <typename Fn>
void ForEachListElement(std::string_view value, Fn fn) {
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t end = value.find(',', start);
    if (end == std::string_view::npos) end = value.size();
    const std::string_view element = Trim(value.substr(start, end - start));
    if (!element.empty()) fn(element);
    start = end + 1;
  }
}

// Checks the request line so far: "METHOD SP TARGET SP HTTP/x.y". `complete` says whether the
// line ended; a prefix of a valid line is accepted while it is incomplete.
HeadParse CheckRequestLine(std::string_view line, bool complete) {
  std::size_t i = 0;
  while (i < line.size() && line[i] != ' ') {
    if (!IsTokenChar(static_cast<unsigned char>(line[i]))) {
      return Fail(400, "the request line does not start with an HTTP method");
    }
    ++i;
  }
  if (i > kMaxMethodBytes) return Fail(400, "the method is too long");
  if (i == line.size()) {
    if (complete) return Fail(400, "the request line has no target");
    return {};
  }
  if (i == 0) return Fail(400, "the request line starts with a space");
  const std::size_t target_start = ++i;
  while (i < line.size() && line[i] != ' ') {
    if (!IsVisible(static_cast<unsigned char>(line[i]))) {
      return Fail(400, "the request target has a control or non-ASCII byte");
    }
    ++i;
  }
  if (i - target_start > kMaxTargetBytes) return Fail(414, "the request target is too long");
  if (i == line.size()) {
    if (complete) return Fail(400, "the request line has no HTTP version");
    return {};
  }
  if (i == target_start) return Fail(400, "the request target is empty");
  const std::string_view version = line.substr(i + 1);
  constexpr std::string_view kPrefix = "HTTP/";
  const std::size_t n = std::min(version.size(), kPrefix.size());
  if (version.substr(0, n) != kPrefix.substr(0, n)) {
    return Fail(400, "the request line does not end with an HTTP version");
  }
  if (complete || version.size() > 8) {
    const bool shaped = version.size() == 8 && version[6] == '.' && version[5] >= '0' &&
                        version[5] <= '9' && version[7] >= '0' && version[7] <= '9';
    if (!shaped) return Fail(400, "malformed HTTP version");
    if (version[5] != '1') return Fail(505, "only HTTP/1.0 and HTTP/1.1 are supported");
  }
  return {};
}

bool ParseContentLength(std::string_view value, std::uint64_t& out) {
  if (value.empty() || value.size() > 19) return false;
  for (const char c : value) {
    if (c < '0' || c > '9') return false;
  }
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  return ec == std::errc() && ptr == value.data() + value.size();
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

const std::string* HttpHead::Find(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

std::size_t LeadingLineBreaks(std::string_view data) {
  std::size_t i = 0;
  while (i < data.size() && (data[i] == '\r' || data[i] == '\n')) ++i;
  return i;
}

std::size_t FindHeadEnd(std::string_view data, std::size_t from) {
  for (std::size_t i = data.find('\n', from); i != std::string_view::npos;
       i = data.find('\n', i + 1)) {
    if (i + 1 < data.size() && data[i + 1] == '\n') return i + 2;
    if (i + 2 < data.size() && data[i + 1] == '\r' && data[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}

HeadParse CheckPartialHead(std::string_view data, const HeadLimits& limits) {
  const std::size_t eol = data.find('\n');
  std::string_view line = data.substr(0, eol);
  const bool complete = eol != std::string_view::npos;
  // The CR of the line's CRLF may have arrived without its LF.
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (HeadParse check = CheckRequestLine(line, complete); check.state == HeadParse::State::kError) {
    return check;
  }
  if (data.size() > limits.max_head_bytes) {
    return Fail(
        431, "the request head is larger than " + std::to_string(limits.max_head_bytes) + " bytes");
  }
  return {};
}

HeadParse ParseHead(std::string_view data, const HeadLimits& limits) {
  if (data.size() > limits.max_head_bytes) {
    return Fail(
        431, "the request head is larger than " + std::to_string(limits.max_head_bytes) + " bytes");
  }
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < data.size()) {
    std::size_t eol = data.find('\n', pos);
    if (eol == std::string_view::npos) eol = data.size();
    std::string_view line = data.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) return Fail(400, "a bare CR in the head");
    if (line.empty()) break;
    lines.push_back(line);
    pos = eol + 1;
  }
  if (lines.empty()) return Fail(400, "empty request head");
  if (HeadParse check = CheckRequestLine(lines[0], true); check.state == HeadParse::State::kError) {
    return check;
  }
  if (lines.size() - 1 > limits.max_headers) {
    return Fail(431, "more than " + std::to_string(limits.max_headers) + " header fields");
  }

  HeadParse out;
  HttpHead& head = out.head;
  const std::string_view request_line = lines[0];
  const std::size_t sp1 = request_line.find(' ');
  const std::size_t sp2 = request_line.find(' ', sp1 + 1);
  head.method = std::string(request_line.substr(0, sp1));
  head.target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
  head.minor_version = request_line[sp2 + 1 + 7] - '0';

  std::string_view path = head.target;
  if (path.substr(0, 7) == "http://" || path.substr(0, 8) == "https://") {
    // absolute-form: drop the scheme and authority.
    const std::size_t slash = path.find('/', path.find("//") + 2);
    path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
  } else if (path.front() != '/' && path != "*") {
    return Fail(400, "the request target must be a path starting with '/'");
  }
  const std::size_t question = path.find('?');
  head.path = std::string(path.substr(0, question));
  if (question != std::string_view::npos) head.query = std::string(path.substr(question + 1));
  const std::size_t hash = head.path.find('#');
  if (hash != std::string::npos) return Fail(400, "the request target has a fragment");

  bool has_content_length = false;
  bool has_transfer_encoding = false;
  int host_count = 0;
  bool saw_close = false;
  bool saw_keep_alive = false;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line.front() == ' ' || line.front() == '\t') {
      return Fail(400, "obsolete line folding is not accepted");
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Fail(400, "header line #" + std::to_string(i) + " has no name");
    }
    const std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(),
                     [](char c) { return IsTokenChar(static_cast<unsigned char>(c)); })) {
      return Fail(400, "header line #" + std::to_string(i) + " has an invalid name");
    }
    const std::string_view value = Trim(line.substr(colon + 1));
    for (const char ch : value) {
      const auto c = static_cast<unsigned char>(ch);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return Fail(400, "header " + ToLower(name) + " has a control character in its value");
      }
    }
    if (EqualsIgnoreCase(name, "content-length")) {
      std::uint64_t length = 0;
      if (!ParseContentLength(value, length)) return Fail(400, "invalid Content-Length");
      if (has_content_length && length != head.content_length) {
        return Fail(400, "conflicting Content-Length headers");
      }
      has_content_length = true;
      head.content_length = length;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      has_transfer_encoding = true;
    } else if (EqualsIgnoreCase(name, "host")) {
      ++host_count;
    } else if (EqualsIgnoreCase(name, "connection")) {
      ForEachListElement(value, [&](std::string_view token) {
        saw_close = saw_close || EqualsIgnoreCase(token, "close");
        saw_keep_alive = saw_keep_alive || EqualsIgnoreCase(token, "keep-alive");
      });
    } else if (EqualsIgnoreCase(name, "expect")) {
      if (!EqualsIgnoreCase(value, "100-continue")) {
        return Fail(417, "only 'Expect: 100-continue' is supported");
      }
      head.expect_continue = true;
    }
    head.headers.emplace_back(std::string(name), std::string(value));
  }

  if (head.minor_version == 1 && host_count != 1) {
    return Fail(400, "an HTTP/1.1 request needs exactly one Host header");
  }
  if (has_transfer_encoding) {
    if (has_content_length) return Fail(400, "both Transfer-Encoding and Content-Length");
    return Fail(411,
                "request bodies must have a Content-Length; chunked uploads are not supported");
  }
  const bool may_have_body = head.method != "GET" && head.method != "HEAD" &&
                             head.method != "DELETE" && head.method != "OPTIONS";
  if (may_have_body && !has_content_length) {
    return Fail(411, "a " + head.method + " request needs a Content-Length");
  }
  if (head.content_length > limits.max_body_bytes) {
    return Fail(413, "the request body (" + std::to_string(head.content_length) +
                         " bytes) is larger than the limit of " +
                         std::to_string(limits.max_body_bytes) + " bytes");
  }
  head.keep_alive = head.minor_version == 1 ? !saw_close : (saw_keep_alive && !saw_close);
  out.state = HeadParse::State::kDone;
  return out;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 424:
      return "Failed Dependency";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return status < 500 ? "Client Error" : "Server Error";
  }
}

std::string SerializeHead(int status, const HeaderList& headers, bool close) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " ";
  out += ReasonPhrase(status);
  out += "\r\nServer: gavel-standin-judge\r\n";
  for (const auto& [name, value] : headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
  return out;
}

std::string SerializeResponse(const HttpResponse& response, bool close) {
  HeaderList headers = response.headers;
  headers.emplace_back("Content-Length", std::to_string(response.body.size()));
  std::string out = SerializeHead(response.status, headers, close);
  out += response.body;
  return out;
}

}  // namespace gavel::standin::internal
