// The judge calls of one step (grader:ask, ask_each or compare), with no Lua in sight: the
// requests, one call each through a Transport, the verdict read from each reply and checked
// against the grader's schema (one new call for an unusable verdict), the step's usage and
// judgements, and the outcome the Lua glue turns into results.
//
//   auto step = std::make_shared<Step>(StepKind::kAsk, "grader:ask", grader);
//   if (std::string error = step->AddCall(system, user); !error.empty()) { /* a rubric error */ }
//   step->UseTransport(&transport);               // or leave none: canned verdicts
//   step->Start(std::make_unique<MyReport>());    // MyReport hears of usage and the end
//
// Threads. Start submits every call on the calling thread (the sample's worker). A reply from
// the judge arrives on the transport's thread; a reply from the reply cache, and a canned
// verdict, are read at once on the calling thread. Both are safe: each call's slot is touched by
// one thread at a time (a slot's next call is submitted by whichever thread read its last reply,
// and the transport's queue orders the two), the step's shared counters are atomic, and the one
// thread that ends the last call reads every slot after `remaining` (acquire-release) says the
// others are done.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gavel/judge/http_client.h"
#include "gavel/judge/provider.h"
#include "gavel/judge/reply_cache.h"
#include "gavel/sample.h"
#include "gavel/schema/extract.h"
#include "gavel/status.h"
#include "grader.h"

namespace gavel::judge {

// How calls reach the judge. The module's is ClientTransport; tests answer calls themselves.
class Transport {
 public:
  virtual ~Transport() = default;
  // The reply cache's key for a request; empty when there is no cache. Called on the step's
  // thread before the first call is submitted.
  virtual std::string CacheKey(const ProviderConfig& config, const HttpRequest& request) = 0;
  // The stored reply body for a key, if any.
  virtual std::optional<std::string> FindReply(const std::string& key) = 0;
  // Stores a reply body that gave a usable verdict.
  virtual void StoreReply(const std::string& key, const ProviderConfig& config, std::string_view body) = 0;
  // Starts a call; its `done` runs exactly once, on any thread.
  virtual void Submit(Call call) = 0;
};

// The HttpClient, with the reply cache when there is one.
class ClientTransport final : public Transport {
 public:
  ClientTransport(HttpClient& client, ReplyCache* cache) : client_(client), cache_(cache) {}
  std::string CacheKey(const ProviderConfig& config, const HttpRequest& request) override;
  std::optional<std::string> FindReply(const std::string& key) override;
  void StoreReply(const std::string& key, const ProviderConfig& config, std::string_view body) override;
  void Submit(Call call) override { client_.Submit(std::move(call)); }

 private:
  HttpClient& client_;
  ReplyCache* cache_;  // null: no cache
};

enum class StepKind { kAsk, kEach, kCompare };

// What a step came to, when every call gave a verdict.
struct StepOutcome {
  StepKind kind = StepKind::kAsk;
  std::vector<Json> verdicts;  // one per call, in order
  std::vector<schema::JsonForm> forms;
  std::int64_t attempts = 0, input_tokens = 0, output_tokens = 0, verdict_retries = 0, ms = 0;
  std::string winner;  // compare: "a", "b" or "tie"
  bool consistent = false;
};

// Where a step reports; the Lua glue forwards to the sample's AsyncCompleter. Any thread.
class StepReport {
 public:
  virtual ~StepReport() = default;
  virtual void AddUsage(std::string_view name, double value) = 0;
  virtual void AddJudgement(Json judgement) = 0;
  // The step failed (the first failure only; nothing follows it).
  virtual void Fail(std::string message, ErrorKind kind) = 0;
  // Every call gave a verdict (after the step's judgements).
  virtual void Complete(StepOutcome outcome) = 0;
  // True once the sample no longer waits.
  virtual bool cancelled() const = 0;
  // When the sample stops waiting.
  virtual Clock::time_point deadline() const = 0;
};

// The request bodies of one step together may take at most this much: C++ memory the sandbox's
// allocator does not count.
inline constexpr std::size_t kMaxStepBytes = std::size_t{64} << 20;

// One judge call of a step, and what came of it.
struct Slot {
  HttpRequest request;  // not yet signed; kept for the verdict retry
  std::size_t estimated_tokens = 0;
  Json verdict;
  schema::JsonForm form = schema::JsonForm::kBare;
  std::string winner;             // compare: "A", "B" or "tie"
  std::string cache_key;          // empty: not cached
  bool sample_deadline = false;   // the call in flight ends at the sample's deadline, not its own
  int attempts = 0;
  int calls = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
};

class Step : public std::enable_shared_from_this<Step> {
 public:
  Step(StepKind kind, const char* fn, std::shared_ptr<const Grader> grader)
      : kind_(kind), fn_(fn), grader_(std::move(grader)) {}

  // Adds a call with these filled-in prompts; returns why it cannot be made ("" when it can).
  std::string AddCall(std::string system, std::string user);
  // Calls go through `transport` (cache keys are made here); without one, each call is answered
  // with a canned verdict (Options::canned_verdicts) and nothing is sent.
  void UseTransport(Transport* transport);
  std::size_t calls() const { return slots_.size(); }

  // Starts every call; `report` hears of the usage, the judgements and the end. The calls in
  // flight keep the step alive.
  void Start(std::unique_ptr<StepReport> report);

 private:
  void SubmitCall(std::size_t i);
  void AnswerCanned(std::size_t i);
  void OnCallDone(std::size_t i, HttpResponse response);
  void OnReply(std::size_t i, const HttpResponse* response, std::string_view body);
  void CountCall(Slot& slot, const HttpResponse* response, const JudgeReply& reply);
  void EndSlot(std::size_t i, const std::string& error);
  bool Stopped() const;
  std::string ReadVerdict(std::string_view body, Slot& slot, JudgeReply& usage) const;
  std::string VerdictFromText(std::string_view text, Slot& slot) const;
  std::string CallName(std::size_t i) const;

  StepKind kind_;
  const char* fn_;
  std::shared_ptr<const Grader> grader_;
  Transport* transport_ = nullptr;  // null: canned verdicts
  std::vector<Slot> slots_;
  std::size_t request_bytes_ = 0;
  std::unique_ptr<StepReport> report_;  // set before the first call is submitted
  std::atomic<std::size_t> remaining_{0};
  std::atomic<bool> failed_{false};
  Clock::time_point started_;
};

}  // namespace gavel::judge
