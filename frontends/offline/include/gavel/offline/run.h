// Scoring a JSONL file of samples into a results file, for the offline commands (gavel bench,
// gavel judge-eval): streamed, resumable, with progress on standard error.
//
// A results file has one JSON line per input sample, in input order:
//   {"index": 0, "id": "c01", "output": 1, "answer_bytes": 1834, "answer": "<first 300 bytes>",
//    "probe": ["injection.ignore_instructions"], "score": {<the score as gavel score writes it,
//    with details.judgements>}}
// `output` is the sample's position among the samples with the same id (best-of-k inputs).
// An interrupted run leaves whole lines (a partial last line is cut off on resume); rerun, and
// scoring starts at the first sample without a line.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <string>

#include "gavel/engine.h"
#include "gavel/run_totals.h"
#include "gavel/status.h"

namespace gavel::safety {
class RulePack;
}

namespace gavel::offline {

// A progress bar with rate and time left on a terminal; a plain line every few seconds otherwise.
class Progress {
 public:
  // `total` 0: unknown. `out` null: silent.
  Progress(std::string label, std::size_t total, std::FILE* out);
  void Update(std::size_t done);
  void Finish(std::size_t done);
  // The line as printed, for tests: "base  [#####.....]  48/96  50%  120.0/s  0:01 left".
  std::string Line(std::size_t done, double seconds) const;

 private:
  std::string label_;
  std::size_t total_;
  std::FILE* out_;
  bool tty_;
  std::size_t first_ = 0;  // samples done before this run (resumed)
  bool started_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

struct ScoreFileOptions {
  std::filesystem::path input;    // JSONL samples
  std::filesystem::path results;  // written (or resumed) here
  std::string label;              // for progress lines
  const safety::RulePack* probe = nullptr;  // answers are scanned with it; hits go in "probe"
  std::FILE* progress = stderr;   // null: no progress
  bool resume = true;             // false: start over
};

struct ScoreFileReport {
  std::size_t total = 0;    // samples in the input
  std::size_t resumed = 0;  // lines already in the results file
  std::size_t scored = 0;   // scored by this run
  double seconds = 0;
  RunTotals totals;         // of the samples scored by this run
};

// Counts the samples (non-blank lines) of a JSONL file without keeping them.
Result<std::size_t> CountSamples(const std::filesystem::path& input);

// Scores the samples of `options.input` that the results file does not hold yet.
Result<ScoreFileReport> ScoreFile(Engine& engine, const ScoreFileOptions& options);

// The first `max_bytes` bytes of `text`, cut at a character boundary, invalid UTF-8 replaced by
// U+FFFD, with "…" appended when cut.
std::string Excerpt(std::string_view text, std::size_t max_bytes);

}  // namespace gavel::offline
