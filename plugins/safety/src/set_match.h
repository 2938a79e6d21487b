// Internal: how the outcome of RE2::Set::Match becomes a Status. Kept apart so the tests can
// check each RE2 error kind, including ones this RE2 version cannot be made to produce on demand.
#pragma once

#include <re2/set.h>

#include <cstdint>

#include "gavel/status.h"

namespace gavel::safety::detail {

// `matched` and `kind` are RE2::Set::Match's result and ErrorInfo::kind. A DFA out of memory
// is kLimit (the scan must not pass as clean); a set not compiled or an inconsistent result is
// kInternal.
Status CheckSetMatch(bool matched, re2::RE2::Set::ErrorKind kind, std::int64_t max_mem);

}  // namespace gavel::safety::detail
