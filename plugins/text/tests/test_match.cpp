#include <catch2/catch.hpp>

#include <string>

#include "gavel/text/match.h"
#include "huge_text.h"

using namespace gavel::text;
using gavel::ErrorKind;

namespace {

std::string Fold(std::string_view s, FoldOptions o) {
  auto r = FoldText(s, o);
  REQUIRE(r.ok());
  return *r;
}

bool Match(MatchKind kind, std::string_view pattern, std::string_view text, FoldOptions o = {}) {
  auto m = Matcher::Compile(kind, pattern, o);
  REQUIRE(m.ok());
  auto r = m->Matches(text);
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("FoldText case folding is full Unicode folding", "[match][fold]") {
  const FoldOptions fold{.case_fold = true};
  CHECK(Fold("Stra\xC3\x9F" "e", fold) == "strasse");               // Straße
  CHECK(Fold("\xCE\xA3\xCE\x91\xCE\xA3", fold) == "\xCF\x83\xCE\xB1\xCF\x83");  // ΣΑΣ -> σασ
  CHECK(Fold("HeLLo", fold) == "hello");
  CHECK(Fold("HeLLo", {}) == "HeLLo");
}

TEST_CASE("FoldText whitespace folding collapses Unicode white space and trims", "[match][fold]") {
  const FoldOptions ws{.whitespace = true};
  // NBSP (C2 A0) and IDEOGRAPHIC SPACE (E3 80 80) are White_Space too.
  CHECK(Fold("  a \t\n b\xC2\xA0\xC2\xA0" "c\xE3\x80\x80  ", ws) == "a b c");
  CHECK(Fold(" \n\t ", ws) == "");
  CHECK(Fold("", ws) == "");
}

TEST_CASE("FoldText normalisation", "[match][fold]") {
  // e + COMBINING ACUTE -> U+00E9 under NFC.
  CHECK(Fold("e\xCC\x81", {.normalization = Normalization::kNfc}) == "\xC3\xA9");
  // NFC keeps compatibility characters; NFKC maps the ligature fi, circled 1, fullwidth A.
  CHECK(Fold("\xEF\xAC\x81", {.normalization = Normalization::kNfc}) == "\xEF\xAC\x81");
  CHECK(Fold("\xEF\xAC\x81\xE2\x91\xA0\xEF\xBC\xA1", {.normalization = Normalization::kNfkc}) ==
        "fi1A");
  // All three together: NFKC, then case fold, then whitespace.
  CHECK(Fold(" \xEF\xBC\xA1  B ", {true, true, Normalization::kNfkc}) == "a b");
}

TEST_CASE("FoldText replaces invalid UTF-8 with U+FFFD", "[match][fold][utf8]") {
  CHECK(Fold("A\xFF", {}) == "A\xEF\xBF\xBD");
  CHECK(Fold("A\xFF", {.case_fold = true}) == "a\xEF\xBF\xBD");
  CHECK(Fold("\xC3", {.normalization = Normalization::kNfkc}) == "\xEF\xBF\xBD");
}

TEST_CASE("Literal matchers", "[match]") {
  CHECK(Match(MatchKind::kExact, "Paris", "Paris"));
  CHECK_FALSE(Match(MatchKind::kExact, "Paris", "paris"));
  CHECK(Match(MatchKind::kExact, "Paris", " PARIS ", {.case_fold = true, .whitespace = true}));
  CHECK(Match(MatchKind::kContains, "answer", "the answer is"));
  CHECK_FALSE(Match(MatchKind::kContains, "Answer", "the answer is"));
  CHECK(Match(MatchKind::kContains, "Answer", "the answer is", {.case_fold = true}));
  CHECK(Match(MatchKind::kStartsWith, "The", "The end"));
  CHECK_FALSE(Match(MatchKind::kStartsWith, "end", "The end"));
  CHECK(Match(MatchKind::kEndsWith, "end", "The end"));
  CHECK_FALSE(Match(MatchKind::kEndsWith, "The", "The end"));
  // Whitespace folding applies to the pattern too.
  CHECK(Match(MatchKind::kContains, "final   answer", "my final\nanswer", {.whitespace = true}));
  // Empty pattern.
  CHECK(Match(MatchKind::kContains, "", "anything"));
  CHECK(Match(MatchKind::kExact, "", ""));
  CHECK_FALSE(Match(MatchKind::kExact, "", "x"));
  // ß and SS are equal under full case folding.
  CHECK(Match(MatchKind::kExact, "STRASSE", "Stra\xC3\x9F" "e", {.case_fold = true}));
}

TEST_CASE("Contains with a long pattern (KMP) handles overlaps and stays linear", "[match]") {
  const std::string pattern = std::string(70, 'a') + "b";  // longer than the find() cutoff
  CHECK(Match(MatchKind::kContains, pattern, std::string(100, 'a') + "b"));
  CHECK(Match(MatchKind::kContains, pattern, "xx" + pattern));
  CHECK(Match(MatchKind::kContains, pattern, pattern));
  CHECK_FALSE(Match(MatchKind::kContains, pattern, std::string(1000, 'a')));
  CHECK_FALSE(Match(MatchKind::kContains, pattern, std::string(69, 'a') + "b"));
  // Worst case for naive search: 6 MB of 'a' against 1000 'a' then 'b'.
  const std::string big(6'000'000, 'a');
  CHECK_FALSE(Match(MatchKind::kContains, std::string(1000, 'a') + "b", big));
  CHECK(Match(MatchKind::kContains, std::string(1000, 'a') + "b", big + "b"));
}

TEST_CASE("Regex matcher is an unanchored RE2 search", "[match][regex]") {
  CHECK(Match(MatchKind::kRegex, R"(\d+ apples)", "I have 12 apples."));
  CHECK_FALSE(Match(MatchKind::kRegex, R"(^\d+ apples$)", "I have 12 apples."));
  CHECK(Match(MatchKind::kRegex, R"(^\d+ apples$)", "12 apples"));
  CHECK_FALSE(Match(MatchKind::kRegex, "APPLES", "12 apples"));
  CHECK(Match(MatchKind::kRegex, "APPLES", "12 apples", {.case_fold = true}));
  // Case folding of regexes is RE2's simple folding; the text is not folded with ICU.
  CHECK(Match(MatchKind::kRegex, "strasse", "STRASSE", {.case_fold = true}));
  CHECK_FALSE(Match(MatchKind::kRegex, "strasse", "Stra\xC3\x9F" "e", {.case_fold = true}));
  // Whitespace folding and normalisation apply to the text.
  CHECK(Match(MatchKind::kRegex, "^a b$", "  a \n\t b ", {.whitespace = true}));
  CHECK_FALSE(Match(MatchKind::kRegex, "^a b$", "  a \n\t b "));
  CHECK(Match(MatchKind::kRegex, "^fi$", "\xEF\xAC\x81", {.normalization = Normalization::kNfkc}));
  // Unicode classes work on code points.
  CHECK(Match(MatchKind::kRegex, R"(^\p{Han}{2}$)", "\xE5\x8C\x97\xE4\xBA\xAC"));
}

TEST_CASE("Matchers read invalid UTF-8 as U+FFFD", "[match][utf8]") {
  // One bad byte is one character to the regex, and equals a literal U+FFFD.
  CHECK(Match(MatchKind::kRegex, "^a.b$", "a\xFF" "b"));
  CHECK(Match(MatchKind::kExact, "a\xEF\xBF\xBD" "b", "a\xFF" "b"));
  CHECK(Match(MatchKind::kExact, "a\xFE" "b", "a\xFF" "b"));  // both sides replaced
}

TEST_CASE("A bad regex is an error at compile time", "[match][regex]") {
  const auto m = Matcher::Compile(MatchKind::kRegex, "(unclosed");
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().kind() == ErrorKind::kBadRubric);
  CHECK_THAT(m.error().message(), Catch::Contains("invalid regex \"(unclosed\"") &&
                                      Catch::Contains("missing )"));
  // Backreferences are not RE2 syntax.
  const auto backref = Matcher::Compile(MatchKind::kRegex, R"((a)\1)");
  REQUIRE_FALSE(backref.ok());
  CHECK(backref.error().kind() == ErrorKind::kBadRubric);
  // A regex too big for RE2's memory budget.
  const auto huge = Matcher::Compile(MatchKind::kRegex, "((a{100}){100}){100}");
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.error().kind() == ErrorKind::kBadRubric);
}

TEST_CASE("An unknown match kind is a usage error", "[match]") {
  const auto m = Matcher::Compile(static_cast<MatchKind>(42), "x");
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().kind() == ErrorKind::kUsage);
}

TEST_CASE("Matcher accessors and kind names", "[match]") {
  const auto m = Matcher::Compile(MatchKind::kStartsWith, "Ab\xFF", {.case_fold = true});
  REQUIRE(m.ok());
  CHECK(m->kind() == MatchKind::kStartsWith);
  CHECK(m->options().case_fold);
  CHECK(m->pattern() == "Ab\xEF\xBF\xBD");
  CHECK(MatchKindName(MatchKind::kExact) == "exact");
  CHECK(MatchKindName(MatchKind::kContains) == "contains");
  CHECK(MatchKindName(MatchKind::kStartsWith) == "starts_with");
  CHECK(MatchKindName(MatchKind::kEndsWith) == "ends_with");
  CHECK(MatchKindName(MatchKind::kRegex) == "regex");
}

TEST_CASE("Regex matching is linear on a 6 MB answer", "[match][regex][huge]") {
  std::string big;
  big.reserve(6'000'100);
  while (big.size() < 6'000'000) big += "lorem ipsum dolor sit amet ";
  // A pattern that backtracking engines take exponential time on.
  CHECK_FALSE(Match(MatchKind::kRegex, "(a|aa)+b$", std::string(5000, 'a')));
  CHECK(Match(MatchKind::kRegex, R"(the answer is \d+)", big + "the answer is 42"));
  CHECK(Match(MatchKind::kContains, "ANSWER IS 42", big + "the answer is 42",
              {.case_fold = true, .whitespace = true}));
}

TEST_CASE("Folding refuses text above kMaxTextBytes", "[match][limit]") {
  const HugeText huge;
  const auto folded = FoldText(huge.view(), {.case_fold = true});
  REQUIRE_FALSE(folded.ok());
  CHECK(folded.error().kind() == ErrorKind::kLimit);
  CHECK_THAT(folded.error().message(), Catch::Contains("folding text"));
  const auto m =
      Matcher::Compile(MatchKind::kContains, "x", {.normalization = Normalization::kNfc});
  REQUIRE(m.ok());
  const auto r = m->Matches(huge.view());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind() == ErrorKind::kLimit);
  const auto pattern = Matcher::Compile(MatchKind::kExact, huge.view());
  REQUIRE_FALSE(pattern.ok());
  CHECK(pattern.error().kind() == ErrorKind::kBadRubric);
  CHECK_THAT(pattern.error().message(), Catch::Contains("exact pattern is 268435457 bytes"));
}
