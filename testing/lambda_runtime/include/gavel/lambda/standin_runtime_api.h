// A stand-in for the AWS Lambda Runtime API on loopback, for tests and the cold-start benchmark:
// it queues events, hands them to GET /next (a long poll that waits until an event is queued
// or the server stops), and records every response, error and init-error post.
//
//   auto api = gavel::lambda::StandinRuntimeApi::Start({});
//   const std::string id = (*api)->Enqueue(R"([{"id": 1, ...}])");
//   // run bootstrap with AWS_LAMBDA_RUNTIME_API=(*api)->address()
//   auto posts = (*api)->WaitForPosts(1, std::chrono::seconds(30));
//   // posts[0].kind == Post::Kind::kResponse, posts[0].request_id == id, posts[0].body ...
//
// Blocking sockets, a thread per connection. Every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gavel/status.h"

namespace gavel::lambda {

struct StandinRuntimeApiOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  // Time from handing an event out to its deadline (Lambda-Runtime-Deadline-Ms), unless the
  // event names its own.
  std::chrono::milliseconds default_deadline{60'000};
  // Response bodies larger than this get 413 (Lambda's limit for a synchronous response).
  std::size_t max_response_bytes = 6u << 20;
  std::string function_arn = "arn:aws:lambda:us-east-1:123456789012:function:gavel-standin";
};

struct StandinPost {
  enum class Kind { kResponse, kError, kInitError, kOther };
  Kind kind = Kind::kOther;
  std::string method;
  std::string path;
  std::string request_id;  // from the path; empty for init errors
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int status = 0;  // what the stand-in answered
  std::chrono::system_clock::time_point received;

  // The first header with this name (case-insensitive), or nullopt.
  std::optional<std::string> Header(const std::string& name) const;
};

class StandinRuntimeApi {
 public:
  // Binds, listens and starts accepting; errors are kIo.
  static Result<std::unique_ptr<StandinRuntimeApi>> Start(StandinRuntimeApiOptions options);
  ~StandinRuntimeApi();
  StandinRuntimeApi(const StandinRuntimeApi&) = delete;
  StandinRuntimeApi& operator=(const StandinRuntimeApi&) = delete;

  std::uint16_t port() const;
  std::string address() const;  // "127.0.0.1:PORT", the value of AWS_LAMBDA_RUNTIME_API

  struct Event {
    std::string body;
    std::optional<std::chrono::milliseconds> deadline;  // from when it is handed out
    std::string request_id;                             // empty: generated
    std::string trace_id;                               // empty: generated
  };
  // Queues an event for /next; returns its request id.
  std::string Enqueue(Event event);
  std::string Enqueue(std::string body) { return Enqueue(Event{std::move(body), std::nullopt, "", ""}); }

  // Every post received so far, in arrival order.
  std::vector<StandinPost> posts() const;
  // Waits until at least `count` posts have arrived, or `timeout` passed; returns them.
  std::vector<StandinPost> WaitForPosts(std::size_t count, std::chrono::milliseconds timeout) const;
  // The posts from position `first` on (0: the first post received), waiting until there is at
  // least one or `timeout` passed. For a long run that reads posts as they arrive: it copies
  // each post once, where posts() and WaitForPosts copy all of them every time.
  std::vector<StandinPost> PostsFrom(std::size_t first, std::chrono::milliseconds timeout) const;

  // GET /next requests received (answered or still waiting).
  std::size_t next_requests() const;
  // Waits until at least `count` /next requests have arrived, or `timeout`; returns the count.
  std::size_t WaitForNextRequests(std::size_t count, std::chrono::milliseconds timeout) const;
  // When the first /next arrived (the end of the function's init), if one has.
  std::optional<std::chrono::steady_clock::time_point> first_next() const;
  // The deadline (epoch ms) sent with each event handed out, by request id.
  std::optional<std::int64_t> DeadlineOf(const std::string& request_id) const;

  // Closes the listener and every connection (waiting /next requests fail) and joins the
  // threads. Idempotent; the destructor calls it.
  void Stop();

  struct Impl;

 private:
  explicit StandinRuntimeApi(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gavel::lambda
