// Memory after a very large event: the handler hands what the event took back to the system, so
// one 50 MB batch does not leave the function at its peak for the rest of its life.
//
// RSS is read from /proc/self/status. The check is about glibc's allocator, which the handler
// trims: under AddressSanitizer, whose allocator replaces glibc's and keeps freed memory in a
// quarantine and its shadow, the test says so and checks nothing. Run it from a build without
// sanitizers (the release-tests preset, which CI runs, or the dev preset: target
// gavel_lambda_memory_tests).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>
#include <string>

#include "child_process.h"
#include "gavel/lambda/handler.h"
#include "gavel/language/detect.h"

namespace {

using gavel::Json;
using namespace gavel::lambda;

constexpr long kMiB = 1024;  // in kB, as /proc reports

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif

long SelfKb(const char* field) {
  const std::optional<long> kb = gavel::lambda::testing::ProcStatusKb(getpid(), field);
  REQUIRE(kb);
  return *kb;
}

// A math_answer batch of `samples` samples of about `sample_bytes` bytes each: a long question
// (as a prompt with its context would be) and a short answer.
std::string LargeEvent(int samples, std::size_t sample_bytes) {
  // Strings are built by appending: at -O3, GCC 12 warns falsely (-Wrestrict) on
  // "literal" + std::string.
  std::string question;
  while (question.size() < sample_bytes) {
    const std::string row = std::to_string(question.size());
    question.append("What is the sum of the numbers in row ").append(row).append("? ");
  }
  std::string event = "[";
  for (int i = 0; i < samples; ++i) {
    const std::string n = std::to_string(i);
    const Json sample = {{"id", std::string("s").append(n)},
                         {"messages", Json::array({{{"role", "user"}, {"content", question}},
                                                   {{"role", "assistant"}, {"content", std::string("#### ").append(n)}}})},
                         {"reference_answer", i}};
    if (i > 0) event += ",";
    event += sample.dump();
  }
  event += "]";
  return event;
}

}  // namespace

TEST_CASE("handler: after a 50 MB event, RSS returns within 24 MB of its level before", "[memory]") {
  if (kAddressSanitizer) {
    WARN("skipped: built with AddressSanitizer, whose allocator keeps freed memory by design; build "
         "gavel_lambda_memory_tests with the dev or release preset to run this check");
    return;
  }
  gavel::language::TuneAllocatorForLanguageDetection();  // as the bootstrap does first
  LambdaConfig config;
  config.rubric = std::string(GAVEL_SOURCE_DIR) + "/rubrics/math_answer.lua";
  config.threads = 2;
  auto handler = Handler::Create(config);
  REQUIRE(handler);
  // The workers' states and the rubric's caches exist after a first small event.
  REQUIRE((*handler)->Handle(LargeEvent(8, 1000), std::nullopt).ok);

  const long before = SelfKb("VmRSS");
  // Peak RSS from here on (writing 5 to clear_refs resets VmHWM to the current RSS).
  std::ofstream("/proc/self/clear_refs") << "5";
  std::size_t event_bytes = 0;
  {
    const std::string event = LargeEvent(10'000, 5'000);
    event_bytes = event.size();
    const InvocationOutcome out = (*handler)->Handle(event, std::nullopt);
    REQUIRE(out.ok);
    CHECK(out.report.totals.samples == 10'000);
    CHECK(out.report.totals.neutral == 0);
  }
  const long peak = SelfKb("VmHWM");
  const long after = SelfKb("VmRSS");
  INFO("event " << event_bytes / 1000 << " kB; RSS before " << before << " kB, peak " << peak << " kB, after "
                << after << " kB");
  CHECK(event_bytes >= 50'000'000);
  // The event did take memory: the check below is about memory that was in use.
  CHECK(peak - before >= 100 * kMiB);
  CHECK(after - before <= 24 * kMiB);
}
