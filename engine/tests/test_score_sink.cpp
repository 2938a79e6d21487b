// ScoreSink: the totals every sink keeps, and the engine's sinks byte for byte against the
// writers they stand for (ScoreToJsonLine, the Nova response array).
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "collecting_sink.h"
#include "gavel/score_sink.h"

namespace {

using gavel::ErrorKind;
using gavel::JsonLinesSink;
using gavel::NovaResponseSink;
using gavel::Score;

std::vector<Score> SomeScores() {
  Score a;
  a.id = "a";
  a.reward = 0.75;
  a.metrics = {{"tenths", 0.75, gavel::MetricType::kReward}};
  a.details = {{"note", "caf\xc3\xa9"}};
  a.usage = {{"judge.calls", 2}};
  Score b = Score::Failed(gavel::Json(), 0.5, ErrorKind::kBadSample, "sample 2 (line 2): not JSON");
  Score c;
  c.id = 3;
  c.reward = 0;
  return {a, b, c};
}

}  // namespace

TEST_CASE("score sink: Write totals every score before the subclass writes it, in order", "[sink]") {
  gavel::testing::CollectingSink sink;
  gavel::RunTotals expected;
  for (const Score& score : SomeScores()) {
    sink.Write(score);
    expected.Add(score);
  }
  REQUIRE(sink.scores.size() == 3);
  CHECK(sink.scores[0].id == "a");
  CHECK(sink.scores[2].id == 3);
  CHECK(sink.totals().samples == 3);
  CHECK(sink.totals().neutral == 1);
  CHECK(sink.totals().errors == expected.errors);
  CHECK(sink.totals().usage == expected.usage);
  CHECK(sink.totals().reward_sum == Approx(expected.reward_sum));
}

TEST_CASE("score sink: Finish ends the output once and keeps its status", "[sink]") {
  gavel::testing::CollectingSink sink;
  CHECK(sink.Finish());
  CHECK(sink.Finish());
  CHECK(sink.finished_outputs == 1);

  gavel::testing::CollectingSink failing;
  failing.output_error = gavel::Error(ErrorKind::kIo, "disk full");
  gavel::Status first = failing.Finish();
  REQUIRE_FALSE(first);
  CHECK(first.error().message() == "disk full");
  failing.output_error.reset();
  CHECK_FALSE(failing.Finish());  // still the first call's answer
  CHECK(failing.finished_outputs == 1);
}

TEST_CASE("JSON lines sink: one ScoreToJsonLine per line, or the elements of an array one per line", "[sink]") {
  const std::vector<Score> scores = SomeScores();
  gavel::WriteOptions options;
  options.details = false;
  std::string lines;
  for (const Score& score : scores) lines += gavel::ScoreToJsonLine(score, options) + "\n";

  std::ostringstream jsonl;
  JsonLinesSink sink(jsonl, options);
  for (const Score& score : scores) sink.Write(score);
  REQUIRE(sink.Finish());
  CHECK(jsonl.str() == lines);
  CHECK(sink.totals().samples == 3);

  std::ostringstream array;
  JsonLinesSink array_sink(array, options, JsonLinesSink::Layout::kArray);
  for (const Score& score : scores) array_sink.Write(score);
  REQUIRE(array_sink.Finish());
  CHECK(array.str() == "[\n" + gavel::ScoreToJsonLine(scores[0], options) + ",\n" +
                           gavel::ScoreToJsonLine(scores[1], options) + ",\n" +
                           gavel::ScoreToJsonLine(scores[2], options) + "\n]\n");

  std::ostringstream empty_array, empty_lines;
  JsonLinesSink empty(empty_array, options, JsonLinesSink::Layout::kArray);
  CHECK(empty_array.str() == "[");  // opened when made, so a failed run still shows where it stopped
  REQUIRE(empty.Finish());
  CHECK(empty_array.str() == "[]\n");
  JsonLinesSink none(empty_lines);
  REQUIRE(none.Finish());
  CHECK(empty_lines.str().empty());
}

TEST_CASE("JSON lines sink: a stream that failed makes Finish an I/O error", "[sink]") {
  std::ostringstream out;
  JsonLinesSink sink(out);
  sink.Write(SomeScores()[0]);
  out.setstate(std::ios::badbit);
  gavel::Status st = sink.Finish();
  REQUIRE_FALSE(st);
  CHECK(st.error().kind() == ErrorKind::kIo);
  CHECK(sink.totals().samples == 1);  // what was scored is still counted
}

TEST_CASE("Nova response sink: the compact response array, taken once", "[sink]") {
  const std::vector<Score> scores = SomeScores();
  NovaResponseSink sink;
  for (const Score& score : scores) sink.Write(score);
  REQUIRE(sink.Finish());
  const std::string body = sink.TakeBody();
  CHECK(body == "[" + gavel::ScoreToJsonLine(scores[0]) + "," + gavel::ScoreToJsonLine(scores[1]) + "," +
                    gavel::ScoreToJsonLine(scores[2]) + "]");
  CHECK(gavel::Json::parse(body).size() == 3);
  CHECK(sink.TakeBody().empty());
  CHECK(sink.totals().neutral == 1);

  NovaResponseSink empty;
  REQUIRE(empty.Finish());
  CHECK(empty.TakeBody() == "[]");
}
