#include "options.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

#include "usage.h"

namespace gavel::cli {

bool Options::Has(const std::string& flag) const {
  for (const auto& f : flags) {
    if (f == flag) return true;
  }
  return false;
}

std::optional<std::string> Options::Get(const std::string& key) const {
  auto it = values.find(key);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::string ParseOptions(const std::vector<std::string>& args, const std::vector<std::string>& with_value,
                         const std::vector<std::string>& bare, Options& out) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool known = false;
    for (const auto& k : with_value) {
      if (a == k) {
        if (i + 1 >= args.size()) return a + " needs a value";
        out.values[k] = args[++i];
        out.all.emplace_back(k, out.values[k]);
        known = true;
      }
    }
    for (const auto& k : bare) {
      if (a == k) {
        out.flags.push_back(k);
        known = true;
      }
    }
    if (!known) return "unknown option '" + a + "'";
  }
  return "";
}

std::vector<std::string> Options::GetAll(const std::string& key) const {
  std::vector<std::string> list;
  for (const auto& [k, v] : all) {
    if (k == key) list.push_back(v);
  }
  return list;
}

bool ParseNumber(const std::optional<std::string>& text, std::optional<double>& out) {
  if (!text) return true;
  const char* end = text->data() + text->size();
  double value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return false;
  out = value;
  return true;
}

bool ParseCount(const std::optional<std::string>& text, std::size_t& out) {
  if (!text) return true;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, out);
  return ec == std::errc() && ptr == end && out > 0;
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "gavel: %s (see gavel --help)\n", message.c_str());
  return kExitUsage;
}

}  // namespace gavel::cli
