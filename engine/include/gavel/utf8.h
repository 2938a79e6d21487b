// UTF-8 decoding and encoding, the one copy every part of gavel uses (header-only, part of
// gavel::api). Model output is untrusted bytes, so decoding never fails: an ill-formed sequence
// reads as one U+FFFD per maximal subpart (the Unicode-recommended practice, ICU's too).
//
//   for (std::size_t i = 0; i < text.size();) {
//     const gavel::Utf8Step step = gavel::DecodeUtf8At(text, i);  // code point, length, valid
//     i += step.length;
//   }
//   char32_t c = gavel::DecodeUtf8(text, pos);          // advances pos; U+FFFD when ill-formed
//   gavel::AppendUtf8(out, U'\u00E9');                  // "\xC3\xA9"
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gavel {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// One sequence read from UTF-8 text.
struct Utf8Step {
  char32_t code_point = kReplacementChar;  // U+FFFD when not valid
  std::size_t length = 1;                  // bytes read: at least 1
  bool valid = false;
};

// Reads the sequence that starts at text[i] (i < text.size()). A well-formed sequence (no
// overlong form, no surrogate, nothing above U+10FFFF, not cut short) is valid; an ill-formed
// one is U+FFFD whose length is its maximal subpart: the longest prefix of a well-formed
// sequence, or one byte if text[i] can start none.
inline Utf8Step DecodeUtf8At(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return {lead, 1, true};
  std::size_t length = 0;
  char32_t cp = 0;
  unsigned char low = 0x80;   // range of the second byte, narrowed to exclude overlong forms,
  unsigned char high = 0xBF;  // surrogates and code points above U+10FFFF
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    cp = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    cp = lead & 0x0Fu;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    cp = lead & 0x07u;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return {};  // 80..C1 and F5..FF never start a sequence
  }
  for (std::size_t k = 1; k < length; ++k) {
    if (i + k >= text.size() || byte(i + k) < low || byte(i + k) > high) return {kReplacementChar, k, false};
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
    low = 0x80;
    high = 0xBF;
  }
  return {cp, length, true};
}

// Length of the well-formed sequence that starts at text[i] (1 to 4), or 0 if there is none.
inline std::size_t Utf8SequenceLength(std::string_view text, std::size_t i) {
  const Utf8Step step = DecodeUtf8At(text, i);
  return step.valid ? step.length : 0;
}

// Decodes the code point at text[pos] (pos < text.size()) and advances pos past it; an
// ill-formed sequence is U+FFFD and pos moves past its maximal subpart.
inline char32_t DecodeUtf8(std::string_view text, std::size_t& pos) {
  const Utf8Step step = DecodeUtf8At(text, pos);
  pos += step.length;
  return step.code_point;
}

// True when all of text is well-formed UTF-8.
inline bool IsValidUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Step step = DecodeUtf8At(text, i);
    if (!step.valid) return false;
    i += step.length;
  }
  return true;
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

}  // namespace gavel
