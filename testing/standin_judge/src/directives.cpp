#include "directives.h"

#include <charconv>
#include <limits>

namespace gavel::standin::internal {
namespace {

Error Bad(std::string message) {
  return Error(ErrorKind::kBadSample, "stand-in directive: " + std::move(message));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The length of the balanced JSON object or array at the start of `s` (strings and escapes
// respected), or npos.
std::size_t BalancedLength(std::string_view s) {
  if (s.empty() || (s[0] != '{' && s[0] != '[')) return std::string_view::npos;
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

template <typename T>
Result<T> Number(std::string_view key, std::string_view value, T min, T max) {
  T out{};
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || ptr != value.data() + value.size() || out < min || out > max) {
    return Bad(std::string(key) + " needs an integer from " + std::to_string(min) + " to " +
               std::to_string(max));
  }
  return out;
}

Status Apply(std::string_view key, std::optional<std::string_view> value, Directives& d) {
  const auto flag = [&](bool& field) -> Status {
    if (value) return Bad(std::string(key) + " takes no value");
    field = true;
    return Status::Ok();
  };
  const auto integer = [&](std::optional<int>& field, int min, int max) -> Status {
    if (!value) return Bad(std::string(key) + " needs a value");
    Result<int> n = Number<int>(key, *value, min, max);
    if (!n) return n.error();
    field = *n;
    return Status::Ok();
  };
  if (key == "status") return integer(d.status, 400, 599);
  if (key == "retry_after") return integer(d.retry_after, 0, 86400);
  if (key == "fail") return integer(d.fail, 0, 1000000);
  if (key == "latency_ms") return integer(d.latency_ms, 0, 3600000);
  if (key == "hang") return flag(d.hang);
  if (key == "malformed") return flag(d.malformed);
  if (key == "truncated") return flag(d.truncated);
  if (key == "off_schema") return flag(d.off_schema);
  if (key == "prose") return flag(d.prose);
  if (key == "fenced") return flag(d.fenced);
  if (key == "stream_forever") return flag(d.stream_forever);
  if (key == "huge") {
    if (!value) return Bad("huge needs a byte count");
    Result<std::uint64_t> n = Number<std::uint64_t>(key, *value, 0, std::uint64_t{1} << 40);
    if (!n) return n.error();
    d.huge = *n;
    return Status::Ok();
  }
  return Bad("unknown key '" + std::string(key.substr(0, 40)) + "'");
}

// Parses one [[standin:...]] block whose items start at `i`; returns the index after its "]]".
Result<std::size_t> ParseBlock(std::string_view text, std::size_t i, Directives& d) {
  for (;;) {
    // One item: key, optionally '=' value; then ',' or "]]".
    std::size_t key_end = i;
    while (key_end < text.size() && text[key_end] != '=' && text[key_end] != ',' &&
           text.compare(key_end, 2, "]]") != 0) {
      ++key_end;
    }
    if (key_end >= text.size()) return Bad("a [[standin: block has no closing ]]");
    const std::string_view key = Trim(text.substr(i, key_end - i));
    if (key.empty()) return Bad("an empty item");
    std::optional<std::string_view> value;
    std::size_t next = key_end;
    if (text[key_end] == '=') {
      std::size_t value_start = key_end + 1;
      while (value_start < text.size() && text[value_start] == ' ') ++value_start;
      if (key == "verdict") {
        const std::size_t length = BalancedLength(text.substr(value_start));
        if (length == std::string_view::npos) {
          return Bad("verdict needs a balanced JSON object or array");
        }
        d.verdict = std::string(text.substr(value_start, length));
        next = value_start + length;
        while (next < text.size() && text[next] == ' ') ++next;
      } else {
        next = value_start;
        while (next < text.size() && text[next] != ',' && text.compare(next, 2, "]]") != 0) {
          ++next;
        }
        if (next >= text.size()) return Bad("a [[standin: block has no closing ]]");
        value = Trim(text.substr(value_start, next - value_start));
      }
    }
    if (key == "verdict") {
      if (text[key_end] != '=') return Bad("verdict needs a value");
    } else if (Status s = Apply(key, value, d); !s) {
      return s.error();
    }
    if (text.compare(next, 2, "]]") == 0) return next + 2;
    if (next >= text.size() || text[next] != ',') {
      return Bad("expected ',' or ']]' after " + std::string(key.substr(0, 40)));
    }
    i = next + 1;
  }
}

}  // namespace

Result<Directives> ParseDirectives(std::string_view text) {
  Directives d;
  for (std::size_t pos = text.find(kDirectiveOpen); pos != std::string_view::npos;
       pos = text.find(kDirectiveOpen, pos)) {
    d.any = true;
    Result<std::size_t> end = ParseBlock(text, pos + kDirectiveOpen.size(), d);
    if (!end) return end.error();
    pos = *end;
  }
  if (d.fail && !d.status) d.status = 503;
  return d;
}

std::string StripDirectives(std::string_view text) {
  std::string out;
  std::size_t copied = 0;
  for (std::size_t pos = text.find(kDirectiveOpen); pos != std::string_view::npos;
       pos = text.find(kDirectiveOpen, pos)) {
    out += text.substr(copied, pos - copied);
    Directives scratch;
    Result<std::size_t> end = ParseBlock(text, pos + kDirectiveOpen.size(), scratch);
    if (!end) return out;  // the request is refused anyway
    pos = copied = *end;
  }
  out += text.substr(copied);
  return out;
}

}  // namespace gavel::standin::internal
