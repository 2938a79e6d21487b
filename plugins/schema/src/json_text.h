// Byte-level helpers for JSON text: nesting depth before parsing, parsing with a printable error,
// and escaping of arbitrary bytes for messages. Shared by extraction and schema loading.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "gavel/sample.h"

namespace gavel::schema::detail {

// True when `text` nests objects and arrays more than `max_depth` deep. Brackets inside JSON
// strings do not count. Stops at the first level too deep, so it is cheap on hostile input.
bool NestsDeeperThan(std::string_view text, std::size_t max_depth);

// Parses `text` as exactly one JSON value. On failure returns false and sets `error` to
// nlohmann's message without its "[json.exception...]" tag, with ill-formed bytes escaped.
// The caller must have bounded the depth (NestsDeeperThan) first.
bool ParseJsonText(std::string_view text, Json& out, std::string& error);

// `text` with control bytes and ill-formed UTF-8 written as \xNN, so that a message can be
// printed and serialised to JSON whatever the input was.
std::string Printable(std::string_view text);

// Printable(text) between double quotes, shortened to about `max_chars` with "..." if longer.
std::string Quoted(std::string_view text, std::size_t max_chars = 120);

// Number of Unicode code points in UTF-8 `text` (every byte that is not a continuation byte).
std::size_t CodePointCount(std::string_view text);

}  // namespace gavel::schema::detail
