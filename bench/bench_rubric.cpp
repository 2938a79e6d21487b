// The combined deterministic rubric, rubrics/support_reply.lua: JSON extraction and draft-07
// validation, 55 safety rules, language consistency and a length penalty, on 2 KB answers,
// scored by the engine on one worker thread. The baseline, in the same process, is the same
// plugin work called directly from C++ (no Lua, no engine), so the ratio between the two is the
// cost of running the checks as a Lua rubric. Run on one core:
//   taskset -c 0 build/release/bench/gavel_bench_rubric
#include <benchmark/benchmark.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "builtin.h"
#include "gavel/engine.h"
#include "gavel/language/consistency.h"
#include "gavel/language/detect.h"
#include "gavel/rubric.h"
#include "gavel/safety/rule_pack.h"
#include "gavel/sample_io.h"
#include "gavel/schema/extract.h"
#include "gavel/schema/schema.h"
#include "gavel/text/length.h"
#include "gavel/text/penalty.h"

namespace {

const std::filesystem::path kSource = GAVEL_SOURCE_DIR;

struct Language {
  const char* prompt;
  const char* sentences[4];
};

// Customer messages and reply sentences in four languages; replies are built to 2 KB.
const Language kLanguages[] = {
    {"Hello, I was charged twice for my subscription this month. Can you refund the second payment?",
     {"Thank you for letting us know, and sorry for the trouble with your subscription. ",
      "I can see two charges this month and have asked the billing team to refund the second one. ",
      "The refund usually reaches your account within five working days. ",
      "If it has not arrived by then, reply to this message and we will look into it again. "}},
    {"Guten Tag, mein Paket sollte letzte Woche ankommen, aber die Sendungsverfolgung zeigt nichts.",
     {"Vielen Dank für Ihre Nachricht und entschuldigen Sie bitte die Verzögerung. ",
      "Ihr Paket liegt im Verteilzentrum und wird voraussichtlich in zwei Tagen zugestellt. ",
      "Falls es bis Freitag nicht ankommt, schicken wir Ihnen kostenlos ein neues Paket. ",
      "Sie müssen dafür nichts weiter tun, wir melden uns automatisch bei Ihnen. "}},
    {"Bonjour, je n'arrive plus à me connecter à mon compte depuis la mise à jour de l'application.",
     {"Bonjour et merci beaucoup de votre message concernant votre compte. ",
      "Depuis la dernière mise à jour, il faut parfois vider le cache de l'application. ",
      "Ouvrez les réglages, choisissez Stockage puis Vider le cache, et reconnectez-vous. ",
      "Si le problème persiste, répondez à ce message et nous regarderons cela ensemble. "}},
    {"Hola, la aplicación se cierra cada vez que intento subir una foto desde la galería.",
     {"Gracias por avisarnos y disculpe las molestias que esto le ha causado. ",
      "El cierre ocurre cuando la foto supera el tamaño máximo permitido para subirla. ",
      "Mientras preparamos la corrección, reduzca el tamaño de la foto antes de subirla. ",
      "Si el problema continúa después de eso, respóndanos y lo revisaremos juntos. "}},
};

constexpr std::size_t kAnswerBytes = 2048;

// A 2 KB reply is about 330 words, past the rubric's 150-word band and its 60-word margin: every
// benchmark sample is valid, safe and in the customer's language but too long, so it scores
// schema 0.3 + language 0.3 + length 0 + format 0.2. Any other reward means a step failed and
// the figure would be meaningless.
constexpr double kExpectedReward = 0.8;

std::string SampleText(const Language& lang, int index) {
  const std::string head = R"({"category": "billing", "priority": "normal", "needs_human": false, "reply": ")";
  const std::string tail = "\"}";
  std::string reply;
  for (int i = 0; head.size() + reply.size() + tail.size() < kAnswerBytes - 100; ++i) {
    reply += lang.sentences[i % 4];
  }
  gavel::Json sample = {
      {"id", "sample-" + std::to_string(index)},
      {"messages", {{{"role", "system"}, {"content", "Answer with a JSON object."}},
                    {{"role", "user"}, {"content", lang.prompt}},
                    {{"role", "assistant"}, {"content", head + reply + tail}}}}};
  return sample.dump();
}

std::vector<gavel::ParsedSample> Samples() {
  std::vector<gavel::ParsedSample> samples;
  int index = 0;
  for (const Language& lang : kLanguages) samples.push_back(gavel::ParseSampleText(SampleText(lang, index++), 0));
  return samples;
}

void BM_SupportReplyRubric(benchmark::State& state) {
  gavel::language::TuneAllocatorForLanguageDetection();  // as the gavel apps do at start-up
  gavel::PluginRegistry registry;
  if (auto st = gavel::RegisterBuiltinPlugins(registry); !st) {
    state.SkipWithError(st.error().message().c_str());
    return;
  }
  auto rubric = gavel::Rubric::Load(kSource / "rubrics/support_reply.lua", registry);
  if (!rubric) {
    state.SkipWithError(rubric.error().message().c_str());
    return;
  }
  gavel::EngineOptions eo;
  eo.threads = 1;
  auto engine = gavel::Engine::Create(*rubric, registry, eo);
  if (!engine) {
    state.SkipWithError(engine.error().message().c_str());
    return;
  }
  const std::vector<gavel::ParsedSample> samples = Samples();
  for (const auto& s : samples) {
    if (!s.sample) {
      state.SkipWithError("a benchmark sample does not parse");
      return;
    }
  }
  const std::size_t batch = 1000;
  std::size_t imperfect = 0;
  for (auto _ : state) {
    std::size_t produced = 0;
    (*engine)->Run(
        [&](gavel::ParsedSample& out) {
          if (produced == batch) return false;
          const gavel::ParsedSample& from = samples[produced % samples.size()];
          ++produced;
          out.id = from.id;
          out.sample = from.sample;
          return true;
        },
        [&](gavel::Score&& score) { imperfect += std::abs(score.reward - kExpectedReward) > 1e-9 ? 1 : 0; });
  }
  if (imperfect != 0) state.SkipWithError("some samples did not score 0.8: the measurement would be meaningless");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}
BENCHMARK(BM_SupportReplyRubric)->Unit(benchmark::kMillisecond)->UseRealTime();

// The baseline: the same plugin work per sample, called from C++ on this thread.
void BM_SupportReplyDirect(benchmark::State& state) {
  gavel::language::TuneAllocatorForLanguageDetection();
  auto schema = gavel::schema::Schema::LoadFile(kSource / "schemas/support_reply.json", kSource);
  auto pack = gavel::safety::RulePack::LoadFiles(
      {kSource / "rubrics/rules/pii.json", kSource / "rubrics/rules/secrets.json",
       kSource / "rubrics/rules/injection.json", kSource / "rubrics/rules/unsafe.json"});
  auto band = gavel::text::LengthPenalty::Linear(20, 150, 60, 60);
  if (!schema || !pack || !band) {
    state.SkipWithError("the schema, the rule packs or the penalty did not load");
    return;
  }
  const std::vector<gavel::ParsedSample> samples = Samples();
  const std::size_t batch = 1000;
  double total = 0;
  std::size_t imperfect = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < batch; ++i) {
      const gavel::Sample& sample = *samples[i % samples.size()].sample;
      auto scan = (*pack)->Scan(sample.answer());
      auto extracted = gavel::schema::ExtractJson(sample.answer());
      const bool valid = extracted.ok() && (*schema)->IsValid(extracted.value);
      const std::string reply = extracted.ok() ? extracted.value.value("reply", "") : "";
      const auto same = gavel::language::Compare(reply, sample.prompt());
      auto words = gavel::text::CountWords(reply);
      const double length = words ? band->Score(static_cast<double>(*words)) : 0;
      const double reward = 0.3 * (valid ? 1 : 0) + 0.3 * (same.match ? 1 : 0) + 0.2 * length + 0.2;
      imperfect += (!scan || !scan->clean() || std::abs(reward - kExpectedReward) > 1e-9) ? 1 : 0;
      total += reward;
    }
  }
  benchmark::DoNotOptimize(total);
  if (imperfect != 0) state.SkipWithError("some samples did not score 0.8: the measurement would be meaningless");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}
BENCHMARK(BM_SupportReplyDirect)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
