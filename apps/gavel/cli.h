// The `gavel` command line: `gavel score` scores a file of samples with a rubric; `gavel check`
// loads a rubric and reports what it found or why it is malformed; `gavel lambda-local` runs a saved
// Lambda event through the Lambda function's handler.
#pragma once

#include <string>
#include <vector>

namespace gavel::cli {

// Each returns the process exit code: 0 done, 1 failed (bad rubric, unreadable input), 2 usage.
int ScoreCommand(const std::vector<std::string>& args);
int CheckCommand(const std::vector<std::string>& args);
int LambdaLocalCommand(const std::vector<std::string>& args);

}  // namespace gavel::cli
