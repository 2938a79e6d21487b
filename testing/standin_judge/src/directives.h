// Directives: instructions to the stand-in judge written in a request's message text, so that a
// test can make one request fail in a chosen, deterministic way:
//
//   "Grade this. [[standin:status=429,retry_after=2]]"
//   "[[standin:fail=2,status=503]] ..."        the first 2 requests with this body fail
//   "[[standin:verdict={\"score\": 3}]]"       this exact verdict text
//
// Several blocks may appear anywhere in the text; their items add up. Items are key or
// key=value, separated by commas. An unknown key or a bad value is an error (the request gets
// a 400), so that a typo in a test does not silently turn into a normal reply.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gavel/status.h"

namespace gavel::standin::internal {

struct Directives {
  bool any = false;                // at least one [[standin:...]] block was present
  std::optional<int> status;       // 400..599
  std::optional<int> retry_after;  // seconds, for the Retry-After header
  std::optional<int> fail;         // fail the first N requests with this body, then succeed
  std::optional<int> latency_ms;   // replaces the server's latency and jitter
  bool hang = false;
  bool malformed = false;
  bool truncated = false;
  bool off_schema = false;
  bool prose = false;
  bool fenced = false;
  bool stream_forever = false;
  std::optional<std::uint64_t> huge;   // reply with a body of this many bytes
  std::optional<std::string> verdict;  // exact verdict text (a balanced {...} or [...])
};

inline constexpr std::string_view kDirectiveOpen = "[[standin:";

// Errors are kBadSample with a message that names the directive item.
Result<Directives> ParseDirectives(std::string_view text);

// `text` without its directive blocks: what the verdict's hash is computed from, so that a
// request with a directive gets the same verdict as the same request without it.
std::string StripDirectives(std::string_view text);

}  // namespace gavel::standin::internal
