// Fuzzes language identification and consistency: Detect with the default options and with
// options that keep markup, read few bytes and decide on few letters; Compare of the input's two
// halves; CompareToLanguage, CanonicalLanguage and SameLanguage with a tag taken from the input.
// A detection must be consistent with itself: "und" exactly when unreliable, a canonical code
// otherwise, a confidence within 0..1.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "gavel/language/codes.h"
#include "gavel/language/consistency.h"
#include "gavel/language/detect.h"

namespace {

using gavel::fuzz::Check;
namespace lang = gavel::language;

const lang::Detector& EagerDetector() {
  static const lang::Detector detector = [] {
    auto d = lang::Detector::Create({.min_letters = 1, .min_script_letters = 1, .min_share = 0.01,
                                     .strip_markup = false, .max_bytes = 300});
    if (!d) gavel::fuzz::Fail("cannot create the detector", d.error().message());
    return *d;
  }();
  return detector;
}

void CheckDetection(const lang::Detection& d) {
  Check(d.reliable == (d.language != "und"), "reliable does not match the language", d.language);
  Check(d.confidence >= 0.0 && d.confidence <= 1.0, "confidence outside 0..1");
  Check(d.letters >= 0, "negative letter count");
  if (d.reliable) {
    gavel::Result<std::string> code = lang::CanonicalLanguage(d.language);
    Check(code.ok() && *code == d.language, "the detected language is not canonical", d.language);
    Check(d.method == "script" || d.method == "cld2", "a reliable detection without a method", d.method);
    Check(lang::SameLanguage(d.language, d.language), "a language is not the same as itself", d.language);
  } else {
    Check(d.confidence == 0.0, "an undecided detection has a confidence");
  }
}

void CheckConsistency(const lang::Consistency& c) {
  Check(!c.match || c.reliable, "a match that is not reliable");
  Check(c.confidence >= 0.0 && c.confidence <= 1.0, "consistency confidence outside 0..1");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)lang::DefaultDetector();
  (void)EagerDetector();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const lang::Detection answer = lang::DefaultDetector().Detect(text);
  CheckDetection(answer);
  CheckDetection(EagerDetector().Detect(text));

  // The first byte splits the rest into an answer and a reference.
  if (size == 0) return 0;
  const std::string_view rest = text.substr(1);
  const std::size_t cut = rest.empty() ? 0 : data[0] % (rest.size() + 1);
  const std::string_view a = rest.substr(0, cut);
  const std::string_view b = rest.substr(cut);
  CheckConsistency(lang::Compare(lang::DefaultDetector(), a, b));
  CheckConsistency(lang::Compare(EagerDetector(), b, a));

  // A short prefix as a language tag, as an expected language from a sample.
  const std::string_view tag = rest.substr(0, std::min<std::size_t>(cut, 12));
  gavel::Result<std::string> code = lang::CanonicalLanguage(tag);
  gavel::Result<lang::Consistency> to_tag = lang::CompareToLanguage(EagerDetector(), b, tag);
  Check(code.ok() == to_tag.ok(), "CanonicalLanguage and CompareToLanguage disagree on a tag");
  if (code) {
    Check(lang::SameLanguage(tag, *code), "a tag is not the same language as its canonical code");
    Check(to_tag->expected_lang == *code, "CompareToLanguage expects another code", to_tag->expected_lang);
    CheckConsistency(*to_tag);
  } else {
    Check(code.error().kind() == gavel::ErrorKind::kBadSample, "a bad tag has the wrong error kind");
    Check(!lang::SameLanguage(tag, tag), "an unknown tag is the same language as itself");
  }
  (void)lang::SameLanguage(tag, answer.language);
  return 0;
}
