// Which natural language a model answer is written in: ICU's script property decides the
// languages a script alone identifies (ja, ko, zh, el, he, th, ...), CLD2's full tables the rest.
//   gavel::language::Detection d = gavel::language::Detect(answer);  // check d.reliable first
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "gavel/status.h"

namespace gavel::language {

// The verdict on one text. Never a guess presented as a fact: when the text is too short or too
// mixed to decide, `language` is "und" and `reliable` is false (the best effort is in `guess`).
struct Detection {
  std::string language = "und";  // canonical code (see codes.h): "en", "de", "ja", "zh", ...
  double confidence = 0.0;       // share (0..1) of the text's letters that are in `language`
                                 // (the dominant script's share, times CLD2's share of that
                                 // script's text); 0 when `language` is "und". A share, not a
                                 // calibrated probability.
  bool reliable = false;         // true exactly when `language` is not "und"
  std::string method = "none";   // "script" (ICU script rule), "cld2", or "none" (no letters)
  std::string guess;             // best-effort code even when unreliable, "" when there is none;
                                 // for diagnostics only
  int letters = 0;               // letters of every script, after markup was removed
  bool invalid_utf8 = false;     // some bytes were not UTF-8; they were read as spaces
  std::string form = "text";     // what was read: "text" as it is, or the prose of the JSON in
                                 // it: "json" (the whole text), "fenced_json", "json_in_text"
  std::string reason;            // why `language` is "und", in a sentence; "" when reliable
};

struct DetectorOptions {
  // Letters are code points of a script: digits, punctuation, symbols and emoji do not count.
  // A text is too short to decide when its dominant script has fewer letters than this and
  // CLD2 decides it. At exactly 30 letters (about six words) CLD2 was right on 98% of the
  // project's sentences, at 20 on 92% (docs/language-accuracy.md).
  int min_letters = 30;
  // The same for texts the script rule decides (Greek, Hebrew, Thai, ...) and for texts
  // dominated by Han, kana or Hangul, where one character carries a syllable or a word.
  int min_script_letters = 6;
  // The decided language must cover at least this share of the text's letters (Han, kana and
  // Hangul weigh 3, other letters 1); below it the text is too mixed to decide.
  double min_share = 0.6;
  // Drop fenced code blocks, inline code spans and URLs before detection: they are mostly
  // English-looking identifiers whatever the answer's language.
  bool strip_markup = true;
  // When the text holds JSON (the whole text, a ```json fence, or an object or array inside
  // prose), detect the prose of its string values instead of the JSON: keys, identifiers,
  // URLs and cited sources are English-looking whatever the answer's language. JSON that does
  // not parse is left out, with the reason. Text without JSON is read as before.
  bool json_prose = true;
  // At most this many bytes of prose (after markup removal) are examined; the rest is ignored.
  std::size_t max_bytes = 64 * 1024;
};

// Immutable after creation; Detect may be called from many threads at once.
class Detector {
 public:
  // Fails with ErrorKind::kUsage when an option is out of range.
  static Result<Detector> Create(const DetectorOptions& options = {});

  Detection Detect(std::string_view text) const;
  const DetectorOptions& options() const { return options_; }

 private:
  explicit Detector(const DetectorOptions& options) : options_(options) {}
  DetectorOptions options_;
};

// A process-wide Detector with the default options.
const Detector& DefaultDetector();

// DefaultDetector().Detect(text).
Detection Detect(std::string_view text);

// CLD2 allocates and frees about 175 KB on every call. With glibc's default settings the heap
// can be trimmed and regrown each time, which costs several times the detection itself. Call
// this once at start-up, before worker threads start, in programs that detect many texts: it
// raises glibc's trim threshold and top padding (mallopt M_TRIM_THRESHOLD, M_TOP_PAD). Returns
// false when the allocator refused a setting (AddressSanitizer's does). Process-wide; the
// library never does it on its own.
bool TuneAllocatorForLanguageDetection();

// True when CLD2's full tables (libcld2_full) are the ones in use. A link that drops that
// library (for example --as-needed with no direct reference to it) silently falls back to the
// smaller tables, which never answer Esperanto, Latin, Nynorsk and several others.
bool Cld2FullTablesInUse();

}  // namespace gavel::language
