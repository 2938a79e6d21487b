// Where scores go: every front end writes its scores through a ScoreSink, which totals them
// (RunTotals) the same way whatever the output is.
//
//   JsonLinesSink sink(std::cout, {.details = false});
//   engine->Run(next, [&](Score&& score) { sink.Write(score); });
//   if (Status st = sink.Finish(); !st) ...;        // the output failed
//   std::printf("mean reward %.4f\n", sink.totals().mean_reward());
//
// A new output is a subclass that overrides WriteScore (and FinishOutput when it has an ending or
// a buffer to flush); Write and Finish are not virtual, so no subclass can skip the totals
// (spdlog's base_sink is built the same way around sink_it_ and flush_). A sink is used from one
// thread at a time: the engine hands scores out on the thread that called Run.
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>

#include "gavel/run_totals.h"
#include "gavel/sample_io.h"
#include "gavel/score.h"
#include "gavel/status.h"

namespace gavel {

class ScoreSink {
 public:
  virtual ~ScoreSink() = default;
  ScoreSink(const ScoreSink&) = delete;
  ScoreSink& operator=(const ScoreSink&) = delete;

  // Adds `score` to totals(), then writes it.
  void Write(const Score& score);
  // Ends the output (an array's closing bracket, say) and flushes it; the status says whether
  // everything written reached it. Later calls return the first call's status.
  Status Finish();

  const RunTotals& totals() const { return totals_; }

 protected:
  ScoreSink() = default;
  // Writes one score. An output error is kept by the subclass and reported by FinishOutput.
  virtual void WriteScore(const Score& score) = 0;
  virtual Status FinishOutput() { return Status(); }

 private:
  RunTotals totals_;
  std::optional<Status> finished_;
};

// One compact JSON line per score (ScoreToJsonLine) on a stream: JSONL, or with kArray the
// elements of a JSON array, one per line ("[\n{...},\n{...}\n]\n"; no scores: "[]\n"). The
// array's '[' is written when the sink is made.
class JsonLinesSink final : public ScoreSink {
 public:
  enum class Layout { kLines, kArray };
  explicit JsonLinesSink(std::ostream& out, WriteOptions options = {}, Layout layout = Layout::kLines);

 protected:
  void WriteScore(const Score& score) override;
  // Closes the array, flushes; an error when the stream has failed.
  Status FinishOutput() override;

 private:
  std::ostream& out_;
  WriteOptions options_;
  Layout layout_;
  bool first_ = true;
};

// The Nova RFT reward-Lambda response in memory: a compact JSON array of response items, as
// ScoresToNovaResponse writes it. Take the body after Finish.
class NovaResponseSink final : public ScoreSink {
 public:
  explicit NovaResponseSink(WriteOptions options = {});
  // The response body; the sink is empty afterwards.
  std::string TakeBody();

 protected:
  void WriteScore(const Score& score) override;
  Status FinishOutput() override;

 private:
  WriteOptions options_;
  std::string body_ = "[";
  bool first_ = true;
};

}  // namespace gavel
