// Byte-level scanning of JSON text before it is parsed: string and nesting tracking, without
// recursion and without validating. nlohmann's parser and its dump and comparison recurse, so
// every parse of untrusted text bounds the depth with this first.
#pragma once

#include <cstddef>
#include <string_view>

namespace gavel {

// Follows strings and nesting through JSON text one byte at a time.
struct JsonNestingScanner {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;

  // Outside every string, array and object.
  bool AtTopLevel() const { return depth == 0 && !in_string; }

  void Feed(char c) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      // Unbalanced closers are the parser's business; depth only needs an upper bound.
      --depth;
    }
  }
};

// True when `text` nests arrays and objects more than `max_depth` deep. Brackets inside
// strings do not count. Stops at the first level too deep, so it is cheap on hostile input.
inline bool JsonNestsDeeperThan(std::string_view text, std::size_t max_depth) {
  JsonNestingScanner scanner;
  for (const char c : text) {
    scanner.Feed(c);
    if (scanner.depth > max_depth) return true;
  }
  return false;
}

}  // namespace gavel
