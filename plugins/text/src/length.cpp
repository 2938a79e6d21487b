#include "gavel/text/length.h"

#include <unicode/brkiter.h>
#include <unicode/ubrk.h>

#include "internal.h"

namespace gavel::text {
namespace {

// Counts the segments of text between boundaries of the given kind; if words_only, only the
// segments whose rule status says they are words (numbers, letters, kana, ideographs).
Result<std::size_t> CountSegments(std::string_view raw, internal::BreakKind kind, bool words_only,
                                  std::string_view what) {
  if (auto err = internal::CheckIcuSize(raw, what)) return *err;
  if (raw.empty()) return std::size_t{0};
  const internal::ValidUtf8 text(raw);
  Result<icu::BreakIterator*> it = internal::ThreadBreakIterator(kind, text.view());
  if (!it) return it.error();
  icu::BreakIterator& bi = **it;
  std::size_t count = 0;
  bi.first();
  for (int32_t end = bi.next(); end != icu::BreakIterator::DONE; end = bi.next()) {
    if (!words_only || bi.getRuleStatus() >= UBRK_WORD_NONE_LIMIT) ++count;
  }
  return count;
}

}  // namespace

Result<std::size_t> CountGraphemes(std::string_view text) {
  return CountSegments(text, internal::BreakKind::kCharacter, false, "counting grapheme clusters");
}

Result<std::size_t> CountWords(std::string_view text) {
  return CountSegments(text, internal::BreakKind::kWord, true, "counting words");
}

std::size_t ApproxTokenCount(std::string_view text) {
  std::size_t cjk = 0;
  std::size_t cjk_bytes = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const std::size_t start = pos;
    if (internal::IsCjk(DecodeUtf8(text, pos))) {
      ++cjk;
      cjk_bytes += pos - start;
    }
  }
  const std::size_t other_bytes = text.size() - cjk_bytes;
  return cjk + (other_bytes + 3) / 4;
}

Result<std::size_t> MeasureLength(std::string_view text, LengthUnit unit) {
  switch (unit) {
    case LengthUnit::kBytes: return text.size();
    case LengthUnit::kCodePoints: return CountCodePoints(text);
    case LengthUnit::kGraphemes: return CountGraphemes(text);
    case LengthUnit::kWords: return CountWords(text);
    case LengthUnit::kApproxTokens: return ApproxTokenCount(text);
  }
  return Error(ErrorKind::kUsage, "unknown length unit");
}

}  // namespace gavel::text
