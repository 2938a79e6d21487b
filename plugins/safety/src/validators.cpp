#include "gavel/safety/validators.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

namespace gavel::safety {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

constexpr std::array<std::pair<std::string_view, ValidatorFn>, 3> kValidators{{
    {"iban", &IbanValid},
    {"luhn", &LuhnValid},
    {"us_ssn", &UsSsnValid},
}};

}  // namespace

bool LuhnValid(std::string_view digits) {
  int sum = 0;
  int count = 0;
  // From the rightmost digit leftwards, every second digit is doubled.
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    const char c = *it;
    if (c == ' ' || c == '-') continue;
    if (!IsDigit(c)) return false;
    int d = c - '0';
    if (count % 2 == 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    ++count;
  }
  return count >= 2 && sum % 10 == 0;
}

bool IbanValid(std::string_view iban) {
  std::string compact;
  compact.reserve(iban.size());
  for (char c : iban) {
    if (c == ' ') continue;
    if (IsLower(c)) c = static_cast<char>(c - 'a' + 'A');
    if (!IsDigit(c) && !IsUpper(c)) return false;
    compact.push_back(c);
  }
  if (compact.size() < 15 || compact.size() > 34) return false;
  if (!IsUpper(compact[0]) || !IsUpper(compact[1]) || !IsDigit(compact[2]) ||
      !IsDigit(compact[3])) {
    return false;
  }
  // Move the country code and check digits to the end, read letters as 10..35, and take the
  // remainder mod 97 digit by digit so the number never overflows.
  std::rotate(compact.begin(), compact.begin() + 4, compact.end());
  int remainder = 0;
  for (char c : compact) {
    if (IsDigit(c)) {
      remainder = (remainder * 10 + (c - '0')) % 97;
    } else {
      const int value = c - 'A' + 10;
      remainder = (remainder * 100 + value) % 97;
    }
  }
  return remainder == 1;
}

bool UsSsnValid(std::string_view ssn) {
  std::string d;
  for (char c : ssn) {
    if (c == '-' || c == ' ') continue;
    if (!IsDigit(c)) return false;
    d.push_back(c);
  }
  if (d.size() != 9) return false;
  const std::string_view all(d);
  const std::string_view area = all.substr(0, 3);
  const std::string_view group = all.substr(3, 2);
  const std::string_view serial = all.substr(5, 4);
  if (area == "000" || area == "666" || area[0] == '9') return false;
  if (group == "00") return false;
  if (serial == "0000") return false;
  return true;
}

ValidatorFn FindValidator(std::string_view name) {
  for (const auto& [n, fn] : kValidators) {
    if (n == name) return fn;
  }
  return nullptr;
}

std::vector<std::string> ValidatorNames() {
  std::vector<std::string> names;
  for (const auto& entry : kValidators) names.emplace_back(entry.first);
  return names;
}

}  // namespace gavel::safety
