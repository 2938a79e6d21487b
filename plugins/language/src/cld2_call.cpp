#include "cld2_call.h"

#include <cassert>
#include <climits>
#include <cstdio>  // before CLD2's header, which uses FILE without including it

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

#include "codes_internal.h"

namespace gavel::language::detail {

Cld2Answer RunCld2(std::string_view text) {
  assert(text.size() <= static_cast<std::size_t>(INT_MAX));
  const CLD2::CLDHints hints = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
  CLD2::Language language3[3] = {CLD2::UNKNOWN_LANGUAGE, CLD2::UNKNOWN_LANGUAGE,
                                 CLD2::UNKNOWN_LANGUAGE};
  int percent3[3] = {0, 0, 0};
  double normalized_score3[3] = {0.0, 0.0, 0.0};
  int text_bytes = 0;
  bool reliable = false;
  int valid_prefix_bytes = 0;
  const CLD2::Language summary = CLD2::ExtDetectLanguageSummaryCheckUTF8(
      text.data(), static_cast<int>(text.size()), /*is_plain_text=*/true, &hints,
      CLD2::kCLDFlagBestEffort, language3, percent3, normalized_score3,
      /*resultchunkvector=*/nullptr, &text_bytes, &reliable, &valid_prefix_bytes);

  Cld2Answer answer;
  if (valid_prefix_bytes < static_cast<int>(text.size())) {
    // CLD2 stops at the first byte it does not accept and answers UNKNOWN_LANGUAGE.
    answer.valid_utf8 = false;
    return answer;
  }
  answer.language = CanonicalFromCld2(CLD2::LanguageCode(summary));
  if (answer.language.empty()) return answer;
  answer.reliable = reliable;
  const std::string_view key = MatchKey(answer.language);
  int percent = 0;
  for (int k = 0; k < 3; ++k) {
    const std::string code = CanonicalFromCld2(CLD2::LanguageCode(language3[k]));
    if (!code.empty() && MatchKey(code) == key) percent += percent3[k];
  }
  answer.share = percent >= 100 ? 1.0 : static_cast<double>(percent) / 100.0;
  return answer;
}

}  // namespace gavel::language::detail
