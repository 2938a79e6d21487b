// Fuzzes the sample readers on the same bytes: a Nova event (ParseNovaEvent), one sample object
// (ParseSampleText) and a JSONL stream (JsonlReader), each with the default limits and with
// small ones, then writes a failed score built from what was read (ScoreToJsonLine and the
// Nova response), which must always be valid JSON whatever bytes the sample held.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "gavel/sample_io.h"

namespace {

using gavel::fuzz::Check;

// What a reader produced must hold together: an answer that is an assistant turn, an id that is
// null or what the reader kept.
void CheckSample(const gavel::ParsedSample& parsed) {
  if (!parsed.id.is_null() && !parsed.id.is_string() && !parsed.id.is_number_integer()) {
    Check(false, "the id read is not a usable id", parsed.id.dump(-1, ' ', false, gavel::Json::error_handler_t::replace));
  }
  if (!parsed.sample) return;
  const gavel::Sample& s = parsed.sample.value();
  Check(s.answer_index < s.messages.size(), "answer_index out of range");
  const std::string& role = s.messages[s.answer_index].role;
  Check(role == "assistant" || role == "nova_assistant", "the answer is not an assistant turn", role);
  (void)s.answer();
  (void)s.tool_calls();
  (void)s.prompt();
  (void)s.system();
  Check(s.metadata.is_object(), "metadata is not an object");
}

// A failed score that carries everything read from the sample, so that the writer meets the
// input's strings (invalid UTF-8 included) and nesting.
gavel::Score ScoreOf(const gavel::ParsedSample& parsed) {
  if (!parsed.sample) {
    return gavel::Score::Failed(parsed.id, 0.5, parsed.sample.error().kind(), parsed.sample.error().message());
  }
  const gavel::Sample& s = parsed.sample.value();
  gavel::Score score = gavel::Score::Failed(s.id, 0.5, gavel::ErrorKind::kBadSample, std::string(s.answer()));
  score.details["metadata"] = s.metadata;
  score.details["reference"] = s.reference;
  score.details["prompt"] = std::string(s.prompt());
  score.metrics.push_back({std::string(s.system().substr(0, 64)), 1.0, gavel::MetricType::kMetric});
  score.usage[std::string(s.messages.front().role)] = 1;
  return score;
}

void CheckWritten(const std::vector<gavel::Score>& scores) {
  for (const gavel::Score& score : scores) {
    const std::string line = gavel::ScoreToJsonLine(score);
    Check(line.find('\n') == std::string::npos, "a score line holds a newline");
    const gavel::Json back = gavel::Json::parse(line, nullptr, /*allow_exceptions=*/false);
    Check(back.is_object(), "a score line is not a JSON object", line);
    (void)gavel::ScoreToJsonLine(score, {.details = false, .judgements = true});
  }
  const std::string body = gavel::ScoresToNovaResponse(scores);
  const gavel::Json back = gavel::Json::parse(body, nullptr, /*allow_exceptions=*/false);
  Check(back.is_array() && back.size() == scores.size(), "the Nova response does not parse back");
}

void Exercise(std::string_view bytes, const gavel::ReadLimits& limits) {
  std::vector<gavel::Score> scores;

  gavel::Result<std::vector<gavel::ParsedSample>> event = gavel::ParseNovaEvent(bytes, limits);
  if (event) {
    for (std::size_t i = 0; i < event->size(); ++i) {
      const gavel::ParsedSample& parsed = (*event)[i];
      Check(parsed.index == i, "event indices are not consecutive");
      CheckSample(parsed);
      scores.push_back(ScoreOf(parsed));
    }
  }

  gavel::ParsedSample one = gavel::ParseSampleText(bytes, 0, limits);
  CheckSample(one);
  scores.push_back(ScoreOf(one));

  std::istringstream in{std::string(bytes)};
  gavel::JsonlReader reader(in, limits);
  gavel::ParsedSample parsed;
  std::size_t expected_index = 0;
  std::size_t last_line = 0;
  while (reader.Next(parsed)) {
    Check(parsed.index == expected_index++, "JSONL indices are not consecutive");
    Check(parsed.line > last_line, "JSONL line numbers do not increase");
    last_line = parsed.line;
    CheckSample(parsed);
    scores.push_back(ScoreOf(parsed));
  }
  Check(!reader.error().has_value(), "a string stream reported a read error");

  CheckWritten(scores);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Exercise(bytes, gavel::ReadLimits{});
  // Small limits reach the depth and size checks with short inputs.
  Exercise(bytes, gavel::ReadLimits{.max_depth = 4, .max_sample_bytes = 200});
  return 0;
}
