#include "gavel/safety/normalize.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>
#include <unicode/utypes.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "gavel/utf8.h"

namespace gavel::safety {
namespace {

// ICU takes int32_t lengths; 1 GiB leaves room for the text to grow during normalisation.
constexpr std::size_t kMaxNormalizeBytes = std::size_t{1} << 30;

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

bool IsAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Steps 1 and 2 of NormalizeForScan on UTF-8: replace ill-formed sequences, drop invisible
// format characters, fold Unicode spaces and line separators.
std::string SanitizeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    const Utf8Step step = DecodeUtf8At(text, i);  // ill-formed: its maximal subpart
    const char32_t c = step.code_point;
    i += step.length;
    if (!step.valid) {
      out += kReplacement;
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (IsInvisibleFormatChar(c)) {
      // dropped
    } else if (c == 0x2028 || c == 0x2029) {
      out.push_back('\n');  // line and paragraph separators
    } else if (u_charType(static_cast<UChar32>(c)) == U_SPACE_SEPARATOR) {
      out.push_back(' ');  // no-break, en, em, thin, ideographic ... spaces
    } else {
      out.append(text.substr(start, i - start));
    }
  }
  return out;
}

}  // namespace

bool IsInvisibleFormatChar(char32_t c) {
  // Unicode 15's Default_Ignorable_Code_Point (DerivedCoreProperties.txt), written out so that
  // the set does not change with the ICU version (bench/reference/safety_rules.py has the same).
  if (c < 0x00AD) return false;
  return c == 0x00AD || c == 0x034F || c == 0x061C || c == 0x115F || c == 0x1160 || c == 0x17B4 ||
         c == 0x17B5 || (c >= 0x180B && c <= 0x180F) || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x206F) || c == 0x3164 ||
         (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF || c == 0xFFA0 || (c >= 0xFFF0 && c <= 0xFFF8) ||
         (c >= 0x1BCA0 && c <= 0x1BCA3) || (c >= 0x1D173 && c <= 0x1D17A) || (c >= 0xE0000 && c <= 0xE0FFF);
}

Result<std::string> NormalizeForScan(std::string_view text, Normalization form) {
  if (text.size() >= kMaxNormalizeBytes) {
    return Error(ErrorKind::kLimit, "text of " + std::to_string(text.size()) +
                                        " bytes is too large to normalise (limit 1 GiB)");
  }
  // ASCII is valid UTF-8, has no format characters and is invariant under NFC and NFKC.
  if (IsAscii(text)) return std::string(text);

  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = form == Normalization::kNFKC
                                           ? icu::Normalizer2::getNFKCInstance(status)
                                           : icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status) || normalizer == nullptr) {
    return Error(ErrorKind::kInternal,
                 std::string("ICU normaliser unavailable: ") + u_errorName(status));
  }

  std::string clean = SanitizeUtf8(text);
  const icu::StringPiece piece(clean.data(), static_cast<std::int32_t>(clean.size()));
  if (normalizer->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) return clean;

  status = U_ZERO_ERROR;
  std::string out;
  out.reserve(clean.size());
  icu::StringByteSink<std::string> sink(&out);
  normalizer->normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_FAILURE(status)) {
    return Error(ErrorKind::kInternal,
                 std::string("ICU normalisation failed: ") + u_errorName(status));
  }
  return out;
}

}  // namespace gavel::safety
