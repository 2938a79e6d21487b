// What a sample's id may be, and reading it from a sample whose text does not parse, so that
// every error a trainer gets back can still be joined to its sample. Internal to the engine:
//
//   if (auto problem = IdProblem(object["id"])) return BadSample(*problem);
//   out.id = RecoverId(text);  // after the parse failed: the id, or null when it is unreadable
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gavel/sample.h"

namespace gavel::detail {

// A string, or an integer that JSON parsers keep exact in 64 bits (-2^63 to 2^64-1).
bool IsUsableId(const Json& id);

// Why `id` cannot be a sample's id, saying what an id may be; nullopt when it can.
std::optional<std::string> IdProblem(const Json& id);

// The id of a sample whose text failed to parse as a whole (ill-formed UTF-8 or a syntax error
// elsewhere, too deep, too large). It is the value of the last top-level "id" member read before
// the text stops being an object, when that value is complete (a ',' or '}' follows it),
// well-formed, and a usable id; otherwise null. An id that itself holds ill-formed UTF-8 is not
// readable.
Json RecoverId(std::string_view text);

}  // namespace gavel::detail
