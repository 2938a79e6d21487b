#include "json_value.h"

#include <cmath>
#include <cstdint>
#include <functional>

namespace gavel::schema::detail {
namespace {

std::size_t Mix(std::size_t seed, std::size_t value) {
  // The boost::hash_combine recipe; collisions only cost a JsonEqual call.
  return seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

}  // namespace

long double NumberOf(const Json& number) {
  switch (number.type()) {
    case Json::value_t::number_integer: return static_cast<long double>(number.get<std::int64_t>());
    case Json::value_t::number_unsigned: return static_cast<long double>(number.get<std::uint64_t>());
    case Json::value_t::number_float: return static_cast<long double>(number.get<double>());
    default: return 0;
  }
}

bool IsIntegral(const Json& value) {
  if (value.is_number_integer()) return true;  // signed or unsigned
  if (!value.is_number_float()) return false;
  const double d = value.get<double>();
  return std::isfinite(d) && std::floor(d) == d;
}

bool JsonEqual(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return NumberOf(a) == NumberOf(b);
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Json::value_t::null: return true;
    case Json::value_t::boolean: return a.get<bool>() == b.get<bool>();
    case Json::value_t::string: return a.get_ref<const std::string&>() == b.get_ref<const std::string&>();
    case Json::value_t::array: {
      const auto& x = a.get_ref<const Json::array_t&>();
      const auto& y = b.get_ref<const Json::array_t&>();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!JsonEqual(x[i], y[i])) return false;
      }
      return true;
    }
    case Json::value_t::object: {
      const auto& x = a.get_ref<const Json::object_t&>();
      const auto& y = b.get_ref<const Json::object_t&>();
      if (x.size() != y.size()) return false;
      // Both maps are ordered by key, so equal objects line up entry by entry.
      for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
        if (i->first != j->first || !JsonEqual(i->second, j->second)) return false;
      }
      return true;
    }
    default: return a == b;  // binary and discarded values never come from JSON text
  }
}

std::size_t JsonHash(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return 0x51;
    case Json::value_t::boolean: return value.get<bool>() ? 0x52 : 0x53;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: {
      // Equal numbers have equal doubles (the long double values are equal, and rounding is a
      // function); 0.0 and -0.0 are equal but differ in bits, hence the explicit zero.
      const auto d = static_cast<double>(NumberOf(value));
      return d == 0 ? 0x54 : std::hash<double>{}(d);
    }
    case Json::value_t::string: return std::hash<std::string>{}(value.get_ref<const std::string&>());
    case Json::value_t::array: {
      std::size_t seed = 0x55;
      for (const Json& item : value.get_ref<const Json::array_t&>()) seed = Mix(seed, JsonHash(item));
      return seed;
    }
    case Json::value_t::object: {
      std::size_t seed = 0x56;
      for (const auto& [key, item] : value.get_ref<const Json::object_t&>()) {
        seed = Mix(Mix(seed, std::hash<std::string>{}(key)), JsonHash(item));
      }
      return seed;
    }
    default: return 0x57;
  }
}

bool DeeperThan(const Json& value, std::size_t max_depth) {
  if (!value.is_structured()) return false;
  if (max_depth == 0) return true;
  if (value.is_array()) {
    for (const Json& item : value.get_ref<const Json::array_t&>()) {
      if (DeeperThan(item, max_depth - 1)) return true;
    }
  } else {
    for (const auto& entry : value.get_ref<const Json::object_t&>()) {
      if (DeeperThan(entry.second, max_depth - 1)) return true;
    }
  }
  return false;
}

std::string DumpForMessage(const Json& value, std::size_t max_chars) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > max_chars) {
    std::size_t cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    text += "...";
  }
  return text;
}

const char* SchemaTypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "array";
    case Json::value_t::string: return "string";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "integer";
    case Json::value_t::number_float: return IsIntegral(value) ? "integer" : "number";
    default: return "binary";
  }
}

}  // namespace gavel::schema::detail
