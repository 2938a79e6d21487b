// The offline tool: scoring files into resumable results, the bench and judge-eval summaries on
// results whose figures are worked out by hand, and both commands end to end on the bundled
// contract-review example against the stand-in judge.
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "builtin.h"
#include "gavel/engine.h"
#include "gavel/offline/result_sink.h"
#include "gavel/offline/run.h"
#include "gavel/offline/summary.h"
#include "gavel/standin/server.h"
#include "temp_dir.h"

namespace {

namespace fs = std::filesystem;
using gavel::Json;
using gavel::testing::TempDir;

std::string Slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<Json> JsonLines(const fs::path& file) {
  std::vector<Json> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) out.push_back(Json::parse(line));
  return out;
}

std::shared_ptr<const gavel::Rubric> Load(const TempDir& dir, const std::string& source, gavel::PluginRegistry& registry) {
  auto rubric = gavel::Rubric::Load(dir.Write("rubric.lua", source), registry);
  INFO((rubric ? std::string() : rubric.error().message()));
  REQUIRE(rubric);
  return *rubric;
}

// Deterministic: the reward is the answer's length in tenths, capped at 1.
constexpr const char* kLengthRubric = R"(
return rubric {
  gates = { gate { name = "json", measures = "schema", fn = function(s) return s.answer:sub(1, 1) ~= "!" end } },
  checks = { check { name = "tenths", fn = function(s) return math.min(#s.answer / 10, 1) end } },
})";

std::string SampleLine(const std::string& id, const std::string& answer) {
  return Json({{"id", id}, {"messages", {{{"role", "user"}, {"content", "q"}}, {{"role", "assistant"}, {"content", answer}}}}})
             .dump() + "\n";
}

// Scoring `input` into `results`, with no progress lines.
gavel::offline::ScoreFileOptions Quiet(const fs::path& input, const fs::path& results) {
  gavel::offline::ScoreFileOptions o;
  o.input = input;
  o.results = results;
  o.progress = nullptr;
  return o;
}

// A results line as run.h writes it, with the parts the summaries read.
std::string ResultLine(std::size_t index, const std::string& id, std::size_t output, double reward,
                       const Json& metrics = Json::array(), const Json& details = Json::object(), std::size_t bytes = 10,
                       const Json& probe = Json::array()) {
  Json score = {{"id", id}, {"aggregate_reward_score", reward}, {"metrics_list", metrics}, {"details", details}};
  return Json({{"index", index}, {"id", id}, {"output", output}, {"answer_bytes", bytes}, {"answer", "a"},
               {"probe", probe}, {"score", score}})
             .dump() + "\n";
}

Json Metric(const std::string& name, double value, const std::string& type = "Metric") {
  return {{"name", name}, {"value", value}, {"type", type}};
}

// A judgement with one 1-5 dimension "q" (and a pass/fail one when `pass` is 0 or 1).
Json Judgement(std::size_t item, int q, int pass = -1) {
  Json dims = {{"q", {{"value", q}, {"min", 1}, {"max", 5}}}};
  if (pass >= 0) dims["ok"] = {{"value", pass}, {"binary", true}};
  return {{"judge", "j"}, {"item", item}, {"dimensions", dims}, {"rationale", "because"}};
}

struct CliResult {
  int exit_code;
  std::string err;
};

// Runs the gavel binary from the source folder with the judge URL set.
CliResult RunCli(const std::string& args, const TempDir& dir, const std::string& judge_url) {
  const auto err = dir.path() / "stderr.txt";
  const std::string command = std::string("cd '") + GAVEL_SOURCE_DIR + "' && GAVEL_JUDGE_URL='" + judge_url + "' '" +
                              GAVEL_CLI + "' " + args + " > /dev/null 2> '" + err.string() + "'";
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(err)};
}

std::unique_ptr<gavel::standin::Server> Standin(double noise = 0) {
  gavel::standin::Options options;
  options.faults.noise = noise;
  auto server = gavel::standin::Server::Start(std::move(options));
  REQUIRE(server);
  return std::move(*server);
}

constexpr const char* kExample = "rubrics/examples/contract_review/";

}  // namespace

TEST_CASE("progress: a bar with rate and time left, or plain lines", "[offline]") {
  gavel::offline::Progress p("base", 96, nullptr);
  CHECK(p.Line(48, 0.4) == "base  [############............]  48/96   50%  120.0/s  0:00 left");
  CHECK(p.Line(0, 0) == "base  [........................]  0/96    0%  0.0/s  ? left");
  gavel::offline::Progress unknown("x", 0, nullptr);
  CHECK(unknown.Line(10, 2) == "x  10  5.0/s");
}

TEST_CASE("excerpts cut at a character and replace invalid UTF-8", "[offline]") {
  using gavel::offline::Excerpt;
  CHECK(Excerpt("short", 10) == "short");
  CHECK(Excerpt("abcdef", 3) == "abc\xE2\x80\xA6");
  CHECK(Excerpt("\xC3\xA9\xC3\xA9", 3) == "\xC3\xA9\xE2\x80\xA6");  // never half of "é"
  CHECK(Excerpt("a\xFFz", 10) == "a\xEF\xBF\xBDz");
}

TEST_CASE("a results file resumes where an interrupted run stopped", "[offline]") {
  TempDir dir;
  gavel::PluginRegistry registry;
  auto rubric = Load(dir, kLengthRubric, registry);
  std::string input;
  for (int i = 0; i < 40; ++i) input += SampleLine(std::string("s").append(std::to_string(i % 10)), std::string(static_cast<std::size_t>(i % 13), 'x'));
  input += "{not json}\n";
  const fs::path in = dir.Write("in.jsonl", input);
  gavel::EngineOptions eo;
  eo.threads = 2;
  auto engine = gavel::Engine::Create(rubric, registry, eo);
  REQUIRE(engine);
  gavel::offline::ScoreFileOptions o = Quiet(in, dir.path() / "full.jsonl");
  auto full = gavel::offline::ScoreFile(**engine, o);
  REQUIRE(full);
  CHECK(full->total == 41);
  CHECK(full->scored == 41);
  const std::vector<Json> lines = JsonLines(o.results);
  REQUIRE(lines.size() == 41);
  CHECK(lines[13].at("id") == "s3");
  CHECK(lines[13].at("output") == 2);  // the second sample with id s3
  CHECK(lines[13].at("answer_bytes") == 0);
  CHECK(lines[40].at("score").at("metrics_list")[0].at("name") == "error.sample");

  // Cut after 17 whole lines and half of the 18th, as a killed run leaves it.
  const std::string text = Slurp(o.results);
  std::size_t cut = 0;
  for (int i = 0; i < 17; ++i) cut = text.find('\n', cut) + 1;
  const fs::path partial = dir.Write("partial.jsonl", text.substr(0, cut + 25));
  o.results = partial;
  auto resumed = gavel::offline::ScoreFile(**engine, o);
  REQUIRE(resumed);
  CHECK(resumed->resumed == 17);
  CHECK(resumed->scored == 24);
  CHECK(Slurp(partial) == text);

  SECTION("results of another input are refused, not mixed") {
    const fs::path other = dir.Write("other.jsonl", SampleLine("zz", "x") + SampleLine("zz", "y"));
    o.input = other;
    auto refused = gavel::offline::ScoreFile(**engine, o);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message().find("holds 41 results but") != std::string::npos);
    o.results = dir.Write("two.jsonl", text.substr(0, text.find('\n') + 1));
    refused = gavel::offline::ScoreFile(**engine, o);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message().find("result 1 has id \"s0\", the input has \"zz\"") != std::string::npos);
  }
  SECTION("resume = false starts over") {
    o.resume = false;
    auto again = gavel::offline::ScoreFile(**engine, o);
    REQUIRE(again);
    CHECK(again->resumed == 0);
    CHECK(again->scored == 41);
  }
}

TEST_CASE("a results file, byte for byte", "[offline]") {
  TempDir dir;
  gavel::PluginRegistry registry;
  auto rubric = Load(dir, kLengthRubric, registry);
  const fs::path in = dir.Write("in.jsonl", SampleLine("a", "hello") + SampleLine("a", "!stop") + "{not json}\n\n" +
                                                SampleLine("b", "caf\xc3\xa9 au lait, long enough"));
  auto engine = gavel::Engine::Create(rubric, registry, {});
  REQUIRE(engine);
  const gavel::offline::ScoreFileOptions o = Quiet(in, dir.path() / "results.jsonl");
  auto report = gavel::offline::ScoreFile(**engine, o);
  REQUIRE(report);
  CHECK(report->scored == 4);
  // As ScoreFile wrote it before it wrote through a ScoreSink.
  CHECK(Slurp(o.results) == R"({"index":0,"id":"a","output":1,"answer_bytes":5,"answer":"hello","probe":[],"score":{"id":"a","aggregate_reward_score":0.5,"metrics_list":[{"name":"json","type":"Metric","value":1.0},{"name":"tenths","type":"Reward","value":0.5}],"details":{}}}
{"index":1,"id":"a","output":2,"answer_bytes":5,"answer":"!stop","probe":[],"score":{"id":"a","aggregate_reward_score":0.0,"metrics_list":[{"name":"json","type":"Metric","value":0.0}],"details":{"gate":{"name":"json","passed":false}}}}
{"index":2,"id":null,"output":1,"answer_bytes":0,"answer":"","probe":[],"score":{"id":null,"aggregate_reward_score":0.5,"metrics_list":[{"name":"error.sample","type":"Metric","value":1.0}],"details":{"errors":[{"kind":"sample","message":"sample 3 (line 3): invalid JSON at byte 3: syntax error while parsing object key - invalid literal; last read: '{no'; expected string literal"}]}}}
{"index":3,"id":"b","output":1,"answer_bytes":26,"answer":"café au lait, long enough","probe":[],"score":{"id":"b","aggregate_reward_score":1.0,"metrics_list":[{"name":"json","type":"Metric","value":1.0},{"name":"tenths","type":"Reward","value":1.0}],"details":{}}}
)");
}

TEST_CASE("result line sink: a failed output or a score for no sample is an error, never a wrong line", "[offline]") {
  const gavel::Score score = gavel::Score::Failed("x", 0.5, gavel::ErrorKind::kBadSample, "bad");
  std::ostringstream out;
  gavel::offline::ResultLineSink orphan(out, "r.jsonl");
  orphan.Write(score);  // no sample was started
  gavel::Status st = orphan.Finish();
  REQUIRE_FALSE(st);
  CHECK(st.error().kind() == gavel::ErrorKind::kInternal);
  CHECK_THAT(st.error().message(), Catch::Contains("\"x\""));
  CHECK(out.str().empty());

  std::ostringstream failing;
  gavel::offline::ResultLineSink sink(failing, "r.jsonl");
  sink.Expect({});
  failing.setstate(std::ios::badbit);
  sink.Write(score);
  st = sink.Finish();
  REQUIRE_FALSE(st);
  CHECK(st.error().kind() == gavel::ErrorKind::kIo);
  CHECK(st.error().message() == "writing r.jsonl failed");
  CHECK(sink.totals().samples == 1);
}

TEST_CASE("bench summary: means, rates, best/mean-of-k, pass@k, paired comparison and gates", "[offline]") {
  TempDir dir;
  gavel::PluginRegistry registry;
  auto rubric = Load(dir, kLengthRubric, registry);
  // Checkpoint a: ids x, y with two outputs each; b: the same ids. Rewards are 0 or 1.
  //   a: x -> 1, 0   y -> 0, 0      b: x -> 1, 1   y -> 1, 0
  auto write = [&](const std::string& name, std::vector<std::pair<std::string, double>> rows, bool fail_last_gate) {
    std::string text;
    std::size_t i = 0;
    std::map<std::string, std::size_t> outputs;
    for (const auto& [id, reward] : rows) {
      const bool gate_failed = fail_last_gate && i + 1 == rows.size();
      Json metrics = Json::array({Metric("json", gate_failed ? 0 : 1)});
      if (!gate_failed) metrics.push_back(Metric("tenths", reward, "Reward"));
      Json details = {{"judgements", Json::array({Judgement(1, reward == 1 ? 5 : 1, reward == 1 ? 1 : 0)})},
                      {"usage", {{"judge.calls", 1}, {"judge.input_tokens", 100}}}};
      if (gate_failed) details = {{"gate", {{"name", "json"}, {"reason", "no JSON <here>"}}}};
      text += ResultLine(i++, id, ++outputs[id], reward, metrics, details);
    }
    return dir.Write(name + ".jsonl", text);
  };
  std::vector<gavel::offline::Checkpoint> cps = {
      {"a", "a-in.jsonl", write("a", {{"x", 1}, {"x", 0}, {"y", 0}, {"y", 0}}, true), 0.5},
      {"b", "b-in.jsonl", write("b", {{"x", 1}, {"x", 1}, {"y", 1}, {"y", 0}}, false), 0.5},
  };
  gavel::offline::BenchOptions o;
  o.min_reward = 0.7;
  o.max_regression = 0.1;
  auto s = gavel::offline::SummarizeBench(*rubric, cps, o);
  REQUIRE(s);
  const Json& a = (*s)["checkpoints"][0];
  const Json& b = (*s)["checkpoints"][1];
  CHECK(a["reward"]["estimate"] == 0.25);
  CHECK(b["reward"]["estimate"] == 0.75);
  CHECK(a["k"] == 2);
  CHECK(a["ids"] == 2);
  // Best of 2: a = mean(1, 0) = 0.5, b = mean(1, 1) = 1; mean of 2: a = mean(0.5, 0), b = mean(1, 0.5).
  CHECK(a["best_of_k"]["estimate"] == 0.5);
  CHECK(b["best_of_k"]["estimate"] == 1.0);
  CHECK(a["mean_of_k"]["estimate"] == 0.25);
  CHECK(b["mean_of_k"]["estimate"] == 0.75);
  // 0/1 rewards: pass@k with threshold 1. b: x has 2 of 2, y 1 of 2 -> pass@1 = (1 + 0.5) / 2,
  // pass@2 = (1 + 1) / 2.
  CHECK((*s)["pass_threshold"] == 1.0);
  REQUIRE(b["pass_at_k"].size() == 2);
  CHECK(b["pass_at_k"][0]["value"] == 0.75);
  CHECK(b["pass_at_k"][1]["value"] == 1.0);
  // The gate that measures the schema failed once in a's four samples.
  CHECK(a["rates"]["schema_valid"]["estimate"] == 0.75);
  CHECK(a["rates"]["schema_valid"]["step"] == "json");
  CHECK(a["rates"]["safety_violation"].is_null());
  CHECK(b["rates"]["schema_valid"]["estimate"] == 1.0);
  // Judge dimensions: b's "q" is 5, 5, 5, 1 -> 4; its pass rate 3 of 4.
  REQUIRE(b["dimensions"].size() == 2);
  CHECK(b["dimensions"][0]["name"] == "q");
  CHECK(b["dimensions"][0]["estimate"] == 4.0);
  CHECK(b["dimensions"][1]["kind"] == "binary");
  CHECK(b["dimensions"][1]["estimate"] == 0.75);
  CHECK(b["usage"]["judge.calls"] == 4.0);
  // The worst samples, lowest first, with the gate's reason.
  REQUIRE(a["worst"].size() == 4);
  CHECK(a["worst"][0]["reward"] == 0.0);
  CHECK(a["worst"].back()["reward"] == 1.0);
  bool found_reason = false;
  for (const Json& w : a["worst"]) found_reason = found_reason || w["reason"] == "gate 'json' failed: no JSON <here>";
  CHECK(found_reason);
  // Paired, per id: x 0.5 -> 1 (win), y 0 -> 0.5 (win).
  const Json& c = (*s)["comparisons"][0];
  CHECK(c["candidate"] == "b");
  CHECK(c["diff"]["estimate"] == 0.5);
  CHECK(c["wins"] == 2);
  CHECK(c["losses"] == 0);
  CHECK((*s)["passed"] == true);
  REQUIRE((*s)["gates"].size() == 2);

  SECTION("a regression beyond the allowed one, and a mean below the threshold, fail") {
    o.baseline = "b";
    o.min_reward = 0.3;
    auto worse = gavel::offline::SummarizeBench(*rubric, cps, o);
    REQUIRE(worse);
    CHECK((*worse)["passed"] == false);
    CHECK((*worse)["comparisons"][0]["candidate"] == "a");
    CHECK((*worse)["comparisons"][0]["diff"]["estimate"] == -0.5);
    CHECK((*worse)["gates"][0]["passed"] == false);
    CHECK((*worse)["gates"][0]["message"].get<std::string>().find("a minus b: -0.5000") == 0);
    CHECK((*worse)["gates"][1]["message"] == "mean reward 0.2500 is below 0.3000");
  }
  SECTION("a results file that is not one is an error naming its line") {
    cps[1].results = dir.Write("bad.jsonl", ResultLine(0, "x", 1, 1) + "{\"index\": 1}\n");
    auto bad = gavel::offline::SummarizeBench(*rubric, cps, o);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message() == cps[1].results.string() + ":2: not a result line");
  }
}

TEST_CASE("judge-eval summary: consistency, agreement, calibration, regression and hacking probes", "[offline]") {
  TempDir dir;
  gavel::PluginRegistry registry;
  auto rubric = Load(dir, kLengthRubric, registry);
  // Three samples, one verdict each. Repeats of judge "a": q = (5, 3, 1), (5, 4, 1), (5, 3, 1);
  // ok = (1, 0, 0), (1, 1, 0), (1, 0, 0). Judge "b": q = (5, 3, 2), ok = (1, 0, 1).
  auto write = [&](const std::string& name, std::vector<int> q, std::vector<int> ok, std::vector<double> rewards) {
    std::string text;
    for (std::size_t i = 0; i < q.size(); ++i) {
      const std::string id = std::string("s").append(std::to_string(i + 1));
      Json metrics = Json::array({Metric("json", 1), Metric("tenths", i == 0 ? 0.0 : 1.0, "Reward")});
      Json details = {{"judgements", Json::array({Judgement(1, q[i], ok[i])})}};
      text += ResultLine(i, id, 1, rewards[i], metrics, details, 100 * (i + 1),
                         i == 2 ? Json::array({"injection.note_to_grader"}) : Json::array());
    }
    return dir.Write(name + ".jsonl", text);
  };
  std::vector<gavel::offline::JudgeRun> runs = {
      {"a", 0, write("a1", {5, 3, 1}, {1, 0, 0}, {0.9, 0.5, 0.95})},
      {"a", 1, write("a2", {5, 4, 1}, {1, 1, 0}, {0.9, 0.6, 0.95})},
      {"a", 2, write("a3", {5, 3, 1}, {1, 0, 0}, {0.9, 0.5, 0.95})},
      {"b", 0, write("b1", {5, 3, 2}, {1, 0, 1}, {0.9, 0.5, 0.8})},
  };
  gavel::offline::JudgeEvalOptions o;
  // Human labels: q = 4, 3, 1 for s1..s3, and one label for a verdict that does not exist.
  o.labels = dir.Write("labels.jsonl", "{\"id\": \"s1\", \"dimension\": \"q\", \"score\": 4}\n"
                                       "{\"id\": \"s2\", \"item\": 1, \"dimension\": \"q\", \"score\": 3}\n"
                                       "\n"
                                       "{\"id\": \"s3\", \"output\": 1, \"dimension\": \"q\", \"score\": 1}\n"
                                       "{\"id\": \"s3\", \"item\": 2, \"dimension\": \"q\", \"score\": 1}\n");
  o.case_results = write("cases", {3, 3}, {1, 1}, {0.8, 0.1});
  o.case_expectations = {Json{{"min_reward", 0.5}}, Json{{"min_reward", 0.5}}};
  auto s = gavel::offline::SummarizeJudgeEval(*rubric, runs, o);
  REQUIRE(s);
  CHECK((*s)["judges"] == Json::array({"a", "b"}));
  // Consistency over a's three repeats: q varies only for s2 (3, 4, 3), sd = 0.577...; the mean
  // sd over three units is that over 3. ok flips only for s2: flip rate 1/3.
  const Json& dims = (*s)["consistency"]["dimensions"];
  REQUIRE(dims.size() == 3);
  CHECK(dims[0]["name"] == "a: j/ok");  // two configurations: rows name theirs
  CHECK(dims[0]["flip_rate"].get<double>() == Approx(1.0 / 3));
  CHECK(dims[1]["name"] == "a: j/q");
  CHECK(dims[1]["mean_sd"].get<double>() == Approx(std::sqrt(1.0 / 3) / 3));
  CHECK(dims[1]["unstable"] == 1);
  CHECK(dims[2]["name"] == "a: reward");
  CHECK(dims[2]["unstable"] == 1);
  CHECK((*s)["consistency"]["unstable"][0]["id"] == "s2");
  // Agreement of a (first repeat) and b: ok = (1, 0, 0) vs (1, 0, 1): po = 2/3, pe = 1/3 * 2/3 +
  // 2/3 * 1/3 = 4/9, kappa = (2/3 - 4/9) / (1 - 4/9) = 0.4. q: exact 2 of 3.
  const Json& pairs = (*s)["agreement"]["pairs"];
  REQUIRE(pairs.size() == 2);
  CHECK(pairs[0]["dimension"] == "j/ok");
  CHECK(pairs[0]["kappa"].get<double>() == Approx(0.4));
  CHECK(pairs[1]["exact"].get<double>() == Approx(2.0 / 3));
  CHECK(pairs[1]["spearman"].get<double>() == Approx(1.0));
  CHECK((*s)["agreement"]["disagreements"].size() == 2);
  // Calibration of a's first repeat: judge q = 5, 3, 1 against human 4, 3, 1: bias 1/3.
  const Json& cal = (*s)["calibration"];
  CHECK(cal["labels"] == 4);
  CHECK(cal["unmatched"] == 1);
  REQUIRE(cal["dimensions"].size() == 1);
  CHECK(cal["dimensions"][0]["n"] == 3);
  CHECK(cal["dimensions"][0]["bias"].get<double>() == Approx(1.0 / 3));
  CHECK(cal["dimensions"][0]["exact"].get<double>() == Approx(2.0 / 3));
  CHECK(cal["dimensions"][0]["confusion"]["categories"] == Json::array({1, 2, 3, 4, 5}));
  CHECK(cal["dimensions"][0]["confusion"]["counts"][4][3] == 1);  // judge 5, human 4
  // Regression: the second case's reward 0.1 is below 0.5.
  CHECK((*s)["regression"]["failed"] == 1);
  CHECK((*s)["regression"]["results"][1]["reason"] == "reward below 0.5");
  CHECK((*s)["passed"] == false);
  // Hacking probes on a's first repeat: s1 is high (0.9) with the check "tenths" at 0; s3 is high
  // (0.95) with text aimed at the judge. Rewards rise with length except s2's dip.
  const Json& flags = (*s)["hacking"]["flags"];
  REQUIRE(flags.size() == 2);
  CHECK(flags[0]["kind"] == "fails_check");
  CHECK(flags[0]["id"] == "s1");
  CHECK(flags[1]["kind"] == "aimed_at_judge");
  CHECK(flags[1]["detail"] == "rule injection.note_to_grader");
  CHECK((*s)["hacking"]["length_spearman"].get<double>() == Approx(0.5));

  SECTION("a malformed labels file is an error naming its line") {
    o.labels = dir.Write("bad-labels.jsonl", "{\"id\": \"s1\", \"dimension\": \"q\", \"score\": 4}\n{\"id\": \"s1\"}\n");
    auto bad = gavel::offline::SummarizeJudgeEval(*rubric, runs, o);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message() == o.labels->string() + ":2: a label needs id, dimension and a numeric score");
  }
}

TEST_CASE("gavel bench on the contract-review example: three reports, resumable, CI exit codes", "[offline][cli]") {
  TempDir dir;
  auto standin = Standin();
  const std::string url = standin->base_url() + "/v1?model=m";
  const fs::path out = dir.path() / "bench";
  const std::string args = std::string("bench --rubric rubrics/contract_review.lua --checkpoint ") + kExample +
                           "base.jsonl --checkpoint tuned=" + kExample + "tuned.jsonl --no-judge-cache --out '" +
                           out.string() + "'";
  CliResult r = RunCli(args, dir, url);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const Json summary = Json::parse(Slurp(out / "summary.json"));
  CHECK(summary["kind"] == "bench");
  REQUIRE(summary["checkpoints"].size() == 2);
  CHECK(summary["checkpoints"][0]["name"] == "base");
  CHECK(summary["checkpoints"][1]["samples"] == 48);
  CHECK(summary["checkpoints"][1]["k"] == 4);
  CHECK(summary["checkpoints"][0]["rates"]["schema_valid"]["step"] == "well_formed");
  CHECK(summary["checkpoints"][0]["usage"]["judge.calls"].get<double>() > 0);
  CHECK(summary["comparisons"][0]["pairs"] == 12);
  CHECK(Slurp(out / "summary.md").find("| tuned |") != std::string::npos);
  CHECK(Slurp(out / "report.html").find("</html>") != std::string::npos);
  CHECK(JsonLines(out / "results" / "tuned.jsonl").size() == 48);
  const std::size_t calls = standin->stats().requests;
  CHECK(calls > 0);

  // A rerun finds every sample scored and asks the judge nothing.
  r = RunCli(args, dir, url);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("base: 48 of 48 samples were already scored") != std::string::npos);
  CHECK(standin->stats().requests == calls);

  // Thresholds for CI: exit 3 with the reason.
  r = RunCli(args + " --min-reward 0.99", dir, url);
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("FAILED min-reward 0.99 for tuned: mean reward") != std::string::npos);
  r = RunCli(args + " --baseline tuned --max-regression 0", dir, url);
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("FAILED max-regression 0 for base: base minus tuned: -") != std::string::npos);

  // Usage mistakes are exit 2 with a message.
  r = RunCli("bench --rubric rubrics/contract_review.lua", dir, url);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("bench needs at least one --checkpoint") != std::string::npos);
  r = RunCli(std::string("bench --rubric rubrics/contract_review.lua --checkpoint ") + kExample + "base.jsonl --checkpoint " +
                 kExample + "base.jsonl",
             dir, url);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("two checkpoints are named 'base'") != std::string::npos);
  r = RunCli(args + " --baseline nope", dir, url);
  CHECK(r.exit_code == 2);
}

TEST_CASE("gavel judge-eval on the contract-review example: consistency, agreement, labels, cases", "[offline][cli]") {
  TempDir dir;
  auto clean = Standin();
  auto noisy = Standin(0.3);  // a judge that changes its mind on 30% of verdicts
  const std::string url = clean->base_url() + "/v1?model=m";
  const fs::path out = dir.path() / "eval";
  const std::string args = std::string("judge-eval --rubric rubrics/contract_review.lua --input ") + kExample +
                           "base.jsonl --repeats 2 --judge clean=" + url + " --judge noisy=" + noisy->base_url() +
                           "/v1?model=n --labels " + kExample + "labels.jsonl --out '" + out.string() + "'";
  CliResult r = RunCli(args + " --cases " + kExample + "cases.jsonl", dir, url);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const Json summary = Json::parse(Slurp(out / "summary.json"));
  CHECK(summary["kind"] == "judge-eval");
  CHECK(summary["samples"] == 48);
  CHECK(summary["judges"] == Json::array({"clean", "noisy"}));
  CHECK(summary["consistency"]["repeats"] == 2);
  CHECK(summary["calibration"]["labels"] == 90);
  CHECK(summary["calibration"]["unmatched"] == 0);
  CHECK(summary["regression"]["cases"] == 8);
  CHECK(summary["regression"]["failed"] == 0);
  CHECK(summary["hacking"]["samples"].get<int>() > 0);
  CHECK(Slurp(out / "report.html").find("</html>") != std::string::npos);
  // Each repeat asked the judge anew: the clean judge always agreed with itself, the noisy one
  // did not, and the two disagreed somewhere.
  int clean_unstable = 0, noisy_unstable = 0;
  for (const Json& d : summary["consistency"]["dimensions"]) {
    const std::string name = d["name"];
    (name.rfind("clean: ", 0) == 0 ? clean_unstable : noisy_unstable) += d["unstable"].get<int>();
  }
  CHECK(clean_unstable == 0);
  CHECK(noisy_unstable > 0);
  REQUIRE(summary["agreement"]["pairs"].size() == 3);
  CHECK(summary["agreement"]["pairs"][0]["a"] == "clean");
  CHECK(summary["agreement"]["disagreements"].size() > 0);

  // A case that must fail the gates but passes them fails the command.
  std::ifstream cases(std::string(GAVEL_SOURCE_DIR) + "/" + kExample + "cases.jsonl");
  std::string first;
  std::getline(cases, first);
  Json wrong = Json::parse(first);
  wrong["expect"] = {{"max_reward", 0.0}};
  const fs::path wrong_file = dir.Write("wrong.jsonl", wrong.dump() + "\n");
  r = RunCli(args + " --cases '" + wrong_file.string() + "'", dir, url);
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("FAILED regression suite: 1 of 1 cases failed") != std::string::npos);
  const Json failed = Json::parse(Slurp(out / "summary.json"));
  CHECK(failed["regression"]["results"][0]["reason"].get<std::string>().find("reward above 0") == 0);

  // A cases file without expectations is refused.
  r = RunCli(args + " --cases " + kExample + "base.jsonl", dir, url);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("a case is a sample object with an \"expect\" object") != std::string::npos);
}
