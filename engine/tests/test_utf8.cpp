// The one UTF-8 decoder and encoder (gavel/utf8.h) that the engine, the plugins and the offline
// report share.
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "gavel/utf8.h"

namespace {

std::vector<char32_t> DecodeAll(std::string_view s) {
  std::vector<char32_t> out;
  std::size_t pos = 0;
  while (pos < s.size()) out.push_back(gavel::DecodeUtf8(s, pos));
  return out;
}

// Each step's length and validity over the whole text: "3+", "1-", ...
std::string Steps(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const gavel::Utf8Step step = gavel::DecodeUtf8At(s, i);
    out += std::to_string(step.length) + (step.valid ? "+" : "-") + " ";
    i += step.length;
  }
  return out;
}

}  // namespace

TEST_CASE("DecodeUtf8 decodes well-formed sequences of every length", "[utf8]") {
  // a, é (C3 A9), € (E2 82 AC), 😀 (F0 9F 98 80)
  CHECK(DecodeAll("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80") ==
        std::vector<char32_t>{U'a', U'\u00E9', U'\u20AC', U'\U0001F600'});
  CHECK(Steps("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80") == "1+ 2+ 3+ 4+ ");
  // Edges of the ranges: U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF.
  CHECK(DecodeAll("\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF") ==
        std::vector<char32_t>{0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF});
}

TEST_CASE("DecodeUtf8 replaces each maximal subpart of an ill-formed sequence", "[utf8]") {
  // The example of the Unicode Standard, chapter 3 (U+FFFD substitution of maximal subparts):
  // 61 | F1 80 80 | E1 80 | C2 | 62 | 80 | 63 | 80 | BF | 64
  const std::string bytes = "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64";
  CHECK(DecodeAll(bytes) == std::vector<char32_t>{U'a', 0xFFFD, 0xFFFD, 0xFFFD, U'b', 0xFFFD,
                                                  U'c', 0xFFFD, 0xFFFD, U'd'});
  CHECK(Steps(bytes) == "1+ 3- 2- 1- 1+ 1- 1+ 1- 1- 1+ ");
  // Overlong, surrogate and out-of-range forms: the second byte is out of range for its lead, so
  // every byte is its own subpart.
  CHECK(DecodeAll("\xE0\x80\x80") == std::vector<char32_t>(3, 0xFFFD));
  CHECK(DecodeAll("\xED\xA0\x80") == std::vector<char32_t>(3, 0xFFFD));
  CHECK(DecodeAll("\xF4\x90\x80\x80") == std::vector<char32_t>(4, 0xFFFD));
  CHECK(DecodeAll("\xC0\xAF") == std::vector<char32_t>(2, 0xFFFD));
  CHECK(DecodeAll("\xFF") == std::vector<char32_t>{0xFFFD});
  // Truncated at the end of the input: one replacement for the whole prefix.
  CHECK(DecodeAll("\xF0\x9F\x98") == std::vector<char32_t>{0xFFFD});
  CHECK(Steps("\xF0\x9F\x98") == "3- ");
  // An encoded U+FFFD is a valid character, not an error.
  CHECK(Steps("\xEF\xBF\xBD") == "3+ ");
}

TEST_CASE("Utf8SequenceLength and IsValidUtf8 say what is well formed", "[utf8]") {
  CHECK(gavel::Utf8SequenceLength("\xE2\x82\xAC", 0) == 3);
  CHECK(gavel::Utf8SequenceLength("\xE2\x82\xAC", 1) == 0);  // a continuation byte starts nothing
  CHECK(gavel::Utf8SequenceLength("\xE2\x82", 0) == 0);
  CHECK(gavel::Utf8SequenceLength("x", 0) == 1);
  CHECK(gavel::IsValidUtf8(""));
  CHECK(gavel::IsValidUtf8("caf\xC3\xA9 \xF0\x9F\x98\x80"));
  CHECK_FALSE(gavel::IsValidUtf8("caf\xC3"));
  CHECK_FALSE(gavel::IsValidUtf8("\xED\xA0\x80"));  // a surrogate
  CHECK_FALSE(gavel::IsValidUtf8(std::string_view("\xF5\x80\x80\x80", 4)));
}

TEST_CASE("AppendUtf8 encodes and replaces unencodable values", "[utf8]") {
  std::string s;
  gavel::AppendUtf8(s, U'A');
  gavel::AppendUtf8(s, 0xE9);
  gavel::AppendUtf8(s, 0x20AC);
  gavel::AppendUtf8(s, 0x1F600);
  CHECK(s == "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  std::string bad;
  gavel::AppendUtf8(bad, 0xD800);
  gavel::AppendUtf8(bad, 0x110000);
  CHECK(bad == "\xEF\xBF\xBD\xEF\xBF\xBD");
}
