// Helpers shared by the gavel.text sources; not installed, not part of the API.
#pragma once

#include <unicode/brkiter.h>
#include <unicode/utypes.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "gavel/status.h"
#include "gavel/text/utf8.h"

namespace gavel::text::internal {

// A view of text that is valid UTF-8: text itself when it is valid, else a sanitized copy.
class ValidUtf8 {
 public:
  explicit ValidUtf8(std::string_view text) : view_(text) {
    if (!IsValidUtf8(text)) {
      copy_ = SanitizeUtf8(text);
      view_ = *copy_;
    }
  }
  ValidUtf8(const ValidUtf8&) = delete;
  ValidUtf8& operator=(const ValidUtf8&) = delete;
  std::string_view view() const { return view_; }

 private:
  std::optional<std::string> copy_;
  std::string_view view_;
};

// kLimit error if text is too long to hand to ICU; `what` names the operation.
std::optional<Error> CheckIcuSize(std::string_view text, std::string_view what);

// kInternal error naming the failing ICU call and its error code.
Error IcuError(std::string_view what, UErrorCode code);

enum class BreakKind { kWord, kCharacter };

// This thread's break iterator of the given kind, set to iterate over text (which must be valid
// UTF-8 and outlive the iteration).  Each thread clones its own iterator once from a shared
// prototype, because ICU break iterators are not thread-safe.  Never null on success.
Result<icu::BreakIterator*> ThreadBreakIterator(BreakKind kind, std::string_view text);

// True for the code points counted as one token each by the token estimate and split into
// single-character tokens by the similarity tokenisers: Han ideographs, kana, Hangul syllables.
bool IsCjk(char32_t cp);

// Word count of text made only of ASCII letters and digits, precomposed Latin letters
// (U+00C0..U+024F), '_', whitespace and . , ; : ! ? ' " ( ) - ¡ ¿ « », computed without ICU with
// the UAX #29 word rules those characters take part in (as ICU 72 applies them); nullopt for
// any other text, which ICU must count.
std::optional<std::size_t> CountWordsSimpleLatin(std::string_view text);

// The ICU count, used for everything else (and by the test that checks the fast path).
Result<std::size_t> CountWordsWithIcu(std::string_view text);

}  // namespace gavel::text::internal
