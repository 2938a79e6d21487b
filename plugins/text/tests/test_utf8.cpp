// What gavel.text builds on the engine's UTF-8 decoder (tested in engine/tests/test_utf8.cpp).
#include <catch2/catch.hpp>

#include <string>

#include "gavel/text/utf8.h"

using namespace gavel::text;

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
