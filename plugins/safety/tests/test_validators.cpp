#include <catch2/catch.hpp>

#include "gavel/safety/validators.h"

using namespace gavel::safety;

TEST_CASE("LuhnValid accepts checksummed numbers with spaces and dashes", "[validators]") {
  CHECK(LuhnValid("4111111111111111"));
  CHECK(LuhnValid("4111 1111 1111 1111"));
  CHECK(LuhnValid("5555-5555-5555-4444"));
  CHECK(LuhnValid("378282246310005"));
  CHECK(LuhnValid("18"));  // 1*2 + 8 = 10
}

TEST_CASE("LuhnValid rejects bad checksums, other characters and short input", "[validators]") {
  CHECK_FALSE(LuhnValid("4111111111111112"));
  CHECK_FALSE(LuhnValid("4111 1111 1111 111l"));  // letter l
  CHECK_FALSE(LuhnValid("4111.1111.1111.1111"));
  CHECK_FALSE(LuhnValid("0"));
  CHECK_FALSE(LuhnValid(""));
  CHECK_FALSE(LuhnValid(" - "));
}

TEST_CASE("IbanValid checks structure and the mod-97 remainder", "[validators]") {
  CHECK(IbanValid("GB82 WEST 1234 5698 7654 32"));
  CHECK(IbanValid("GB82WEST12345698765432"));
  CHECK(IbanValid("de89 3704 0044 0532 0130 00"));  // lower case letters are accepted
  CHECK_FALSE(IbanValid("GB82 WEST 1234 5698 7654 33"));  // check digits wrong
  CHECK_FALSE(IbanValid("GB82 WEST 1234"));               // too short
  CHECK_FALSE(IbanValid("1282 WEST 1234 5698 7654 32"));  // country code not letters
  CHECK_FALSE(IbanValid("GBX2 WEST 1234 5698 7654 32"));  // check digits not digits
  CHECK_FALSE(IbanValid("GB82-WEST-1234-5698-7654-32"));  // dashes are not IBAN separators
  CHECK_FALSE(IbanValid("GB82 WEST 1234 5698 7654 3212 3456 7890 1234 5"));  // 35 > 34
}

TEST_CASE("UsSsnValid rejects numbers that are never issued", "[validators]") {
  CHECK(UsSsnValid("536-90-4399"));
  CHECK(UsSsnValid("536 90 4399"));
  CHECK(UsSsnValid("536904399"));
  CHECK_FALSE(UsSsnValid("000-12-3456"));
  CHECK_FALSE(UsSsnValid("666-12-3456"));
  CHECK_FALSE(UsSsnValid("912-12-3456"));
  CHECK_FALSE(UsSsnValid("536-00-4399"));
  CHECK_FALSE(UsSsnValid("536-90-0000"));
  CHECK_FALSE(UsSsnValid("536-90-439"));
  CHECK_FALSE(UsSsnValid("536-90-43991"));
  CHECK_FALSE(UsSsnValid("53a-90-4399"));
}

TEST_CASE("FindValidator knows exactly the documented names", "[validators]") {
  CHECK(FindValidator("luhn") == &LuhnValid);
  CHECK(FindValidator("iban") == &IbanValid);
  CHECK(FindValidator("us_ssn") == &UsSsnValid);
  CHECK(FindValidator("Luhn") == nullptr);
  CHECK(FindValidator("") == nullptr);
  CHECK(ValidatorNames() == std::vector<std::string>{"iban", "luhn", "us_ssn"});
}
