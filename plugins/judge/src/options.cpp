#include "gavel/judge/options.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "printable.h"

namespace gavel::judge {

std::string Printable(std::string_view text, std::size_t max) {
  std::string out;
  for (char c : text.substr(0, max)) out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  if (text.size() > max) out += "...";
  return out;
}

Result<std::size_t> ParseWindow(std::string_view text, std::string_view what) {
  const std::string value(text);
  char* end = nullptr;
  const unsigned long long n = std::strtoull(value.c_str(), &end, 10);
  if (value.empty() || end == value.c_str() || *end != '\0' || n < 1 || n > 100000 || value.front() == '-') {
    return Error(ErrorKind::kUsage, std::string(what) + " must be an integer from 1 to 100000 (got '" +
                                        Printable(value, 20) + "')");
  }
  return static_cast<std::size_t>(n);
}

Result<Prices> ParsePrices(std::string_view text, std::string_view what) {
  Prices prices;
  bool any = false;
  auto bad = [&](const std::string& why) {
    return Error(ErrorKind::kUsage, std::string(what) +
                                        " must look like 'input=0.8,output=3.2' (US dollars per million tokens): " +
                                        why);
  };
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) return bad("'" + Printable(item, 40) + "' has no '='");
    const std::string_view key = item.substr(0, eq);
    const std::string number(item.substr(eq + 1));
    char* end = nullptr;
    const double value = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(value) || value < 0) {
      return bad("'" + Printable(number, 40) + "' is not a price");
    }
    if (key == "input") {
      prices.input = value;
    } else if (key == "output") {
      prices.output = value;
    } else {
      return bad("unknown price '" + Printable(key, 40) + "'");
    }
    any = true;
  }
  if (!any) return bad("it is empty");
  return prices;
}

Result<Options> OptionsFromVariables(const VariableLookup& lookup) {
  auto get = [&](const char* name) -> std::optional<std::string> {
    std::optional<std::string> value = lookup(name);
    if (value && value->empty()) return std::nullopt;
    return value;
  };
  Options options;
  if (auto url = get("GAVEL_JUDGE_URL")) options.default_url = *url;
  if (auto text = get("GAVEL_JUDGE_WINDOW")) {
    Result<std::size_t> window = ParseWindow(*text, "GAVEL_JUDGE_WINDOW");
    if (!window) return window.error();
    options.window = *window;
  }
  if (auto text = get("GAVEL_JUDGE_PRICES")) {
    Result<Prices> prices = ParsePrices(*text, "GAVEL_JUDGE_PRICES");
    if (!prices) return prices.error();
    options.default_prices = *prices;
  }
  return options;
}

}  // namespace gavel::judge
