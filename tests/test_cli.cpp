// The `gavel` command line, run as a real process on the bundled example and on bad input.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "test_support.h"

namespace {

struct CliResult {
  int exit_code;
  std::string out;
  std::string err;
};

std::string Slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs the gavel binary with `args` (already shell-quoted where needed).
CliResult RunCli(const std::string& args, const gavel::testing::TempDir& dir, const std::string& stdin_text = "") {
  const auto out = dir.path() / "stdout.txt";
  const auto err = dir.path() / "stderr.txt";
  const auto in = dir.Write("stdin.txt", stdin_text);
  const std::string command = std::string("cd '") + GAVEL_SOURCE_DIR + "' && '" + GAVEL_CLI + "' " + args + " < '" +
                              in.string() + "' > '" + out.string() + "' 2> '" + err.string() + "'";
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(out), Slurp(err)};
}

std::vector<gavel::Json> Lines(const std::string& text) {
  std::vector<gavel::Json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(gavel::Json::parse(line));
  return lines;
}

}  // namespace

TEST_CASE("gavel score scores the bundled example, one line per sample, in order", "[cli]") {
  gavel::testing::TempDir dir;
  const auto scores = dir.path() / "scores.jsonl";
  CliResult r = RunCli("score --rubric rubrics/math_answer.lua --input rubrics/examples/math_answer.jsonl --output '" +
                           scores.string() + "'",
                       dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("scored 9 samples with rubric 'math-answer'") &&
                        Catch::Contains("2 failed (neutral reward"));
  std::vector<gavel::Json> lines = Lines(Slurp(scores));
  REQUIRE(lines.size() == 9);
  CHECK(lines[0]["id"] == "add-1");
  CHECK(lines[0]["aggregate_reward_score"] == Approx(1.0));
  CHECK(lines[0]["metrics_list"][0] == gavel::Json({{"name", "answered"}, {"value", 1}, {"type", "Metric"}}));
  CHECK(lines[1]["id"] == "mul-2");  // nova_assistant, content parts
  CHECK(lines[1]["aggregate_reward_score"] == Approx(1.0));
  CHECK(lines[2]["id"] == "frac-3");  // reference under metadata, "3/4" against "0.75"
  CHECK(lines[2]["aggregate_reward_score"] == Approx(1.0));
  CHECK(lines[3]["id"] == "wrong-4");
  CHECK(lines[3]["aggregate_reward_score"] == Approx(0.2));
  CHECK(lines[3]["details"]["correct"] == "final answer \"2.\" (phrase), reference -2");
  CHECK(lines[4]["aggregate_reward_score"] == Approx(0.1));  // no recognisable final answer
  CHECK(lines[5]["id"] == "empty-6");  // the empty answer fails the first gate
  CHECK(lines[5]["aggregate_reward_score"] == 0);
  CHECK(lines[5]["details"]["gate"]["reason"] == "the answer is empty");
  CHECK(lines[6]["id"].is_null());  // no id: a per-sample error, in its place
  CHECK(lines[6]["aggregate_reward_score"] == 0.5);
  CHECK(lines[6]["details"]["errors"][0]["kind"] == "sample");
  CHECK(lines[7]["id"] == "money-8");
  CHECK(lines[7]["aggregate_reward_score"] == Approx(1.0));
  CHECK(lines[8]["id"] == "noref-9");  // the rubric raises for a missing reference
  CHECK(lines[8]["aggregate_reward_score"] == 0.5);
  CHECK(lines[8]["details"]["errors"][0]["kind"] == "rubric");
  CHECK_THAT(lines[8]["details"]["errors"][0]["message"].get<std::string>(),
             Catch::Contains("check 'correct': rubrics/math_answer.lua:") &&
                 Catch::Contains("the sample has no numeric reference_answer"));
}

TEST_CASE("gavel score answers a Nova event with a response array, details optional", "[cli]") {
  gavel::testing::TempDir dir;
  const std::string event = R"([
    {"id": "e1", "messages": [{"role": "user", "content": "1+1?"}, {"role": "assistant", "content": "#### 2"}], "reference_answer": "2"},
    {"id": "e2", "messages": "not a list"}
  ])";
  CliResult r = RunCli("score --rubric rubrics/math_answer.lua --input - --no-details", dir, event);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  gavel::Json response = gavel::Json::parse(r.out);
  REQUIRE(response.is_array());
  REQUIRE(response.size() == 2);
  CHECK(response[0]["id"] == "e1");
  CHECK(response[0]["aggregate_reward_score"] == Approx(1.0));
  CHECK_FALSE(response[0].contains("details"));
  CHECK(response[1]["id"] == "e2");
  CHECK(response[1]["aggregate_reward_score"] == 0.5);
  CHECK(response[1]["metrics_list"][0]["name"] == "error.sample");
}

TEST_CASE("gavel reports a bad rubric with file and line, and bad usage, by exit code", "[cli]") {
  gavel::testing::TempDir dir;
  const auto bad = dir.Write("bad.lua", "return rubric {\n  checks = { check { name = 'x' } },\n}\n");
  CliResult r = RunCli("score --rubric '" + bad.string() + "' --input rubrics/examples/math_answer.jsonl", dir);
  CHECK(r.exit_code == 1);
  CHECK(r.err == "gavel: " + bad.string() + ":2: check 'x': 'fn' must be a function, got nil\n");
  CHECK(r.out.empty());

  CliResult check = RunCli("check --rubric '" + bad.string() + "'", dir);
  CHECK(check.exit_code == 1);

  CliResult good = RunCli("check --rubric rubrics/math_answer.lua", dir);
  CHECK(good.exit_code == 0);
  CHECK_THAT(good.out, Catch::StartsWith("rubric 'math-answer' is valid: 2 gates, 4 checks, 0 judges"));

  CHECK(RunCli("score --rubric rubrics/math_answer.lua", dir).exit_code == 2);
  CHECK(RunCli("score --rubric rubrics/math_answer.lua --input x --threads zero", dir).exit_code == 2);
  CHECK(RunCli("frobnicate", dir).exit_code == 2);
  CliResult missing = RunCli("score --rubric rubrics/math_answer.lua --input /nonexistent.jsonl", dir);
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "gavel: cannot read input file /nonexistent.jsonl\n");
  CliResult not_event = RunCli("score --rubric rubrics/math_answer.lua --input -", dir, "[1, 2");
  CHECK(not_event.exit_code == 1);
  CHECK_THAT(not_event.err, Catch::StartsWith("gavel: event is not a JSON array of samples"));
}
