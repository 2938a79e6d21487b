// Internal: the ICU script rule. Counts the letters of each script, finds the dominant one,
// and names the language when that script belongs to one language only. Tests include this.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace gavel::language::detail {

// Letters of a text by ICU script (UScriptCode). A letter is a code point whose script is not
// Common, Inherited or Unknown, so digits, punctuation, symbols and combining marks shared by
// several scripts do not count.
struct ScriptTally {
  static constexpr int kScripts = 256;  // above every UScriptCode in ICU 72 (200 at most)
  std::array<std::int64_t, kScripts> letters_by_script{};
  std::int64_t letters = 0;   // letters of every script
  std::int64_t weighted = 0;  // the same with the weights of LetterWeight
};

// How much one letter of `script` weighs when scripts are compared: 3 for Han, kana and
// Hangul, whose characters each carry about a syllable or a word, 1 for alphabets and
// abugidas. (UTF-8 bytes would weigh a Cyrillic or Greek letter twice a Latin one.)
int LetterWeight(int script);

// `text` must be valid UTF-8 (ExtractProse's output); ill-formed bytes are skipped.
ScriptTally TallyScripts(std::string_view text);

struct ScriptVerdict {
  // The language the dominant script decides, or "" when it takes a statistical detector
  // (Latin, Cyrillic, Arabic, Devanagari, Bengali, ... or Han with only a little kana).
  std::string_view language;
  int script = -1;          // the dominant UScriptCode (USCRIPT_HAN for the Han group), -1 if none
  double share = 0.0;       // its share of the weighted letters (0 without letters)
  std::int64_t letters = 0; // its letters (unweighted)
  bool cjk = false;         // the dominant script is the Han group or Hangul
};

// Han, Hiragana and Katakana count as one script (Japanese mixes them); Bopomofo counts with
// them. Hangul decides ko; the Han group decides ja when kana make at least
// kMinKanaShareForJapanese of its letters, zh when there is no kana, and nothing in between.
inline constexpr double kMinKanaShareForJapanese = 0.05;
ScriptVerdict DecideByScript(const ScriptTally& tally);

// `text` with the letters of every script but the verdict's dominant one replaced by spaces,
// so that a statistical detector sees only the part it is asked about.
std::string KeepDominantScript(std::string_view text, const ScriptVerdict& verdict);

// The scripts that decide a language on their own (besides Han/kana/Hangul), for tests.
struct ScriptLanguage {
  int script;                 // UScriptCode
  std::string_view language;  // canonical code
};
const std::array<ScriptLanguage, 16>& SingleLanguageScripts();

}  // namespace gavel::language::detail
