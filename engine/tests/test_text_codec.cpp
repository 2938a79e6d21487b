// Hexadecimal digits and percent-decoding (gavel/text_codec.h), shared by schema $refs, the
// judge's URLs and SigV4 signer, the Lambda log scrubber and the stand-in judge.
#include <string>

#include <catch2/catch.hpp>

#include "gavel/text_codec.h"

TEST_CASE("HexDigitValue reads both cases and nothing else", "[text_codec]") {
  CHECK(gavel::HexDigitValue('0') == 0);
  CHECK(gavel::HexDigitValue('9') == 9);
  CHECK(gavel::HexDigitValue('a') == 10);
  CHECK(gavel::HexDigitValue('F') == 15);
  for (const char c : {'g', 'G', '/', ':', '@', '`', ' ', '\0', '\xFF'}) {
    INFO(static_cast<int>(c));
    CHECK(gavel::HexDigitValue(c) == -1);
  }
}

TEST_CASE("AppendHexByte and LowerHex write two digits a byte", "[text_codec]") {
  std::string out = "%";
  gavel::AppendHexByte(out, 0x2F);
  gavel::AppendHexByte(out, 0x0A, gavel::HexCase::kLower);
  gavel::AppendHexByte(out, 0xFF);
  CHECK(out == "%2F0aFF");
  const unsigned char digest[] = {0x00, 0x9F, 0x86, 0xFF};
  CHECK(gavel::LowerHex(digest) == "009f86ff");
  CHECK(gavel::LowerHex({}) == "");
}

TEST_CASE("PercentDecode decodes escapes and keeps malformed ones", "[text_codec]") {
  CHECK(gavel::PercentDecode("a%20b%2f%2F") == "a b//");
  CHECK(gavel::PercentDecode("a+b") == "a+b");  // '+' is not a space here
  CHECK(gavel::PercentDecode("%25a%2Fb%zz%4") == "%a/b%zz%4");
  CHECK(gavel::PercentDecode("%") == "%");
  CHECK(gavel::PercentDecode("%%41") == "%A");
  CHECK(gavel::PercentDecode("%00") == std::string(1, '\0'));
  CHECK(gavel::PercentDecode("") == "");
}

TEST_CASE("PercentDecodeStrict refuses malformed escapes and says which fault", "[text_codec]") {
  CHECK(*gavel::PercentDecodeStrict("model%3Av1%2fx") == "model:v1/x");
  CHECK(*gavel::PercentDecodeStrict("plain") == "plain");
  const auto cut = gavel::PercentDecodeStrict("ab%4");
  REQUIRE_FALSE(cut);
  CHECK(cut.error().kind() == gavel::ErrorKind::kUsage);
  CHECK(cut.error().message() == "a '%' escape is cut short");
  const auto bad = gavel::PercentDecodeStrict("a%zzb");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message() == "a '%' escape is not hexadecimal");
  CHECK_FALSE(gavel::PercentDecodeStrict("%"));
}
