// JSON value semantics as JSON Schema defines them: numbers compare by mathematical value across
// integer and float representations (1 == 1.0), everything else by type and content.
#pragma once

#include <cstddef>
#include <string>

#include "gavel/sample.h"

namespace gavel::schema::detail {

// A number's value as long double. On x86-64 (80-bit) and AArch64 (128-bit) every int64,
// uint64 and double converts exactly, so comparisons between representations are exact.
long double NumberOf(const Json& number);

// An integer in the draft-07 sense: any number with a zero fractional part, 1.0 included.
bool IsIntegral(const Json& value);

// Equality of JSON values with numbers compared by value. Recursion is bounded by the shallower
// of the two values.
bool JsonEqual(const Json& a, const Json& b);

// A hash consistent with JsonEqual (equal values hash equally).
std::size_t JsonHash(const Json& value);

// Whether `value` nests objects and arrays more than `max_depth` deep. Recursion stops at
// max_depth, so this is safe on any value.
bool DeeperThan(const Json& value, std::size_t max_depth);

// Compact JSON text for messages, ill-formed UTF-8 replaced, shortened with "..." past max_chars.
std::string DumpForMessage(const Json& value, std::size_t max_chars = 200);

// "null", "boolean", "object", "array", "string", "integer" or "number", as JSON Schema names
// types (a float with no fractional part is an "integer").
const char* SchemaTypeName(const Json& value);

}  // namespace gavel::schema::detail
