// Does an answer stay in the language it should: the prompt's language, or an expected
// language given by the sample. Undecidable sides are reported as such, never guessed.
//   auto c = gavel::language::Compare(answer, prompt);  if (c.reliable && !c.match) penalise();
#pragma once

#include <string>
#include <string_view>

#include "gavel/language/detect.h"
#include "gavel/status.h"

namespace gavel::language {

struct Consistency {
  bool match = false;         // same language (SameLanguage); always false when !reliable
  std::string answer_lang;    // the answer's detected language, "und" when undecided
  std::string expected_lang;  // the expected code (canonical) or the reference's detected one
  double confidence = 0.0;    // the weaker side's confidence (an expected code counts as 1)
  bool reliable = false;      // both sides decided; when false, `match` means nothing
  std::string answer_form = "text";  // Detection::form of the answer: "text", "json", ...
  std::string answer_reason;    // why the answer is undecided (Detection::reason), else ""
  std::string expected_reason;  // why the reference is undecided, else "" (always for a tag)
};

// Compares two detections already made (the prompt's may be detected once per sample).
Consistency Compare(const Detection& answer, const Detection& reference);

// Compares an answer's detection with an expected language tag (see CanonicalLanguage).
// Fails with ErrorKind::kBadSample when the tag is not a language Detect can report.
Result<Consistency> CompareToLanguage(const Detection& answer, std::string_view expected_tag);

// The same, detecting the texts with `detector`.
Consistency Compare(const Detector& detector, std::string_view answer_text,
                    std::string_view reference_text);
Result<Consistency> CompareToLanguage(const Detector& detector, std::string_view answer_text,
                                      std::string_view expected_tag);

// The same with DefaultDetector().
Consistency Compare(std::string_view answer_text, std::string_view reference_text);
Result<Consistency> CompareToLanguage(std::string_view answer_text, std::string_view expected_tag);

}  // namespace gavel::language
