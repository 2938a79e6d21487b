// A client of the AWS Lambda Runtime API (2018-06-01) over libcurl, as a custom runtime's
// bootstrap uses it: one easy handle, reused for every call, on the bootstrap's main thread.
//
//   auto client = gavel::lambda::RuntimeClient::Create(getenv("AWS_LAMBDA_RUNTIME_API"));
//   for (;;) {
//     auto invocation = (*client)->Next();           // blocks until an event arrives
//     if (!invocation) break;                         // the Runtime API went away
//     (*client)->PostResponse(invocation->request_id, body);
//   }
//
// Not thread-safe: one thread owns a client.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gavel/status.h"

namespace gavel::lambda {

struct Invocation {
  std::string request_id;   // Lambda-Runtime-Aws-Request-Id
  std::string body;         // the event
  std::string trace_id;     // Lambda-Runtime-Trace-Id, or empty
  std::string function_arn; // Lambda-Runtime-Invoked-Function-Arn, or empty
  std::optional<std::int64_t> deadline_epoch_ms;  // Lambda-Runtime-Deadline-Ms
  // The deadline on the steady clock (from the epoch deadline and the system clock now).
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct RuntimeClientOptions {
  // /next is retried this many times more after a failure (connection refused or reset, a
  // 5xx), waiting first_backoff, then twice as long each time; then Next() gives up.
  int next_retries = 3;
  std::chrono::milliseconds first_backoff{100};
};

class RuntimeClient {
 public:
  // `endpoint` is AWS_LAMBDA_RUNTIME_API's value, "host:port".
  static Result<std::unique_ptr<RuntimeClient>> Create(std::string_view endpoint,
                                                       RuntimeClientOptions options = {});
  ~RuntimeClient();
  RuntimeClient(const RuntimeClient&) = delete;
  RuntimeClient& operator=(const RuntimeClient&) = delete;

  // GET /runtime/invocation/next, with no timeout: Lambda freezes the process while it waits.
  // An error (kIo) means the Runtime API could not be reached after the retries.
  Result<Invocation> Next();
  // POST /runtime/invocation/{id}/response.
  Status PostResponse(std::string_view request_id, std::string_view body);
  // POST /runtime/invocation/{id}/error with Lambda-Runtime-Function-Error-Type: error_type.
  Status PostError(std::string_view request_id, std::string_view error_type, std::string_view body);
  // POST /runtime/init/error with Lambda-Runtime-Function-Error-Type: error_type.
  Status PostInitError(std::string_view error_type, std::string_view body);

  const std::string& endpoint() const { return endpoint_; }

  struct Impl;

 private:
  RuntimeClient(std::string endpoint, RuntimeClientOptions options, std::unique_ptr<Impl> impl);
  std::string endpoint_;
  RuntimeClientOptions options_;
  std::unique_ptr<Impl> impl_;
};

// The steady-clock time of an epoch-milliseconds deadline, taking the system clock now.
std::chrono::steady_clock::time_point SteadyDeadline(std::int64_t epoch_ms);

// The environment variable _X_AMZN_TRACE_ID, which a runtime sets to each invocation's trace id.
// setenv copies every new value and glibc never frees the copies (pointers getenv gave out must
// stay valid), so with a new trace id per invocation it costs about 110 bytes an invocation for
// the life of the process. This keeps the variable in a buffer of its own (putenv), rewritten in
// place and grown only for a longer id. One object per process, used by the invocation loop's
// thread; nothing else may set the variable. The destructor unsets it.
class TraceIdVariable {
 public:
  static constexpr const char* kName = "_X_AMZN_TRACE_ID";

  TraceIdVariable() = default;
  ~TraceIdVariable();
  TraceIdVariable(const TraceIdVariable&) = delete;
  TraceIdVariable& operator=(const TraceIdVariable&) = delete;

  // Sets the variable to `trace_id`, or unsets it when `trace_id` is empty.
  void Set(std::string_view trace_id);

 private:
  std::vector<char> buffer_;  // "_X_AMZN_TRACE_ID=<id>\0", what the environment points at
  bool in_environment_ = false;
};

}  // namespace gavel::lambda
