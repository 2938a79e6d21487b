// Reading the fields of a parsed sample with errors that name the field and what it held, shared
// by the sample, message and id readers. Internal to the engine:
//
//   std::string* role = StringMember(message, "role");
//   if (role == nullptr) return BadSample(NotAString(path, message, "role"));
#pragma once

#include <string>

#include "gavel/sample.h"
#include "gavel/status.h"

namespace gavel::detail {

inline Error BadSample(std::string message) { return Error(ErrorKind::kBadSample, std::move(message)); }

// "a string", "an object", "an empty array", "null": for messages such as "must be X, not Y".
std::string Described(const Json& value);

// object[key] when it is a string, else nullptr.
std::string* StringMember(Json& object, const char* key);

// Why object[key] is not a string, for an error about the object at `path`.
std::string NotAString(const std::string& path, const Json& object, const char* key);

}  // namespace gavel::detail
