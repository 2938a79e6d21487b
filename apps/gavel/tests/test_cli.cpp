// The `gavel` command line, run as a real process on the bundled example and on bad input.
#include <catch2/catch.hpp>

#include <chrono>

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
  // No judge endpoint from the caller's environment: the commands tested here need none.
  const std::string command = std::string("cd '") + GAVEL_SOURCE_DIR + "' && env -u GAVEL_JUDGE_URL '" + GAVEL_CLI +
                              "' " + args + " < '" +
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
                        Catch::Contains("2 failed: error.rubric 1, error.sample 1 (neutral reward"));
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
  CHECK_THAT(good.out, Catch::StartsWith("rubric 'math-answer' loaded: 2 gates, 4 checks, 0 judges"));

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

TEST_CASE("gavel score fails with exit 4 when more samples fail than --max-error-rate allows", "[cli]") {
  gavel::testing::TempDir dir;
  const auto failing = dir.Write("failing.lua", "return rubric {\n  checks = { check { name = 'c', fn = function(s)\n"
                                                "    error('always') end } },\n}\n");
  const auto samples = dir.Write("samples.jsonl", R"({"id": "a", "messages": [{"role": "assistant", "content": "x"}]}
{"id": "b", "messages": [{"role": "assistant", "content": "y"}]}
{"id": "c", "messages": [{"role": "assistant", "content": "z"}]}
)");
  CliResult all = RunCli("score --rubric '" + failing.string() + "' --input '" + samples.string() + "'", dir);
  CHECK(all.exit_code == 4);
  CHECK(Lines(all.out).size() == 3);  // the scores are written all the same
  CHECK_THAT(all.err, Catch::Contains("3 failed: error.rubric 3 (neutral reward") &&
                          Catch::Contains("gavel: 3 of 3 samples failed (100.0%), more than --max-error-rate 0.5 allows"));

  // The bundled example: 2 of 9 fail (22%), under the default, over a stricter threshold.
  const std::string example = "score --rubric rubrics/math_answer.lua --input rubrics/examples/math_answer.jsonl";
  CHECK(RunCli(example, dir).exit_code == 0);
  CliResult strict = RunCli(example + " --max-error-rate 0.2", dir);
  CHECK(strict.exit_code == 4);
  CHECK_THAT(strict.err, Catch::Contains("2 of 9 samples failed (22.2%), more than --max-error-rate 0.2 allows"));
  CHECK(RunCli(example + " --max-error-rate 0.25", dir).exit_code == 0);
  CHECK(RunCli("score --rubric '" + failing.string() + "' --input '" + samples.string() + "' --max-error-rate 1", dir)
            .exit_code == 0);

  CliResult bad = RunCli(example + " --max-error-rate 1.5", dir);
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--max-error-rate takes a number from 0 to 1"));
  CHECK(RunCli(example + " --max-error-rate most", dir).exit_code == 2);
}

TEST_CASE("gavel <command> --help prints that command's usage and exits 0", "[cli]") {
  gavel::testing::TempDir dir;
  const std::vector<std::string> commands = {"score", "check", "bench", "judge-eval", "lambda-local"};
  for (const std::string& command : commands) {
    INFO(command);
    for (const std::string& args : {command + " --help", command + " --rubric x.lua -h"}) {
      CliResult r = RunCli(args, dir);
      CHECK(r.exit_code == 0);
      CHECK_THAT(r.out, Catch::StartsWith("usage: gavel " + command + " [options]\n\n  " + command + " ") &&
                            Catch::Contains("exit codes: 0 done"));
      for (const std::string& other : commands) {
        if (other != command) CHECK_THAT(r.out, !Catch::Contains("\n  " + other + " "));
      }
    }
  }
  CliResult score = RunCli("score --help", dir);
  CHECK_THAT(score.out, Catch::Contains("--max-error-rate R") && Catch::Contains("4 score: more samples failed"));
  CliResult all = RunCli("--help", dir);
  CHECK(all.exit_code == 0);
  for (const std::string& command : commands) CHECK_THAT(all.out, Catch::Contains("\n  " + command + " "));
}

TEST_CASE("gavel check runs the rubric on a sample and reports step errors with the line", "[cli]") {
  gavel::testing::TempDir dir;
  dir.Write("rubrics/shape.json", R"({"type": "object"})");
  // schema.load works only while the file loads: inside a check it fails every sample.
  const auto late = dir.Write("rubrics/late.lua", "local schema = require 'gavel.schema'\n"
                                                  "return rubric {\n  checks = { check { name = 'shape', fn = function(s)\n"
                                                  "    local sch = schema.load('shape.json')\n"
                                                  "    return sch:check(s.answer).valid end } },\n}\n");
  CliResult r = RunCli("check --rubric '" + late.string() + "'", dir);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::StartsWith("rubric 'late' loaded: 0 gates, 1 checks, 0 judges"));
  CHECK_THAT(r.err, Catch::Contains("gavel: dry run, the built-in sample: error.rubric: check 'shape': " +
                                    late.string() + ":4: schema.load") &&
                        Catch::Contains("1 of 1 dry-run samples failed"));
  CHECK_THAT(r.out, !Catch::Contains("is valid"));

  // The bundled example passes on the built-in sample; a sample file is scored line by line.
  CliResult good = RunCli("check --rubric rubrics/math_answer.lua", dir);
  CHECK(good.exit_code == 0);
  CHECK_THAT(good.out, Catch::Contains("dry run, the built-in sample: reward 1\n") &&
                           Catch::Contains("rubric 'math-answer' is valid: the dry run raised no error"));
  CliResult file = RunCli("check --rubric rubrics/math_answer.lua --sample rubrics/examples/math_answer.jsonl", dir);
  CHECK(file.exit_code == 1);  // the example holds a sample without a reference, which the rubric refuses
  CHECK_THAT(file.out, Catch::Contains("dry run, line 1 (id \"add-1\"): reward 1\n") &&
                           Catch::Contains("dry run, line 6 (id \"empty-6\"): reward 0\n  gate 'answered' stopped it"));
  CHECK_THAT(file.err, Catch::Contains("dry run, line 9 (id \"noref-9\"): error.rubric: check 'correct': "
                                       "rubrics/math_answer.lua:"));
  CliResult missing = RunCli("check --rubric rubrics/math_answer.lua --sample /nonexistent.jsonl", dir);
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "gavel: cannot read sample file /nonexistent.jsonl\n");
}

TEST_CASE("gavel check runs a judge rubric with canned verdicts and no judge endpoint", "[cli]") {
  gavel::testing::TempDir dir;
  std::ifstream examples(std::string(GAVEL_SOURCE_DIR) + "/rubrics/examples/contract_review.jsonl");
  std::string first;
  std::getline(examples, first);
  const auto sample = dir.Write("sample.jsonl", first + "\n");
  // No GAVEL_JUDGE_URL: judge.new would refuse to load without one, were the verdicts not canned.
  CliResult r = RunCli("check --rubric rubrics/contract_review.lua --sample '" + sample.string() + "'", dir);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("1 judges") && Catch::Contains("dry run, line 1 (id \"thorough\"): reward ") &&
                        !Catch::Contains("stopped it") && Catch::Contains("is valid"));
}

TEST_CASE("a rubric in a folder over 100 characters deep names its file whole, once", "[cli]") {
  gavel::testing::TempDir dir;
  const auto deep = dir.path() / std::string(50, 'a') / std::string(50, 'b') / "rubrics";
  REQUIRE(deep.string().size() > 100);
  const auto broken = deep / "broken.lua";
  dir.Write((broken.lexically_relative(dir.path())).string(),
            "-- fails to load\nreturn rubric {\n  name = 'broken',\n  gates = { gate { name = 'g', fn = 42 } },\n}\n");
  CliResult load = RunCli("check --rubric '" + broken.string() + "'", dir);
  CHECK(load.exit_code == 1);
  CHECK(load.err == "gavel: " + broken.string() + ":4: gate 'g': 'fn' must be a function, got number\n");

  // A required helper that fails while it loads: named by its full path under the rubric root.
  const auto uses = deep / "uses_helper.lua";
  dir.Write(uses.lexically_relative(dir.path()).string(),
            "local h = require 'lib.helper'\nreturn rubric { checks = { check { name = 'c', fn = h.fn } } }\n");
  dir.Write((deep / "lib/helper.lua").lexically_relative(dir.path()).string(),
            "local M = {}\nerror('the helper is broken')\nreturn M\n");
  CliResult helper = RunCli("check --rubric '" + uses.string() + "'", dir);
  CHECK(helper.exit_code == 1);
  CHECK(helper.err == "gavel: " + (deep / "lib/helper.lua").string() + ":2: the helper is broken\n");

  // While scoring, a step error names the file relative to the rubric root, whole (Lua keeps
  // chunk names of up to 59 bytes), for the rubric and for a helper.
  dir.Write((deep / "lib/helper.lua").lexically_relative(dir.path()).string(),
            "local M = {}\nfunction M.fn(s)\n  error('helper step failed')\nend\nreturn M\n");
  const auto runtime = deep / "runtime.lua";
  dir.Write(runtime.lexically_relative(dir.path()).string(),
            "local h = require 'lib.helper'\nreturn rubric { checks = {\n  check { name = 'own', fn = function(s)\n"
            "    error('own step failed') end },\n  check { name = 'helped', fn = h.fn } } }\n");
  CliResult step = RunCli("check --rubric '" + runtime.string() + "'", dir);
  CHECK(step.exit_code == 1);
  CHECK_THAT(step.err, Catch::Contains("error.rubric: check 'own': runtime.lua:4: own step failed\n") &&
                           !Catch::Contains("..."));
  const auto second = deep / "runtime2.lua";
  dir.Write(second.lexically_relative(dir.path()).string(),
            "local h = require 'lib.helper'\nreturn rubric { checks = { check { name = 'helped', fn = h.fn } } }\n");
  CliResult helped = RunCli("check --rubric '" + second.string() + "'", dir);
  CHECK(helped.exit_code == 1);
  CHECK_THAT(helped.err, Catch::Contains("error.rubric: check 'helped': lib/helper.lua:3: helper step failed\n") &&
                             !Catch::Contains("..."));
}

TEST_CASE("a data file outside the rubric's reach is refused with what allows it", "[cli]") {
  gavel::testing::TempDir dir;
  dir.Write("project/schemas/shape.json", R"({"type": "object"})");
  const auto rubric = dir.Write("project/rubrics/deep/r.lua",
                                "local schema = require 'gavel.schema'\n"
                                "local sch = schema.load('../../schemas/shape.json')\n"
                                "return rubric { checks = { check { name = 'c', fn = function(s) return 1 end } } }\n");
  // By default the rubric root is the rubric's folder and data files come from the one above it.
  CliResult refused = RunCli("check --rubric '" + rubric.string() + "'", dir);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("file '../../schemas/shape.json' is outside the folders a rubric may read") &&
                              Catch::Contains("--rubric-root DIR"));
  CliResult allowed =
      RunCli("check --rubric '" + rubric.string() + "' --rubric-root '" + (dir.path() / "project/rubrics").string() + "'",
             dir);
  INFO(allowed.err);
  CHECK(allowed.exit_code == 0);
}

TEST_CASE("gavel score --timeout-ms answers every line in time whatever a rubric's pattern does", "[cli][deadline]") {
  // The reproduction: with Lua's own matcher this printed nothing for minutes, not even the
  // fast samples' lines.
  gavel::testing::TempDir dir;
  const auto rubric = dir.Write("slow.lua", R"(
    return rubric {
      limits = { time_ms = 60000 },
      checks = { check { name = "pattern", fn = function(s)
        if s.answer:find("^slow") then return s.answer:rep(2000):find(".-.-.-.-b") == nil end
        return true
      end } },
    })");
  std::string input;
  for (const char* id : {"fast-1", "slow", "fast-2"}) {
    const std::string answer = std::string(id) == "slow" ? "slow " + std::string(400, 'a') : "fine";
    input += gavel::Json({{"id", id},
                          {"messages", gavel::Json::array({{{"role", "user"}, {"content", "Say something."}},
                                                           {{"role", "assistant"}, {"content", answer}}})}})
                 .dump() +
             "\n";
  }
  const auto samples = dir.Write("samples.jsonl", input);
  const auto started = std::chrono::steady_clock::now();
  CliResult r = RunCli("score --rubric '" + rubric.string() + "' --input '" + samples.string() +
                           "' --timeout-ms 2000 --max-error-rate 1",
                       dir);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO(r.err);
  CHECK(r.exit_code == 0);
  std::vector<gavel::Json> lines = Lines(r.out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0]["aggregate_reward_score"] == 1.0);
  CHECK(lines[2]["aggregate_reward_score"] == 1.0);
  CHECK(lines[1]["id"] == "slow");
  const std::string cause = lines[1]["metrics_list"].back()["name"];
  CHECK((cause == "error.limit" || cause == "error.deadline"));
  // Start-up, the rubric load and the 2 s deadline, with room for a loaded machine.
  CHECK(seconds < 30.0);
}

namespace {

// A deterministic rubric and input for the byte-for-byte outputs below: a gate, a check with a
// detail, a sample the gate stops, a line that is not JSON and a blank line.
constexpr const char* kGoldenRubric = R"(return rubric {
  name = "tenths",
  gates = { gate { name = "plain", fn = function(s) return s.answer:sub(1, 1) ~= "!", "starts with !" end } },
  checks = { check { name = "tenths", fn = function(s) return math.min(#s.answer / 10, 1), "length " .. #s.answer end } },
}
)";
constexpr const char* kGoldenSamples = R"({"id": "a", "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "hello"}]}
{"id": 2, "messages": [{"role": "assistant", "content": "!nope"}]}
{not json}

{"id": "d", "messages": [{"role": "assistant", "content": "caf\u00e9 au lait, long enough"}]}
)";

// What gavel score wrote for them before its output went through a ScoreSink.
constexpr const char* kGoldenLines = R"({"id":"a","aggregate_reward_score":0.5,"metrics_list":[{"name":"plain","type":"Metric","value":1.0},{"name":"tenths","type":"Reward","value":0.5}],"details":{"tenths":"length 5"}}
{"id":2,"aggregate_reward_score":0.0,"metrics_list":[{"name":"plain","type":"Metric","value":0.0}],"details":{"gate":{"name":"plain","passed":false,"reason":"starts with !"}}}
{"id":null,"aggregate_reward_score":0.5,"metrics_list":[{"name":"error.sample","type":"Metric","value":1.0}],"details":{"errors":[{"kind":"sample","message":"sample 3 (line 3): invalid JSON at byte 3: syntax error while parsing object key - invalid literal; last read: '{no'; expected string literal"}]}}
{"id":"d","aggregate_reward_score":1.0,"metrics_list":[{"name":"plain","type":"Metric","value":1.0},{"name":"tenths","type":"Reward","value":1.0}],"details":{"tenths":"length 26"}}
)";
constexpr const char* kGoldenSummary = R"(gavel: scored 4 samples with rubric 'tenths' in T s: mean reward 0.5000; 1 failed: error.sample 1 (neutral reward, see details.errors)
)";
constexpr const char* kGoldenArray = R"([
{"id":"a","aggregate_reward_score":0.5,"metrics_list":[{"name":"plain","type":"Metric","value":1.0},{"name":"tenths","type":"Reward","value":0.5}]},
{"id":2,"aggregate_reward_score":0.0,"metrics_list":[{"name":"plain","type":"Metric","value":0.0}]},
{"id":null,"aggregate_reward_score":0.5,"metrics_list":[{"name":"error.sample","type":"Metric","value":1.0}]},
{"id":"d","aggregate_reward_score":1.0,"metrics_list":[{"name":"plain","type":"Metric","value":1.0},{"name":"tenths","type":"Reward","value":1.0}]}
]
)";

// The run summary without its duration, which is the one figure that differs between runs.
std::string WithoutSeconds(std::string err) {
  const std::size_t in = err.find(" in ");
  const std::size_t s = err.find(" s: ", in);
  if (in != std::string::npos && s != std::string::npos) err.replace(in, s - in, " in T");
  return err;
}

}  // namespace

TEST_CASE("gavel score writes JSONL, arrays and its summary byte for byte", "[cli]") {
  gavel::testing::TempDir dir;
  const std::string rubric = "--rubric '" + dir.Write("tenths.lua", kGoldenRubric).string() + "'";
  const std::string input = " --input '" + dir.Write("in.jsonl", kGoldenSamples).string() + "'";

  CliResult lines = RunCli("score " + rubric + input, dir);
  CHECK(lines.exit_code == 0);
  CHECK(lines.out == kGoldenLines);
  CHECK(WithoutSeconds(lines.err) == kGoldenSummary);

  CliResult array = RunCli("score --format array --no-details " + rubric + input, dir);
  CHECK(array.exit_code == 0);
  CHECK(array.out == kGoldenArray);

  // A Nova event is answered with an array by default; an empty one with an empty array.
  std::string event = "[";
  std::istringstream samples(kGoldenSamples);
  for (std::string line; std::getline(samples, line);) {
    if (!line.empty()) event += (event.size() > 1 ? ",\n" : "\n") + line;
  }
  event += "]";
  CliResult nova = RunCli("score --no-details " + rubric + " --input -", dir, event);
  CHECK(nova.exit_code == 0);
  CHECK(nova.out == kGoldenArray);
  CliResult empty = RunCli("score " + rubric + " --input -", dir, "[]");
  CHECK(empty.exit_code == 0);
  CHECK(empty.out == "[]\n");
  CHECK(WithoutSeconds(empty.err) ==
        "gavel: scored 0 samples with rubric 'tenths' in T s: mean reward 0.0000; 0 failed (neutral reward, see "
        "details.errors)\n");
}

TEST_CASE("gavel score counts a failed sample by its error, whatever its steps are named", "[cli]") {
  // A step may be named like an error metric; a sample that reached it and then failed is still
  // counted by what failed it.
  gavel::testing::TempDir dir;
  const auto rubric = dir.Write("named.lua", "return rubric {\n"
                                             "  gates = { gate { name = 'error.looks', fn = function(s) return true end } },\n"
                                             "  checks = { check { name = 'c', fn = function(s) error('always') end } },\n"
                                             "}\n");
  const auto samples = dir.Write("samples.jsonl", R"({"id": "a", "messages": [{"role": "assistant", "content": "x"}]}
)");
  CliResult r = RunCli("score --rubric '" + rubric.string() + "' --input '" + samples.string() + "'", dir);
  CHECK(r.exit_code == 4);
  CHECK(Lines(r.out).at(0)["metrics_list"][0]["name"] == "error.looks");  // the step's metric, kept
  CHECK_THAT(r.err, Catch::Contains("1 failed: error.rubric 1 (neutral reward"));
}
