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

#include "gavel/utf8.h"

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

// True when a text is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
using gavel::IsValidUtf8;

}  // namespace gavel::fuzz
