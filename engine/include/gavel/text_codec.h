// Hexadecimal digits and percent-encoding, the one copy for URIs, JSON pointers, signatures and
// messages that quote bytes (header-only, part of gavel::api).
//
//   gavel::HexDigitValue('b');                       // 11; -1 for anything but 0-9, a-f, A-F
//   gavel::AppendHexByte(out, 0x2F);                  // appends "2F"
//   gavel::LowerHex({digest, size});                 // "9f86d081..."
//   gavel::PercentDecode("a%20b%zz");                 // "a b%zz": a malformed escape stays
//   gavel::PercentDecodeStrict("a%2");                // an error: "a '%' escape is cut short"
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "gavel/status.h"

namespace gavel {

// The value of one hexadecimal digit, either case, or -1.
constexpr int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

enum class HexCase { kUpper, kLower };

// Appends the two hexadecimal digits of a byte ("2F", or "2f" with kLower).
inline void AppendHexByte(std::string& out, unsigned char byte, HexCase letters = HexCase::kUpper) {
  const char* digits = letters == HexCase::kUpper ? "0123456789ABCDEF" : "0123456789abcdef";
  out += digits[byte >> 4];
  out += digits[byte & 0xF];
}

// Bytes as lower-case hexadecimal, two digits a byte (digests, signatures).
inline std::string LowerHex(std::span<const unsigned char> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const unsigned char byte : bytes) AppendHexByte(out, byte, HexCase::kLower);
  return out;
}

namespace detail {
// The byte of the escape "%XY" at text[i], or -1 when text[i] does not start a whole escape.
constexpr int PercentEscapeAt(std::string_view text, std::size_t i) {
  if (text[i] != '%' || i + 2 >= text.size()) return -1;
  const int high = HexDigitValue(text[i + 1]);
  const int low = HexDigitValue(text[i + 2]);
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}
}  // namespace detail

// Decodes %XY escapes (either case); '+' stays '+'. A '%' not followed by two hexadecimal
// digits is kept as it is, for text that is someone else's and must be taken as it comes (a
// schema's $ref, a query being signed as sent).
inline std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const int byte = detail::PercentEscapeAt(text, i);
    if (byte < 0) {
      out += text[i];
    } else {
      out += static_cast<char>(byte);
      i += 2;
    }
  }
  return out;
}

// The same for text that must be well formed (a URL given in configuration): a '%' not followed
// by two hexadecimal digits is an error of kind kUsage saying which fault it is.
inline Result<std::string> PercentDecodeStrict(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') continue;
    if (i + 2 >= text.size()) return Error(ErrorKind::kUsage, "a '%' escape is cut short");
    if (detail::PercentEscapeAt(text, i) < 0) return Error(ErrorKind::kUsage, "a '%' escape is not hexadecimal");
    i += 2;
  }
  return PercentDecode(text);
}

}  // namespace gavel
