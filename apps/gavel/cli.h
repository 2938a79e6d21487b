// The `gavel` command line: `gavel score` scores a file of samples with a rubric; `gavel check`
// loads a rubric and reports what it found or why it is malformed.
#pragma once

#include <string>
#include <vector>

namespace gavel::cli {

// Each returns the process exit code: 0 done, 1 failed (bad rubric, unreadable input), 2 usage.
int ScoreCommand(const std::vector<std::string>& args);
int CheckCommand(const std::vector<std::string>& args);

}  // namespace gavel::cli
