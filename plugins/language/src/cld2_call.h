// Internal: one call into CLD2, with its answer reduced to what the detector uses. Tests
// include this.
#pragma once

#include <string>
#include <string_view>

namespace gavel::language::detail {

struct Cld2Answer {
  std::string language;   // canonical code of CLD2's summary language, "" when it has none
  double share = 0.0;     // share of the text CLD2 gives to that language (equivalent codes such
                          // as zh and zh-Hant, or no and nn, added together), 0..1
  bool reliable = false;  // CLD2's own reliability flag
  bool valid_utf8 = true; // false when CLD2 found bytes it does not accept and answered nothing
};

// Best-effort detection (kCLDFlagBestEffort) of plain text. Thread-safe: CLD2 keeps its
// per-call state on the stack and in per-call allocations, its tables are read-only.
// `text.size()` must fit in an int.
Cld2Answer RunCld2(std::string_view text);

}  // namespace gavel::language::detail
