#include "gavel/language/detect.h"

#include <malloc.h>

#include <algorithm>
#include <climits>
#include <cstdint>

#include <cmath>
#include <string>

#include "cld2_call.h"
#include "json_prose.h"
#include "prose.h"
#include "script.h"

namespace gavel::language {
namespace {

// Far more than detection needs, and small enough for CLD2's int lengths.
constexpr std::size_t kMaxBytesLimit = std::size_t{16} << 20;

// A sentence that CLD2's full tables call Latin and its small tables call English.
constexpr std::string_view kLatinProbe =
    "Magister discipulis suis librum novum de historia urbis Romae hodie in schola dedit.";

std::string Percent(double share) { return std::to_string(std::lround(share * 100.0)) + "%"; }

std::string TooShort(int letters, int needed) {
  return "too short: " + std::to_string(letters) + " letters, " + std::to_string(needed) +
         " needed";
}

std::string TooMixed(std::string_view guess, double share, double needed) {
  return "too mixed: '" + std::string(guess) + "' covers " + Percent(share) +
         " of the letters, " + Percent(needed) + " needed";
}

// What was read, appended to the reason a text is undecided, so that a structured answer's
// verdict says it came from the JSON's string values (or that its JSON could not be read).
std::string WhatWasRead(const detail::JsonProse& json) {
  if (json.form == detail::TextForm::kText) return "";
  if (!json.error.empty()) return " (the JSON does not parse and was left out: " + json.error + ")";
  if (json.form == detail::TextForm::kJson) return " (read: the prose of the JSON's string values)";
  return " (read: the prose of the JSON's string values and the text around it)";
}

}  // namespace

Result<Detector> Detector::Create(const DetectorOptions& options) {
  if (options.min_letters < 1) {
    return Error(ErrorKind::kUsage, "language detector: min_letters must be at least 1");
  }
  if (options.min_script_letters < 1) {
    return Error(ErrorKind::kUsage, "language detector: min_script_letters must be at least 1");
  }
  if (!(options.min_share > 0.0 && options.min_share <= 1.0)) {
    return Error(ErrorKind::kUsage, "language detector: min_share must be in (0, 1]");
  }
  if (options.max_bytes < 1 || options.max_bytes > kMaxBytesLimit) {
    return Error(ErrorKind::kUsage, "language detector: max_bytes must be in [1, 16 MiB]");
  }
  return Detector(options);
}

Detection Detector::Detect(std::string_view text) const {
  Detection detection;
  detail::JsonProse json;
  if (options_.json_prose) {
    json = detail::FindJsonProse(text, options_.max_bytes);
    detection.form = std::string(detail::TextFormName(json.form));
  }
  const std::string_view input = json.form == detail::TextForm::kText ? text : json.text;
  const detail::Prose prose =
      detail::ExtractProse(input, options_.strip_markup, options_.max_bytes);
  detection.invalid_utf8 = prose.invalid_utf8;
  const detail::ScriptTally tally = detail::TallyScripts(prose.text);
  detection.letters = static_cast<int>(std::min<std::int64_t>(tally.letters, INT_MAX));
  if (tally.letters == 0) {
    detection.reason = "no letters" + WhatWasRead(json);
    return detection;
  }

  const detail::ScriptVerdict verdict = detail::DecideByScript(tally);
  if (!verdict.language.empty()) {
    detection.method = "script";
    detection.guess = std::string(verdict.language);
    if (verdict.letters < options_.min_script_letters) {
      detection.reason = TooShort(verdict.letters, options_.min_script_letters);
    } else if (verdict.share < options_.min_share) {
      detection.reason = TooMixed(detection.guess, verdict.share, options_.min_share);
    } else {
      detection.language = detection.guess;
      detection.confidence = verdict.share;
      detection.reliable = true;
    }
    if (!detection.reliable) detection.reason += WhatWasRead(json);
    return detection;
  }

  // CLD2 sees only the dominant script's letters: its percentages are by bytes, which would
  // weigh a Cyrillic letter twice a Latin one, and a minority script's words would otherwise
  // compete with the language being decided.
  std::string dominant_only;
  std::string_view cld2_text = prose.text;
  if (verdict.share < 1.0) {
    dominant_only = detail::KeepDominantScript(prose.text, verdict);
    cld2_text = dominant_only;
  }
  const detail::Cld2Answer answer = detail::RunCld2(cld2_text);
  detection.method = "cld2";
  detection.invalid_utf8 = detection.invalid_utf8 || !answer.valid_utf8;
  detection.guess = answer.language;
  // Han/kana/Hangul text reaches CLD2 when its kana share is too small to call it Japanese and
  // too large to call it Chinese; its letters count like the script rule's.
  const int min_letters = verdict.cjk ? options_.min_script_letters : options_.min_letters;
  const double confidence = verdict.share * answer.share;
  if (verdict.letters < min_letters) {
    detection.reason = TooShort(verdict.letters, min_letters);
  } else if (answer.language.empty() || !answer.reliable) {
    detection.reason = "CLD2 could not decide";
  } else if (confidence < options_.min_share) {
    detection.reason = TooMixed(detection.guess, confidence, options_.min_share);
  } else {
    detection.language = answer.language;
    detection.confidence = confidence;
    detection.reliable = true;
  }
  if (!detection.reliable) detection.reason += WhatWasRead(json);
  return detection;
}

const Detector& DefaultDetector() {
  static const Detector detector = Detector::Create().value();
  return detector;
}

Detection Detect(std::string_view text) { return DefaultDetector().Detect(text); }

bool TuneAllocatorForLanguageDetection() {
  // Each CLD2 call allocates about 175 KB in four blocks and frees them before returning. When
  // they sit at the top of the heap, that leaves more free memory there than glibc's default
  // trim threshold (128 KiB): the call shrinks the heap with brk and the next one grows it
  // again and faults its pages back in (measured: 2 brk calls and 4 page faults per call, one
  // sentence 29 us instead of 5). Keep up to 32 MiB free per arena; grow in steps of 4 MiB.
  const bool trim = mallopt(M_TRIM_THRESHOLD, 32 << 20) == 1;
  const bool pad = mallopt(M_TOP_PAD, 4 << 20) == 1;
  return trim && pad;
}

bool Cld2FullTablesInUse() {
  static const bool full = detail::RunCld2(kLatinProbe).language == "la";
  return full;
}

}  // namespace gavel::language
