// Readers for samples and writers for scores.
//
// Input errors never throw and never lose a sample: each input element becomes a ParsedSample
// that holds either a Sample or a per-sample error (with the id, when one could be read), so the
// output has exactly one score per input element, in input order.
#pragma once

#include <cstddef>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "gavel/sample.h"
#include "gavel/score.h"
#include "gavel/status.h"

namespace gavel {

struct ReadLimits {
  std::size_t max_depth = 64;              // nesting of arrays and objects; the sample object is level 1
  std::size_t max_sample_bytes = 64u << 20;  // one JSONL line or one event element
};

struct ParsedSample {
  std::size_t index = 0;     // 0-based position in the input (the element or non-blank line)
  std::size_t line = 0;      // 1-based line number for JSONL input; 0 for an event
  Json id;                   // the id if it could be read, else null
  Result<Sample> sample{Error(ErrorKind::kInternal, "unset")};
};

// Parses one JSON object text into a sample. `index` is only used in error messages.
ParsedSample ParseSampleText(std::string_view text, std::size_t index, const ReadLimits& limits = {});

// Builds a sample from an already-parsed JSON value (must be an object).
Result<Sample> SampleFromJson(const Json& value);

// Parses a Nova RFT reward-Lambda event: a JSON array of sample objects. An event that is not a
// JSON array is an error of the whole event; a malformed element is a per-sample error.
Result<std::vector<ParsedSample>> ParseNovaEvent(std::string_view body, const ReadLimits& limits = {});

// Streams samples from JSONL, one object per line; blank lines are skipped. Never loads the
// whole input: memory is bounded by the longest line (capped by max_sample_bytes; longer lines
// become per-sample errors and are skipped without being stored).
class JsonlReader {
 public:
  // Clears the stream's exception mask: read failures are reported by error(), not thrown.
  explicit JsonlReader(std::istream& in, ReadLimits limits = {});
  // Reads the next sample; false at end of input. A stream read error is reported by error().
  bool Next(ParsedSample& out);
  const std::optional<Error>& error() const { return error_; }

 private:
  std::istream& in_;
  ReadLimits limits_;
  std::size_t line_ = 0;
  std::size_t index_ = 0;
  std::string buffer_;
  std::optional<Error> error_;
};

struct WriteOptions {
  bool details = true;  // include the `details` object (rationales, hits, errors)
  bool judgements = false;  // include details.judgements (Score::judgements)
};

// The response item for one score as a JSON value.
Json ScoreToJson(const Score& score, const WriteOptions& options = {});
// One compact JSON line (no trailing newline); invalid UTF-8 in strings is replaced, never thrown.
std::string ScoreToJsonLine(const Score& score, const WriteOptions& options = {});
// The Nova response body: a JSON array of response items in the given order.
std::string ScoresToNovaResponse(const std::vector<Score>& scores, const WriteOptions& options = {});

}  // namespace gavel
