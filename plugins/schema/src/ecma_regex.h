// JSON Schema patterns are ECMA-262 regular expressions; gavel matches them with RE2, which is
// linear-time but lacks lookaround and backreferences. The ECMA-only spellings that have an RE2
// equivalent are translated; the rest fail to compile with RE2's message and a hint.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <re2/re2.h>

namespace gavel::schema::detail {

// The RE2 spelling of an ECMA-262 pattern:
//   \uXXXX (and surrogate pairs) -> \x{...}    \cX -> \x{..}     (?<name> -> (?P<name>
//   [^] (any character) -> [\x{0}-\x{10FFFF}]   [] (no character) -> [^\x{0}-\x{10FFFF}]
//   \s, \S -> ECMA's Unicode white space      . -> any character but a line terminator
//   \p{Letter}, \p{Script=Greek} -> \p{L}, \p{Greek} (RE2 knows only the short names)
std::string TranslateEcmaRegex(std::string_view pattern);

// Compiles `pattern` for unanchored matching (RE2::PartialMatch). On failure returns nullptr and
// sets `error`, e.g. `invalid perl operator: (?= (RE2 has no lookahead or lookbehind)`.
std::unique_ptr<const RE2> CompileEcmaRegex(std::string_view pattern, std::string& error);

}  // namespace gavel::schema::detail
