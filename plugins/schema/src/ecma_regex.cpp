#include "ecma_regex.h"

#include <cstdint>
#include <utility>

namespace gavel::schema::detail {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The value of the 4 hex digits at p[i..i+4), or -1.
long Hex4(std::string_view p, std::size_t i) {
  if (i + 4 > p.size()) return -1;
  long value = 0;
  for (std::size_t k = i; k < i + 4; ++k) {
    const int digit = HexDigit(p[k]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

void AppendCodePoint(std::string& out, long code_point) {
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string digits;
  do {
    digits.insert(digits.begin(), kHex[code_point % 16]);
    code_point /= 16;
  } while (code_point > 0);
  out += "\\x{" + digits + "}";
}

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// ECMA-262's white space and line terminators (\s), as RE2 class ranges; RE2's own \s is ASCII.
constexpr const char* kEcmaSpace =
    "\\t\\n\\x{B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}";
// Its complement (\S), so that it can stand inside a class too.
constexpr const char* kEcmaNonSpace =
    "\\x{0}-\\x{8}\\x{E}-\\x{1F}!-\\x{9F}\\x{A1}-\\x{167F}\\x{1681}-\\x{1FFF}\\x{200B}-\\x{2027}"
    "\\x{202A}-\\x{202E}\\x{2030}-\\x{205E}\\x{2060}-\\x{2FFF}\\x{3001}-\\x{FEFE}\\x{FF00}-\\x{10FFFF}";

// RE2 knows general categories by their short names (L, Lu, ...) and scripts by name; ECMA-262
// also allows the long names and the "General_Category=" / "Script=" forms.
std::string Re2PropertyName(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kLong[] = {
      {"Letter", "L"}, {"Uppercase_Letter", "Lu"}, {"Lowercase_Letter", "Ll"}, {"Titlecase_Letter", "Lt"},
      {"Modifier_Letter", "Lm"}, {"Other_Letter", "Lo"}, {"Mark", "M"}, {"Combining_Mark", "M"},
      {"Nonspacing_Mark", "Mn"}, {"Spacing_Mark", "Mc"}, {"Enclosing_Mark", "Me"}, {"Number", "N"},
      {"Decimal_Number", "Nd"}, {"digit", "Nd"}, {"Letter_Number", "Nl"}, {"Other_Number", "No"},
      {"Punctuation", "P"}, {"punct", "P"}, {"Connector_Punctuation", "Pc"}, {"Dash_Punctuation", "Pd"},
      {"Open_Punctuation", "Ps"}, {"Close_Punctuation", "Pe"}, {"Initial_Punctuation", "Pi"},
      {"Final_Punctuation", "Pf"}, {"Other_Punctuation", "Po"}, {"Symbol", "S"}, {"Math_Symbol", "Sm"},
      {"Currency_Symbol", "Sc"}, {"Modifier_Symbol", "Sk"}, {"Other_Symbol", "So"}, {"Separator", "Z"},
      {"Space_Separator", "Zs"}, {"Line_Separator", "Zl"}, {"Paragraph_Separator", "Zp"}, {"Other", "C"},
      {"Control", "Cc"}, {"cntrl", "Cc"}, {"Format", "Cf"}, {"Surrogate", "Cs"}, {"Private_Use", "Co"},
      {"Unassigned", "Cn"},
  };
  for (const std::string_view prefix : {"General_Category=", "gc=", "Script=", "sc=", "Script_Extensions=", "scx="}) {
    if (name.rfind(prefix, 0) == 0) {
      name.remove_prefix(prefix.size());
      break;
    }
  }
  for (const auto& [long_name, short_name] : kLong) {
    if (name == long_name) return std::string(short_name);
  }
  return std::string(name);
}

}  // namespace

std::string TranslateEcmaRegex(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 8);
  bool in_class = false;
  for (std::size_t i = 0; i < p.size();) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char next = p[i + 1];
      if (next == 'u') {
        const long unit = Hex4(p, i + 2);
        if (unit >= 0) {
          // A UTF-16 surrogate pair spelled as two escapes is one code point.
          if (unit >= 0xD800 && unit <= 0xDBFF && p.substr(i + 6, 2) == "\\u") {
            const long low = Hex4(p, i + 8);
            if (low >= 0xDC00 && low <= 0xDFFF) {
              AppendCodePoint(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
              i += 12;
              continue;
            }
          }
          AppendCodePoint(out, unit);
          i += 6;
          continue;
        }
      } else if ((next == 'p' || next == 'P') && i + 2 < p.size() && p[i + 2] == '{') {
        const std::size_t close = p.find('}', i + 3);
        if (close != std::string_view::npos) {
          out += '\\';
          out += next;
          out += '{';
          out += Re2PropertyName(p.substr(i + 3, close - i - 3));
          out += '}';
          i = close + 1;
          continue;
        }
      } else if (next == 's' || next == 'S') {
        const char* ranges = next == 's' ? kEcmaSpace : kEcmaNonSpace;
        if (in_class) {
          out += ranges;
        } else {
          out += '[';
          out += ranges;
          out += ']';
        }
        i += 2;
        continue;
      } else if (next == 'c' && i + 2 < p.size() && IsAsciiLetter(p[i + 2])) {
        AppendCodePoint(out, p[i + 2] % 32);
        i += 3;
        continue;
      }
      // Every other escape means the same in RE2, or RE2 rejects it with a clear message.
      out += c;
      out += next;
      i += 2;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out += c;
      ++i;
      continue;
    }
    if (c == '[') {
      // In ECMA-262 a ']' right after '[' or '[^' closes the class; in RE2 it is a literal.
      if (p.substr(i, 2) == "[]") {
        out += "[^\\x{0}-\\x{10FFFF}]";
        i += 2;
        continue;
      }
      if (p.substr(i, 3) == "[^]") {
        out += "[\\x{0}-\\x{10FFFF}]";
        i += 3;
        continue;
      }
      in_class = true;
      out += c;
      ++i;
      continue;
    }
    if (c == '.') {
      // ECMA-262's dot stops at every line terminator, RE2's only at \n.
      out += "[^\\n\\r\\x{2028}\\x{2029}]";
      ++i;
      continue;
    }
    if (c == '(' && p.substr(i, 3) == "(?<" && i + 3 < p.size() && p[i + 3] != '=' && p[i + 3] != '!') {
      out += "(?P<";
      i += 3;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

std::unique_ptr<const RE2> CompileEcmaRegex(std::string_view pattern, std::string& error) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_never_capture(true);  // only match/no-match is ever asked
  const std::string translated = TranslateEcmaRegex(pattern);
  auto re = std::make_unique<const RE2>(translated, options);
  if (re->ok()) return re;
  error = re->error();
  const std::string& arg = re->error_arg();
  if (arg.rfind("(?=", 0) == 0 || arg.rfind("(?!", 0) == 0 || arg.rfind("(?<", 0) == 0) {
    error += " (RE2 has no lookahead or lookbehind)";
  } else if (arg.size() == 2 && arg[0] == '\\' && arg[1] >= '1' && arg[1] <= '9') {
    error += " (RE2 has no backreferences)";
  }
  return nullptr;
}

}  // namespace gavel::schema::detail
