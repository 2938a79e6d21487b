#include "gavel/text/utf8.h"

namespace gavel::text {

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
    const Utf8Step step = DecodeUtf8At(text, pos);
    if (!step.valid) return pos;
    pos += step.length;
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
    const Utf8Step step = DecodeUtf8At(text, pos);
    if (step.valid) {
      out.append(text.substr(pos, step.length));
    } else {
      AppendUtf8(out, kReplacementChar);
    }
    pos += step.length;
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
