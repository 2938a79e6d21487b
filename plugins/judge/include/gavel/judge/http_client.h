// The judge's HTTP client: every judge call of every sample in flight at once, on one thread
// driving libcurl's multi interface, with connections reused across calls.
//
//   auto client = HttpClient::Create(options);
//   (*client)->Submit({.request = {...}, .deadline = d, .done = [](HttpResponse r) { ... }});
//
// Each call is retried on 429, 5xx, 408, timeouts and connection errors, with exponential
// backoff and full jitter, waiting at least as long as Retry-After (or retry-after-ms) asks; other
// 4xx replies are final. No retry is started that cannot finish before the call's deadline, and
// every attempt's timeout is cut to the time left. Throttling (more than a quarter of the
// replies answered 429) shrinks the window of calls in flight (multiplicative decrease),
// successes grow it back (additive increase); optional requests-per-minute and
// tokens-per-minute limits pace the starts.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gavel/status.h"

namespace gavel::judge {

using Clock = std::chrono::steady_clock;
using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  Headers headers;  // "Content-Type" and the like; never logged
  std::string body;
};

// Why a call ended without a usable reply.
enum class CallFailure {
  kNone,
  kHttpStatus,  // a final status that is not 2xx (4xx other than 408/429, or retries spent)
  kTransport,   // connection refused, reset, DNS, TLS, ... (after the retries)
  kDeadline,    // the call's deadline came first
  kTooLarge,    // the reply exceeded max_response_bytes
  kCancelled,   // the caller gave up (its sample no longer waits)
  kStopped,     // the client was destroyed first
  kPrepare,     // the prepare hook failed (for example signing)
};
std::string_view CallFailureName(CallFailure failure);

struct HttpResponse {
  long status = 0;  // HTTP status of the last attempt, 0 when no reply arrived
  Headers headers;  // of the last attempt; names in lower case
  std::string body;
  CallFailure failure = CallFailure::kNone;
  std::string error;  // a plain description when failure != kNone
  int attempts = 0;
  int throttled = 0;  // attempts answered 429
  std::chrono::milliseconds elapsed{0};
  bool ok() const { return failure == CallFailure::kNone; }
  // The first header with this (lower-case) name, or nullptr.
  const std::string* Header(std::string_view name) const;
};

struct RetryPolicy {
  int max_attempts = 5;                      // first attempt included
  std::chrono::milliseconds base_delay{250};  // backoff before attempt n+1: random in [0, base * 2^(n-1)]
  std::chrono::milliseconds max_delay{20000};
  std::chrono::milliseconds max_retry_after{120000};  // a longer Retry-After fails the call at once
  // A retry starts only if at least this much time is left before the deadline after its delay.
  std::chrono::milliseconds min_attempt_time{50};
};

struct ConcurrencyOptions {
  std::size_t max_in_flight = 256;  // the window when nothing throttles
  std::size_t min_in_flight = 1;
  double decrease = 0.5;            // the window is multiplied by this on throttling
  // Throttling is more than this share of 429s among the replies of one measurement (a window's
  // worth of replies, 16 to 64): a quota, not the odd 429 that a retry absorbs.
  double throttle_share = 0.25;
  double requests_per_minute = 0;   // 0: no limit
  double tokens_per_minute = 0;     // 0: no limit; a call's cost is its estimated_tokens
};

struct ClientOptions {
  ConcurrencyOptions concurrency;
  RetryPolicy retry;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds attempt_timeout{120000};
  std::size_t max_response_bytes = std::size_t{16} << 20;
  std::string user_agent = "gavel-judge/0.1";
  // The file of trusted CA certificates for HTTPS judges; empty: FindCaBundle's choice.
  std::string ca_file;
  std::uint64_t seed = 0;  // for the jitter; 0 takes one from the system
};

struct ClientStats {
  std::uint64_t calls = 0, succeeded = 0, failed = 0;
  std::uint64_t attempts = 0, retries = 0;
  std::uint64_t throttled = 0, server_errors = 0, transport_errors = 0, attempt_timeouts = 0;
  std::uint64_t connections = 0;  // new connections opened (the rest were reused)
  std::size_t in_flight = 0, peak_in_flight = 0, queued = 0;
  double window = 0;              // the current adaptive window
  double min_window_seen = 0;
};

struct Call {
  HttpRequest request;
  Clock::time_point deadline = Clock::time_point::max();
  // One attempt's limit (still cut to the time left); 0: ClientOptions::attempt_timeout. A hung
  // attempt ends after it and is retried while the deadline allows.
  std::chrono::milliseconds attempt_timeout{0};
  std::size_t estimated_tokens = 0;  // for tokens_per_minute
  // Runs on the client thread before every attempt, on a copy of `request` (for example to sign
  // it with the current time). An error ends the call with kPrepare.
  std::function<Status(HttpRequest&)> prepare;
  // Polled on the client thread; true ends the call with kCancelled.
  std::function<bool()> cancelled;
  // Runs exactly once, on the client thread. Must not block.
  std::function<void(HttpResponse)> done;
};

class HttpClient {
 public:
  static Result<std::unique_ptr<HttpClient>> Create(ClientOptions options = {});
  // Ends every unfinished call with kStopped (its `done` runs) and joins the thread.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Thread-safe. A call without `done` is rejected (nothing would hear of it).
  void Submit(Call call);
  ClientStats stats() const;
  const ClientOptions& options() const;

  struct Impl;

 private:
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Building blocks, exposed for tests.
// Retry-After as seconds or an HTTP date, relative to `now`; nullopt when unreadable.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);
// The full-jitter backoff before attempt `attempt` + 1 (attempt >= 1); `unit` is uniform in [0, 1).
std::chrono::milliseconds BackoffDelay(int attempt, const RetryPolicy& policy, double unit);
// Statuses worth another attempt: 408, 429 and 5xx.
bool IsRetryableStatus(long status);
// The CA bundle for HTTPS: $CURL_CA_BUNDLE or $SSL_CERT_FILE when set, else the first file that
// exists of Debian's, Amazon Linux and Red Hat's, SUSE's and Alpine's usual places, else "" (libcurl's
// built-in default). A binary built on Debian looks only in Debian's place by itself, and
// Amazon Linux 2023 (where Lambda runs it) keeps the bundle elsewhere.
std::string FindCaBundle(const std::function<const char*(const char*)>& getenv_fn,
                         const std::function<bool(const std::string&)>& exists);

}  // namespace gavel::judge
