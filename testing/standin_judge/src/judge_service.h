// What the stand-in judge answers: routes a complete HTTP request (OpenAI chat completions,
// Bedrock Converse, /stats, /health), checks credentials, reads directives, draws random faults
// and builds the reply. It decides, the server's loop carries out: a Reply says what to send
// and after how long. Runs on the loop thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>

#include "gavel/standin/server.h"
#include "http.h"
#include "verdict.h"

namespace gavel::schema {
class Schema;
}

namespace gavel::standin::internal {

// The server's counters, shared by the loop and the service, read by any thread.
class StatsBook {
 public:
  template <typename Fn>
  void Update(Fn fn) {
    std::lock_guard<std::mutex> lock(mutex_);
    fn(stats_);
  }
  Stats Snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

 private:
  mutable std::mutex mutex_;
  Stats stats_;
};

struct Reply {
  enum class Kind {
    kRespond,  // send `response`
    kHang,     // never answer; keep the connection open
    kStream,   // send `response`'s status and headers, then chunks forever
    kHuge,     // send `response`'s status and headers, then `huge_bytes` of body
  };
  Kind kind = Kind::kRespond;
  HttpResponse response;
  // When set, makes `response` when the reply is sent: the verdict is built after the delay,
  // so that a burst of requests is read (and counted in flight) before any verdict work.
  std::function<HttpResponse()> build;
  std::chrono::milliseconds delay{0};
  std::uint64_t huge_bytes = 0;
  bool close = false;   // close the connection after this reply
  bool counted = true;  // false for /stats and /health: not part of the request counters
};

class JudgeService {
 public:
  JudgeService(const Options& options, StatsBook& stats);
  ~JudgeService();
  JudgeService(const JudgeService&) = delete;
  JudgeService& operator=(const JudgeService&) = delete;

  Reply Handle(const HttpRequest& request);

  // The body of a huge reply: `size` bytes of a JSON object padded with 'x' (just 'x's when
  // too small for the object), produced piece by piece from `offset`.
  static std::string HugeBodyPiece(std::uint64_t size, std::uint64_t offset, std::size_t max);
  // One chunk of an endless stream (chunked transfer coding framing included).
  static std::string StreamChunk(std::uint64_t sequence);

 private:
  struct JudgeRequest;
  struct AnswerShape;
  enum class Protocol { kOpenAI, kBedrock };

  Reply HandleOpenAI(const HttpRequest& request);
  Reply HandleBedrock(const HttpRequest& request, const std::string& model_id);
  Reply Judge(const HttpRequest& request, JudgeRequest judge);
  HttpResponse Answer(const JudgeRequest& judge, const AnswerShape& shape,
                      std::chrono::milliseconds delay);
  std::string VerdictText(const JudgeRequest& judge, bool off_schema);
  const gavel::schema::Schema* Validator(const nlohmann::json& schema);
  Reply Error(Protocol protocol, int status, std::string message,
              std::optional<int> retry_after = std::nullopt);
  std::chrono::milliseconds DrawLatency();

  Options options_;
  StatsBook& stats_;
  std::mt19937_64 random_;
  std::unordered_map<std::uint64_t, int> failures_by_body_;
  std::unordered_map<std::string, std::shared_ptr<const gavel::schema::Schema>> validators_;
  std::uint64_t sequence_ = 0;
};

}  // namespace gavel::standin::internal
