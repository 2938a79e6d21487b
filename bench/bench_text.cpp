// gavel.text benchmarks on ~2 KB answers: length units, answer extraction and comparison,
// matching and the similarity metrics, plus the ways of getting an ICU word break iterator
// (create per call, clone per call, reuse a per-thread clone: what CountWords does).
#include <benchmark/benchmark.h>
#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include <memory>
#include <string>

#include "gavel/text/answer.h"
#include "gavel/text/length.h"
#include "gavel/text/match.h"
#include "gavel/text/similarity.h"

namespace {

using namespace gavel::text;

// A worked maths answer of about 2 KB, with the final answer at the very end.
std::string MathsAnswer(int variant, std::string_view ending) {
  std::string s;
  int step = 1;
  while (s.size() < 2000) {
    s += "Step " + std::to_string(step) + ": the shop sells " +
         std::to_string(12 + step * variant) + " boxes of pencils, each holding " +
         std::to_string(24 + step) + " pencils, so the running total is now " +
         std::to_string(step * 288 + variant) + " pencils. ";
    ++step;
  }
  s += ending;
  return s;
}

const std::string& Answer() {
  static const std::string s = MathsAnswer(1, "The final answer is $\\boxed{1,234}$.");
  return s;
}
const std::string& Reference() {
  static const std::string s = MathsAnswer(2, "So the answer is 1234.");
  return s;
}
const std::string& Chinese() {
  static const std::string s = [] {
    std::string t;
    // 商店卖出了十二盒铅笔，每盒有二十四支。 (about 57 bytes)
    while (t.size() < 2000) {
      t += "\xE5\x95\x86\xE5\xBA\x97\xE5\x8D\x96\xE5\x87\xBA\xE4\xBA\x86\xE5\x8D\x81\xE4\xBA\x8C"
           "\xE7\x9B\x92\xE9\x93\x85\xE7\xAC\x94\xEF\xBC\x8C\xE6\xAF\x8F\xE7\x9B\x92\xE6\x9C\x89"
           "\xE4\xBA\x8C\xE5\x8D\x81\xE5\x9B\x9B\xE6\x94\xAF\xE3\x80\x82";
    }
    return t;
  }();
  return s;
}

void SetBytes(benchmark::State& state, std::size_t bytes) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
}

// ---- length

void BM_CountCodePoints(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(CountCodePoints(Answer()));
  SetBytes(state, Answer().size());
}
BENCHMARK(BM_CountCodePoints);

void BM_CountGraphemes(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(*CountGraphemes(Answer()));
  SetBytes(state, Answer().size());
}
BENCHMARK(BM_CountGraphemes);

void BM_CountWords(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(*CountWords(Answer()));
  SetBytes(state, Answer().size());
}
BENCHMARK(BM_CountWords);

void BM_CountWords_Chinese(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(*CountWords(Chinese()));
  SetBytes(state, Chinese().size());
}
BENCHMARK(BM_CountWords_Chinese);

void BM_CountWords_Short(benchmark::State& state) {
  const std::string text = "The answer is 42 apples.";
  for (auto _ : state) benchmark::DoNotOptimize(*CountWords(text));
}
BENCHMARK(BM_CountWords_Short);

void BM_ApproxTokenCount(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ApproxTokenCount(Answer()));
  SetBytes(state, Answer().size());
}
BENCHMARK(BM_ApproxTokenCount);

// ---- ways to get an ICU word break iterator, on a short text where setup dominates

std::size_t CountWith(icu::BreakIterator& bi, const std::string& text) {
  UErrorCode status = U_ZERO_ERROR;
  UText ut = UTEXT_INITIALIZER;
  utext_openUTF8(&ut, text.data(), static_cast<int64_t>(text.size()), &status);
  bi.setText(&ut, status);
  utext_close(&ut);
  std::size_t n = 0;
  bi.first();
  for (int32_t e = bi.next(); e != icu::BreakIterator::DONE; e = bi.next()) {
    if (bi.getRuleStatus() >= UBRK_WORD_NONE_LIMIT) ++n;
  }
  return n;
}

void BM_WordIterator_CreatePerCall(benchmark::State& state) {
  const std::string text = "The answer is 42 apples.";
  for (auto _ : state) {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> bi(
        icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
    benchmark::DoNotOptimize(CountWith(*bi, text));
  }
}
BENCHMARK(BM_WordIterator_CreatePerCall);

void BM_WordIterator_ClonePerCall(benchmark::State& state) {
  const std::string text = "The answer is 42 apples.";
  UErrorCode status = U_ZERO_ERROR;
  const std::unique_ptr<icu::BreakIterator> proto(
      icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  for (auto _ : state) {
    std::unique_ptr<icu::BreakIterator> bi(proto->clone());
    benchmark::DoNotOptimize(CountWith(*bi, text));
  }
}
BENCHMARK(BM_WordIterator_ClonePerCall);

void BM_WordIterator_Reuse(benchmark::State& state) {
  const std::string text = "The answer is 42 apples.";
  UErrorCode status = U_ZERO_ERROR;
  const std::unique_ptr<icu::BreakIterator> bi(
      icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  for (auto _ : state) benchmark::DoNotOptimize(CountWith(*bi, text));
}
BENCHMARK(BM_WordIterator_Reuse);

// ---- answers

void BM_ExtractFinalAnswer_Boxed(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ExtractFinalAnswer(Answer()));
  SetBytes(state, Answer().size());
}
BENCHMARK(BM_ExtractFinalAnswer_Boxed);

void BM_ExtractFinalAnswer_Phrase(benchmark::State& state) {
  // No box and no ####: every phrase regex runs over the whole text.
  for (auto _ : state) benchmark::DoNotOptimize(ExtractFinalAnswer(Reference()));
  SetBytes(state, Reference().size());
}
BENCHMARK(BM_ExtractFinalAnswer_Phrase);

void BM_ParseNumber(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ParseNumber("$\\dfrac{1,234}{5}$"));
}
BENCHMARK(BM_ParseNumber);

void BM_CompareAnswers_Numeric(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(CompareAnswers("1,234.0", "1234"));
}
BENCHMARK(BM_CompareAnswers_Numeric);

void BM_CompareAnswers_Text(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(CompareAnswers("\\text{New York}.", "new york"));
}
BENCHMARK(BM_CompareAnswers_Text);

void BM_CheckFinalAnswer(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(CheckFinalAnswer(Answer(), "1234"));
  SetBytes(state, Answer().size());
}
BENCHMARK(BM_CheckFinalAnswer);

// ---- matching

void BM_Match(benchmark::State& state, MatchKind kind, const char* pattern, FoldOptions options) {
  const auto m = Matcher::Compile(kind, pattern, options);
  for (auto _ : state) benchmark::DoNotOptimize(*m->Matches(Answer()));
  SetBytes(state, Answer().size());
}
BENCHMARK_CAPTURE(BM_Match, contains, MatchKind::kContains, "final answer", FoldOptions{});
BENCHMARK_CAPTURE(BM_Match, contains_casefold_ws, MatchKind::kContains, "FINAL  ANSWER",
                  FoldOptions{.case_fold = true, .whitespace = true});
BENCHMARK_CAPTURE(BM_Match, contains_nfkc_casefold_ws, MatchKind::kContains, "FINAL ANSWER",
                  FoldOptions{true, true, Normalization::kNfkc});
BENCHMARK_CAPTURE(BM_Match, regex, MatchKind::kRegex, R"(answer is \$?\\boxed\{[\d,]+\})",
                  FoldOptions{});
BENCHMARK_CAPTURE(BM_Match, regex_casefold, MatchKind::kRegex, R"(ANSWER IS \$?\\BOXED\{[\d,]+\})",
                  FoldOptions{.case_fold = true});

// ---- similarity (answer vs a different 2 KB reference)

void BM_EditDistance(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(EditDistance(Answer(), Reference()));
  state.counters["cells"] = static_cast<double>(Answer().size() * Reference().size());
}
BENCHMARK(BM_EditDistance)->Unit(benchmark::kMillisecond);

void BM_TokenF1(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(TokenF1(Answer(), Reference()));
}
BENCHMARK(BM_TokenF1)->Unit(benchmark::kMicrosecond);

void BM_SentenceBleu(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(SentenceBleu(Answer(), Reference()));
}
BENCHMARK(BM_SentenceBleu)->Unit(benchmark::kMicrosecond);

void BM_RougeL(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(RougeL(Answer(), Reference()));
}
BENCHMARK(BM_RougeL)->Unit(benchmark::kMicrosecond);

// ---- one 6 MB answer, to show the linear paths stay linear

const std::string& Huge() {
  static const std::string s = [] {
    std::string t;
    while (t.size() < 6'000'000) t += Answer();
    return t;
  }();
  return s;
}

void BM_Huge_CountWords(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(*CountWords(Huge()));
  SetBytes(state, Huge().size());
}
BENCHMARK(BM_Huge_CountWords)->Unit(benchmark::kMillisecond);

void BM_Huge_ExtractFinalAnswer(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ExtractFinalAnswer(Huge()));
  SetBytes(state, Huge().size());
}
BENCHMARK(BM_Huge_ExtractFinalAnswer)->Unit(benchmark::kMillisecond);

}  // namespace
