#include "gavel/lambda/handler.h"

#include <malloc.h>

#include <exception>
#include <utility>
#include <vector>

#include "builtin.h"
#include "gavel/json_scan.h"
#include "gavel/sample_io.h"
#include "gavel/score_sink.h"

namespace gavel::lambda {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration<double, std::milli>(end - start).count();
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The errorMessage of a response over the limit: its size, the limit, and what to change.
std::string ResponseTooLargeMessage(std::size_t response_bytes, std::size_t limit_bytes, std::size_t samples,
                                    bool details) {
  return "the response for " + std::to_string(samples) + " samples is " + std::to_string(response_bytes) +
         " bytes, over the limit of " + std::to_string(limit_bytes) +
         " bytes for a synchronous Lambda response (GAVEL_MAX_RESPONSE_BYTES); send fewer samples per event" +
         (details ? " or set GAVEL_DETAILS=0" : "");
}

// Hands the memory the process has freed back to the system. glibc keeps freed memory in its
// arenas: the bootstrap raises the trim threshold to 32 MiB per arena (for language detection),
// every worker thread has an arena of its own, and free memory between blocks in use is never
// trimmed on its own. A 50 MB event left the process at its peak for its lifetime. malloc_trim
// returns every free page of every arena. (Under AddressSanitizer, whose allocator replaces
// glibc's, it finds nothing to return.)
void ReleaseFreedMemory() { malloc_trim(0); }

}  // namespace

std::string ErrorBody(std::string_view message, std::string_view type) {
  Json body = {{"errorMessage", std::string(message)}, {"errorType", std::string(type)}};
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool ArrayElementsAreObjects(std::string_view event) {
  JsonNestingScanner scanner;
  bool expect_element = false;  // just after the array's '[' or a ',' between its elements
  for (const char c : event) {
    if (expect_element) {
      if (IsJsonSpace(c)) continue;
      // "[]" is an empty batch; a ']' right after a ',' is the parser's business.
      if (c != '{' && c != ']') return false;
      expect_element = false;
    }
    const bool top = scanner.AtTopLevel();
    const bool in_array = scanner.depth == 1 && !scanner.in_string;
    scanner.Feed(c);
    if ((top && c == '[') || (in_array && c == ',')) expect_element = true;
  }
  return true;
}

Result<std::unique_ptr<Handler>> Handler::Create(const LambdaConfig& config,
                                                 const std::function<Status(PluginRegistry&)>& extra_plugins) {
  std::unique_ptr<Handler> handler(new Handler());
  handler->config_ = config;
  handler->registry_ = std::make_unique<PluginRegistry>();
  if (Status st = RegisterBuiltinPlugins(*handler->registry_, BuiltinOptions{.judge = config.judge}); !st) {
    return st.error();
  }
  if (extra_plugins) {
    if (Status st = extra_plugins(*handler->registry_); !st) return st.error();
  }
  auto rubric = Rubric::Load(config.rubric, *handler->registry_);
  if (!rubric) return rubric.error();
  handler->rubric_ = std::move(*rubric);
  EngineOptions options;
  options.threads = config.threads;
  options.window = config.window;
  auto engine = Engine::Create(handler->rubric_, *handler->registry_, options);
  if (!engine) return engine.error();
  handler->engine_ = std::move(*engine);
  return handler;
}

Handler::~Handler() = default;

InvocationOutcome Handler::Handle(std::string_view event, std::optional<Clock::time_point> deadline) {
  InvocationOutcome out;
  ScoreEvent(event, deadline, out);
  // The parsed samples and their scores are gone by now; the event and the response are single
  // blocks large enough that the allocator maps and unmaps them on their own.
  if (event.size() >= config_.release_memory_after_event_bytes) ReleaseFreedMemory();
  return out;
}

void Handler::ScoreEvent(std::string_view event, std::optional<Clock::time_point> deadline,
                         InvocationOutcome& out) {
  const auto started = Clock::now();
  out.report.rubric = rubric_->name();
  auto refuse = [&](std::string_view message, std::string_view type) {
    out.ok = false;
    out.error_type = std::string(type);
    out.body = ErrorBody(message, type);
    out.report.invocation_error = true;
    out.report.error_type = out.error_type;
    out.report.response_bytes = out.body.size();
    out.report.total_ms = MsSince(started, Clock::now());
  };
  try {
    auto samples = ParseNovaEvent(event);
    if (!samples) {
      refuse(samples.error().message(), kInvalidEventErrorType);
      return;
    }
    if (!ArrayElementsAreObjects(event)) {
      refuse("event is not a JSON array of samples: an element is not an object", kInvalidEventErrorType);
      return;
    }
    const auto parsed = Clock::now();
    out.report.parse_ms = MsSince(started, parsed);

    std::optional<Clock::time_point> until;
    if (deadline) until = *deadline - config_.deadline_margin;
    std::vector<Score> scores = engine_->ScoreBatch(std::move(*samples), until);
    const auto scored = Clock::now();
    out.report.score_ms = MsSince(parsed, scored);
    WriteOptions options;
    options.details = config_.details;
    NovaResponseSink sink(options);
    for (const Score& score : scores) sink.Write(score);
    (void)sink.Finish();  // a response in memory cannot fail to be written
    out.report.totals = sink.totals();
    std::string response = sink.TakeBody();
    if (response.size() > config_.max_response_bytes) {
      // Checked here rather than left to the Runtime API, which refuses the post with a status
      // and no reason the function's logs would show.
      const std::size_t size = response.size();
      response = std::string();
      refuse(ResponseTooLargeMessage(size, config_.max_response_bytes, scores.size(), config_.details),
             kResponseTooLargeErrorType);
      out.report.response_bytes = size;
      out.report.response_limit_bytes = config_.max_response_bytes;
      return;
    }
    out.body = std::move(response);
    out.ok = true;
    out.report.response_bytes = out.body.size();
    out.report.total_ms = MsSince(started, Clock::now());
  } catch (const std::exception& e) {
    // Memory exhaustion while building the response, in practice: the function answers with
    // an error rather than dying, and the log line says which.
    refuse(std::string("handling the event failed: ") + e.what(), kInternalErrorType);
  }
}

}  // namespace gavel::lambda
