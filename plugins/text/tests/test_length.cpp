#include <catch2/catch.hpp>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "gavel/text/length.h"
#include "huge_text.h"
#include "internal.h"

using namespace gavel::text;
using gavel::ErrorKind;

TEST_CASE("CountWords counts letter, number and ideograph words, not spaces or punctuation",
          "[length]") {
  CHECK(*CountWords("") == 0);
  CHECK(*CountWords("  ,,, !! -- ") == 0);
  CHECK(*CountWords("Hello, world! 42 apples.") == 4);
  CHECK(*CountWords("don't stop") == 2);     // the apostrophe stays inside the word (UAX #29)
  CHECK(*CountWords("3.14 and 1,000") == 3);  // numbers keep their separators
  // Chinese and Japanese are segmented with ICU's dictionary (figures from ICU 72):
  // 我 / 爱 / 北京 and 私 / は / 学生 / です.
  CHECK(*CountWords("\xE6\x88\x91\xE7\x88\xB1\xE5\x8C\x97\xE4\xBA\xAC") == 3);
  CHECK(*CountWords("\xE7\xA7\x81\xE3\x81\xAF\xE5\xAD\xA6\xE7\x94\x9F\xE3\x81\xA7\xE3\x81\x99") ==
        4);
}

TEST_CASE("CountWords reads invalid UTF-8 as U+FFFD, which is not a word", "[length][utf8]") {
  CHECK(*CountWords("abc\xFF def") == 2);
  CHECK(*CountWords("\xFF\xFE\xC3") == 0);
}

TEST_CASE("CountWords reuses its per-thread iterator correctly across calls", "[length]") {
  // A longer text, then a shorter one: stale state from the first call would show up here.
  CHECK(*CountWords("one two three four five six") == 6);
  CHECK(*CountWords("seven") == 1);
  CHECK(*CountGraphemes("abc") == 3);
  CHECK(*CountWords("eight nine") == 2);
}

TEST_CASE("CountGraphemes counts user-perceived characters", "[length]") {
  CHECK(*CountGraphemes("") == 0);
  CHECK(*CountGraphemes("abc") == 3);
  const std::string e_acute = "e\xCC\x81";  // e + COMBINING ACUTE ACCENT
  CHECK(CountCodePoints(e_acute) == 2);
  CHECK(*CountGraphemes(e_acute) == 1);
  const std::string flag = "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7";  // regional indicators F R
  CHECK(CountCodePoints(flag) == 2);
  CHECK(*CountGraphemes(flag) == 1);
  // man ZWJ woman ZWJ girl
  const std::string family =
      "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";
  CHECK(*CountGraphemes(family) == 1);
  CHECK(*CountGraphemes("a\xFF" "b") == 3);  // the bad byte is one U+FFFD
}

TEST_CASE("ApproxTokenCount: CJK characters plus a quarter of the other bytes, rounded up",
          "[length]") {
  CHECK(ApproxTokenCount("") == 0);
  CHECK(ApproxTokenCount("abcd") == 1);
  CHECK(ApproxTokenCount("abcde") == 2);
  CHECK(ApproxTokenCount("hello world") == 3);  // 11 bytes -> ceil(11 / 4)
  const std::string nihongo = "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E";  // 日本語
  CHECK(ApproxTokenCount(nihongo) == 3);
  CHECK(ApproxTokenCount(nihongo + " abc") == 4);  // 3 + ceil(4 / 4)
  CHECK(ApproxTokenCount("\xFF\xFF\xFF\xFF\xFF") == 2);  // 5 bad bytes count as 5 bytes
}

TEST_CASE("MeasureLength dispatches on the unit", "[length]") {
  const std::string text = "Caf\xC3\xA9 au lait";  // 13 bytes, 12 code points, 3 words
  CHECK(*MeasureLength(text, LengthUnit::kBytes) == 13);
  CHECK(*MeasureLength(text, LengthUnit::kCodePoints) == 12);
  CHECK(*MeasureLength(text, LengthUnit::kGraphemes) == 12);
  CHECK(*MeasureLength(text, LengthUnit::kWords) == 3);
  CHECK(*MeasureLength(text, LengthUnit::kApproxTokens) == 4);  // ceil(13 / 4)
  const auto bad = MeasureLength(text, static_cast<LengthUnit>(99));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind() == ErrorKind::kUsage);
}

TEST_CASE("Length functions are linear on a 6 MB answer", "[length][huge]") {
  std::string big;
  for (int i = 0; i < 1'000'000; ++i) big += "word, ";  // 6,000,000 bytes
  CHECK(*CountWords(big) == 1'000'000);
  CHECK(*CountGraphemes(big) == 6'000'000);
  CHECK(CountCodePoints(big) == 6'000'000);
  CHECK(ApproxTokenCount(big) == 1'500'000);
}

TEST_CASE("ICU-backed lengths refuse text above kMaxTextBytes", "[length][limit]") {
  const HugeText huge;
  const auto words = CountWords(huge.view());
  REQUIRE_FALSE(words.ok());
  CHECK(words.error().kind() == ErrorKind::kLimit);
  CHECK_THAT(words.error().message(), Catch::Contains("counting words") &&
                                          Catch::Contains("268435457 bytes"));
  const auto graphemes = CountGraphemes(huge.view());
  REQUIRE_FALSE(graphemes.ok());
  CHECK(graphemes.error().kind() == ErrorKind::kLimit);
}

TEST_CASE("the Latin word count agrees with ICU's word break rules", "[length]") {
  using gavel::text::internal::CountWordsSimpleLatin;
  using gavel::text::internal::CountWordsWithIcu;
  // Every character the fast path accepts, letters and digits more often, so that joiners fall
  // between word characters of every kind.
  const std::vector<std::string> alphabet = {
      "a", "b", "c", "X", "Y", "Z", "0", "1", "2", "9", "_", "_", "_", " ", " ", " ", ".", ".", ",", ";", ":",
      "!", "?", "'", "'", "\"", "(", ")", "-", "\n", "\r", "\t",
      "\xC3\xA9", "\xC3\xBC", "\xC3\x9F", "\xC3\x80", "\xC5\x93", "\xC8\x99", "\xC9\x8F",  // é ü ß À œ ș ɏ
      "\xC2\xA1", "\xC2\xBF", "\xC2\xAB", "\xC2\xBB"};                                      // ¡ ¿ « »
  std::mt19937 rng(20261123);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<int> length(0, 24);
  std::size_t compared = 0;
  for (int round = 0; round < 30000; ++round) {
    std::string text;
    for (int i = length(rng); i > 0; --i) text += alphabet[pick(rng)];
    const auto fast = CountWordsSimpleLatin(text);
    REQUIRE(fast.has_value());
    const auto icu = CountWordsWithIcu(text);
    REQUIRE(icu);
    INFO("text: \"" << text << "\"");
    REQUIRE(*fast == *icu);
    ++compared;
  }
  CHECK(compared == 30000);
  // Prose, contractions, decimals and thousands.
  for (const char* text : {"Don't panic: it's 3.14, not 3,14; e.g. (roughly) 1,000,000 - see p. 12!",
                           "snake_case and __init__ and _ alone", "a.b.c 1.2.a a'b'c 1;2;3 x:y"}) {
    INFO(text);
    CHECK(CountWordsSimpleLatin(text) == std::optional<std::size_t>(*CountWordsWithIcu(text)));
  }
  // Anything else goes to ICU: e-mail addresses and URLs are words of their own there.
  CHECK_FALSE(CountWordsSimpleLatin("mail x@y.com").has_value());
  CHECK_FALSE(CountWordsSimpleLatin("l\xC2\xB7l").has_value());        // middle dot: MidLetter
  CHECK_FALSE(CountWordsSimpleLatin("cafe\xCC\x81").has_value());      // combining accent: Extend
  CHECK_FALSE(CountWordsSimpleLatin("\xE6\x88\x91").has_value());      // Han
  CHECK_FALSE(CountWordsSimpleLatin("bad \xC3 byte").has_value());     // ill-formed UTF-8
  CHECK(*gavel::text::CountWords("mail x@y.com") == 2);
}
