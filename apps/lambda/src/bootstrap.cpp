// The custom-runtime bootstrap: Lambda runs it as the function's process. It loads the rubric
// once (init), then loops: take an event from the Runtime API, score it, post the response.
//
// Exit codes: 1 when init fails (after posting the init error), 2 when the Runtime API cannot be
// reached any more, 3 after a response when a worker thread is stuck in native code past the
// deadline and cannot be reclaimed (Lambda then starts a fresh execution environment). Logs go
// to standard output, one JSON object per line.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include <chrono>
#include <nlohmann/json.hpp>

#include "gavel/lambda/config.h"
#include "gavel/lambda/handler.h"
#include "gavel/lambda/invocation_report.h"
#include "gavel/lambda/runtime_client.h"
#include "gavel/language/detect.h"

#ifdef GAVEL_BOOTSTRAP_TEST_PLUGINS
// The test build of the bootstrap adds plugins that stand for native code no limit reaches.
gavel::Status RegisterBootstrapTestPlugins(gavel::PluginRegistry& registry);
#endif

namespace {

using gavel::lambda::SecretScrubber;

constexpr int kExitInitFailed = 1;
constexpr int kExitRuntimeApiGone = 2;
constexpr int kExitWorkerStuck = 3;
constexpr const char* kInitErrorType = "Gavel.InitError";

std::int64_t EpochMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One JSON log line with a message and optional extra members; flushed at once, since Lambda
// may freeze the process right after an invocation.
void Log(const SecretScrubber& scrubber, const char* level, const std::string& message,
         gavel::Json extra = gavel::Json::object()) {
  extra["level"] = level;
  extra["message"] = scrubber.Scrub(message);
  std::printf("%s\n", extra.dump(-1, ' ', false, gavel::Json::error_handler_t::replace).c_str());
  std::fflush(stdout);
}

void PrintLine(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

int main() {
  const auto process_start = std::chrono::steady_clock::now();
  // Before any worker thread starts, as in the gavel command line.
  gavel::language::TuneAllocatorForLanguageDetection();
  const SecretScrubber scrubber = SecretScrubber::FromEnvironment();

  const char* endpoint = std::getenv("AWS_LAMBDA_RUNTIME_API");
  auto client = gavel::lambda::RuntimeClient::Create(endpoint == nullptr ? "" : endpoint);
  if (!client) {
    Log(scrubber, "error", "bootstrap: " + client.error().message());
    return kExitInitFailed;
  }

  // Init: everything that can be done once is done here, before the first /next.
  std::unique_ptr<gavel::lambda::Handler> handler;
  {
    auto config = gavel::lambda::ConfigFromEnvironment();
    gavel::Result<std::unique_ptr<gavel::lambda::Handler>> created =
        config ? gavel::lambda::Handler::Create(*config
#ifdef GAVEL_BOOTSTRAP_TEST_PLUGINS
                                                ,
                                                RegisterBootstrapTestPlugins
#endif
                                                )
               : gavel::Result<std::unique_ptr<gavel::lambda::Handler>>(config.error());
    if (!created) {
      const std::string message = scrubber.Scrub(created.error().message());
      Log(scrubber, "error", "init failed: " + message);
      if (gavel::Status st = (*client)->PostInitError(kInitErrorType, gavel::lambda::ErrorBody(message, kInitErrorType));
          !st) {
        Log(scrubber, "error", "posting the init error failed: " + st.error().message());
      }
      return kExitInitFailed;
    }
    handler = std::move(*created);
  }
  const auto& rubric = handler->rubric();
  Log(scrubber, "info", "init done",
      {{"rubric", rubric.name()},
       {"rubric_file", handler->config().rubric.string()},
       {"threads", handler->config().threads},
       {"window", handler->config().window},
       {"details", handler->config().details},
       {"init_ms", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - process_start).count()}});

  gavel::lambda::TraceIdVariable trace_id;
  for (;;) {
    auto invocation = (*client)->Next();
    if (!invocation) {
      Log(scrubber, "error", "bootstrap: stopping: " + invocation.error().message());
      return kExitRuntimeApiGone;
    }
    trace_id.Set(invocation->trace_id);
    gavel::lambda::InvocationOutcome outcome = handler->Handle(invocation->body, invocation->deadline);
    outcome.report.request_id = invocation->request_id;
    gavel::Status posted =
        outcome.ok ? (*client)->PostResponse(invocation->request_id, outcome.body)
                   : (*client)->PostError(invocation->request_id, outcome.error_type, scrubber.Scrub(outcome.body));
    if (!posted && outcome.ok) {
      // The Runtime API refused the response (too large, say): the invocation still ends, as
      // an error that says why, rather than by the timeout.
      Log(scrubber, "error", "posting the response failed: " + posted.error().message(),
          {{"request_id", invocation->request_id}});
      const std::string body = gavel::lambda::ErrorBody(
          "the response could not be posted: " + posted.error().message(), gavel::lambda::kInternalErrorType);
      posted = (*client)->PostError(invocation->request_id, gavel::lambda::kInternalErrorType, scrubber.Scrub(body));
    }
    if (!posted) {
      Log(scrubber, "error", "posting the result failed: " + posted.error().message(),
          {{"request_id", invocation->request_id}});
    }
    PrintLine(gavel::lambda::InvocationLogLine(outcome.report));
    PrintLine(gavel::lambda::EmbeddedMetricsLine(outcome.report, EpochMs()));
    // The engine answered on time for samples whose worker was stuck in native code; that
    // worker is replaced now. A thread that has not come back cannot be reclaimed (it holds a
    // core and its memory), so the process ends and Lambda starts a fresh one.
    handler->ReplaceStuckWorkers();
    if (const std::size_t stuck = gavel::AbandonedWorkerThreadsRunning(); stuck > 0) {
      Log(scrubber, "error",
          "a worker thread is stuck in native code past the deadline and cannot be reclaimed; exiting after "
          "the response so that Lambda starts a fresh execution environment",
          {{"request_id", invocation->request_id}, {"stuck_threads", stuck}});
      std::_Exit(kExitWorkerStuck);
    }
  }
}
