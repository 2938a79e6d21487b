// UTF-8 decoding shared by every gavel.text function: model output is untrusted bytes, so each
// ill-formed sequence reads as one U+FFFD per maximal subpart (the Unicode-recommended
// practice, the same as ICU's), never as an error or a crash.  Header-only; no ICU.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gavel::text {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// Inputs longer than this are refused with ErrorKind::kLimit by every function that hands text
// to ICU (ICU indexes strings with int32_t, and case folding can triple a string's length).
// Functions that only scan bytes (code points, token estimate, answer extraction) have no limit.
inline constexpr std::size_t kMaxTextBytes = std::size_t{256} << 20;  // 256 MiB

// Decodes the code point starting at text[pos] (pos < text.size()) and advances pos past it.
// An ill-formed sequence yields U+FFFD and advances past its maximal subpart: the longest
// prefix of a well-formed sequence, or one byte if the first byte can start none.
inline char32_t DecodeUtf8(std::string_view text, std::size_t& pos) {
  const auto b0 = static_cast<unsigned char>(text[pos]);
  ++pos;
  if (b0 < 0x80) return b0;
  std::size_t trail = 0;
  char32_t cp = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the next byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    trail = 1;
    cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    trail = 2;
    cp = b0 & 0x0Fu;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    trail = 3;
    cp = b0 & 0x07u;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return kReplacementChar;  // 80..C1 and F5..FF never start a sequence
  }
  for (std::size_t i = 0; i < trail; ++i) {
    if (pos >= text.size()) return kReplacementChar;
    const auto b = static_cast<unsigned char>(text[pos]);
    if (b < lo || b > hi) return kReplacementChar;  // b is not consumed
    cp = (cp << 6) | (b & 0x3Fu);
    lo = 0x80;
    hi = 0xBF;
    ++pos;
  }
  return cp;
}

// Appends the UTF-8 encoding of cp; surrogates and values above U+10FFFF become U+FFFD.
inline void AppendUtf8(std::string& out, char32_t cp) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacementChar;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Offset of the first ill-formed byte, or std::string_view::npos if text is valid UTF-8.
std::size_t FindInvalidUtf8(std::string_view text);

inline bool IsValidUtf8(std::string_view text) {
  return FindInvalidUtf8(text) == std::string_view::npos;
}

// text with every ill-formed sequence replaced by U+FFFD (a copy of text if it is valid).
std::string SanitizeUtf8(std::string_view text);

// Number of code points, each ill-formed subpart counting as one (as U+FFFD).  Linear.
std::size_t CountCodePoints(std::string_view text);

}  // namespace gavel::text
