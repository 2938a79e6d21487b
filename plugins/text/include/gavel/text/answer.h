// Final-answer checks for maths-style tasks: find the answer a response commits to (\boxed{},
// "#### 42", "The answer is ...", "Answer: ..."), parse it as a number where it is one, and
// compare it with a reference numerically (with tolerances) or as normalised text otherwise.
//
//   auto found = ExtractFinalAnswer(response);           // {"\\frac{3}{4}", AnswerForm::kBoxed}
//   auto cmp = CompareAnswers(found->text, "0.75");      // cmp->match, cmp->numeric
//
// All functions are pure and thread-safe.  Extraction and parsing are linear in the input.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gavel/status.h"

namespace gavel::text {

// Forms in priority order: the first form found anywhere in the response wins, and within a
// form the last occurrence wins (a response that corrects itself commits to its last answer).
enum class AnswerForm {
  kBoxed,        // \boxed{...} or \fbox{...}, nested braces balanced, \{ \} ignored; the box
                 // that closes last (so the outer one of nested boxes)
  kHashes,       // "#### 42": the rest of the line after a run of four or more '#'
  kFinalAnswer,  // "final answer: X", "Final Answer is X", "**Final answer**: X"
  kAnswerIs,     // "the answer is X", "my answer is: X"
  kAnswerColon,  // "Answer: X", "**Answer:** X"
};

std::string_view AnswerFormName(AnswerForm form);  // "boxed", "hashes", "final_answer", ...

struct ExtractedAnswer {
  std::string text;  // trimmed; phrase forms cut at the first ". " and lose a trailing '.'
  AnswerForm form;
};

// The final answer of a response, or nullopt when no form is present (an empty box, or a phrase
// followed by nothing, does not count).  Phrase forms take the rest of the line, or the next
// non-blank line when the phrase ends its line.  Phrases are matched case-insensitively.
// Invalid UTF-8 is replaced by U+FFFD first.
std::optional<ExtractedAnswer> ExtractFinalAnswer(std::string_view response);

struct ParsedNumber {
  double value;  // "50%" -> 50 with percent = true
  bool percent;
};

// Parses a maths answer as a number.  Accepted, after removing LaTeX spacing (\, \! \; {,})
// and up to 16 nested layers of surrounding $...$, \(...\), \[...\], **...**, \boxed{} /
// \text{} wrappers and trailing periods:
//   integers and decimals ("42", "-0.5", ".5", U+2212 minus), thousands separators in groups of
//   three ("1,234,567.8"; "1,5" is not a number), scientific notation ("1.5e-3",
//   "1.5 \times 10^{3}", "2×10^5"), fractions ("3/4", "\frac{3}{4}", "\dfrac34", "-\tfrac{1}{2}"),
//   a leading "x =" or "≈"/"approximately", currency signs before or after ($ € £ ¥ ₹, "\$"),
//   a trailing percent sign ("50%", "50\%"), and a trailing unit made of letters ("5 cm",
//   "12 km/h", "3 \text{ m}^2", "90°", "90^\circ").
// Not numbers: anything else left over ("5 + x", "2\sqrt{3}", "5\pi", mixed numbers "1 1/2"),
// a zero denominator, values outside the double range.  A bare single-letter unit must be
// separated by a space ("5 m" is 5, "5x" is not a number).
std::optional<ParsedNumber> ParseNumber(std::string_view text);

// How a percent sign on one side is read when comparing numbers.
enum class PercentMode {
  kEither,       // default: "50%" equals 50 and 0.5 (when both sides have '%', values compare)
  kIgnoreSign,   // '%' is a unit: "50%" equals 50 only
  kFraction,     // "50%" equals 0.5 only
};

struct AnswerCompareOptions {
  double abs_tol = 1e-6;  // numbers match if |a - b| <= max(abs_tol, rel_tol * max(|a|, |b|))
  double rel_tol = 1e-9;
  PercentMode percent = PercentMode::kEither;
};

struct AnswerComparison {
  bool match = false;
  bool numeric = false;  // both sides parsed as numbers and were compared as numbers
  // The forms compared: the parsed values when numeric, else the normalised strings.
  std::optional<double> got_value, want_value;
  std::string got_text, want_text;
};

// Compares an answer with a reference: numerically if both parse as numbers (ParseNumber),
// else as normalised text (NormaliseAnswerText).  Errors: kBadRubric if a tolerance is
// negative or not finite; kLimit if either side exceeds kMaxTextBytes.
Result<AnswerComparison> CompareAnswers(std::string_view got, std::string_view want,
                                        const AnswerCompareOptions& options = {});

// Text used when an answer is not a number: the same wrappers and LaTeX spacing as ParseNumber
// removed, \dfrac and \tfrac spelt \frac, \left and \right dropped, then NFKC, Unicode case
// folding, and all white space removed ("\text{New York}." -> "newyork", "x + 1" -> "x+1").
// Errors: kLimit if text exceeds kMaxTextBytes.
Result<std::string> NormaliseAnswerText(std::string_view text);

struct FinalAnswerCheck {
  std::optional<ExtractedAnswer> extracted;  // nullopt: no final answer found
  AnswerComparison comparison;               // meaningful only when extracted
  bool correct = false;                      // extracted and comparison.match
};

// ExtractFinalAnswer(response) compared with reference by CompareAnswers.  Errors as
// CompareAnswers (tolerances are validated even when no answer is found).
Result<FinalAnswerCheck> CheckFinalAnswer(std::string_view response, std::string_view reference,
                                          const AnswerCompareOptions& options = {});

}  // namespace gavel::text
