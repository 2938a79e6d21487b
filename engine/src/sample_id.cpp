#include "sample_id.h"

#include <cmath>

#include "gavel/json_scan.h"
#include "sample_fields.h"

namespace gavel::detail {
namespace {

constexpr const char* kWhatAnIdMayBe = "\"id\" must be a string or an integer from -2^63 to 2^64-1, not ";

// Why a JSON number with a fraction or exponent is not an id. nlohmann reads integers outside
// 64 bits (2^70) as doubles too, so "not a number" would puzzle whoever sent an integer.
std::string NotAnIdNumber(double value) {
  const std::string shown = Json(value).dump();
  if (!std::isfinite(value) || value != std::floor(value)) return shown + ", a number with a fraction";
  // Both ends are exact doubles. -2^63 - 1 is read as the double -2^63, so that end is refused
  // too: the message must not tell someone who wrote an integer to drop a decimal point.
  if (value <= -9223372036854775808.0 || value >= 18446744073709551616.0) {
    return shown + ", an integer outside that range (send such ids as strings)";
  }
  return shown + ", a number written with a decimal point or an exponent (write the integer without them)";
}

// The position just after the string that opens at text[open] (a '"'), or npos if it never closes.
std::size_t StringEnd(std::string_view text, std::size_t open) {
  for (std::size_t i = open + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// True for the key "id", however it is spelled ("\u0069d" is the same key to a JSON parser).
bool IsIdKey(std::string_view quoted) {
  if (quoted == "\"id\"") return true;
  constexpr std::size_t kLongestSpelling = 14;  // "\u0069\u0064"
  if (quoted.size() > kLongestSpelling || quoted.find('\\') == std::string_view::npos) return false;
  const Json key = Json::parse(quoted, nullptr, /*allow_exceptions=*/false);
  return key.is_string() && key == "id";
}

// The id in a member's value text, or null. Only scalars are parsed: nothing else can be an id,
// and a nested value could be deep enough to matter to nlohmann's recursion.
Json IdFromValueText(std::string_view value) {
  value = TrimJsonSpace(value);
  if (value.empty() || value.find('\0') != std::string_view::npos) return nullptr;
  const char first = value.front();
  if (first != '"' && first != '-' && (first < '0' || first > '9')) return nullptr;
  Json id = Json::parse(value, nullptr, /*allow_exceptions=*/false);
  return !id.is_discarded() && IsUsableId(id) ? id : Json();
}

}  // namespace

bool IsUsableId(const Json& id) { return id.is_string() || id.is_number_integer(); }

std::optional<std::string> IdProblem(const Json& id) {
  if (IsUsableId(id)) return std::nullopt;
  if (id.is_number_float()) return kWhatAnIdMayBe + NotAnIdNumber(id.get<double>());
  return kWhatAnIdMayBe + Described(id);
}

Json RecoverId(std::string_view text) {
  std::size_t pos = SkipJsonSpace(text, 0);
  if (pos == text.size() || text[pos] != '{') return nullptr;
  Json id;
  for (++pos;;) {
    pos = SkipJsonSpace(text, pos);
    if (pos == text.size() || text[pos] != '"') return id;
    const std::size_t key_end = StringEnd(text, pos);
    if (key_end == std::string_view::npos) return id;
    const std::string_view key = text.substr(pos, key_end - pos);
    pos = SkipJsonSpace(text, key_end);
    if (pos == text.size() || text[pos] != ':') return id;
    const std::size_t value_end = FindValueEnd(text, pos + 1, '}');
    if (value_end == std::string_view::npos) return id;
    // The last "id" member wins, as it does for the parser.
    if (IsIdKey(key)) id = IdFromValueText(text.substr(pos + 1, value_end - pos - 1));
    if (text[value_end] == '}') return id;
    pos = value_end + 1;
  }
}

}  // namespace gavel::detail
