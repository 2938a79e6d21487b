// String similarity between a model answer and a reference: normalised edit distance over code
// points, SQuAD-style token F1, sentence BLEU and ROUGE-L.  All functions are pure and thread-
// safe; the quadratic ones (edit distance, ROUGE-L's LCS) refuse inputs above a cell budget.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "gavel/status.h"

namespace gavel::text {

// Default budget for the quadratic algorithms: rows x columns of the dynamic-programming table,
// e.g. 5,000 x 5,000 code points (about 45 ms at the measured 1.7 ns per cell).  Over budget
// is kLimit.
inline constexpr std::size_t kDefaultMaxCells = 25'000'000;

enum class TokenStyle {
  // SQuAD answer normalisation: Unicode simple case folding; punctuation (Unicode P* and all ASCII
  // punctuation including $+<=>^`|~) deleted, not split on ("don't" -> "dont"); split on Unicode
  // White_Space; the English articles "a", "an", "the" dropped.  Unlike SQuAD's script, each CJK
  // character (ideograph, kana, Hangul syllable) is its own token, as in MLQA's evaluation.
  kSquad,
  // BLEU (close to sacreBLEU's 13a): case kept; split on White_Space; every punctuation or symbol
  // character is its own token, except '.' and ',' between digits ("3.5", "1,000"); CJK
  // characters are single tokens.
  kBleu,
  // ROUGE (close to rouge-score, but Unicode-aware): case folded; anything that is not a letter,
  // digit or combining mark separates tokens and is dropped; CJK characters are single tokens.
  kRouge,
};

// The tokens of text (invalid UTF-8 reads as U+FFFD).  Linear.
std::vector<std::string> Tokenize(std::string_view text, TokenStyle style);

struct EditDistanceResult {
  std::size_t distance = 0;  // Levenshtein distance (insert, delete, substitute cost 1)
  std::size_t length_a = 0;  // code points
  std::size_t length_b = 0;
  double normalized = 0;     // distance / max(length_a, length_b); 0 when both are empty
  double similarity = 1;     // 1 - normalized
};

// Levenshtein distance over code points (invalid UTF-8 reads as U+FFFD).  The common prefix and
// suffix are removed first (linear); the rest costs O(n*m) time and O(min(n, m)) memory, where n
// and m are the code points left.  Errors: kLimit if n*m > max_cells.
Result<EditDistanceResult> EditDistance(std::string_view a, std::string_view b,
                                        std::size_t max_cells = kDefaultMaxCells);

struct F1Result {
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  std::size_t common = 0;  // size of the multiset intersection of the token bags
  std::size_t prediction_tokens = 0;
  std::size_t reference_tokens = 0;
};

// SQuAD token F1 with TokenStyle::kSquad.  If either side has no tokens, all three scores are 1
// when both are empty and 0 otherwise (as in the SQuAD v2 script).  Linear (hashing).
F1Result TokenF1(std::string_view prediction, std::string_view reference);

struct BleuOptions {
  bool lowercase = false;  // fold case before matching (Unicode simple case folding)
};

struct BleuResult {
  double bleu = 0;  // in [0, 1]
  double brevity_penalty = 0;
  std::array<double, 4> precisions{};  // smoothed modified n-gram precisions, n = 1..4
  std::array<std::size_t, 4> matches{};  // clipped n-gram matches
  std::array<std::size_t, 4> totals{};   // hypothesis n-grams
  std::size_t hypothesis_length = 0;     // tokens
  std::size_t reference_length = 0;
  int order = 0;  // n-gram orders averaged: min(4, hypothesis_length)
};

// Sentence BLEU against one reference (Papineni et al. 2002), TokenStyle::kBleu tokens:
//   BLEU = BP * exp(mean over n = 1..order of log p_n)
//   BP = 1 if c > r else exp(1 - r / c)          (c, r = hypothesis, reference token counts)
// p_n is the clipped n-gram precision; a p_n with no match is smoothed with the "exp" method
// (Chen & Cherry 2014 method 3, sacreBLEU's sentence_bleu default): the k-th order with no match
// gets p_n = 1 / (2^k * total_n).  The effective order is min(4, c), so a short hypothesis is not
// zeroed by orders it cannot have.  Smoothing keeps unrelated sentences above 0 (four disjoint
// tokens score 0.08).  If either side has no tokens, BLEU is 0.  Linear (hashing).
BleuResult SentenceBleu(std::string_view hypothesis, std::string_view reference,
                        const BleuOptions& options = {});

struct RougeOptions {
  double beta = 1.0;  // F = (1 + beta^2) P R / (R + beta^2 P); beta > 1 favours recall
  std::size_t max_cells = kDefaultMaxCells;
};

struct RougeResult {
  double precision = 0;  // LCS / candidate tokens
  double recall = 0;     // LCS / reference tokens
  double f_measure = 0;
  std::size_t lcs = 0;   // longest common subsequence of tokens
  std::size_t candidate_tokens = 0;
  std::size_t reference_tokens = 0;
};

// ROUGE-L (Lin 2004) over TokenStyle::kRouge tokens; all scores are 0 if either side has no
// tokens.  O(n*m) time, O(min(n, m)) memory in tokens.  Errors: kBadRubric if beta is not
// finite and > 0; kLimit if n*m > max_cells.
Result<RougeResult> RougeL(std::string_view candidate, std::string_view reference,
                           const RougeOptions& options = {});

}  // namespace gavel::text
