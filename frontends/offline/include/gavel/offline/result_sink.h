// The lines of a results file (run.h describes them), written through a ScoreSink. The engine
// carries a sample's id to its score but not where the sample came from, so the run tells the
// sink that as it starts each sample, in input order, and the sink pairs each score (they come
// in the same order) with the oldest origin it holds.
//
//   ResultLineSink sink(out, "results.jsonl");
//   next:  sink.Expect(SampleOrigin{...});   emit:  sink.Write(score);
//   if (Status st = sink.Finish(); !st) return st.error();
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <ostream>
#include <string>

#include "gavel/sample.h"
#include "gavel/score_sink.h"

namespace gavel::offline {

// What a result line says about its sample besides the score.
struct SampleOrigin {
  std::size_t index = 0;         // 0-based, in the input
  std::size_t output = 0;        // 1-based, among the samples with the same id
  std::size_t answer_bytes = 0;
  std::string answer;            // an excerpt
  Json probe = Json::array();    // probe hits, "pack.rule"
};

// The key of an id for counting its outputs and for messages: its JSON text (ids are strings or
// integers).
std::string IdKey(const Json& id);

class ResultLineSink final : public ScoreSink {
 public:
  // `name` names the output in errors (the results file).
  ResultLineSink(std::ostream& out, std::string name);
  // The next sample started.
  void Expect(SampleOrigin origin);

 protected:
  // Whole lines reach the output as they are written (a flush every 64), so an interrupted
  // run loses little.
  void WriteScore(const Score& score) override;
  // Flushes; an error when the output failed or a score came without an origin.
  Status FinishOutput() override;

 private:
  std::ostream& out_;
  std::string name_;
  WriteOptions options_;
  std::deque<SampleOrigin> pending_;
  std::string line_;
  std::size_t written_ = 0;
  std::optional<Error> error_;
};

}  // namespace gavel::offline
