#include "gavel/text/answer.h"

#include <re2/re2.h>
#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <vector>

#include "gavel/text/match.h"
#include "internal.h"

namespace gavel::text {
namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (AsciiLower(s[i]) != prefix[i]) return false;
  }
  return true;
}

bool IsSpaceAt(std::string_view s, std::size_t start, std::size_t& end) {
  end = start;
  return u_isUWhiteSpace(static_cast<UChar32>(DecodeUtf8(s, end)));
}

// Trims Unicode white space from both ends of valid UTF-8.  Costs only the trimmed bytes (plus
// one code point), so callers may trim repeatedly without going quadratic.
std::string_view Trim(std::string_view s) {
  std::size_t end = 0;
  while (!s.empty() && IsSpaceAt(s, 0, end)) s.remove_prefix(end);
  while (!s.empty()) {
    std::size_t start = s.size() - 1;  // back up to the first byte of the last code point
    while (start > 0 && s.size() - start < 4 &&
           (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) {
      --start;
    }
    if (!IsSpaceAt(s, start, end) || end != s.size()) break;
    s.remove_suffix(s.size() - start);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Extraction

// Boxes are found in one left-to-right pass that tracks brace depth, so the cost is linear even
// for inputs with many unclosed boxes.  Returns the content of the box that closes last among
// those with non-blank content.
std::optional<std::string> LastBoxed(std::string_view text) {
  struct Open {
    std::size_t depth;          // brace depth outside the box
    std::size_t content_begin;  // offset after its '{'
  };
  std::vector<Open> boxes;
  std::size_t depth = 0;
  std::optional<std::string_view> best;
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (c == '\\') {
      if (i + 1 < n && (text[i + 1] == '{' || text[i + 1] == '}' || text[i + 1] == '\\')) {
        ++i;  // an escaped brace or a LaTeX line break: not grouping
        continue;
      }
      std::string_view rest = text.substr(i + 1);
      std::size_t name = 0;
      if (rest.starts_with("boxed")) name = 5;
      else if (rest.starts_with("fbox")) name = 4;
      if (name == 0) continue;
      std::size_t j = i + 1 + name;
      while (j < n && IsAsciiSpace(text[j])) ++j;
      if (j < n && text[j] == '{') {
        boxes.push_back({depth, j + 1});
        ++depth;
        i = j;
      }
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (depth == 0) continue;  // unmatched: ignore
      --depth;
      if (!boxes.empty() && boxes.back().depth == depth) {
        const std::string_view content = Trim(text.substr(boxes.back().content_begin,
                                                          i - boxes.back().content_begin));
        if (!content.empty()) best = content;
        boxes.pop_back();
      }
    }
  }
  if (!best) return std::nullopt;
  return std::string(*best);
}

// Strips markdown emphasis and a trailing period from a phrase answer.
std::string_view CleanPhraseAnswer(std::string_view s) {
  for (bool changed = true; changed;) {
    changed = false;
    const std::string_view t = Trim(s);
    if (t.size() != s.size()) changed = true;
    s = t;
    while (!s.empty() && (s.front() == '*' || s.front() == ':')) {
      s.remove_prefix(1);
      changed = true;
    }
    while (!s.empty() && (s.back() == '*' || s.back() == '.')) {
      s.remove_suffix(1);
      changed = true;
    }
  }
  return s;
}

// The answer that follows a marker ending at `at`: the rest of the line, or the next non-blank
// line if the rest is blank; cut at the first sentence end (". "), cleaned.  Empty if none.
std::string_view AnswerAfter(std::string_view text, std::size_t at) {
  std::size_t begin = at;
  for (int line = 0; line < 2 && begin < text.size(); ++line) {
    std::size_t end = begin;
    bool blank = true;
    while (end < text.size() && text[end] != '\n') {
      if (text[end] == '.' && end + 1 < text.size() && IsAsciiSpace(text[end + 1])) break;
      if (!IsAsciiSpace(text[end])) blank = false;
      ++end;
    }
    if (!blank || line == 1) {
      const std::string_view answer = CleanPhraseAnswer(text.substr(begin, end - begin));
      if (!answer.empty() || line == 1) return answer;
    }
    if (end >= text.size() || text[end] != '\n') return {};  // cut by ". " on a blank line
    begin = end + 1;
    // Skip wholly blank lines before the next one.
    while (begin < text.size() && IsAsciiSpace(text[begin])) ++begin;
  }
  return {};
}

// Among the marker end positions, the answer after the last one that has a non-empty answer.
std::optional<std::string> LastAnswerAfter(std::string_view text,
                                           const std::vector<std::size_t>& ends) {
  for (auto it = ends.rbegin(); it != ends.rend(); ++it) {
    const std::string_view answer = AnswerAfter(text, *it);
    if (!answer.empty()) return std::string(answer);
  }
  return std::nullopt;
}

std::vector<std::size_t> HashMarkerEnds(std::string_view text) {
  std::vector<std::size_t> ends;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '#') {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && text[j] == '#') ++j;
    if (j - i >= 4) ends.push_back(j);
    i = j;
  }
  return ends;
}

std::vector<std::size_t> RegexMatchEnds(std::string_view text, const re2::RE2& re) {
  std::vector<std::size_t> ends;
  const re2::StringPiece whole(text.data(), text.size());
  re2::StringPiece match;
  std::size_t pos = 0;
  while (pos < text.size() &&
         re.Match(whole, pos, text.size(), re2::RE2::UNANCHORED, &match, 1)) {
    const auto end = static_cast<std::size_t>(match.data() - text.data()) + match.size();
    ends.push_back(end);
    pos = std::max(end, pos + 1);
  }
  return ends;
}

const re2::RE2& PhraseRegex(AnswerForm form) {
  static const re2::RE2 final_answer(R"((?i)\bfinal\s+answer\b[*_]*\s*(?:is\b[*_]*\s*:?|:|=))");
  static const re2::RE2 answer_is(R"((?i)\banswer\s+is\b[*_]*\s*:?)");
  static const re2::RE2 answer_colon(R"((?i)\banswer\b[*_]*\s*[:=])");
  switch (form) {
    case AnswerForm::kFinalAnswer: return final_answer;
    case AnswerForm::kAnswerIs: return answer_is;
    default: return answer_colon;
  }
}

// ---------------------------------------------------------------------------------------------
// Cleaning shared by number parsing and text normalisation

// Replacements applied in one left-to-right pass (first listed wins at a position).
struct Replacement {
  std::string_view from;
  std::string_view to;
  bool not_before_letter;  // only when the next character is not an ASCII letter
};
constexpr std::array<Replacement, 16> kReplacements{{
    {"\\dfrac", "\\frac", false},
    {"\\tfrac", "\\frac", false},
    {"\\left", "", true},
    {"\\right", "", true},
    {"^{\\circ}", "°", false},
    {"^\\circ", "°", false},
    {"\\circ", "°", false},
    {"\\degree", "°", false},
    {"\\!", "", false},
    {"\\,", "", false},
    {"\\;", "", false},
    {"\\:", "", false},
    {"\\ ", " ", false},
    {"{,}", ",", false},
    {"\\%", "%", false},
    {"\\$", "$", false},
}};

std::string ReplaceLatex(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    bool replaced = false;
    if (s[i] == '\\' || s[i] == '^' || s[i] == '{') {
      for (const Replacement& r : kReplacements) {
        if (!s.substr(i).starts_with(r.from)) continue;
        const std::size_t next = i + r.from.size();
        if (r.not_before_letter && next < s.size() && IsAsciiAlpha(s[next])) continue;
        out.append(r.to);
        i = next;
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(s[i++]);
  }
  return out;
}

// If s is exactly `\name{...}` (one of the wrapper commands), the inside of the braces.
std::optional<std::string_view> UnwrapCommand(std::string_view s) {
  static constexpr std::array<std::string_view, 9> kWrappers{
      "\\boxed", "\\fbox", "\\text", "\\textbf", "\\textrm", "\\mathrm", "\\mathbf", "\\mbox",
      "\\displaystyle"};
  for (const std::string_view w : kWrappers) {
    if (!s.starts_with(w)) continue;
    std::size_t i = w.size();
    while (i < s.size() && IsAsciiSpace(s[i])) ++i;
    if (w == "\\displaystyle") return s.substr(i);
    if (i >= s.size() || s[i] != '{') continue;
    // The brace opened at i must close at the very end.
    std::size_t depth = 0;
    for (std::size_t j = i; j < s.size(); ++j) {
      if (s[j] == '\\') {
        ++j;
        continue;
      }
      if (s[j] == '{') ++depth;
      if (s[j] == '}' && --depth == 0) {
        if (j + 1 == s.size()) return s.substr(i + 1, j - i - 1);
        break;
      }
    }
  }
  return std::nullopt;
}

// Removes LaTeX spacing and the wrappers around a whole answer (see ParseNumber).
std::string CleanAnswer(std::string_view raw) {
  const internal::ValidUtf8 valid(raw);
  const std::string replaced = ReplaceLatex(valid.view());
  std::string_view s = Trim(replaced);
  // Rounds are linear and bounded, so wrappers nested a million deep stay linear.
  constexpr int kMaxRounds = 16;
  for (int round = 0; round < kMaxRounds; ++round) {
    const std::size_t before = s.size();
    while (!s.empty() && (s.back() == '.' || s.back() == '*')) s.remove_suffix(1);
    while (!s.empty() && s.front() == '*') s.remove_prefix(1);
    s = Trim(s);
    if (s.size() >= 4 && s.starts_with("$$") && s.ends_with("$$")) {
      s = s.substr(2, s.size() - 4);
    } else if (s.size() >= 2 && s.front() == '$' && s.back() == '$') {
      s = s.substr(1, s.size() - 2);
    } else if (s.size() >= 4 && ((s.starts_with("\\(") && s.ends_with("\\)")) ||
                                 (s.starts_with("\\[") && s.ends_with("\\]")))) {
      s = s.substr(2, s.size() - 4);
    } else if (auto inner = UnwrapCommand(s)) {
      s = *inner;
    }
    s = Trim(s);
    if (s.size() == before) break;
  }
  return std::string(s);
}

// ---------------------------------------------------------------------------------------------
// Numbers

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool AtEnd() const { return i_ >= s_.size(); }
  char Peek(std::size_t ahead = 0) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }
  void Advance(std::size_t n = 1) { i_ = std::min(s_.size(), i_ + n); }
  bool Consume(std::string_view token) {
    if (!s_.substr(i_).starts_with(token)) return false;
    i_ += token.size();
    return true;
  }
  bool SkipSpaces() {
    const std::size_t start = i_;
    while (i_ < s_.size() && IsAsciiSpace(s_[i_])) ++i_;
    return i_ != start;
  }
  std::size_t TakeDigits(std::string& out) {
    std::size_t n = 0;
    while (i_ < s_.size() && IsDigit(s_[i_])) {
      out.push_back(s_[i_++]);
      ++n;
    }
    return n;
  }
  std::size_t DigitsAt(std::size_t ahead) const {
    std::size_t n = 0;
    while (IsDigit(Peek(ahead + n))) ++n;
    return n;
  }
  std::size_t pos() const { return i_; }
  void set_pos(std::size_t p) { i_ = p; }
  std::string_view Rest() const { return s_.substr(std::min(i_, s_.size())); }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

constexpr std::array<std::string_view, 7> kCurrency{"$", "€", "£", "¥", "₹", "￥", "￡"};

bool SkipCurrency(Cursor& c) {
  for (const std::string_view sym : kCurrency) {
    if (c.Consume(sym)) return true;
  }
  return false;
}

// Sign: '+', '-' or U+2212 MINUS SIGN; returns true when negative.
bool TakeSign(Cursor& c) {
  if (c.Consume("-") || c.Consume("\u2212")) return true;
  c.Consume("+");
  return false;
}

// An unsigned decimal with optional thousands separators and fraction; appends its digits (with
// '.') to out.  Fails on malformed grouping such as "1,5" or "1234,567".
bool TakeDecimal(Cursor& c, std::string& out) {
  const std::size_t int_digits = c.TakeDigits(out);
  if (int_digits > 0 && c.Peek() == ',' && IsDigit(c.Peek(1))) {
    if (int_digits > 3) return false;
    while (c.Peek() == ',' && c.DigitsAt(1) == 3) {
      c.Advance();
      c.TakeDigits(out);
    }
    if (c.Peek() == ',' && IsDigit(c.Peek(1))) return false;
  }
  if (c.Peek() == '.' && IsDigit(c.Peek(1))) {
    if (int_digits == 0) out.push_back('0');
    out.push_back('.');
    c.Advance();
    c.TakeDigits(out);
    return true;
  }
  return int_digits > 0;
}

// A signed integer exponent, possibly in braces ("3", "{-3}").
bool TakeExponent(Cursor& c, long long& exponent) {
  const bool braced = c.Consume("{");
  if (braced) c.SkipSpaces();
  const bool negative = TakeSign(c);
  std::string digits;
  if (c.TakeDigits(digits) == 0 || digits.size() > 6) return false;
  exponent = std::stoll(digits) * (negative ? -1 : 1);
  if (braced) {
    c.SkipSpaces();
    if (!c.Consume("}")) return false;
  }
  return true;
}

// An unsigned decimal with an optional exponent ("1.5e-3", "1.5 \times 10^{3}").
std::optional<double> TakeScientific(Cursor& c) {
  std::string digits;
  if (!TakeDecimal(c, digits)) return std::nullopt;
  long long exponent = 0;
  if ((c.Peek() == 'e' || c.Peek() == 'E') &&
      (IsDigit(c.Peek(1)) || ((c.Peek(1) == '-' || c.Peek(1) == '+') && IsDigit(c.Peek(2))))) {
    c.Advance();
    if (!TakeExponent(c, exponent)) return std::nullopt;
  }
  const std::size_t save = c.pos();
  c.SkipSpaces();
  if (c.Consume("\\times") || c.Consume("\\cdot") || c.Consume("×") || c.Consume("*")) {
    c.SkipSpaces();
    long long more = 0;
    if (c.Consume("10^") && TakeExponent(c, more)) {
      exponent += more;
    } else {
      return std::nullopt;  // "3 \times 4" is an expression, not a number
    }
  } else {
    c.set_pos(save);
  }
  digits += 'e';
  digits += std::to_string(exponent);
  double value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// {signed decimal} or a single digit, for \frac.
std::optional<double> TakeFracPart(Cursor& c) {
  c.SkipSpaces();
  if (IsDigit(c.Peek())) {
    const double d = c.Peek() - '0';
    c.Advance();
    return d;
  }
  if (!c.Consume("{")) return std::nullopt;
  c.SkipSpaces();
  const bool negative = TakeSign(c);
  c.SkipSpaces();
  const std::optional<double> v = TakeScientific(c);
  c.SkipSpaces();
  if (!v || !c.Consume("}")) return std::nullopt;
  return negative ? -*v : *v;
}

// Is s (what follows the number) an acceptable unit?  See ParseNumber.
bool IsUnitTail(std::string_view s, bool spaced) {
  static constexpr std::array<std::string_view, 7> kTextCommands{
      "text", "textrm", "mathrm", "mbox", "rm", "operatorname", "mathit"};
  if (s.empty()) return true;
  // A lone ASCII letter glued to the number is a variable ("5x"), not a unit.
  if (!spaced && s.size() == 1 && IsAsciiAlpha(s[0])) return false;
  bool first = true;
  bool in_exponent = false;
  std::size_t pos = 0;
  while (pos < s.size()) {
    if (s[pos] == '\\') {
      std::size_t end = pos + 1;
      while (end < s.size() && IsAsciiAlpha(s[end])) ++end;
      const std::string_view command = s.substr(pos + 1, end - pos - 1);
      if (std::find(kTextCommands.begin(), kTextCommands.end(), command) == kTextCommands.end()) {
        return false;
      }
      pos = end;
      first = false;
      in_exponent = false;
      continue;
    }
    const char32_t cp = DecodeUtf8(s, pos);
    const auto u = static_cast<UChar32>(cp);
    const bool letter = u_isalpha(u) || cp == U'°' || u_charType(u) == U_CURRENCY_SYMBOL;
    if (first && !letter) return false;
    first = false;
    if (letter || u_isUWhiteSpace(u) || cp == U'/' || cp == U'.' || cp == U'}' || cp == U'²' ||
        cp == U'³') {
      in_exponent = false;
    } else if (cp == U'^') {
      in_exponent = true;
    } else if (cp == U'{') {
      // braces of \text{...} or of an exponent ^{2}: exponent state carries over
    } else if ((cp == U'-' || (cp >= U'0' && cp <= U'9')) && in_exponent) {
      // exponent digits
    } else {
      return false;
    }
  }
  return true;
}

// Removes a leading "x =" / "≈" / "approximately" from a candidate number.
std::string_view StripNumberPrefix(std::string_view s) {
  const std::size_t eq = s.find('=');
  if (eq != std::string_view::npos && s.find('=', eq + 1) == std::string_view::npos) {
    const std::string_view lhs = Trim(s.substr(0, eq));
    const bool identifier =
        !lhs.empty() && (IsAsciiAlpha(lhs[0]) || lhs[0] == '\\') &&
        std::all_of(lhs.begin(), lhs.end(), [](char c) {
          return IsAsciiAlpha(c) || IsDigit(c) || c == '_' || c == '\\' || c == '{' || c == '}';
        });
    if (identifier) s = Trim(s.substr(eq + 1));
  }
  for (const std::string_view p : {"≈", "\\approx", "~"}) {
    if (s.starts_with(p)) return Trim(s.substr(p.size()));
  }
  for (const std::string_view w : {"approximately ", "approx. ", "about ", "around ", "roughly "}) {
    if (StartsWithIgnoreCase(s, w)) return Trim(s.substr(w.size()));
  }
  return s;
}

bool Close(double a, double b, const AnswerCompareOptions& o) {
  if (a == b) return true;
  return std::fabs(a - b) <= std::max(o.abs_tol, o.rel_tol * std::max(std::fabs(a), std::fabs(b)));
}

std::optional<Error> CheckTolerances(const AnswerCompareOptions& o) {
  if (!std::isfinite(o.abs_tol) || o.abs_tol < 0) {
    return Error(ErrorKind::kBadRubric,
                 "answer comparison: abs_tol must be finite and >= 0, got " +
                     std::to_string(o.abs_tol));
  }
  if (!std::isfinite(o.rel_tol) || o.rel_tol < 0) {
    return Error(ErrorKind::kBadRubric,
                 "answer comparison: rel_tol must be finite and >= 0, got " +
                     std::to_string(o.rel_tol));
  }
  return std::nullopt;
}

bool NumbersMatch(const ParsedNumber& a, const ParsedNumber& b, const AnswerCompareOptions& o) {
  if (a.percent == b.percent) return Close(a.value, b.value, o);
  const ParsedNumber& pct = a.percent ? a : b;
  const ParsedNumber& plain = a.percent ? b : a;
  switch (o.percent) {
    case PercentMode::kIgnoreSign: return Close(pct.value, plain.value, o);
    case PercentMode::kFraction: return Close(pct.value / 100, plain.value, o);
    case PercentMode::kEither: break;
  }
  return Close(pct.value, plain.value, o) || Close(pct.value / 100, plain.value, o);
}

}  // namespace

std::string_view AnswerFormName(AnswerForm form) {
  switch (form) {
    case AnswerForm::kBoxed: return "boxed";
    case AnswerForm::kHashes: return "hashes";
    case AnswerForm::kFinalAnswer: return "final_answer";
    case AnswerForm::kAnswerIs: return "answer_is";
    case AnswerForm::kAnswerColon: return "answer_colon";
  }
  return "unknown";
}

std::optional<ExtractedAnswer> ExtractFinalAnswer(std::string_view response) {
  const internal::ValidUtf8 valid(response);
  const std::string_view text = valid.view();
  if (auto boxed = LastBoxed(text)) return ExtractedAnswer{std::move(*boxed), AnswerForm::kBoxed};
  if (auto hashes = LastAnswerAfter(text, HashMarkerEnds(text))) {
    return ExtractedAnswer{std::move(*hashes), AnswerForm::kHashes};
  }
  for (const AnswerForm form :
       {AnswerForm::kFinalAnswer, AnswerForm::kAnswerIs, AnswerForm::kAnswerColon}) {
    if (auto found = LastAnswerAfter(text, RegexMatchEnds(text, PhraseRegex(form)))) {
      return ExtractedAnswer{std::move(*found), form};
    }
  }
  return std::nullopt;
}

std::optional<ParsedNumber> ParseNumber(std::string_view raw) {
  const std::string cleaned = CleanAnswer(raw);
  Cursor c(StripNumberPrefix(cleaned));
  bool negative = false;
  SkipCurrency(c);
  c.SkipSpaces();
  negative = TakeSign(c);
  c.SkipSpaces();
  if (SkipCurrency(c)) c.SkipSpaces();

  double value = 0;
  if (c.Consume("\\frac")) {
    const std::optional<double> num = TakeFracPart(c);
    if (!num) return std::nullopt;
    const std::optional<double> den = TakeFracPart(c);
    if (!den || *den == 0) return std::nullopt;
    value = *num / *den;
  } else {
    const std::optional<double> num = TakeScientific(c);
    if (!num) return std::nullopt;
    value = *num;
    const std::size_t save = c.pos();
    c.SkipSpaces();
    if (c.Consume("/")) {
      c.SkipSpaces();
      const std::optional<double> den = TakeScientific(c);
      if (!den || *den == 0) return std::nullopt;
      value /= *den;
    } else {
      c.set_pos(save);
    }
  }
  if (!std::isfinite(value)) return std::nullopt;

  // Whether the unit is set apart from the digits (by space, a currency sign or '%').
  bool spaced = c.SkipSpaces();
  if (SkipCurrency(c)) {
    spaced = true;
    c.SkipSpaces();
  }
  bool percent = false;
  if (c.Consume("%")) {
    percent = true;
    spaced = true;
    c.SkipSpaces();
  }
  if (!IsUnitTail(c.Rest(), spaced)) return std::nullopt;
  return ParsedNumber{negative ? -value : value, percent};
}

Result<std::string> NormaliseAnswerText(std::string_view text) {
  if (auto err = internal::CheckIcuSize(text, "normalising an answer")) return *err;
  const std::string cleaned = CleanAnswer(text);
  Result<std::string> folded = FoldText(
      cleaned, FoldOptions{.case_fold = true, .whitespace = true,
                           .normalization = Normalization::kNfkc});
  if (!folded) return folded;
  std::string out;
  out.reserve(folded->size());
  for (const char c : *folded) {
    if (c != ' ') out.push_back(c);
  }
  return out;
}

Result<AnswerComparison> CompareAnswers(std::string_view got, std::string_view want,
                                        const AnswerCompareOptions& options) {
  if (auto err = CheckTolerances(options)) return *err;
  // Checked before any parsing, so an oversized side costs nothing.
  if (auto err = internal::CheckIcuSize(got, "comparing an answer")) return *err;
  if (auto err = internal::CheckIcuSize(want, "comparing a reference")) return *err;
  AnswerComparison cmp;
  const std::optional<ParsedNumber> a = ParseNumber(got);
  const std::optional<ParsedNumber> b = a ? ParseNumber(want) : std::nullopt;
  if (a && b) {
    cmp.numeric = true;
    cmp.got_value = a->value;
    cmp.want_value = b->value;
    cmp.match = NumbersMatch(*a, *b, options);
    return cmp;
  }
  Result<std::string> ga = NormaliseAnswerText(got);
  if (!ga) return ga.error();
  Result<std::string> wa = NormaliseAnswerText(want);
  if (!wa) return wa.error();
  cmp.got_text = std::move(*ga);
  cmp.want_text = std::move(*wa);
  cmp.match = cmp.got_text == cmp.want_text;
  return cmp;
}

Result<FinalAnswerCheck> CheckFinalAnswer(std::string_view response, std::string_view reference,
                                          const AnswerCompareOptions& options) {
  if (auto err = CheckTolerances(options)) return *err;  // reported even with no answer found
  FinalAnswerCheck check;
  check.extracted = ExtractFinalAnswer(response);
  if (!check.extracted) return check;
  Result<AnswerComparison> cmp = CompareAnswers(check.extracted->text, reference, options);
  if (!cmp) return cmp.error();
  check.comparison = std::move(*cmp);
  check.correct = check.comparison.match;
  return check;
}

}  // namespace gavel::text
