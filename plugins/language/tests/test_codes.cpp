// Language tags: canonical codes, rejected tags, and which codes count as the same language.
#include <catch2/catch.hpp>

#include <string>

#include "gavel/language/codes.h"
#include "sentences.h"

namespace gavel::language {

TEST_CASE("tags map to canonical codes", "[codes]") {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"en", "en"},        {"EN", "en"},      {" en\n", "en"},    {"en-US", "en"},
      {"en_GB", "en"},     {"pt-BR", "pt"},   {"pt-PT", "pt"},    {"zh", "zh"},
      {"zh-Hant", "zh"},   {"zh_TW", "zh"},   {"zh-Hans-CN", "zh"}, {"cmn", "zh"},
      {"zho", "zh"},       {"chi", "zh"},     {"iw", "he"},       {"he-IL", "he"},
      {"in", "id"},        {"ji", "yi"},      {"jw", "jv"},       {"mo", "ro"},
      {"nb", "no"},        {"nob", "no"},     {"no", "no"},       {"nn", "nn"},
      {"fil", "tl"},       {"deu", "de"},     {"ger", "de"},      {"fra", "fr"},
      {"sr-Latn", "sr"},   {"haw", "haw"},    {"ceb", "ceb"},     {"eng_Latn", "en"},
  };
  for (const auto& [tag, code] : cases) {
    INFO("tag '" << tag << "'");
    const Result<std::string> canonical = CanonicalLanguage(tag);
    REQUIRE(canonical.ok());
    CHECK(*canonical == code);
  }
}

TEST_CASE("tags that name no detectable language are errors", "[codes]") {
  for (const std::string_view tag : {"", "  ", "und", "xx", "english", "e", "e1", "12", "-en",
                                     "tok", "zzp", "tlh", "xx-Latn", "un", "xxx"}) {
    INFO("tag '" << tag << "'");
    const Result<std::string> canonical = CanonicalLanguage(tag);
    REQUIRE_FALSE(canonical.ok());
    CHECK(canonical.error().kind() == ErrorKind::kBadSample);
    // The error quotes the tag. Built by appending: at -O3, GCC 12 warns falsely (-Wrestrict)
    // on "'" + std::string.
    std::string quoted(1, '\'');
    quoted.append(tag).push_back('\'');
    CHECK_THAT(canonical.error().message(), Catch::Contains(quoted));
  }
}

TEST_CASE("every language of the test sentences is its own canonical code", "[codes]") {
  for (const testing::Sentence& s : testing::LoadSentences()) {
    const Result<std::string> canonical = CanonicalLanguage(s.lang);
    REQUIRE(canonical.ok());
    CHECK(*canonical == s.lang);
  }
}

TEST_CASE("same language: canonical equality and macrolanguages", "[codes]") {
  CHECK(SameLanguage("zh-Hant", "zh"));
  CHECK(SameLanguage("zh-TW", "zh-CN"));
  CHECK(SameLanguage("iw", "he"));
  CHECK(SameLanguage("nb", "no"));
  CHECK(SameLanguage("nn", "no"));
  CHECK(SameLanguage("nb", "nn"));
  CHECK(SameLanguage("id", "ms"));
  CHECK(SameLanguage("zsm", "ind"));
  CHECK(SameLanguage("hr", "sr"));
  CHECK(SameLanguage("bs", "hr"));
  CHECK(SameLanguage("sh", "sr"));
  CHECK(SameLanguage("pt-BR", "pt-PT"));
  CHECK_FALSE(SameLanguage("da", "no"));
  CHECK_FALSE(SameLanguage("sv", "no"));
  CHECK_FALSE(SameLanguage("cs", "sk"));
  CHECK_FALSE(SameLanguage("es", "pt"));
  CHECK_FALSE(SameLanguage("ru", "uk"));
  CHECK_FALSE(SameLanguage("hi", "mr"));
  CHECK_FALSE(SameLanguage("ja", "zh"));
  // Unknown tags are never the same language, not even as themselves.
  CHECK_FALSE(SameLanguage("english", "english"));
  CHECK_FALSE(SameLanguage("und", "und"));
  CHECK_FALSE(SameLanguage("en", ""));
}

}  // namespace gavel::language
