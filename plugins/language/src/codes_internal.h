// Internal: code mapping shared by the detector and the consistency check.
#pragma once

#include <string>
#include <string_view>

namespace gavel::language::detail {

// The canonical code for a code CLD2 reports ("iw" -> "he", "zh-Hant" -> "zh"), or "" for
// CLD2's non-languages ("un", "xxx", "xx-Latn", the joke languages).
std::string CanonicalFromCld2(std::string_view cld2_code);

// The key under which SameLanguage compares canonical codes: the macrolanguage for members
// Detect reports separately (nn -> no, id -> ms, bs/sr -> hr), the code itself otherwise.
std::string_view MatchKey(std::string_view canonical);

}  // namespace gavel::language::detail
