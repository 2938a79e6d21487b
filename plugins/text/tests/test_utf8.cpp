#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "gavel/text/utf8.h"

using namespace gavel::text;

namespace {

std::vector<char32_t> DecodeAll(std::string_view s) {
  std::vector<char32_t> out;
  std::size_t pos = 0;
  while (pos < s.size()) out.push_back(DecodeUtf8(s, pos));
  return out;
}

}  // namespace

TEST_CASE("DecodeUtf8 decodes well-formed sequences of every length", "[utf8]") {
  // a, é (C3 A9), € (E2 82 AC), 😀 (F0 9F 98 80)
  CHECK(DecodeAll("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80") ==
        std::vector<char32_t>{U'a', U'\u00E9', U'\u20AC', U'\U0001F600'});
}

TEST_CASE("DecodeUtf8 replaces each maximal subpart of an ill-formed sequence", "[utf8]") {
  // The example of the Unicode Standard, chapter 3 (U+FFFD substitution of maximal subparts):
  // 61 | F1 80 80 | E1 80 | C2 | 62 | 80 | 63 | 80 | BF | 64
  const std::string bytes = "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64";
  CHECK(DecodeAll(bytes) == std::vector<char32_t>{U'a', 0xFFFD, 0xFFFD, 0xFFFD, U'b', 0xFFFD,
                                                  U'c', 0xFFFD, 0xFFFD, U'd'});
  // Overlong, surrogate and out-of-range forms: the second byte is out of range for its lead, so
  // every byte is its own subpart.
  CHECK(DecodeAll("\xE0\x80\x80") == std::vector<char32_t>(3, 0xFFFD));
  CHECK(DecodeAll("\xED\xA0\x80") == std::vector<char32_t>(3, 0xFFFD));
  CHECK(DecodeAll("\xF4\x90\x80\x80") == std::vector<char32_t>(4, 0xFFFD));
  CHECK(DecodeAll("\xC0\xAF") == std::vector<char32_t>(2, 0xFFFD));
  CHECK(DecodeAll("\xFF") == std::vector<char32_t>{0xFFFD});
  // Truncated at the end of the input: one replacement for the whole prefix.
  CHECK(DecodeAll("\xF0\x9F\x98") == std::vector<char32_t>{0xFFFD});
}

TEST_CASE("IsValidUtf8 and FindInvalidUtf8", "[utf8]") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("plain ASCII text that is longer than eight bytes"));
  CHECK(IsValidUtf8("\xEF\xBF\xBD"));  // an encoded U+FFFD is valid
  CHECK(FindInvalidUtf8("abcdefghij\xFFxyz") == 10);
  // A three-byte ill-formed prefix (F0 90 80, then ASCII) is not mistaken for an encoded U+FFFD.
  CHECK(FindInvalidUtf8("ab\xF0\x90\x80" "A") == 2);
  CHECK_FALSE(IsValidUtf8("\xC3"));
}

TEST_CASE("SanitizeUtf8 replaces ill-formed bytes and keeps everything else", "[utf8]") {
  CHECK(SanitizeUtf8("caf\xC3\xA9") == "caf\xC3\xA9");
  CHECK(SanitizeUtf8("a\xFF" "b") == "a\xEF\xBF\xBD" "b");
  CHECK(SanitizeUtf8("\xEF\xBF\xBD\xFE") == "\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(SanitizeUtf8("x\xF0\x9F\x98") == "x\xEF\xBF\xBD");
}

TEST_CASE("CountCodePoints counts each ill-formed subpart once", "[utf8]") {
  CHECK(CountCodePoints("") == 0);
  CHECK(CountCodePoints("h\xC3\xA9llo") == 5);
  CHECK(CountCodePoints("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E") == 3);  // 日本語
  CHECK(CountCodePoints("a\xFF" "b") == 3);
  CHECK(CountCodePoints("\xF0\x9F\x98") == 1);
}

TEST_CASE("AppendUtf8 encodes and replaces unencodable values", "[utf8]") {
  std::string s;
  AppendUtf8(s, U'A');
  AppendUtf8(s, 0xE9);
  AppendUtf8(s, 0x20AC);
  AppendUtf8(s, 0x1F600);
  CHECK(s == "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  std::string bad;
  AppendUtf8(bad, 0xD800);
  AppendUtf8(bad, 0x110000);
  CHECK(bad == "\xEF\xBF\xBD\xEF\xBF\xBD");
}
