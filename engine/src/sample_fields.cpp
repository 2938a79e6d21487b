#include "sample_fields.h"

namespace gavel::detail {

std::string Described(const Json& value) {
  if (value.is_null()) return "null";
  if (value.is_array()) return value.empty() ? "an empty array" : "an array";
  if (value.is_object()) return "an object";
  return std::string("a ") + value.type_name();
}

std::string* StringMember(Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? &it->get_ref<std::string&>() : nullptr;
}

std::string NotAString(const std::string& path, const Json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end()) return path + " has no \"" + key + "\"";
  return path + "." + key + " must be a string, not " + Described(*it);
}

}  // namespace gavel::detail
