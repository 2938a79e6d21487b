// The text normalisation applied before rules are matched, so that look-alike encodings do not
// dodge them: `NormalizeForScan("ig\u200Bnore")` gives "ignore". Spans reported by a scan are
// byte offsets into this normalised text, not into the caller's original text.
#pragma once

#include <string>
#include <string_view>

#include "gavel/status.h"

namespace gavel::safety {

enum class Normalization {
  kNFC,   // canonical composition: decomposed accents are composed ("e\u0301" -> "\u00E9")
  kNFKC,  // also folds compatibility forms (full-width letters, ligatures) to their plain form
};

// True for the invisible characters removed before matching: Unicode 15's default-ignorable code
// points. They include the soft hyphen U+00AD, the combining grapheme joiner U+034F, zero-width
// and bidi controls (U+200B..U+200F, U+202A..U+202E, U+2060..U+206F, U+061C), Mongolian and
// other variation selectors (U+180B..U+180F, U+FE00..U+FE0F, U+E0100..U+E01EF), the byte order
// mark U+FEFF, Hangul fillers, shorthand format controls, musical symbol format controls and
// the tag characters U+E0000..U+E007F.
bool IsInvisibleFormatChar(char32_t c);

// Returns `text` as rules see it, in three steps:
//   1. invalid UTF-8 is replaced, one U+FFFD per maximal ill-formed subsequence (never an error);
//   2. invisible format characters (IsInvisibleFormatChar) are removed, every other Unicode
//      space separator (general category Zs: no-break space, em space, ideographic space ...)
//      becomes an ASCII space and U+2028/U+2029 become '\n', so RE2's ASCII-only \s sees them;
//   3. the result is normalised to NFC (or NFKC).
// Pure ASCII input is returned unchanged without calling ICU. Fails with kInternal only if
// ICU itself fails (missing data, out of memory) and with kLimit if `text` is 1 GiB or more.
Result<std::string> NormalizeForScan(std::string_view text,
                                     Normalization form = Normalization::kNFC);

}  // namespace gavel::safety
