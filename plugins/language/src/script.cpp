#include "script.h"

#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include "unicode_data.h"

namespace gavel::language::detail {
namespace {

bool InHanGroup(int script) {
  return script == USCRIPT_HAN || script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA ||
         script == USCRIPT_KATAKANA_OR_HIRAGANA || script == USCRIPT_BOPOMOFO;
}

// Calls visit(script, start, end) for each well-formed code point of `text`; script is -1 for
// code points that are not letters.
template <typename Visit>
void ForEachCodePoint(std::string_view text, Visit visit) {
  const UnicodeData& data = UnicodeData::Get();
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const std::size_t start = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, n, c);
    if (c >= 0) visit(data.LetterScript(c), start, i);
  }
}

}  // namespace

const std::array<ScriptLanguage, 16>& SingleLanguageScripts() {
  // Each of these scripts is written for one language in practice, and CLD2 itself decides
  // them by script (except Hebrew, where CLD2 also weighs Yiddish; see docs).
  static const std::array<ScriptLanguage, 16> kTable = {{
      {USCRIPT_GREEK, "el"},    {USCRIPT_HEBREW, "he"},    {USCRIPT_THAI, "th"},
      {USCRIPT_ARMENIAN, "hy"}, {USCRIPT_GEORGIAN, "ka"},  {USCRIPT_TAMIL, "ta"},
      {USCRIPT_TELUGU, "te"},   {USCRIPT_KANNADA, "kn"},   {USCRIPT_MALAYALAM, "ml"},
      {USCRIPT_GUJARATI, "gu"}, {USCRIPT_GURMUKHI, "pa"},  {USCRIPT_ORIYA, "or"},
      {USCRIPT_SINHALA, "si"},  {USCRIPT_KHMER, "km"},     {USCRIPT_LAO, "lo"},
      {USCRIPT_MYANMAR, "my"},
  }};
  return kTable;
}

int LetterWeight(int script) { return InHanGroup(script) || script == USCRIPT_HANGUL ? 3 : 1; }

ScriptTally TallyScripts(std::string_view text) {
  ScriptTally tally;
  ForEachCodePoint(text, [&tally](int script, std::size_t, std::size_t) {
    if (script < 0) return;
    tally.letters_by_script[static_cast<std::size_t>(script)] += 1;
    tally.letters += 1;
    tally.weighted += LetterWeight(script);
  });
  return tally;
}

ScriptVerdict DecideByScript(const ScriptTally& tally) {
  ScriptVerdict verdict;
  if (tally.weighted == 0) return verdict;
  std::int64_t han_group = 0;
  std::int64_t kana = 0;
  for (int s = 0; s < ScriptTally::kScripts; ++s) {
    if (!InHanGroup(s)) continue;
    const std::int64_t n = tally.letters_by_script[static_cast<std::size_t>(s)];
    han_group += n;
    if (s != USCRIPT_HAN && s != USCRIPT_BOPOMOFO) kana += n;
  }
  // The dominant script by weighted letters; the Han group is one candidate.
  int best = USCRIPT_HAN;
  std::int64_t best_letters = han_group;
  for (int s = 0; s < ScriptTally::kScripts; ++s) {
    const std::int64_t n = tally.letters_by_script[static_cast<std::size_t>(s)];
    if (!InHanGroup(s) && n * LetterWeight(s) > best_letters * LetterWeight(best)) {
      best = s;
      best_letters = n;
    }
  }
  verdict.script = best;
  verdict.letters = best_letters;
  verdict.share = static_cast<double>(best_letters * LetterWeight(best)) /
                  static_cast<double>(tally.weighted);
  if (best == USCRIPT_HAN) {
    verdict.cjk = true;
    if (static_cast<double>(kana) >= kMinKanaShareForJapanese * static_cast<double>(han_group)) {
      verdict.language = "ja";
    } else if (kana == 0) {
      verdict.language = "zh";
    }
    return verdict;
  }
  if (best == USCRIPT_HANGUL) {
    verdict.cjk = true;
    verdict.language = "ko";
    return verdict;
  }
  for (const ScriptLanguage& entry : SingleLanguageScripts()) {
    if (entry.script == best) verdict.language = entry.language;
  }
  return verdict;
}

std::string KeepDominantScript(std::string_view text, const ScriptVerdict& verdict) {
  std::string kept;
  kept.reserve(text.size());
  const bool han = verdict.script == USCRIPT_HAN;
  ForEachCodePoint(text, [&](int script, std::size_t start, std::size_t end) {
    if (script < 0 || script == verdict.script || (han && InHanGroup(script))) {
      if (text[start] == ' ' && !kept.empty() && kept.back() == ' ') return;
      kept.append(text.substr(start, end - start));
    } else if (kept.empty() || kept.back() != ' ') {
      kept.push_back(' ');
    }
  });
  return kept;
}

}  // namespace gavel::language::detail
