// The stand-in judge: an HTTP/1.1 server on loopback that answers OpenAI chat completions and
// Amazon Bedrock Converse requests with deterministic verdicts, configurable latency and faults,
// so that tests, benchmarks and examples can exercise the judge client without a real model.
//
//   auto server = gavel::standin::Server::Start({.latency = std::chrono::milliseconds(50)});
//   if (!server) return server.error();
//   client.base_url = (*server)->base_url();        // "http://127.0.0.1:PORT"
//   ...                                              // (*server)->stats().by_status[200]
//   (*server)->Stop();                               // or let the destructor do it
//
// The verdict follows the request's JSON schema (OpenAI `response_format`, Bedrock
// `outputConfig`) with values drawn from a hash of the messages: the same request gets the same
// verdict. Directives in the message text (`[[standin:status=429]]`, `[[standin:hang]]`, ...;
// see docs in testing/standin_judge/README.md) make a single request fail in a chosen way.
//
// One thread runs an epoll loop over non-blocking sockets; waiting requests are timers, not
// threads. Start, port, base_url, stats and Stop may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "gavel/judge/sigv4.h"
#include "gavel/status.h"

namespace gavel::standin {

// Random faults for requests that carry no directive, drawn per request from a generator seeded
// with `seed` (so a run with the same requests in the same order sees the same faults). The
// rates are probabilities in [0, 1] whose sum is at most 1.
struct Faults {
  double rate_429 = 0;         // 429 with Retry-After
  double rate_503 = 0;         // 503
  double rate_hang = 0;        // never answered
  double rate_malformed = 0;   // 200 whose assistant text is not JSON
  double rate_off_schema = 0;  // 200 whose verdict is valid JSON that violates the schema
  // A judge that does not always agree with itself: this share of verdicts (of requests without
  // a directive) is drawn from the request's number instead of the messages, so asking twice
  // may give two answers. Not counted as a fault.
  double noise = 0;
  int retry_after_s = 1;       // the Retry-After header sent with 429s
  std::uint64_t seed = 1;
};

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  // Added before every judge reply (not /stats or /health): latency plus a uniform draw in
  // [0, jitter]. A `latency_ms` directive replaces both.
  std::chrono::milliseconds latency{0};
  std::chrono::milliseconds jitter{0};
  Faults faults;
  // OpenAI: when set, require "Authorization: Bearer <api_key>" (401 otherwise).
  std::string api_key;
  // Bedrock: when set, require a valid SigV4 signature for these credentials (403 otherwise).
  std::optional<gavel::judge::AwsCredentials> aws;
  // Bedrock: when set, also accept (or, without `aws`, require) "Authorization: Bearer <key>".
  std::string bedrock_api_key;
  std::string region = "us-east-1";         // the SigV4 region a Bedrock signature must use
  std::size_t max_request_bytes = 8 << 20;  // larger request bodies get 413
  std::size_t max_connections = 4096;       // connections beyond this are closed at once
};

struct Stats {
  std::uint64_t requests =
      0;  // every request read (or refused as malformed), except /stats and /health
  std::map<int, std::uint64_t> by_status;  // responses sent, by status code
  std::uint64_t openai = 0;                // requests to the OpenAI route
  std::uint64_t bedrock = 0;               // requests to the Bedrock route
  std::uint64_t hangs = 0;                 // requests never to be answered
  std::uint64_t streams = 0;               // endless chunked replies started
  std::uint64_t directive_requests = 0;    // judge requests that carried a directive
  std::uint64_t random_faults = 0;         // faults drawn from Faults
  std::uint64_t auth_failures = 0;         // 401/403 for a missing or wrong credential
  std::uint64_t in_flight = 0;             // requests received and not yet answered, now
  std::uint64_t peak_in_flight = 0;        // the most that were ever in flight at once
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_open = 0;
  std::uint64_t peak_connections = 0;
  std::uint64_t connections_refused = 0;  // closed at accept because of max_connections

  // {"requests":..., "by_status":{"200":...}, ...}: what GET /stats returns.
  std::string ToJson() const;
};

class Server {
 public:
  // Binds, listens and starts the loop thread; the server accepts connections when this
  // returns. Errors: kUsage for invalid options, kIo when the socket cannot be set up.
  static Result<std::unique_ptr<Server>> Start(Options options);

  std::uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT" (no trailing slash)
  Stats stats() const;

  // Closes the listener and every connection, hung ones included, and joins the loop thread.
  // Idempotent; the destructor calls it.
  void Stop();
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gavel::standin
