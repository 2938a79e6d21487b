#include "gavel/language/consistency.h"

#include <algorithm>

#include "codes_internal.h"
#include "gavel/language/codes.h"

namespace gavel::language {

Consistency Compare(const Detection& answer, const Detection& reference) {
  Consistency result;
  result.answer_lang = answer.language;
  result.expected_lang = reference.language;
  result.reliable = answer.reliable && reference.reliable;
  result.answer_form = answer.form;
  result.answer_reason = answer.reason;
  result.expected_reason = reference.reason;
  if (result.reliable) {
    result.match = detail::MatchKey(answer.language) == detail::MatchKey(reference.language);
    result.confidence = std::min(answer.confidence, reference.confidence);
  }
  return result;
}

Result<Consistency> CompareToLanguage(const Detection& answer, std::string_view expected_tag) {
  Result<std::string> expected = CanonicalLanguage(expected_tag);
  if (!expected) return expected.error();
  Consistency result;
  result.answer_lang = answer.language;
  result.expected_lang = std::move(expected).value();
  result.reliable = answer.reliable;
  result.answer_form = answer.form;
  result.answer_reason = answer.reason;
  if (result.reliable) {
    result.match = detail::MatchKey(answer.language) == detail::MatchKey(result.expected_lang);
    result.confidence = answer.confidence;
  }
  return result;
}

Consistency Compare(const Detector& detector, std::string_view answer_text,
                    std::string_view reference_text) {
  return Compare(detector.Detect(answer_text), detector.Detect(reference_text));
}

Result<Consistency> CompareToLanguage(const Detector& detector, std::string_view answer_text,
                                      std::string_view expected_tag) {
  // The tag is checked first, so a bad tag costs no detection.
  Result<std::string> expected = CanonicalLanguage(expected_tag);
  if (!expected) return expected.error();
  return CompareToLanguage(detector.Detect(answer_text), *expected);
}

Consistency Compare(std::string_view answer_text, std::string_view reference_text) {
  return Compare(DefaultDetector(), answer_text, reference_text);
}

Result<Consistency> CompareToLanguage(std::string_view answer_text,
                                      std::string_view expected_tag) {
  return CompareToLanguage(DefaultDetector(), answer_text, expected_tag);
}

}  // namespace gavel::language
