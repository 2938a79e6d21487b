// Length of a model answer in the units a rubric reasons about: code points, grapheme clusters
// (user-perceived characters), Unicode words (ICU word segmentation, dictionary-based for
// Chinese/Japanese/Thai) and an approximate LLM token count.  All functions are thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "gavel/status.h"
#include "gavel/text/utf8.h"  // CountCodePoints

namespace gavel::text {

// Number of extended grapheme clusters (UAX #29), e.g. "e\u0301" and a flag emoji count as one.
// Errors: kLimit if text exceeds kMaxTextBytes; kInternal if ICU fails.
Result<std::size_t> CountGraphemes(std::string_view text);

// Number of words (UAX #29 word segmentation via ICU's word BreakIterator, root locale).  Only
// segments whose rule status is a number, letter, kana or ideograph word are counted; spaces and
// punctuation are not.  Chinese and Japanese are split into dictionary words ("我爱北京" -> 3:
// 我 / 爱 / 北京).  Errors: kLimit if text exceeds kMaxTextBytes; kInternal if ICU fails.
Result<std::size_t> CountWords(std::string_view text);

// A deterministic, tokenizer-free estimate of the LLM token count, for length budgets only:
//   tokens = (number of CJK code points: Han ideographs, kana, Hangul syllables)
//          + ceil(UTF-8 bytes of everything else / 4)
// Four bytes per token is the usual rule of thumb for English BPE vocabularies; one token per
// CJK character is the usual order of magnitude for them.  Expect errors of +-30% against a real
// tokenizer on prose, and worse on code, digits or rare scripts.  Linear; no size limit.
std::size_t ApproxTokenCount(std::string_view text);

enum class LengthUnit { kBytes, kCodePoints, kGraphemes, kWords, kApproxTokens };

// Length of text in the given unit (kBytes is text.size()).  Errors as for the unit's function.
Result<std::size_t> MeasureLength(std::string_view text, LengthUnit unit);

}  // namespace gavel::text
