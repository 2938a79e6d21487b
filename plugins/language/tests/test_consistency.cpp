// Consistency: the answer's language against the prompt's or an expected one.
#include <catch2/catch.hpp>

#include "gavel/language/consistency.h"

namespace gavel::language {
namespace {

constexpr std::string_view kGermanPrompt =
    "Kannst du mir bitte erklären, warum mein Programm bei der ersten Zahl nicht anfängt?";
constexpr std::string_view kGermanAnswer =
    "Der Fehler in deinem Code liegt daran, dass die Schleife bei eins statt bei null beginnt.";
constexpr std::string_view kEnglishAnswer =
    "The main reason your code fails is that the loop index starts at one instead of zero.";
constexpr std::string_view kFrenchAnswer =
    "L'erreur dans votre code vient du fait que la boucle commence à un au lieu de zéro.";

Detection Decided(std::string language, double confidence) {
  Detection d;
  d.language = std::move(language);
  d.confidence = confidence;
  d.reliable = true;
  d.method = "cld2";
  return d;
}

}  // namespace

TEST_CASE("answer in the prompt's language matches", "[consistency]") {
  const Consistency c = Compare(kGermanAnswer, kGermanPrompt);
  CHECK(c.reliable);
  CHECK(c.match);
  CHECK(c.answer_lang == "de");
  CHECK(c.expected_lang == "de");
  const Detection answer = Detect(kGermanAnswer);
  const Detection prompt = Detect(kGermanPrompt);
  CHECK(c.confidence == std::min(answer.confidence, prompt.confidence));
}

TEST_CASE("answer in another language than the prompt's does not match", "[consistency]") {
  const Consistency c = Compare(kEnglishAnswer, kGermanPrompt);
  CHECK(c.reliable);
  CHECK_FALSE(c.match);
  CHECK(c.answer_lang == "en");
  CHECK(c.expected_lang == "de");
  CHECK(c.confidence > 0.9);
  // A script-decided answer against a CLD2-decided prompt.
  const Consistency ja = Compare("この問題はループの開始位置が原因です。", kGermanPrompt);
  CHECK(ja.reliable);
  CHECK_FALSE(ja.match);
  CHECK(ja.answer_lang == "ja");
}

TEST_CASE("an undecidable side makes the comparison unreliable, not a verdict",
          "[consistency]") {
  const Consistency short_prompt = Compare(kGermanAnswer, "Warum?");
  CHECK_FALSE(short_prompt.reliable);
  CHECK_FALSE(short_prompt.match);
  CHECK(short_prompt.answer_lang == "de");
  CHECK(short_prompt.expected_lang == "und");
  CHECK(short_prompt.confidence == 0.0);

  const Consistency short_answer = Compare("OK, danke.", kGermanPrompt);
  CHECK_FALSE(short_answer.reliable);
  CHECK_FALSE(short_answer.match);
  CHECK(short_answer.answer_lang == "und");

  const Result<Consistency> expected = CompareToLanguage("```\nprint(1)\n```", "de");
  REQUIRE(expected.ok());
  CHECK_FALSE(expected->reliable);
  CHECK_FALSE(expected->match);
  CHECK(expected->expected_lang == "de");
}

TEST_CASE("an expected language from the sample overrides the prompt's", "[consistency]") {
  const Result<Consistency> fr = CompareToLanguage(kFrenchAnswer, "fr-CA");
  REQUIRE(fr.ok());
  CHECK(fr->reliable);
  CHECK(fr->match);
  CHECK(fr->answer_lang == "fr");
  CHECK(fr->expected_lang == "fr");
  CHECK(fr->confidence == Detect(kFrenchAnswer).confidence);

  const Result<Consistency> de = CompareToLanguage(kFrenchAnswer, "deu");
  REQUIRE(de.ok());
  CHECK(de->reliable);
  CHECK_FALSE(de->match);
  CHECK(de->expected_lang == "de");
}

TEST_CASE("an unknown expected language is an error, not a mismatch", "[consistency]") {
  const Result<Consistency> bad = CompareToLanguage(kFrenchAnswer, "french");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind() == ErrorKind::kBadSample);
  CHECK_THAT(bad.error().message(), Catch::Contains("'french'"));
  const Result<Consistency> und = CompareToLanguage(Detect(kFrenchAnswer), "und");
  REQUIRE_FALSE(und.ok());
  CHECK(und.error().kind() == ErrorKind::kBadSample);
}

TEST_CASE("equivalent codes match", "[consistency]") {
  const Result<Consistency> zh =
      CompareToLanguage("我來一步一步告訴你如何建立一個新帳戶。", "zh-TW");
  REQUIRE(zh.ok());
  CHECK(zh->match);
  CHECK(zh->expected_lang == "zh");
  const Result<Consistency> nb = CompareToLanguage(
      "Jeg anbefaler deg å drikke mer vann og sove minst sju timer hver natt.", "nb");
  REQUIRE(nb.ok());
  CHECK(nb->match);
  CHECK(nb->expected_lang == "no");
  const Result<Consistency> he =
      CompareToLanguage("השגיאה בקוד שלך נובעת מכך שהלולאה מתחילה מאחת במקום מאפס.", "iw");
  REQUIRE(he.ok());
  CHECK(he->match);

  // Detections of two members of one macrolanguage match; confidence is the weaker side's.
  const Consistency nn_no = Compare(Decided("nn", 0.9), Decided("no", 0.8));
  CHECK(nn_no.reliable);
  CHECK(nn_no.match);
  CHECK(nn_no.confidence == 0.8);
  CHECK(Compare(Decided("id", 0.95), Decided("ms", 0.97)).match);
  CHECK_FALSE(Compare(Decided("da", 0.95), Decided("no", 0.97)).match);
  CHECK_FALSE(Compare(Decided("pt", 0.95), Decided("es", 0.97)).match);
}

TEST_CASE("comparisons with a configured detector use its thresholds", "[consistency]") {
  DetectorOptions options;
  options.min_letters = 200;
  const Result<Detector> strict = Detector::Create(options);
  REQUIRE(strict.ok());
  const Consistency c = Compare(*strict, kGermanAnswer, kGermanPrompt);
  CHECK_FALSE(c.reliable);
  CHECK(c.answer_lang == "und");
  const Result<Consistency> e = CompareToLanguage(*strict, kGermanAnswer, "de");
  REQUIRE(e.ok());
  CHECK_FALSE(e->reliable);
  const Result<Consistency> bad = CompareToLanguage(*strict, kGermanAnswer, "??");
  CHECK_FALSE(bad.ok());
}

}  // namespace gavel::language
