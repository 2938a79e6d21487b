#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "gavel/text/answer.h"
#include "huge_text.h"

using namespace gavel::text;
using gavel::ErrorKind;

namespace {

// "text|form" of the extracted answer, or "none".
std::string Extract(std::string_view response) {
  const auto a = ExtractFinalAnswer(response);
  if (!a) return "none";
  return a->text + "|" + std::string(AnswerFormName(a->form));
}

// The parsed value (with a trailing % when the sign was there), or "none".
std::string Parse(std::string_view text) {
  const auto n = ParseNumber(text);
  if (!n) return "none";
  std::string s = std::to_string(n->value);
  return n->percent ? s + "%" : s;
}

std::string Num(double v) { return std::to_string(v); }

bool Same(std::string_view got, std::string_view want, AnswerCompareOptions o = {}) {
  const auto r = CompareAnswers(got, want, o);
  REQUIRE(r.ok());
  return r->match;
}

}  // namespace

TEST_CASE("Extract: boxed answers with nested braces, the box closing last wins", "[answer]") {
  CHECK(Extract("So the result is \\boxed{42}.") == "42|boxed");
  CHECK(Extract("$\\boxed{\\frac{1}{2}}$") == "\\frac{1}{2}|boxed");
  CHECK(Extract("First \\boxed{1}, no wait: \\boxed{2}") == "2|boxed");
  CHECK(Extract("\\boxed{1} and then an unclosed \\boxed{2") == "1|boxed");
  CHECK(Extract("\\boxed{\\{1, 2\\}}") == "\\{1, 2\\}|boxed");  // escaped braces do not nest
  CHECK(Extract("\\boxed{3} \\boxed{  }") == "3|boxed");         // an empty box is skipped
  CHECK(Extract("\\boxed {7}") == "7|boxed");
  CHECK(Extract("\\fbox{8}") == "8|boxed");
  CHECK(Extract("\\boxed{\\boxed{9}}") == "\\boxed{9}|boxed");  // the outer box closes last
  CHECK(Extract("} stray } braces { \\boxed{x^{2}}") == "x^{2}|boxed");
}

TEST_CASE("Extract: GSM8K #### lines", "[answer]") {
  CHECK(Extract("Natalia sold 48 clips.\n#### 72") == "72|hashes");
  CHECK(Extract("#### 1,234\n") == "1,234|hashes");
  CHECK(Extract("#### 1\n#### 2") == "2|hashes");
  CHECK(Extract("##### 5") == "5|hashes");
  CHECK(Extract("## heading\nno answer") == "none");
  CHECK(Extract("#### 6\n####   \n") == "6|hashes");  // a bare marker at the end is skipped
}

TEST_CASE("Extract: answer phrases, case-insensitive, last occurrence", "[answer]") {
  CHECK(Extract("The final answer is 7.") == "7|final_answer");
  CHECK(Extract("**Final Answer:** $\\frac{3}{4}$") == "$\\frac{3}{4}$|final_answer");
  CHECK(Extract("**Final answer**: 12") == "12|final_answer");
  CHECK(Extract("Therefore, the answer is 12 apples. Done.") == "12 apples|answer_is");
  CHECK(Extract("The answer is 3.5.") == "3.5|answer_is");
  CHECK(Extract("Answer: Paris") == "Paris|answer_colon");
  CHECK(Extract("ANSWER:\n\n   42\nthanks") == "42|answer_colon");
  CHECK(Extract("Answer: 1\nActually, Answer: 2") == "2|answer_colon");
  CHECK(Extract("the answer is 4 but the answer is: 5") == "5|answer_is");
  CHECK(Extract("Answer: 5\nAnswer:") == "5|answer_colon");  // nothing after the last one
}

TEST_CASE("Extract: forms in priority order", "[answer]") {
  CHECK(Extract("The answer is 5. \\boxed{6}") == "6|boxed");
  CHECK(Extract("\\boxed{6}\nThe answer is 5.") == "6|boxed");
  CHECK(Extract("#### 3\nThe answer is 4") == "3|hashes");
  CHECK(Extract("Final answer: 1. The answer is 2. Answer: 3") == "1|final_answer");
}

TEST_CASE("Extract: nothing found", "[answer]") {
  CHECK(Extract("") == "none");
  CHECK(Extract("I think it is 42") == "none");
  CHECK(Extract("Answer:") == "none");
  CHECK(Extract("Answer:   \n  \n") == "none");
  CHECK(Extract("\\boxed{}") == "none");
  CHECK(Extract("the answers are many") == "none");
}

TEST_CASE("Extract: invalid UTF-8 becomes U+FFFD", "[answer][utf8]") {
  CHECK(Extract("\\boxed{4\xFF}") == "4\xEF\xBF\xBD|boxed");
  CHECK(Extract("Answer: \xC3") == "\xEF\xBF\xBD|answer_colon");
}

TEST_CASE("Extract is linear on adversarial 6 MB responses", "[answer][huge]") {
  std::string unclosed;
  while (unclosed.size() < 6'000'000) unclosed += "\\boxed{";
  CHECK(Extract(unclosed + "\\boxed{9}") == "9|boxed");
  CHECK(Extract(unclosed) == "none");
  std::string nested;
  for (int i = 0; i < 500'000; ++i) nested += "\\boxed{";
  const auto outer = ExtractFinalAnswer(nested + "1" + std::string(500'000, '}'));
  REQUIRE(outer);
  // All but the outer box: 499,999 openers of 7 bytes, the 1, and 499,999 closers.
  CHECK(outer->text.size() == 499'999 * 7 + 1 + 499'999);
  std::string opens(6'000'000, '{');
  CHECK(Extract(opens + "\\boxed{1}") == "1|boxed");
  std::string answers;
  while (answers.size() < 6'000'000) answers += "answer: ";
  CHECK(Extract(answers + "5") == "5|answer_colon");
  std::string hashes(6'000'000, '#');
  CHECK(Extract(hashes) == "none");
  std::string blank_answers;
  while (blank_answers.size() < 6'000'000) blank_answers += "Answer:\n";
  CHECK(Extract(blank_answers) == "Answer:|answer_colon");  // the line after an empty one
}

TEST_CASE("ParseNumber: integers, decimals, signs, thousands separators", "[answer][number]") {
  CHECK(Parse("42") == Num(42));
  CHECK(Parse("-3.5") == Num(-3.5));
  CHECK(Parse("+7") == Num(7));
  CHECK(Parse(".5") == Num(0.5));
  CHECK(Parse("\xE2\x88\x92" "5") == Num(-5));  // U+2212 MINUS SIGN
  CHECK(Parse("1,234,567.89") == Num(1234567.89));
  CHECK(Parse("1{,}000") == Num(1000));  // LaTeX thousands separator
  CHECK(Parse("1\\,000") == Num(1000));  // LaTeX thin space
  CHECK(Parse("1,5") == "none");         // not a thousands separator: ambiguous
  CHECK(Parse("1234,567") == "none");
  CHECK(Parse("12,34") == "none");
  CHECK(Parse("1,234,56") == "none");
  CHECK(Parse("") == "none");
  CHECK(Parse("abc") == "none");
  CHECK(Parse("-") == "none");
}

TEST_CASE("ParseNumber: wrappers, trailing periods, prefixes", "[answer][number]") {
  CHECK(Parse("$42$") == Num(42));
  CHECK(Parse("\\(42\\)") == Num(42));
  CHECK(Parse("\\[ 42 \\]") == Num(42));
  CHECK(Parse("$$42$$") == Num(42));
  CHECK(Parse("\\boxed{42}") == Num(42));
  CHECK(Parse("\\text{42}") == Num(42));
  CHECK(Parse("42.") == Num(42));
  CHECK(Parse("**42**.") == Num(42));
  CHECK(Parse("x = 5") == Num(5));
  CHECK(Parse("n_1=5") == Num(5));
  CHECK(Parse("\\approx 3.14") == Num(3.14));
  CHECK(Parse("approximately 3.14") == Num(3.14));
  CHECK(Parse("5 = x") == "none");
}

TEST_CASE("ParseNumber: up to 16 nested wrappers, Unicode white space is trimmed",
          "[answer][number]") {
  auto nest = [](int layers) {
    std::string s;
    for (int i = 0; i < layers; ++i) s += "\\text{";
    s += "5";
    for (int i = 0; i < layers; ++i) s += "}";
    return s;
  };
  CHECK(Parse(nest(16)) == Num(5));
  CHECK(Parse(nest(17)) == "none");
  CHECK(Parse("$\\boxed{\\text{42}}$.") == Num(42));
  CHECK(Parse("\xC2\xA0" "42\xE3\x80\x80") == Num(42));  // NBSP 42 IDEOGRAPHIC SPACE
}

TEST_CASE("ParseNumber and CompareAnswers stay linear on 6 MB of nested wrappers",
          "[answer][number][huge]") {
  std::string nested;
  for (int i = 0; i < 500'000; ++i) nested += "\\text{";
  nested += "5";
  nested += std::string(500'000, '}');
  CHECK(Parse(nested) == "none");
  const std::string dollars = std::string(3'000'000, '$') + "5" + std::string(3'000'000, '$');
  CHECK(Parse(dollars) == "none");
  const std::string spaces = std::string(3'000'000, ' ') + "5" + std::string(3'000'000, ' ');
  CHECK(Parse(spaces) == Num(5));
  const auto r = CompareAnswers(nested, nested);
  REQUIRE(r.ok());
  CHECK(r->match);
  CHECK_FALSE(r->numeric);
}

TEST_CASE("ParseNumber: fractions", "[answer][number]") {
  CHECK(Parse("3/4") == Num(0.75));
  CHECK(Parse("3 / 4") == Num(0.75));
  CHECK(Parse("\\frac{3}{4}") == Num(0.75));
  CHECK(Parse("\\dfrac{3}{4}") == Num(0.75));
  CHECK(Parse("\\tfrac34") == Num(0.75));
  CHECK(Parse("-\\frac{1}{2}") == Num(-0.5));
  CHECK(Parse("\\frac{-1}{2}") == Num(-0.5));
  CHECK(Parse("$\\frac{1}{8}$") == Num(0.125));
  CHECK(Parse("1/0") == "none");
  CHECK(Parse("\\frac{1}{0}") == "none");
  CHECK(Parse("\\frac{\\pi}{2}") == "none");
  CHECK(Parse("\\frac{1}") == "none");
  CHECK(Parse("3/x") == "none");
  CHECK(Parse("1 1/2") == "none");  // mixed numbers are not parsed
}

TEST_CASE("ParseNumber: scientific notation", "[answer][number]") {
  CHECK(Parse("1.5e3") == Num(1500));
  CHECK(Parse("2.5E-2") == Num(0.025));
  CHECK(Parse("1.5 \\times 10^{3}") == Num(1500));
  CHECK(Parse("3\\times10^-2") == Num(0.03));
  CHECK(Parse("2\xC3\x97" "10^5") == Num(200000));  // 2×10^5
  CHECK(Parse("6.02 \\cdot 10^{23}") == Num(6.02e23));
  CHECK(Parse("3 \\times 4") == "none");  // an expression
  CHECK(Parse("1e400") == "none");        // outside the double range
  CHECK(Parse("1e") == "none");           // a lone 'e' glued to the number is a variable
  CHECK(Parse("2 \\times 10^{1234567}") == "none");
}

TEST_CASE("ParseNumber: percentages, currency and units", "[answer][number]") {
  CHECK(Parse("50%") == Num(50) + "%");
  CHECK(Parse("50\\%") == Num(50) + "%");
  CHECK(Parse("12.5 %") == Num(12.5) + "%");
  CHECK(Parse("$1,234.50") == Num(1234.5));
  CHECK(Parse("\\$5") == Num(5));
  CHECK(Parse("-$5") == Num(-5));
  CHECK(Parse("$-5") == Num(-5));
  CHECK(Parse("5\xE2\x82\xAC") == Num(5));         // 5€
  CHECK(Parse("\xC2\xA3" "3.50") == Num(3.5));     // £3.50
  CHECK(Parse("5 cm") == Num(5));
  CHECK(Parse("12 km/h") == Num(12));
  CHECK(Parse("3 \\text{ m}^2") == Num(3));
  CHECK(Parse("9.8 m/s^{2}") == Num(9.8));
  CHECK(Parse("90\xC2\xB0") == Num(90));           // 90°
  CHECK(Parse("90^\\circ") == Num(90));
  CHECK(Parse("5 apples") == Num(5));
  CHECK(Parse("7 dollars.") == Num(7));
  CHECK(Parse("5 m") == Num(5));
  CHECK(Parse("5x") == "none");
  CHECK(Parse("5 + x") == "none");
  CHECK(Parse("2\\sqrt{3}") == "none");
  CHECK(Parse("5\\pi") == "none");
  CHECK(Parse("5 apples and 3 pears") == "none");
  CHECK(Parse("(1, 2)") == "none");
}

TEST_CASE("CompareAnswers: numbers with tolerances", "[answer][compare]") {
  CHECK(Same("0.5", "1/2"));
  CHECK(Same("\\frac{3}{4}", "0.75"));
  CHECK(Same("1,234", "1234"));
  CHECK(Same("$1,234.00", "1234"));
  CHECK(Same("The 72.", "72") == false);  // not a number, and different text
  // Defaults: abs 1e-6, rel 1e-9.
  CHECK(Same("0.3333333", "1/3"));                // |diff| = 3.3e-8 <= 1e-6
  CHECK_FALSE(Same("0.333", "1/3"));              // 3.3e-4
  CHECK_FALSE(Same("1234567", "1234568"));        // 1 > max(1e-6, 1.2e-3)
  CHECK(Same("3.14", "3.14159", {.abs_tol = 0.01}));
  CHECK(Same("100", "100.9", {.abs_tol = 0, .rel_tol = 0.01}));  // 0.9 <= 1.009
  CHECK_FALSE(Same("100", "102", {.abs_tol = 0, .rel_tol = 0.01}));  // 2 > 1.02
  CHECK(Same("0", "-0"));
  CHECK(Same("0", "0", {.abs_tol = 0, .rel_tol = 0}));
  const auto r = CompareAnswers("1/2", "0.5");
  REQUIRE(r.ok());
  CHECK(r->numeric);
  CHECK(*r->got_value == Approx(0.5));
  CHECK(*r->want_value == Approx(0.5));
}

TEST_CASE("CompareAnswers: percentages", "[answer][compare]") {
  CHECK(Same("50%", "0.5"));
  CHECK(Same("50%", "50"));
  CHECK(Same("0.5", "50%"));
  CHECK(Same("50%", "50\\%"));
  CHECK_FALSE(Same("50%", "0.5%"));  // both have the sign: values compare
  CHECK_FALSE(Same("50%", "0.5", {.percent = PercentMode::kIgnoreSign}));
  CHECK(Same("50%", "50", {.percent = PercentMode::kIgnoreSign}));
  CHECK(Same("50%", "0.5", {.percent = PercentMode::kFraction}));
  CHECK_FALSE(Same("50%", "50", {.percent = PercentMode::kFraction}));
}

TEST_CASE("CompareAnswers: non-numeric answers compare as normalised text", "[answer][compare]") {
  CHECK(Same("\\text{Paris}.", "paris"));
  CHECK(Same("New York", "new  york"));
  CHECK(Same("x + 1", "x+1"));
  CHECK(Same("\\dfrac{\\pi}{2}", "\\frac{\\pi}{2}"));
  CHECK(Same("\\left( 1, 2 \\right)", "(1,2)"));
  CHECK(Same("\xEF\xBD\x98", "X"));  // fullwidth x under NFKC and case folding
  CHECK_FALSE(Same("Paris", "London"));
  CHECK_FALSE(Same("\\leftarrow", "arrow"));  // \left is only dropped before a non-letter
  const auto r = CompareAnswers("5", "five");
  REQUIRE(r.ok());
  CHECK_FALSE(r->numeric);
  CHECK_FALSE(r->match);
  CHECK(r->got_text == "5");
  CHECK(r->want_text == "five");
}

TEST_CASE("CompareAnswers validates tolerances", "[answer][compare]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const AnswerCompareOptions& o :
       {AnswerCompareOptions{.abs_tol = -1}, AnswerCompareOptions{.abs_tol = inf},
        AnswerCompareOptions{.rel_tol = nan}, AnswerCompareOptions{.rel_tol = -1e-9}}) {
    const auto r = CompareAnswers("1", "1", o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind() == ErrorKind::kBadRubric);
    CHECK_THAT(r.error().message(), Catch::Contains("must be finite and >= 0"));
  }
}

TEST_CASE("NormaliseAnswerText", "[answer]") {
  CHECK(*NormaliseAnswerText("\\text{New York}.") == "newyork");
  CHECK(*NormaliseAnswerText("  $A \\cup B$ ") == "a\\cupb");
  CHECK(*NormaliseAnswerText("caf\xC3\xA9\xFF") == "caf\xC3\xA9\xEF\xBF\xBD");
  const HugeText huge;
  const auto r = NormaliseAnswerText(huge.view());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind() == ErrorKind::kLimit);
  const auto cmp = CompareAnswers("x", huge.view());
  REQUIRE_FALSE(cmp.ok());
  CHECK(cmp.error().kind() == ErrorKind::kLimit);
  CHECK_THAT(cmp.error().message(), Catch::Contains("comparing a reference"));
  const auto cmp_got = CompareAnswers(huge.view(), "1");
  REQUIRE_FALSE(cmp_got.ok());
  CHECK(cmp_got.error().kind() == ErrorKind::kLimit);
  CHECK_THAT(cmp_got.error().message(), Catch::Contains("comparing an answer"));
}

TEST_CASE("CheckFinalAnswer extracts then compares", "[answer]") {
  const auto ok = CheckFinalAnswer("She has 3 + 4 = 7 apples.\n#### 7", "7");
  REQUIRE(ok.ok());
  REQUIRE(ok->extracted);
  CHECK(ok->extracted->form == AnswerForm::kHashes);
  CHECK(ok->correct);
  CHECK(ok->comparison.numeric);

  const auto wrong = CheckFinalAnswer("The answer is \\boxed{\\frac{2}{3}}", "0.75");
  REQUIRE(wrong.ok());
  CHECK_FALSE(wrong->correct);

  const auto none = CheckFinalAnswer("I do not know", "7");
  REQUIRE(none.ok());
  CHECK_FALSE(none->extracted);
  CHECK_FALSE(none->correct);

  const auto bad = CheckFinalAnswer("I do not know", "7", {.abs_tol = -1});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind() == ErrorKind::kBadRubric);

  const HugeText huge;
  const auto limit = CheckFinalAnswer("Answer: Paris", huge.view());
  REQUIRE_FALSE(limit.ok());
  CHECK(limit.error().kind() == ErrorKind::kLimit);
}

TEST_CASE("Answer form names", "[answer]") {
  CHECK(AnswerFormName(AnswerForm::kBoxed) == "boxed");
  CHECK(AnswerFormName(AnswerForm::kHashes) == "hashes");
  CHECK(AnswerFormName(AnswerForm::kFinalAnswer) == "final_answer");
  CHECK(AnswerFormName(AnswerForm::kAnswerIs) == "answer_is");
  CHECK(AnswerFormName(AnswerForm::kAnswerColon) == "answer_colon");
}
