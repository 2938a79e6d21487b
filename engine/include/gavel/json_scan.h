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

constexpr bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

inline std::size_t SkipJsonSpace(std::string_view text, std::size_t pos) {
  while (pos < text.size() && IsJsonSpace(text[pos])) ++pos;
  return pos;
}

inline std::string_view TrimJsonSpace(std::string_view text) {
  text.remove_prefix(SkipJsonSpace(text, 0));
  while (!text.empty() && IsJsonSpace(text.back())) text.remove_suffix(1);
  return text;
}

// The position of the first ',' or `closer` at the level where `pos` is, outside strings and
// nested values: where an array element (closer ']') or an object member (closer '}') that
// starts at `pos` ends. npos when there is none.
inline std::size_t FindValueEnd(std::string_view text, std::size_t pos, char closer) {
  JsonNestingScanner scanner;
  for (; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (scanner.AtTopLevel() && (c == ',' || c == closer)) return pos;
    scanner.Feed(c);
  }
  return std::string_view::npos;
}

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
