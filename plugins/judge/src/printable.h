// Quoting untrusted text in messages: control characters become spaces and long text is cut.
//
//   Error(ErrorKind::kUsage, "got '" + Printable(value, 20) + "'");
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gavel::judge {

// The first `max` bytes of `text`, control characters replaced by spaces, "..." when cut.
std::string Printable(std::string_view text, std::size_t max);

}  // namespace gavel::judge
