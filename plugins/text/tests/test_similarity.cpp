#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <unicode/uchar.h>

#include "gavel/text/similarity.h"

using namespace gavel::text;
using gavel::ErrorKind;
using Tokens = std::vector<std::string>;

TEST_CASE("Tokenize: SQuAD style", "[similarity][tokenize]") {
  // Lower-cased; ' $ , ! deleted (not split on); articles dropped.
  CHECK(Tokenize("The cat's hat, a $5 item!", TokenStyle::kSquad) ==
        Tokens{"cats", "hat", "5", "item"});
  CHECK(Tokenize("well-known AN apple", TokenStyle::kSquad) == Tokens{"wellknown", "apple"});
  CHECK(Tokenize("  ", TokenStyle::kSquad).empty());
  // CJK characters are single tokens: 北京大学
  const std::string beijing_university = "\xE5\x8C\x97\xE4\xBA\xAC\xE5\xA4\xA7\xE5\xAD\xA6";
  CHECK(Tokenize(beijing_university, TokenStyle::kSquad).size() == 4);
}

TEST_CASE("Tokenize: BLEU style", "[similarity][tokenize]") {
  CHECK(Tokenize("Hello, world! It costs 3.50 dollars.", TokenStyle::kBleu) ==
        Tokens{"Hello", ",", "world", "!", "It", "costs", "3.50", "dollars", "."});
  CHECK(Tokenize("1,000 + 2 = x", TokenStyle::kBleu) == Tokens{"1,000", "+", "2", "=", "x"});
  CHECK(Tokenize("end.", TokenStyle::kBleu) == Tokens{"end", "."});
}

TEST_CASE("Tokenize: ROUGE style", "[similarity][tokenize]") {
  CHECK(Tokenize("Hello, World! It's", TokenStyle::kRouge) == Tokens{"hello", "world", "it", "s"});
  // Combining marks stay in the word; invalid UTF-8 (U+FFFD, a symbol) separates.
  CHECK(Tokenize("cafe\xCC\x81 au\xFFlait", TokenStyle::kRouge) ==
        Tokens{"cafe\xCC\x81", "au", "lait"});
}

TEST_CASE("EditDistance: hand-checked examples", "[similarity][edit]") {
  // kitten -> sitting: k->s, e->i, insert g: 3 edits; normalised by max(6, 7).
  auto r = EditDistance("kitten", "sitting");
  REQUIRE(r.ok());
  CHECK(r->distance == 3);
  CHECK(r->length_a == 6);
  CHECK(r->length_b == 7);
  CHECK(r->normalized == Approx(3.0 / 7));
  CHECK(r->similarity == Approx(4.0 / 7));
  // flaw -> lawn: delete f, insert n.
  CHECK(EditDistance("flaw", "lawn")->distance == 2);
  // Code points, not bytes: café vs cafe is one substitution (é is two bytes).
  r = EditDistance("caf\xC3\xA9", "cafe");
  REQUIRE(r.ok());
  CHECK(r->distance == 1);
  CHECK(r->length_a == 4);
  // 日本 -> 日本語: one insertion.
  const std::string nihon = "\xE6\x97\xA5\xE6\x9C\xAC";
  CHECK(EditDistance(nihon, nihon + "\xE8\xAA\x9E")->distance == 1);
}

TEST_CASE("EditDistance: empty and invalid inputs", "[similarity][edit][utf8]") {
  auto r = EditDistance("", "");
  REQUIRE(r.ok());
  CHECK(r->distance == 0);
  CHECK(r->normalized == 0);
  CHECK(r->similarity == 1);
  r = EditDistance("", "abc");
  REQUIRE(r.ok());
  CHECK(r->distance == 3);
  CHECK(r->normalized == 1);
  // Both bad bytes read as U+FFFD, so they are equal.
  CHECK(EditDistance("\xFF", "\xFE")->distance == 0);
  CHECK(EditDistance("a\xFF", "a\xEF\xBF\xBD")->distance == 0);
}

TEST_CASE("EditDistance: the cell budget", "[similarity][edit][limit]") {
  // 6,000 x 6,000 = 36e6 cells > 25e6.
  auto r = EditDistance(std::string(6000, 'a'), std::string(6000, 'b'));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind() == ErrorKind::kLimit);
  CHECK_THAT(r.error().message(),
             Catch::Contains("6000 x 6000 code points exceeds the budget of 25000000 cells"));
  // kitten/sitting share no prefix or suffix: 6 x 7 = 42 cells.
  CHECK(EditDistance("kitten", "sitting", 42).ok());
  r = EditDistance("kitten", "sitting", 41);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind() == ErrorKind::kLimit);
  // Common prefixes and suffixes cost nothing: 6 MB strings differing in one place are cheap.
  const std::string big(3'000'000, 'x');
  r = EditDistance(big + "a" + big, big + "b" + big);
  REQUIRE(r.ok());
  CHECK(r->distance == 1);
  r = EditDistance(big, big + "yz");
  REQUIRE(r.ok());
  CHECK(r->distance == 2);
}

TEST_CASE("TokenF1: SQuAD F1 by hand", "[similarity][f1]") {
  // pred tokens: cat sat on mat  (the x2 dropped, '.' deleted)
  // ref tokens:  cat is sitting on mat  (a x2 dropped)
  // common = {cat, on, mat} = 3; P = 3/4, R = 3/5, F1 = 2 * 0.75 * 0.6 / 1.35 = 2/3.
  const F1Result r = TokenF1("The cat sat on the mat.", "A cat is sitting on a mat");
  CHECK(r.common == 3);
  CHECK(r.prediction_tokens == 4);
  CHECK(r.reference_tokens == 5);
  CHECK(r.precision == Approx(0.75));
  CHECK(r.recall == Approx(0.6));
  CHECK(r.f1 == Approx(2.0 / 3));
  // Bags are clipped: pred {cat x3}, ref {cat}: common 1, P = 1/3, R = 1, F1 = 0.5.
  CHECK(TokenF1("cat cat cat", "cat").f1 == Approx(0.5));
  CHECK(TokenF1("Paris!", "paris").f1 == 1);
  CHECK(TokenF1("London", "Paris").f1 == 0);
}

TEST_CASE("TokenF1: empty sides", "[similarity][f1]") {
  CHECK(TokenF1("", "").f1 == 1);
  CHECK(TokenF1("the", "a").f1 == 1);  // both normalise to nothing
  CHECK(TokenF1("", "Paris").f1 == 0);
  CHECK(TokenF1("Paris", "...").f1 == 0);
}

TEST_CASE("SentenceBleu: the cat example by hand", "[similarity][bleu]") {
  // hyp: the cat sat on the mat / ref: the cat is on the mat (6 tokens each, BP = 1)
  // p1 = 5/6 (the x2, cat, on, mat)        p2 = 3/5 (the cat, on the, the mat)
  // p3 = 1/4 (on the mat)                  p4 = 0/3 -> exp smoothing: 1 / (2 * 3) = 1/6
  // BLEU = (5/6 * 3/5 * 1/4 * 1/6)^(1/4) = (1/48)^(1/4) = 0.379918
  const BleuResult r = SentenceBleu("the cat sat on the mat", "the cat is on the mat");
  CHECK(r.matches == std::array<std::size_t, 4>{5, 3, 1, 0});
  CHECK(r.totals == std::array<std::size_t, 4>{6, 5, 4, 3});
  CHECK(r.precisions[3] == Approx(1.0 / 6));
  CHECK(r.brevity_penalty == 1);
  CHECK(r.order == 4);
  CHECK(r.bleu == Approx(0.379918).epsilon(1e-5));
}

TEST_CASE("SentenceBleu: clipping, brevity, smoothing, order", "[similarity][bleu]") {
  // Clipping: hyp "the the the the", ref "the cat": p1 = 1/4 (clipped at 1);
  // p2, p3, p4 have no match: 1/(2*3), 1/(4*2), 1/(8*1); c = 4 > r = 2 so BP = 1.
  // BLEU = (1/4 * 1/6 * 1/8 * 1/8)^(1/4) = (1/1536)^(1/4) = 0.159736
  BleuResult r = SentenceBleu("the the the the", "the cat");
  CHECK(r.matches[0] == 1);
  CHECK(r.bleu == Approx(0.159736).epsilon(1e-5));
  // Disjoint: (1/(2*4) * 1/(4*3) * 1/(8*2) * 1/(16*1))^(1/4) = (1/24576)^(1/4) = 0.079868
  CHECK(SentenceBleu("a b c d", "e f g h").bleu == Approx(0.079868).epsilon(1e-5));
  // Effective order 1 for a one-token hypothesis; BP = exp(1 - 3/1) = 0.135335.
  r = SentenceBleu("cat", "the cat sat");
  CHECK(r.order == 1);
  CHECK(r.brevity_penalty == Approx(std::exp(-2.0)));
  CHECK(r.bleu == Approx(std::exp(-2.0)));
  CHECK(SentenceBleu("the cat sat on the mat", "the cat sat on the mat").bleu == Approx(1.0));
}

TEST_CASE("SentenceBleu: case and empty sides", "[similarity][bleu]") {
  CHECK(SentenceBleu("The Cat", "the cat").matches[0] == 0);
  CHECK(SentenceBleu("The Cat", "the cat", {.lowercase = true}).bleu == Approx(1.0));
  CHECK(SentenceBleu("", "the cat").bleu == 0);
  CHECK(SentenceBleu("the cat", "").bleu == 0);
  CHECK(SentenceBleu("", "").bleu == 0);
}

TEST_CASE("RougeL: Lin's examples by hand", "[similarity][rouge]") {
  // ref: police killed the gunman
  // cand 1: police kill the gunman  -> LCS "police the gunman" = 3; P = R = F = 3/4
  auto r = RougeL("police kill the gunman", "police killed the gunman");
  REQUIRE(r.ok());
  CHECK(r->lcs == 3);
  CHECK(r->precision == Approx(0.75));
  CHECK(r->recall == Approx(0.75));
  CHECK(r->f_measure == Approx(0.75));
  // cand 2: the gunman kill police  -> LCS "the gunman" = 2; F = 1/2
  r = RougeL("the gunman kill police", "police killed the gunman");
  REQUIRE(r.ok());
  CHECK(r->lcs == 2);
  CHECK(r->f_measure == Approx(0.5));
  // beta = 2 with P = 3/3, R = 3/4: F = 5 * 1 * 0.75 / (0.75 + 4 * 1) = 3.75 / 4.75
  r = RougeL("Police, the gunman!", "police killed the gunman", {.beta = 2});
  REQUIRE(r.ok());
  CHECK(r->precision == 1);
  CHECK(r->recall == Approx(0.75));
  CHECK(r->f_measure == Approx(3.75 / 4.75));
}

TEST_CASE("RougeL: empty sides and no overlap", "[similarity][rouge]") {
  CHECK(RougeL("", "a b")->f_measure == 0);
  CHECK(RougeL("a b", "")->f_measure == 0);
  CHECK(RougeL("a b", "c d")->f_measure == 0);
  CHECK(RougeL("a b", "c d")->lcs == 0);
}

TEST_CASE("RougeL: beta and budget are checked", "[similarity][rouge][limit]") {
  for (const double beta : {0.0, -1.0, std::numeric_limits<double>::quiet_NaN(),
                            std::numeric_limits<double>::infinity()}) {
    const auto r = RougeL("a", "a", {.beta = beta});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind() == ErrorKind::kBadRubric);
    CHECK_THAT(r.error().message(), Catch::Contains("beta must be finite and > 0"));
  }
  std::string words;
  for (int i = 0; i < 6000; ++i) words.append("w").append(std::to_string(i)).append(" ");
  const auto big = RougeL(words, words);  // 6,000 x 6,000 tokens
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().kind() == ErrorKind::kLimit);
  CHECK_THAT(big.error().message(), Catch::Contains("6000 x 6000 tokens"));
  CHECK(RougeL("a b c", "a b", {.max_cells = 6}).ok());
  const auto small = RougeL("a b c", "a b", {.max_cells = 5});
  REQUIRE_FALSE(small.ok());
  CHECK(small.error().kind() == ErrorKind::kLimit);
}

TEST_CASE("Linear metrics handle 6 MB answers", "[similarity][huge]") {
  std::string big;
  for (int i = 0; i < 600'000; ++i) big.append("w").append(std::to_string(i % 5000)).append(" ");
  REQUIRE(big.size() > 3'000'000);
  const F1Result f1 = TokenF1(big, big);
  CHECK(f1.f1 == Approx(1.0));
  const BleuResult bleu = SentenceBleu(big, big);
  CHECK(bleu.bleu == Approx(1.0));
}

TEST_CASE("Tokenize: the ASCII fast path agrees with the Unicode properties",
          "[similarity][tokenize]") {
  // Every ASCII character between two letters, classified with ICU's own property functions.
  for (int i = 0; i < 128; ++i) {
    const auto c = static_cast<char>(i);
    const std::string text = std::string("x") + c + "y";
    const bool space = u_isUWhiteSpace(i);
    const bool punct = u_ispunct(i);
    const bool symbol = (U_GET_GC_MASK(i) & U_GC_S_MASK) != 0;
    const bool alnum = u_isalnum(i);
    const auto folded = static_cast<char>(u_foldCase(i, U_FOLD_CASE_DEFAULT));
    const std::string joined = std::string("x") + folded + "y";
    INFO("character " << i);
    const Tokens split{"x", "y"};
    // SQuAD deletes Python's string.punctuation, which is exactly ASCII P* and S*.
    CHECK(Tokenize(text, TokenStyle::kSquad) ==
          (space ? split : (punct || symbol) ? Tokens{"xy"} : Tokens{joined}));
    CHECK(Tokenize(text, TokenStyle::kRouge) == (alnum ? Tokens{joined} : split));
    CHECK(Tokenize(text, TokenStyle::kBleu) ==
          (space ? split
                 : (punct || symbol) ? Tokens{"x", std::string(1, c), "y"} : Tokens{text}));
  }
}
