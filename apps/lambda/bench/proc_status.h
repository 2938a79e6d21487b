// A field of /proc/<pid>/status in kB ("VmHWM:", "VmRSS:"), for the Lambda benchmarks.
#pragma once

#include <sys/types.h>

#include <cstdlib>
#include <string>

#include "../tests/child_process.h"

namespace gavel::lambda::testing {

// `field` with its colon, e.g. "VmHWM:"; 0 when the file or the field cannot be read.
inline long ProcStatusKb(pid_t pid, const std::string& field) {
  for (const std::string& line : Lines(ReadFile("/proc/" + std::to_string(pid) + "/status"))) {
    if (line.rfind(field, 0) == 0) return std::strtol(line.c_str() + field.size(), nullptr, 10);
  }
  return 0;
}

}  // namespace gavel::lambda::testing
