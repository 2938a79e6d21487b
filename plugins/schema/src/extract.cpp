#include "gavel/schema/extract.h"

#include <algorithm>
#include <string>
#include <utility>

#include "json_text.h"

namespace gavel::schema {
namespace {

using detail::NestsDeeperThan;
using detail::ParseJsonText;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::size_t SkipSpace(std::string_view s, std::size_t i) {
  while (i < s.size() && IsSpace(s[i])) ++i;
  return i;
}

// Index just past the JSON string whose opening quote is at s[i], or s.size() if unterminated.
std::size_t SkipString(std::string_view s, std::size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return s.size();
}

// Index just past a JSON literal or number token starting at s[i], or i if there is none.
std::size_t SkipScalar(std::string_view s, std::size_t i) {
  for (const std::string_view literal : {"true", "false", "null"}) {
    if (s.substr(i, literal.size()) == literal) {
      const std::size_t end = i + literal.size();
      // "nullable" or "trueish" in prose are words, not literals.
      const bool word_goes_on = end < s.size() && ((s[end] >= 'a' && s[end] <= 'z') || (s[end] >= 'A' && s[end] <= 'Z'));
      return word_goes_on ? i : end;
    }
  }
  std::size_t end = i;
  if (end < s.size() && s[end] == '-') ++end;
  if (end >= s.size() || !IsDigit(s[end])) return i;
  while (end < s.size() && (IsDigit(s[end]) || s[end] == '.' || s[end] == 'e' || s[end] == 'E' ||
                            s[end] == '+' || s[end] == '-')) {
    ++end;
  }
  return end;
}

// Whether the bracket at s[i] opens something that reads like JSON: `{` then `"key":` or `}`;
// `[` then `]`, a nested bracket, or a first element followed by `,` or `]`. Running out of text
// counts as yes, because a truncated answer is still an answer. This keeps "[see below]",
// "[2023 report]" and "{placeholder}" in prose from being taken for the payload. Each call scans
// one token; the tokens scanned from different brackets do not overlap, so a whole pass stays
// linear.
bool LooksLikeJsonStart(std::string_view s, std::size_t i) {
  std::size_t k = SkipSpace(s, i + 1);
  if (k >= s.size()) return true;
  if (s[i] == '{') {
    if (s[k] == '}') return true;
    if (s[k] != '"') return false;
    k = SkipSpace(s, SkipString(s, k));
    return k >= s.size() || s[k] == ':';
  }
  if (s[k] == ']' || s[k] == '[' || s[k] == '{') return true;
  std::size_t end = k;
  if (s[k] == '"') {
    end = SkipString(s, k);
  } else {
    end = SkipScalar(s, k);
    if (end == k) return false;
  }
  end = SkipSpace(s, end);
  return end >= s.size() || s[end] == ',' || s[end] == ']';
}

struct Candidate {
  std::size_t begin = 0;
  std::size_t end = 0;  // exclusive
  bool too_deep = false;
  bool found = false;
};

// The largest object or array in `s` that LooksLikeJsonStart, with brackets matched in one pass.
// Inside a candidate, brackets are counted and strings skipped; a candidate ends when its
// brackets balance, at a mismatched closer (kept, so that "{"a": [1}" is reported as malformed
// rather than ignored) or at the end of the text (truncated). Scanning resumes after the
// candidate, never inside it, which is what keeps the pass linear.
Candidate LargestCandidate(std::string_view s, std::size_t max_depth) {
  Candidate best;
  std::string stack;  // the open brackets of the current candidate
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if ((c != '{' && c != '[') || !LooksLikeJsonStart(s, i)) {
      ++i;
      continue;
    }
    Candidate current;
    current.begin = i;
    stack.assign(1, c);
    std::size_t k = i + 1;
    for (; k < s.size() && !stack.empty(); ++k) {
      const char d = s[k];
      if (d == '"') {
        k = SkipString(s, k) - 1;
      } else if (d == '{' || d == '[') {
        if (stack.size() == max_depth) current.too_deep = true;  // keep matching to find the end
        stack.push_back(d);
      } else if (d == '}' || d == ']') {
        const char open = d == '}' ? '{' : '[';
        if (stack.back() != open) {
          stack.clear();  // malformed: the candidate ends here
        } else {
          stack.pop_back();
        }
      }
    }
    current.end = k;
    current.found = true;
    if (!best.found || current.end - current.begin > best.end - best.begin) best = current;
    i = k;
  }
  return best;
}

Extracted Finish(std::string_view answer, std::size_t begin, std::size_t end, JsonForm form,
                 std::size_t max_depth, bool depth_known_too_deep = false) {
  Extracted out;
  out.form = form;
  out.offset = begin;
  out.length = end - begin;
  const std::string_view text = answer.substr(begin, end - begin);
  if (depth_known_too_deep || NestsDeeperThan(text, max_depth)) {
    out.status = ExtractStatus::kInvalid;
    out.error = "JSON nests deeper than " + std::to_string(max_depth) + " levels";
    return out;
  }
  std::string error;
  if (ParseJsonText(text, out.value, error)) {
    out.status = ExtractStatus::kOk;
  } else {
    out.status = ExtractStatus::kInvalid;
    out.error = "invalid JSON: " + error;
  }
  return out;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

struct Fence {
  std::size_t begin = 0;  // content, trimmed
  std::size_t end = 0;
  bool found = false;
};

// Where the fence opened at or before `from` closes: the first "```" at the start of a line
// (after optional indentation), because a JSON string may itself contain "```"; failing that the
// last "```" (a one-line fence); npos when unclosed. Scans forward from `from` only.
std::size_t FindClosingFence(std::string_view s, std::size_t from) {
  std::size_t last = std::string_view::npos;
  for (std::size_t at = s.find("```", from); at != std::string_view::npos; at = s.find("```", at + 3)) {
    std::size_t k = at;
    while (k > from && (s[k - 1] == ' ' || s[k - 1] == '\t')) --k;
    if (k > 0 && s[k - 1] == '\n') return at;
    last = at;
  }
  return last;
}

// The first ```json fence, else the first plain ``` fence whose content starts with { or [.
// Fences for other languages are skipped whole. Each search starts after the previous fence's
// close, so the whole search is one pass over the text.
Fence FindFence(std::string_view s) {
  Fence plain;
  std::size_t at = s.find("```");
  while (at != std::string_view::npos) {
    std::size_t info_end = at + 3;
    while (info_end < s.size() && !IsSpace(s[info_end]) && s[info_end] != '`') ++info_end;
    const std::string_view info = s.substr(at + 3, info_end - at - 3);
    const std::size_t close = FindClosingFence(s, info_end);
    const std::size_t content_end = close == std::string_view::npos ? s.size() : close;
    Fence fence;
    fence.begin = SkipSpace(s, info_end);
    fence.end = content_end;
    while (fence.end > fence.begin && IsSpace(s[fence.end - 1])) --fence.end;
    fence.begin = std::min(fence.begin, fence.end);
    fence.found = true;
    if (EqualsIgnoringCase(info, "json")) return fence;
    if (info.empty() && !plain.found && fence.begin < fence.end &&
        (s[fence.begin] == '{' || s[fence.begin] == '[')) {
      plain = fence;
    }
    if (close == std::string_view::npos) break;
    at = s.find("```", close + 3);
  }
  return plain;
}

}  // namespace

std::string_view JsonFormName(JsonForm form) {
  switch (form) {
    case JsonForm::kBare: return "bare";
    case JsonForm::kFenced: return "fenced";
    case JsonForm::kAfterProse: return "after_prose";
  }
  return "bare";
}

std::string_view ExtractStatusName(ExtractStatus status) {
  switch (status) {
    case ExtractStatus::kOk: return "ok";
    case ExtractStatus::kNotFound: return "not_found";
    case ExtractStatus::kInvalid: return "invalid";
  }
  return "invalid";
}

Extracted ExtractJson(std::string_view answer, const ExtractOptions& options) {
  std::size_t begin = SkipSpace(answer, 0);
  std::size_t end = answer.size();
  while (end > begin && IsSpace(answer[end - 1])) --end;
  // A UTF-8 byte order mark is invisible to the model's reader; it should not hide bare JSON.
  if (answer.substr(begin, 3) == "\xEF\xBB\xBF") begin = SkipSpace(answer, begin + 3);
  if (begin >= end) {
    Extracted out;
    out.error = "the answer is empty";
    return out;
  }
  const std::string_view body = answer.substr(0, end);

  // 1. Bare: the trimmed answer is one JSON value. Objects and arrays are checked by matching
  // brackets first, so that "{...} and some prose" goes on to the prose rule instead of failing
  // here; a scalar is simply parsed (it cannot nest, and the parse stops at the first bad byte).
  const char first = answer[begin];
  Candidate best;
  bool scanned = false;
  if (first == '{' || first == '[') {
    best = LargestCandidate(body, options.max_depth);
    scanned = true;
    // Nothing can be larger than a candidate spanning the whole trimmed answer.
    if (best.found && best.begin == begin && best.end == end) {
      return Finish(answer, begin, end, JsonForm::kBare, options.max_depth, best.too_deep);
    }
  } else if (first == '"' || first == '-' || IsDigit(first) || first == 't' || first == 'f' || first == 'n') {
    const std::string_view text = answer.substr(begin, end - begin);
    Json value;
    std::string ignored;
    if (!NestsDeeperThan(text, options.max_depth) && ParseJsonText(text, value, ignored)) {
      Extracted out;
      out.status = ExtractStatus::kOk;
      out.form = JsonForm::kBare;
      out.value = std::move(value);
      out.offset = begin;
      out.length = end - begin;
      return out;
    }
  }

  // 2. Fenced.
  const Fence fence = FindFence(body);
  if (fence.found) {
    if (fence.begin == fence.end) {
      Extracted out;
      out.status = ExtractStatus::kInvalid;
      out.form = JsonForm::kFenced;
      out.offset = fence.begin;
      out.error = "the ```json block is empty";
      return out;
    }
    return Finish(answer, fence.begin, fence.end, JsonForm::kFenced, options.max_depth);
  }

  // 3. With prose around it.
  if (!scanned) best = LargestCandidate(body, options.max_depth);
  if (best.found) {
    return Finish(answer, best.begin, best.end, JsonForm::kAfterProse, options.max_depth, best.too_deep);
  }
  Extracted out;
  out.error = "no JSON object or array found in the answer";
  return out;
}

}  // namespace gavel::schema
