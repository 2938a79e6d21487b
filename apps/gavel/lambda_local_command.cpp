// `gavel lambda-local`: one saved Lambda event through the same handler the bootstrap runs.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "gavel/lambda/config.h"
#include "gavel/lambda/handler.h"
#include "gavel/lambda/invocation_report.h"
#include "options.h"
#include "usage.h"

namespace gavel::cli {

int LambdaLocalCommand(const std::vector<std::string>& args) {
  Options opts;
  if (std::string err = ParseOptions(args, {"--rubric", "--event", "--deadline-ms"}, {}, opts); !err.empty()) {
    return Usage(err);
  }
  const std::optional<std::string> rubric = opts.Get("--rubric");
  const std::optional<std::string> event_file = opts.Get("--event");
  std::size_t deadline_ms = 0;
  if (!ParseCount(opts.Get("--deadline-ms"), deadline_ms)) return Usage("--deadline-ms takes a whole number > 0");
  if (!rubric) return Usage("lambda-local needs --rubric FILE");
  if (!event_file) return Usage("lambda-local needs --event FILE");

  // The bootstrap's settings (GAVEL_THREADS, GAVEL_WINDOW, GAVEL_DEADLINE_MARGIN_MS,
  // GAVEL_DETAILS) from the environment, with the rubric from --rubric.
  const std::string rubric_path = *rubric;
  auto config = lambda::ConfigFromEnvironment([&](const char* name) -> std::optional<std::string> {
    if (std::string_view(name) == "GAVEL_RUBRIC") return rubric_path;
    const char* value = std::getenv(name);
    return value == nullptr ? std::nullopt : std::optional<std::string>(value);
  });
  if (!config) {
    std::fprintf(stderr, "gavel: %s\n", config.error().message().c_str());
    return 2;
  }
  std::ifstream in(*event_file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "gavel: cannot read event file %s\n", event_file->c_str());
    return 1;
  }
  const std::string event((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  const auto started = std::chrono::steady_clock::now();
  auto handler = lambda::Handler::Create(*config);
  if (!handler) {
    std::fprintf(stderr, "gavel: init failed: %s\n", handler.error().message().c_str());
    return 1;
  }
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // Like Lambda's deadline, counted from the invocation (after init).
  if (deadline_ms > 0) deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(deadline_ms);
  lambda::InvocationOutcome outcome = (*handler)->Handle(event, deadline);
  outcome.report.request_id = "local";
  std::fwrite(outcome.body.data(), 1, outcome.body.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  std::fprintf(stderr, "%s\n", lambda::InvocationLogLine(outcome.report).c_str());
  std::fprintf(stderr, "gavel: init and invocation took %.1f ms\n",
               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
  (*handler)->ReplaceStuckWorkers();
  return Finish(outcome.ok ? 0 : 1);
}

}  // namespace gavel::cli
