// Helpers shared by gavel's libFuzzer targets: reading the repository's own data files (rule
// packs, schemas) once at start-up, and checks that stop the fuzzer with a message when an
// invariant a library promises does not hold.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#ifndef GAVEL_SOURCE_DIR
#error "GAVEL_SOURCE_DIR must name the source tree"
#endif

namespace gavel::fuzz {

// A broken invariant: print it and abort, so libFuzzer records the input as a crash.
[[noreturn]] inline void Fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "gavel fuzz invariant broken: %s %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

inline void Check(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok) Fail(what, detail);
}

// A path under the source tree, as a string.
inline std::string SourcePath(std::string_view relative) {
  return std::string(GAVEL_SOURCE_DIR) + "/" + std::string(relative);
}

// The whole file, or abort: the targets only read files that ship with the repository.
inline std::string ReadSourceFile(std::string_view relative) {
  const std::string path = SourcePath(relative);
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("cannot read", path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
inline bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  while (i < s.size()) {
    const unsigned c = byte(i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    const unsigned second = byte(i + 1);
    if (second < lo || second > hi) return false;
    for (std::size_t k = 2; k <= n; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace gavel::fuzz
