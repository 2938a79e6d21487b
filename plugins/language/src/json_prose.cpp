#include "json_prose.h"

#include <utility>

#include "gavel/schema/extract.h"
#include "prose.h"

namespace gavel::language::detail {
namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiLetter(char c) { return IsAsciiLower(c) || IsAsciiUpper(c); }
bool IsAsciiAlnum(char c) { return IsAsciiLetter(c) || IsAsciiDigit(c); }

bool IsAscii(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

bool HasSpace(std::string_view s) {
  for (const char c : s) {
    if (IsAsciiSpace(c)) return true;
  }
  return false;
}

// A whole string value that is one ASCII token: an identifier, enum member, id, URL, address or
// date. Natural-language words of one token are too short to decide anything anyway, and text
// in scripts without spaces (Japanese, Chinese, Thai) is not ASCII.
bool IsTokenValue(std::string_view value) { return !HasSpace(value) && IsAscii(value); }

// An ASCII word of a value that names something rather than says something: an e-mail address,
// a path, snake_case, camelCase, dotted.names (file.py, e.g.) or letters run into digits (v2,
// sha256). Words with other letters are left alone.
bool IsIdentifierWord(std::string_view word) {
  if (!IsAscii(word)) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    const char c = word[i];
    if (c == '@' || c == '_' || c == '/' || c == '\\' || c == '=' || c == '<' || c == '>') {
      return true;
    }
    if (i == 0) continue;
    const char prev = word[i - 1];
    if (IsAsciiLower(prev) && IsAsciiUpper(c)) return true;
    if ((IsAsciiLetter(prev) && IsAsciiDigit(c)) || (IsAsciiDigit(prev) && IsAsciiLetter(c))) {
      return true;
    }
    if (c == '.' && IsAsciiAlnum(prev) && i + 1 < word.size() && IsAsciiAlnum(word[i + 1])) {
      return true;
    }
  }
  return false;
}

// A string value that is a link: what marks the object holding it as a reference to a source.
bool IsUrlValue(const Json& value) {
  if (!value.is_string()) return false;
  const std::string& s = value.get_ref<const std::string&>();
  return !HasSpace(s) && StartsWithUrl(s);
}

bool IsReference(const Json& object) {
  for (const auto& member : object.items()) {
    if (IsUrlValue(member.value())) return true;
  }
  return false;
}

// Collects the prose of string values, one per line, up to about max_bytes.
class ValueProse {
 public:
  ValueProse(std::string& out, std::size_t max_bytes) : out_(out), max_bytes_(max_bytes) {}

  // The value and everything under it. Depth is bounded by the extractor's nesting limit.
  void Add(const Json& value, bool top) {
    if (full()) return;
    if (value.is_string()) {
      AddString(value.get_ref<const std::string&>());
    } else if (value.is_array()) {
      for (const Json& element : value) Add(element, false);
    } else if (value.is_object()) {
      if (!top && IsReference(value)) return;
      for (const auto& member : value.items()) Add(member.value(), false);
    }
  }

 private:
  bool full() const { return out_.size() >= max_bytes_; }

  void AddString(std::string_view value) {
    if (IsTokenValue(value)) return;
    // Code, URLs and control characters go first, as they would in plain text; what is left is
    // words separated by single spaces.
    const Prose prose = ExtractProse(value, /*strip_markup=*/true, max_bytes_ - out_.size());
    const std::string_view text = prose.text;
    bool wrote = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find(' ', pos);
      if (end == std::string_view::npos) end = text.size();
      const std::string_view word = text.substr(pos, end - pos);
      pos = end + 1;
      if (IsIdentifierWord(word)) continue;
      if (wrote) out_.push_back(' ');
      out_.append(word);
      wrote = true;
    }
    if (wrote) out_.push_back('\n');
  }

  std::string& out_;
  std::size_t max_bytes_;
};

// Whether the text can hold JSON that the extractor would find: it has a bracket, or it is
// a bare JSON string. Bare numbers and literals have no prose either way.
bool MayHoldJson(std::string_view text) {
  // Two memchr scans: find_first_of tests the set one character at a time, which doubled
  // the cost of detecting a 2 KB answer decided by its script.
  if (text.find('{') != std::string_view::npos || text.find('[') != std::string_view::npos) {
    return true;
  }
  std::size_t i = 0;
  while (i < text.size() && IsAsciiSpace(text[i])) ++i;
  return i < text.size() && text[i] == '"';
}

// Whether the value has any text, keys included. JSON without any ("[1]" as a citation mark in
// prose, a bare number) reads the same as text, and is left to be read as text.
bool HoldsText(const Json& value) {
  if (value.is_string()) return true;
  if (value.is_object()) return !value.empty();
  if (value.is_array()) {
    for (const Json& element : value) {
      if (HoldsText(element)) return true;
    }
  }
  return false;
}

TextForm FormOf(gavel::schema::JsonForm form) {
  switch (form) {
    case gavel::schema::JsonForm::kBare: return TextForm::kJson;
    case gavel::schema::JsonForm::kFenced: return TextForm::kFencedJson;
    case gavel::schema::JsonForm::kAfterProse: return TextForm::kJsonInText;
  }
  return TextForm::kJson;
}

}  // namespace

std::string_view TextFormName(TextForm form) {
  switch (form) {
    case TextForm::kText: return "text";
    case TextForm::kJson: return "json";
    case TextForm::kFencedJson: return "fenced_json";
    case TextForm::kJsonInText: return "json_in_text";
  }
  return "text";
}

JsonProse FindJsonProse(std::string_view text, std::size_t max_bytes) {
  JsonProse out;
  if (!MayHoldJson(text)) return out;
  const gavel::schema::Extracted extracted = gavel::schema::ExtractJson(text);
  if (extracted.status == gavel::schema::ExtractStatus::kNotFound) return out;
  if (extracted.ok() && !HoldsText(extracted.value)) return out;
  out.form = FormOf(extracted.form);

  // The range the JSON takes in the text; for a fenced value, the fence too, so that what is
  // left around it does not open or close a code block of its own.
  std::size_t begin = extracted.offset;
  std::size_t end = extracted.offset + extracted.length;
  if (extracted.form == gavel::schema::JsonForm::kFenced) {
    const std::size_t open = text.rfind("```", begin);
    if (open != std::string_view::npos) begin = open;
    const std::size_t close = text.find("```", end);
    end = close == std::string_view::npos ? text.size() : close + 3;
  }

  out.text.reserve(text.size() < max_bytes ? text.size() : max_bytes);
  out.text.append(text.substr(0, begin));
  out.text.append("\n\n");
  if (extracted.ok()) {
    ValueProse(out.text, out.text.size() + max_bytes).Add(extracted.value, /*top=*/true);
  } else {
    out.error = extracted.error;
  }
  out.text.append("\n\n");
  out.text.append(text.substr(end));
  return out;
}

}  // namespace gavel::language::detail
