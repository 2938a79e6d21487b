// Checksum and format validators that a rule can name ("validator": "luhn") so that only
// matches passing the check are reported, e.g. `LuhnValid("4111 1111 1111 1111") == true`.
// Each validator takes the whole matched text and ignores the separators it allows.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gavel::safety {

// A validator decides whether one matched piece of text is a real instance (checksum, ranges).
using ValidatorFn = bool (*)(std::string_view matched);

// Luhn (mod 10) checksum, as used by payment card numbers. Digits may be separated by spaces
// and dashes; any other character, or fewer than two digits, makes the text invalid.
bool LuhnValid(std::string_view digits);

// ISO 13616 IBAN check: two letters, two check digits, 11 to 30 letters/digits (spaces allowed,
// letters in either case), and the mod-97 remainder of the rearranged number is 1.
bool IbanValid(std::string_view iban);

// US Social Security Number in the form AAA-GG-SSSS (dashes or spaces optional): nine digits,
// area not 000, 666 or 900-999, group not 00, serial not 0000.
bool UsSsnValid(std::string_view ssn);

// The validator registered under `name` ("luhn", "iban", "us_ssn"), or nullptr if unknown.
ValidatorFn FindValidator(std::string_view name);

// Every registered validator name, sorted; used in "unknown validator" errors and docs.
std::vector<std::string> ValidatorNames();

}  // namespace gavel::safety
