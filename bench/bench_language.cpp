// gavel.language: Detect on ~2 KB model answers and single sentences, by CLD2 (Latin,
// Cyrillic) and by the script rule (Japanese, Greek), before and after
// TuneAllocatorForLanguageDetection().
//
// Untuned figures depend on the heap's history: whether the blocks CLD2 frees end up at the
// top of the heap, where glibc trims them, depends on what was allocated before (measured:
// one sentence took 29 us of CPU in a fresh process, 5 us after the 2 KB workloads). Each
// Untuned workload therefore refuses to run after any other workload in the same process;
// run them one per process, then the Tuned ones:
//   for w in cld2_latin_2kb cld2_cyrillic_2kb cld2_sentence script_japanese_2kb
//            script_greek_2kb script_sentence   (one line)
//   do gavel_bench_language --benchmark_filter="^Untuned/$w/"; done
//   gavel_bench_language --benchmark_filter=^Tuned/
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "gavel/language/detect.h"

namespace {

using gavel::language::Detect;
using gavel::language::Detection;

std::atomic<bool> g_tuned{false};
// The first workload measured in this process ("<mode>/<lang>/<bytes>"); set by thread 0.
std::string g_first_workload;  // NOLINT: benchmark-wide state

// The test sentences of one language joined into an answer of at least `bytes` bytes,
// in paragraphs of three sentences.
std::string Answer(const std::string& lang, std::size_t bytes) {
  std::ifstream in(GAVEL_LANGUAGE_SENTENCES);
  std::vector<std::string> sentences;
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t tab = line.find('\t');
    if (tab != std::string::npos && line.compare(0, tab, lang) == 0) {
      sentences.push_back(line.substr(tab + 1));
    }
  }
  if (sentences.empty()) std::abort();
  std::string answer;
  for (std::size_t i = 0; answer.size() < bytes; ++i) {
    answer += sentences[i % sentences.size()];
    answer += (i % 3 == 2) ? "\n\n" : " ";
  }
  return answer;
}

const std::string& CachedAnswer(const std::string& lang, std::size_t bytes) {
  static const std::map<std::string, std::string> answers = [] {
    std::map<std::string, std::string> m;
    for (const char* l : {"de", "ru", "ja", "el"}) m[l] = Answer(l, 2048);
    m["de-short"] = Answer("de", 1);  // one sentence, 80 bytes
    m["ja-short"] = Answer("ja", 1);  // one sentence, 115 bytes
    return m;
  }();
  return answers.at(bytes == 1 ? lang + "-short" : lang);
}

void RunDetect(benchmark::State& state, const std::string& text, const char* expected) {
  if (!gavel::language::Cld2FullTablesInUse()) {
    state.SkipWithError("CLD2's full tables are not linked in");
    return;
  }
  const Detection check = Detect(text);
  if (check.language != expected) {
    state.SkipWithError(("detected " + check.language + ", expected " + expected).c_str());
    return;
  }
  for (auto _ : state) {
    Detection d = Detect(text);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.counters["script_rule"] =
      benchmark::Counter(check.method == "script" ? 1 : 0, benchmark::Counter::kAvgThreads);
}

// True when this Untuned workload is the first one measured in the process (its thread
// variants and repetitions may follow each other).
bool FirstWorkload(const benchmark::State& state, const char* lang, std::size_t bytes) {
  const std::string workload = std::string("Untuned/") + lang + "/" + std::to_string(bytes);
  if (state.thread_index() == 0 && g_first_workload.empty()) g_first_workload = workload;
  return g_first_workload == workload;
}

void Untuned(benchmark::State& state, const char* lang, std::size_t bytes, const char* expected) {
  if (g_tuned.load() || !FirstWorkload(state, lang, bytes)) {
    state.SkipWithError("another workload ran first in this process; run each Untuned "
                        "workload in its own process (see bench_language.cpp)");
    return;
  }
  RunDetect(state, CachedAnswer(lang, bytes), expected);
}

void Tuned(benchmark::State& state, const char* lang, std::size_t bytes, const char* expected) {
  if (state.thread_index() == 0 && g_first_workload.empty()) g_first_workload = "Tuned";
  if (state.thread_index() == 0 && !g_tuned.exchange(true)) {
    // Under AddressSanitizer mallopt is refused; this benchmark is meant for Release builds.
    if (!gavel::language::TuneAllocatorForLanguageDetection()) {
      state.SkipWithError("mallopt refused the allocator settings");
      return;
    }
  }
  RunDetect(state, CachedAnswer(lang, bytes), expected);
}

}  // namespace

// name, language of the answer, answer size (1 = one sentence), expected detection
#define GAVEL_LANGUAGE_BENCH(mode, name, lang, bytes, expected)                            \
  BENCHMARK_CAPTURE(mode, name, lang, bytes, expected)->Threads(1)->UseRealTime();           \
  BENCHMARK_CAPTURE(mode, name, lang, bytes, expected)->Threads(2)->UseRealTime();

GAVEL_LANGUAGE_BENCH(Untuned, cld2_latin_2kb, "de", 2048, "de")
GAVEL_LANGUAGE_BENCH(Untuned, cld2_cyrillic_2kb, "ru", 2048, "ru")
GAVEL_LANGUAGE_BENCH(Untuned, cld2_sentence, "de", 1, "de")
GAVEL_LANGUAGE_BENCH(Untuned, script_japanese_2kb, "ja", 2048, "ja")
GAVEL_LANGUAGE_BENCH(Untuned, script_greek_2kb, "el", 2048, "el")
GAVEL_LANGUAGE_BENCH(Untuned, script_sentence, "ja", 1, "ja")

GAVEL_LANGUAGE_BENCH(Tuned, cld2_latin_2kb, "de", 2048, "de")
GAVEL_LANGUAGE_BENCH(Tuned, cld2_cyrillic_2kb, "ru", 2048, "ru")
GAVEL_LANGUAGE_BENCH(Tuned, cld2_sentence, "de", 1, "de")
GAVEL_LANGUAGE_BENCH(Tuned, script_japanese_2kb, "ja", 2048, "ja")
GAVEL_LANGUAGE_BENCH(Tuned, script_greek_2kb, "el", 2048, "el")
GAVEL_LANGUAGE_BENCH(Tuned, script_sentence, "ja", 1, "ja")
