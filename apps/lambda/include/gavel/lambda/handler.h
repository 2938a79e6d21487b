// The reward function itself, shared by the Lambda bootstrap and `gavel lambda-local`: loads the
// rubric once, then turns each Nova RFT event into its response.
//
//   auto handler = gavel::lambda::Handler::Create(config);       // at init, before the first /next
//   auto outcome = (*handler)->Handle(event_body, deadline);     // per invocation
//   post(outcome.ok ? "response" : "error", outcome.body);
//
// A sample that cannot be scored, or is unfinished `deadline_margin` before the deadline, gets
// the rubric's neutral reward and an `error.<kind>` metric; only an event that is not a JSON
// array of objects, or whose response would be over `max_response_bytes`, is an invocation
// error. After an event of `release_memory_after_event_bytes` or more, the memory it took is
// handed back to the system before Handle returns. Handle never throws.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gavel/engine.h"
#include "gavel/lambda/config.h"
#include "gavel/lambda/invocation_report.h"
#include "gavel/plugin_registry.h"
#include "gavel/rubric.h"
#include "gavel/status.h"

namespace gavel::lambda {

// The errorType of an event that is not a JSON array of objects.
inline constexpr std::string_view kInvalidEventErrorType = "Gavel.InvalidEvent";
// The errorType of a response over LambdaConfig::max_response_bytes: the batch was scored, but
// its response is larger than Lambda takes, so it is not posted.
inline constexpr std::string_view kResponseTooLargeErrorType = "Gavel.ResponseTooLarge";
// The errorType of an unexpected failure while handling an event (a bug in gavel).
inline constexpr std::string_view kInternalErrorType = "Gavel.InternalError";

struct InvocationOutcome {
  bool ok = false;         // body is the response array; otherwise an invocation error
  std::string body;        // the response array, or {"errorMessage", "errorType"}
  std::string error_type;  // when !ok
  InvocationReport report;
};

class Handler {
 public:
  using Clock = std::chrono::steady_clock;

  // Registers the built-in plugins (and `extra_plugins`, for tests), loads the rubric and starts
  // the engine's workers. Errors keep Rubric::Load's "file:line: reason" message.
  static Result<std::unique_ptr<Handler>> Create(
      const LambdaConfig& config, const std::function<Status(PluginRegistry&)>& extra_plugins = {});
  ~Handler();
  Handler(const Handler&) = delete;
  Handler& operator=(const Handler&) = delete;

  // Scores one event. `deadline` is the invocation's deadline; scoring stops
  // `config.deadline_margin` before it.
  InvocationOutcome Handle(std::string_view event, std::optional<Clock::time_point> deadline);

  // Replaces engine workers stuck in native code past a deadline (see Engine::stats). Called
  // after a response is posted; gavel::AbandonedWorkerThreadsRunning() then says whether the
  // process should exit.
  std::size_t ReplaceStuckWorkers() { return engine_->ReplaceStuckWorkers(); }

  const Rubric& rubric() const { return *rubric_; }
  const LambdaConfig& config() const { return config_; }

 private:
  Handler() = default;
  // Handle's work, in a scope of its own so that the batch is freed when it returns.
  void ScoreEvent(std::string_view event, std::optional<Clock::time_point> deadline, InvocationOutcome& out);

  LambdaConfig config_;
  std::unique_ptr<PluginRegistry> registry_;  // outlives the engine, which uses its plugins
  std::shared_ptr<const Rubric> rubric_;
  std::unique_ptr<Engine> engine_;
};

// {"errorMessage": message, "errorType": type}: the body of an invocation or init error.
std::string ErrorBody(std::string_view message, std::string_view type);

// True when every element of the top-level array is an object (by its first byte; elements are
// parsed later). The caller has already checked that `event` is an array.
bool ArrayElementsAreObjects(std::string_view event);

}  // namespace gavel::lambda
