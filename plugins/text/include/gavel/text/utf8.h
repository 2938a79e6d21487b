// UTF-8 decoding shared by every gavel.text function: model output is untrusted bytes, so each
// ill-formed sequence reads as one U+FFFD per maximal subpart (the Unicode-recommended
// practice, the same as ICU's), never as an error or a crash.  Header-only; no ICU.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "gavel/utf8.h"

namespace gavel::text {

// Inputs longer than this are refused with ErrorKind::kLimit by every function that hands text
// to ICU (ICU indexes strings with int32_t, and case folding can triple a string's length).
// Functions that only scan bytes (code points, token estimate, answer extraction) have no limit.
inline constexpr std::size_t kMaxTextBytes = std::size_t{256} << 20;  // 256 MiB

// The decoder and encoder are the engine's (gavel/utf8.h): DecodeUtf8 reads one code point
// and advances, an ill-formed sequence reading as U+FFFD over its maximal subpart.
using gavel::AppendUtf8;
using gavel::DecodeUtf8;
using gavel::kReplacementChar;

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
