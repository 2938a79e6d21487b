#include "gavel/text/utf8.h"

namespace gavel::text {
namespace {

// DecodeUtf8 returned U+FFFD for text[start, end): was it an encoded U+FFFD (EF BF BD) rather
// than an ill-formed sequence (which can also be three bytes long, e.g. F0 90 80 then ASCII)?
bool IsLiteralReplacement(std::string_view text, std::size_t start, std::size_t end) {
  return end - start == 3 && text.substr(start, 3) == "\xEF\xBF\xBD";
}

}  // namespace

std::size_t FindInvalidUtf8(std::string_view text) {
  std::size_t pos = 0;
  const std::size_t n = text.size();
  while (pos < n) {
    // ASCII fast path, eight bytes at a time where possible.
    while (pos + 8 <= n) {
      unsigned char any = 0;
      for (std::size_t i = 0; i < 8; ++i) any |= static_cast<unsigned char>(text[pos + i]);
      if (any & 0x80) break;
      pos += 8;
    }
    if (pos >= n) break;
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const std::size_t start = pos;
    const char32_t cp = DecodeUtf8(text, pos);
    if (cp == kReplacementChar && !IsLiteralReplacement(text, start, pos)) return start;
  }
  return std::string_view::npos;
}

std::string SanitizeUtf8(std::string_view text) {
  const std::size_t bad = FindInvalidUtf8(text);
  if (bad == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  out.append(text.substr(0, bad));
  std::size_t pos = bad;
  while (pos < text.size()) {
    const std::size_t start = pos;
    const char32_t cp = DecodeUtf8(text, pos);
    if (cp == kReplacementChar && !IsLiteralReplacement(text, start, pos)) {
      AppendUtf8(out, kReplacementChar);
    } else {
      out.append(text.substr(start, pos - start));
    }
  }
  return out;
}

std::size_t CountCodePoints(std::string_view text) {
  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
    } else {
      DecodeUtf8(text, pos);
    }
    ++count;
  }
  return count;
}

}  // namespace gavel::text
