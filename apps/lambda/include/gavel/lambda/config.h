// The Lambda function's settings, read once from the environment at init.
//
//   auto config = gavel::lambda::ConfigFromEnvironment();   // _HANDLER, GAVEL_RUBRIC, ...
//   if (!config) { /* post an init error with config.error().message() */ }
//
// The rubric is `$LAMBDA_TASK_ROOT/rubrics/<_HANDLER>.lua`, or the path in GAVEL_RUBRIC, which
// wins when set. The judge's settings (GAVEL_JUDGE_URL, GAVEL_JUDGE_WINDOW, GAVEL_JUDGE_PRICES)
// are read here too and handed to the judge plugin; nothing here logs them.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gavel/judge/options.h"
#include "gavel/status.h"

namespace gavel::lambda {

inline constexpr std::size_t kLambdaMaxResponseBytes = std::size_t{6} << 20;

struct LambdaConfig {
  std::filesystem::path rubric;
  unsigned threads = 0;       // GAVEL_THREADS; 0: one per hardware thread
  std::size_t window = 256;   // GAVEL_WINDOW: samples in flight at once
  // GAVEL_DEADLINE_MARGIN_MS: the response is sent this long before the invocation's deadline,
  // leaving time to serialise and post it.
  std::chrono::milliseconds deadline_margin{300};
  // GAVEL_DETAILS=1: response items carry `details` (rationales, hits, error messages). Off by
  // default: the Nova response item is {id, aggregate_reward_score, metrics_list}, and details
  // can make a batch's response many times larger.
  bool details = false;
  // GAVEL_MAX_RESPONSE_BYTES: a response larger than this is not posted; the invocation fails
  // with Gavel.ResponseTooLarge, naming both sizes. Lambda caps a synchronous invocation's
  // response at 6 MB ("Invocation payload (request and response): 6 MB each for request and
  // response (synchronous)", https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html;
  // its own error names 6,291,556 bytes). The default is 6 MiB, a little under that.
  std::size_t max_response_bytes = kLambdaMaxResponseBytes;
  // After an event at least this large, the memory the invocation freed is handed back to the
  // system (malloc_trim): the allocator otherwise keeps it for the life of the process.
  // Smaller events leave little behind, and trimming after each would only fault the same pages
  // in again on the next invocation.
  std::size_t release_memory_after_event_bytes = std::size_t{4} << 20;
  // GAVEL_JUDGE_URL, GAVEL_JUDGE_WINDOW, GAVEL_JUDGE_PRICES (judge::OptionsFromVariables); no
  // reply cache in Lambda.
  judge::Options judge;
};

// Looks a variable up; nullopt when it is unset.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

// Reads the settings through `lookup` (the process environment by default). Errors (kUsage)
// name the variable and the value's problem: no rubric named, a handler that is not a plain
// rubric name, a number that is not a whole number in range.
Result<LambdaConfig> ConfigFromEnvironment(const EnvLookup& lookup);
Result<LambdaConfig> ConfigFromEnvironment();

// Replaces the values of secret-bearing environment variables (judge URL with its password,
// AWS keys and session token, API keys) with "[redacted]" in text that is about to be logged
// or posted. A safety net: gavel's own messages do not quote secrets to begin with. The judge
// URL's secrets are found by the judge's own URL reading (judge::SecretsOf).
class SecretScrubber {
 public:
  static SecretScrubber FromEnvironment(const EnvLookup& lookup);
  static SecretScrubber FromEnvironment();
  std::string Scrub(std::string text) const;

 private:
  std::vector<std::string> secrets_;  // longest first, so a secret inside another goes with it
};

}  // namespace gavel::lambda
