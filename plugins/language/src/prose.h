// Internal: the part of a text worth detecting, in the form CLD2 accepts. Tests include this.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gavel::language::detail {

struct Prose {
  // Valid UTF-8 without control characters or noncharacters, which CLD2's checking calls stop
  // at. Removed material and runs of spaces become one space; none at either end.
  std::string text;
  bool invalid_utf8 = false;  // some input bytes were not UTF-8 (each ill-formed sequence -> space)
  bool truncated = false;     // max_bytes was reached before the end of the input
};

// Copies `input` into Prose::text, replacing control characters (C0 including tab and newline,
// DEL, C1), Unicode noncharacters and ill-formed UTF-8 with spaces. With `strip_markup`, also
// leaves out Markdown fenced code blocks (``` or ~~~, up to the closing fence or the end of the
// text), inline code spans (`...` closed on the same line) and URLs (http://, https://, www.
// up to the next space). Stops before the first code point that would take the text past
// `max_bytes`. Finally normalises the text to NFC (NormalizeToNfc).
Prose ExtractProse(std::string_view input, bool strip_markup, std::size_t max_bytes);

// True when `s` starts with what ExtractProse takes for a URL: http://, https:// or www.
// (ASCII case ignored).
bool StartsWithUrl(std::string_view s);

// Rewrites valid UTF-8 in Unicode Normalization Form C when it is not already (a quick check
// first, so NFC text costs one scan). Decomposed accents (e + U+0301 instead of é) otherwise
// change CLD2's answer on about one sentence in a hundred. Left unchanged if ICU fails.
void NormalizeToNfc(std::string& text);

}  // namespace gavel::language::detail
