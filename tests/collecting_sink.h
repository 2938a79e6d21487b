// A ScoreSink for tests: keeps every score written, in order, and counts how often its output was
// finished; it can be told to report a failed output. Needs only the engine's headers and
// library, so any test program can use it.
//
//   gavel::testing::CollectingSink sink;
//   engine->Run(next, [&](gavel::Score&& score) { sink.Write(score); });
//   CHECK(sink.scores.size() == 3);
//   CHECK(sink.totals().neutral == 1);
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "gavel/score_sink.h"

namespace gavel::testing {

class CollectingSink final : public ScoreSink {
 public:
  std::vector<Score> scores;         // as written, in order
  std::size_t finished_outputs = 0;  // FinishOutput calls (Finish calls it once)
  std::optional<Error> output_error;  // set: FinishOutput reports it

 protected:
  void WriteScore(const Score& score) override { scores.push_back(score); }
  Status FinishOutput() override {
    ++finished_outputs;
    if (output_error) return *output_error;
    return Status();
  }
};

}  // namespace gavel::testing
