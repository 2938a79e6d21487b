// Fuzzes rubric loading: the input is the Lua source of a rubric, loaded by Rubric::Load in
// gavel's sandbox with small load limits, and, when it loads, used through gavel::Engine (one
// worker) to score one fixed sample under a short deadline, which reaches the sandbox's
// per-sample paths (limits, read-only globals, plugin calls, score conversion).
//
// The rubric file is written to a per-process temporary folder laid out like the repository
// (rubrics/, rubrics/lib, rubrics/rules, schemas/) with copies of the shipped helpers, rule
// packs and schemas, so rubrics can `require "lib.maths"` or load "../schemas/...". Only the
// plugins that never touch the network are registered: gavel.judge is left out.
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "gavel/engine.h"
#include "gavel/language/module.h"
#include "gavel/rubric.h"
#include "gavel/safety/module.h"
#include "gavel/sample_io.h"
#include "gavel/schema/module.h"
#include "gavel/text/module.h"
#include "temp_dir.h"

namespace {

using gavel::fuzz::Check;

// One sample that gives every plugin something to do: a JSON answer in English with a fence,
// a numeric reference, an expected language in the metadata.
constexpr std::string_view kSample = R"({"id": "fuzz-1", "messages": [
  {"role": "system", "content": "Answer with a JSON object."},
  {"role": "user", "content": "What is 6 times 7? Reply with category, priority, reply, needs_human."},
  {"role": "assistant", "content": "Sure.\n```json\n{\"category\": \"other\", \"priority\": \"low\", \"reply\": \"The answer is 42, as six sevens make forty-two.\", \"needs_human\": false}\n```\n#### 42"}],
  "reference_answer": "42", "metadata": {"language": "en", "tags": ["maths", 1, null]}})";

struct World {
  gavel::testing::TempDir dir;
  gavel::PluginRegistry plugins;
  std::filesystem::path rubric_file;
  gavel::RubricLoadOptions options;
};

void Copy(const World& w, std::string_view relative) {
  (void)w.dir.Write(std::string(relative), gavel::fuzz::ReadSourceFile(relative));
}

void Setup(World& w) {
  for (auto* make : {&gavel::schema::MakeModule, &gavel::safety::MakeModule, &gavel::language::MakeModule,
                     &gavel::text::MakeModule}) {
    if (gavel::Status st = w.plugins.Add(make()); !st) gavel::fuzz::Fail("cannot register", st.error().message());
  }
  for (const char* file : {"rubrics/lib/maths.lua", "rubrics/rules/pii.json", "rubrics/rules/secrets.json",
                           "rubrics/rules/injection.json", "rubrics/rules/unsafe.json",
                           "schemas/contract_comments.json", "schemas/contract_verdict.json",
                           "schemas/support_reply.json"}) {
    Copy(w, file);
  }
  w.rubric_file = w.dir.path() / "rubrics" / "fuzz.lua";
  w.options.root = w.dir.path() / "rubrics";
  w.options.data_root = w.dir.path();
  // Small enough that no input runs long: loading runs the file once here and once per worker.
  w.options.load_limits = gavel::RubricLimits{16u << 20, 2'000'000, std::chrono::milliseconds(500)};
}

// A static object, so the temporary folder is removed when the fuzzer exits normally.
World& TheWorld() {
  static World world;
  static const bool ready = (Setup(world), true);
  (void)ready;
  return world;
}

const gavel::ParsedSample& TheSample() {
  static const gavel::ParsedSample sample = [] {
    gavel::ParsedSample s = gavel::ParseSampleText(kSample, 0);
    if (!s.sample) gavel::fuzz::Fail("the fixed sample does not parse", s.sample.error().message());
    return s;
  }();
  return sample;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)TheWorld();
  (void)TheSample();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = TheWorld();
  {
    std::ofstream out(w.rubric_file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) gavel::fuzz::Fail("cannot write the rubric file");
  }

  gavel::Result<std::shared_ptr<const gavel::Rubric>> rubric = gavel::Rubric::Load(w.rubric_file, w.plugins, w.options);
  if (!rubric) {
    const gavel::ErrorKind kind = rubric.error().kind();
    Check(kind == gavel::ErrorKind::kBadRubric, "a rubric failed to load with an unexpected kind",
          rubric.error().ToString());
    return 0;
  }
  const gavel::Rubric& r = **rubric;
  Check(std::isfinite(r.neutral()), "a loaded rubric's neutral reward is not finite");

  gavel::Result<std::unique_ptr<gavel::Engine>> engine =
      gavel::Engine::Create(*rubric, w.plugins, {.threads = 1, .window = 4, .state_memory_cap = 256u << 20});
  if (!engine) {
    // The worker runs the same file again; with limits hit near the edge it may fail there.
    Check(engine.error().kind() == gavel::ErrorKind::kBadRubric, "the engine failed with an unexpected kind",
          engine.error().ToString());
    return 0;
  }
  std::vector<gavel::ParsedSample> batch;
  batch.push_back(TheSample());
  const auto deadline = gavel::Engine::Clock::now() + std::chrono::milliseconds(1000);
  std::vector<gavel::Score> scores = (*engine)->ScoreBatch(std::move(batch), deadline);
  Check(scores.size() == 1, "one sample did not give one score");
  const gavel::Score& score = scores.front();
  Check(std::isfinite(score.reward), "a reward that is not finite");
  Check(!score.neutral || score.reward == r.neutral(), "a failed sample without the neutral reward");
  Check(score.neutral == !score.errors.empty(), "neutral and errors disagree");
  const std::string line = gavel::ScoreToJsonLine(score, {.details = true, .judgements = true});
  Check(gavel::Json::parse(line, nullptr, false).is_object(), "a score line is not a JSON object", line);
  return 0;
}
