#include "ecma_regex.h"

#include <cstdint>

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
