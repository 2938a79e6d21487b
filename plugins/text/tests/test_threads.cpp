// Thread-safety: several threads share compiled matchers and the per-thread break iterators and
// must get the single-threaded answers.  (Run under -fsanitize=thread to check for races too.)
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gavel/text/answer.h"
#include "gavel/text/length.h"
#include "gavel/text/match.h"
#include "gavel/text/similarity.h"

using namespace gavel::text;

TEST_CASE("Functions and shared matchers give the same results on many threads", "[threads]") {
  const std::vector<std::string> inputs = {
      "The answer is 42.",
      "\xE6\x88\x91\xE7\x88\xB1\xE5\x8C\x97\xE4\xBA\xAC",
      "Final answer: \\boxed{\\frac{3}{4}} apples and pears",
      "e\xCC\x81 \xF0\x9F\x87\xAB\xF0\x9F\x87\xB7 caf\xC3\xA9 \xFF",
  };
  const auto regex = Matcher::Compile(MatchKind::kRegex, R"(answer\W+\S+)", {.case_fold = true});
  const auto contains =
      Matcher::Compile(MatchKind::kContains, "ANSWER", {.case_fold = true, .whitespace = true});
  REQUIRE(regex.ok());
  REQUIRE(contains.ok());

  struct Expected {
    std::size_t words, graphemes;
    bool regex, contains;
    std::string answer;
    double bleu;
  };
  auto compute = [&](const std::string& s) {
    const auto answer = ExtractFinalAnswer(s);
    return Expected{*CountWords(s),        *CountGraphemes(s),
                    *regex->Matches(s),    *contains->Matches(s),
                    answer ? answer->text : "", SentenceBleu(s, inputs[0]).bleu};
  };
  std::vector<Expected> expected;
  for (const std::string& s : inputs) expected.push_back(compute(s));

  constexpr int kThreads = 4;
  constexpr int kRounds = 200;
  std::atomic<int> mismatches{0};
  std::atomic<int> runs{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        const std::size_t i = static_cast<std::size_t>(t + round) % inputs.size();
        const Expected got = compute(inputs[i]);
        const Expected& want = expected[i];
        if (got.words != want.words || got.graphemes != want.graphemes ||
            got.regex != want.regex || got.contains != want.contains ||
            got.answer != want.answer || got.bleu != want.bleu) {
          ++mismatches;
        }
        ++runs;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  CHECK(runs == kThreads * kRounds);
  CHECK(mismatches == 0);
  // The expectations themselves are right (not just consistent).
  CHECK(expected[1].words == 3);
  CHECK(expected[2].answer == "\\frac{3}{4}");
  CHECK(expected[0].regex);
}
