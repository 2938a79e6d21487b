// `gavel check`: loads a rubric, lists its steps, then scores a sample with it as a dry run, so
// that an error only a step raises (a load-time-only function called in a check, a typo in a
// field name) shows before a real run. The judge answers with canned verdicts that fit its schema
// (PluginChoices::canned_judge): no endpoint, key or network is needed.
#include <cstdio>
#include <fstream>
#include <istream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "builtin.h"
#include "cli.h"
#include "gavel/engine.h"
#include "gavel/rubric.h"
#include "gavel/sample_io.h"
#include "options.h"
#include "usage.h"

namespace gavel::cli {
namespace {

// A small plausible sample in the Nova RFT format: a question, an answer with a final answer
// line, a reference. Enough for most rubrics' gates to pass, so their checks and judges run.
const char kBuiltinSample[] =
    R"({"id": "gavel-check", "messages": [{"role": "user", "content": "A crate holds 6 rows of 7 bottles. )"
    R"(How many bottles does it hold? End with the final answer after ####."}, {"role": "assistant", "content": )"
    R"("Each row holds 7 bottles and there are 6 rows, so the crate holds 6 * 7 = 42 bottles.\n#### 42"}], )"
    R"("reference_answer": "42"})"
    "\n";

// "line 3 (id \"a\")": how the dry run names a sample, by its 1-based line in the sample file.
std::string SampleName(const ParsedSample& s, bool builtin) {
  std::string name = builtin ? std::string("the built-in sample") : "line " + std::to_string(s.line);
  if (!builtin && !s.id.is_null()) name += " (id " + s.id.dump() + ")";
  return name;
}

void ListSteps(const Rubric& r) {
  std::printf("rubric '%s' loaded: %zu gates, %zu checks, %zu judges; neutral reward %g\n", r.name().c_str(),
              r.gates().size(), r.checks().size(), r.judges().size(), r.neutral());
  auto list = [&r](const char* what, const std::vector<std::string>& names) {
    for (const auto& n : names) {
      auto m = r.measures().find(n);
      std::printf("  %s %s%s\n", what, n.c_str(), m == r.measures().end() ? "" : (" (measures " + m->second + ")").c_str());
    }
  };
  list("gate ", r.gates());
  list("check", r.checks());
  list("judge", r.judges());
}

}  // namespace

int CheckCommand(const std::vector<std::string>& args) {
  Options opts;
  if (std::string err = ParseOptions(args, {"--rubric", "--rubric-root", "--sample"}, {}, opts); !err.empty()) {
    return Usage(err);
  }
  if (!opts.Get("--rubric")) return Usage("check needs --rubric FILE");
  PluginRegistry registry;
  auto rubric = LoadRubric(opts, registry, {.canned_judge = true});
  if (!rubric) {
    std::fprintf(stderr, "gavel: %s\n", rubric.error().message().c_str());
    return kExitFailed;
  }
  ListSteps(**rubric);

  // The samples: --sample FILE (JSONL), else the built-in one.
  const std::optional<std::string> sample_file = opts.Get("--sample");
  std::ifstream file;
  std::istringstream builtin(kBuiltinSample);
  std::istream* in = &builtin;
  if (sample_file) {
    file.open(*sample_file, std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "gavel: cannot read sample file %s\n", sample_file->c_str());
      return kExitFailed;
    }
    in = &file;
  }
  std::vector<ParsedSample> samples;
  JsonlReader reader(*in);
  for (ParsedSample s; reader.Next(s);) samples.push_back(std::move(s));
  if (reader.error()) {
    std::fprintf(stderr, "gavel: %s\n", reader.error()->message().c_str());
    return kExitFailed;
  }
  if (samples.empty()) {
    std::fprintf(stderr, "gavel: %s holds no sample\n", sample_file->c_str());
    return kExitFailed;
  }
  std::vector<std::string> names;
  for (const ParsedSample& s : samples) names.push_back(SampleName(s, !sample_file));

  EngineOptions eo;
  eo.threads = 1;
  auto engine = Engine::Create(*rubric, registry, eo);
  if (!engine) {
    std::fprintf(stderr, "gavel: %s\n", engine.error().message().c_str());
    return kExitFailed;
  }
  std::vector<Score> scores = (*engine)->ScoreBatch(std::move(samples));
  std::size_t failed = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const Score& score = scores[i];
    if (score.neutral) {
      ++failed;
      for (const ScoreError& e : score.errors) {
        std::fprintf(stderr, "gavel: dry run, %s: error.%s: %s\n", names[i].c_str(),
                     std::string(ErrorKindName(e.kind)).c_str(), e.message.c_str());
      }
      continue;
    }
    std::printf("dry run, %s: reward %g\n", names[i].c_str(), score.reward);
    // A gate that stops the sample leaves the steps after it untried.
    const Json* gate = score.details.contains("gate") ? &score.details["gate"] : nullptr;
    if (gate != nullptr && gate->is_object() && gate->value("passed", true) == false) {
      std::printf("  gate '%s' stopped it (%s); the steps after it did not run%s\n",
                  gate->value("name", std::string()).c_str(), gate->value("reason", std::string("no reason")).c_str(),
                  sample_file ? "" : ": give --sample FILE with a sample that passes the gates");
    }
  }
  if (failed > 0) {
    std::fprintf(stderr, "gavel: rubric '%s' loads, but %zu of %zu dry-run samples failed (see above)\n",
                 (*rubric)->name().c_str(), failed, scores.size());
    return kExitFailed;
  }
  std::printf("rubric '%s' is valid: the dry run raised no error (judges answered with canned verdicts)\n",
              (*rubric)->name().c_str());
  return kExitOk;
}

}  // namespace gavel::cli
