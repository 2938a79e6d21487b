// The Lua module `gavel.text`, end to end through the engine: lengths, penalties, matchers,
// literal matching, final-answer checks and similarity metrics called from rubrics.
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "gavel/text/module.h"
#include "test_support.h"

namespace {

using gavel::Json;
using gavel::Score;
using gavel::testing::ErrorText;
using gavel::testing::MakeSample;
using gavel::testing::Scorer;

// A rubric with `gavel.text` loaded: `prelude` runs at load (line 2 on), then check `c` runs
// `body` as the body of function(s).
std::string Rubric(const std::string& body, const std::string& prelude = "") {
  return "local text = require 'gavel.text'\n" + prelude +
         "\nreturn rubric { checks = { check { name = 'c', fn = function(s)\n" + body + "\nend } } }\n";
}

// A scorer with gavel.text registered.
class Run {
 public:
  explicit Run(const std::string& source, unsigned threads = 1) {
    REQUIRE(registry_.Add(gavel::text::MakeModule()));
    scorer_ = std::make_unique<Scorer>(source, threads, &registry_);
  }
  bool ok() const { return scorer_->ok(); }
  const std::string& load_error() const { return scorer_->load_error; }
  Score Answer(const std::string& answer, const std::string& extra = "") { return scorer_->Answer(answer, extra); }
  Scorer& scorer() { return *scorer_; }

 private:
  gavel::PluginRegistry registry_;
  std::unique_ptr<Scorer> scorer_;
};

// Scores one sample and returns the detail of check `c`, failing the test if the sample failed.
Json Detail(const std::string& body, const std::string& prelude = "", const std::string& answer = "x",
            const std::string& extra = "") {
  Run run(Rubric(body, prelude));
  INFO(run.load_error());
  REQUIRE(run.ok());
  const Score s = run.Answer(answer, extra);
  INFO(ErrorText(s));
  REQUIRE_FALSE(s.neutral);
  return s.details["c"];
}

// The error of a sample whose check raises, checked to be a failed sample of the given kind.
std::string StepError(const std::string& body, const std::string& prelude = "",
                      gavel::ErrorKind kind = gavel::ErrorKind::kBadRubric) {
  Run run(Rubric(body, prelude));
  INFO(run.load_error());
  REQUIRE(run.ok());
  const Score s = run.Answer("x");
  CHECK(s.neutral);
  REQUIRE(s.errors.size() == 1);
  CHECK(s.errors[0].kind == kind);
  return s.errors[0].message;
}

// The load error of a rubric whose prelude fails.
std::string LoadError(const std::string& prelude) {
  Run run(Rubric("return true", prelude));
  CHECK_FALSE(run.ok());
  return run.load_error();
}

}  // namespace

TEST_CASE("text.length counts bytes, code points, graphemes, words and tokens", "[text_module]") {
  // "Hello, wörld! 👍🏽": 23 bytes, 16 code points, 15 graphemes (the emoji and its skin tone
  // are one), 2 words, ceil(23 / 4) = 6 tokens.
  const Json d = Detail(R"(
    local v = 'Hello, w\u{F6}rld! \u{1F44D}\u{1F3FD}'
    return true, {
      bytes = text.length(v, 'bytes'), chars = text.length(v, 'chars'), default = text.length(v),
      graphemes = text.length(v, 'graphemes'), words = text.length(v, 'words'),
      tokens = text.length(v, 'tokens'),
      c = text.chars(v), g = text.graphemes(v), w = text.words(v), t = text.tokens(v),
      cjk_words = text.words('\u{6211}\u{7231}\u{5317}\u{4EAC}'), cjk_tokens = text.tokens('\u{6211}\u{7231}'),
      invalid = text.chars('a\xFF\xFEb'), empty = text.words(''),
      integer = math.type(text.chars(v)) })");
  CHECK(d == Json::parse(R"({"bytes": 23, "chars": 16, "default": 16, "graphemes": 15, "words": 2,
                             "tokens": 6, "c": 16, "g": 15, "w": 2, "t": 6, "cjk_words": 3,
                             "cjk_tokens": 2, "invalid": 4, "empty": 0, "integer": "integer"})"));
}

TEST_CASE("text.length: bad arguments are per-sample rubric errors", "[text_module]") {
  CHECK_THAT(StepError("return text.length(s.answer, 'lines')"),
             Catch::Contains("bad argument #2 to 'length' (invalid option 'lines')") && Catch::Contains("rubric.lua:4:"));
  CHECK_THAT(StepError("return text.words({})"), Catch::Contains("bad argument #1 to 'words' (string expected, got table)"));
  CHECK_THAT(StepError("return text.chars()"), Catch::Contains("bad argument #1 to 'chars' (string expected, got no value)"));
  // A number is not text: every plugin refuses it where it reads text (gavel/lua_support.h).
  CHECK_THAT(StepError("return text.length(12345)"), Catch::Contains("bad argument #1 to 'length' (string expected, got number)"));
  CHECK_THAT(StepError("return text.contains(s.answer, 4)"),
             Catch::Contains("bad argument #2 to 'contains' (string expected, got number)"));
}

TEST_CASE("text.penalty scores lengths with hard, linear and gaussian bands", "[text_module]") {
  const Json d = Detail(R"(
    local v, n = hard:score('one two three')
    local v1, n1 = hard:score('one')
    return true, {
      hard = { v, n }, hard_short = { v1, n1 }, hard_edge = hard:score_length(4),
      upper = upper:score(string.rep('x', 12)), upper15 = upper:score_length(15),
      upper_in = upper:score_length(0), upper_far = upper:score_length(100),
      lower = lower:score_length(4),
      sides_lo = sides:score_length(7.5), sides_hi = sides:score_length(25),
      gauss_lo = gauss:score_length(8), gauss_hi = gauss:score_length(14), gauss_in = gauss:score_length(10),
      nan = gauss:score_length(0/0), bytes = { bytes:score('\u{E9}\u{E9}') } })",
                        R"(
    hard = text.penalty { min = 2, max = 4, shape = 'hard', unit = 'words' }
    upper = text.penalty { max = 10, margin = 10 }  -- chars, linear by default
    lower = text.penalty { min = 5 }                 -- no margin: a hard lower bound
    sides = text.penalty { min = 10, max = 20, margin = 1, below = 5, above = 10 }
    gauss = text.penalty { min = 10, max = 10, shape = 'gaussian', scale = 2, above = 4 }
    bytes = text.penalty { max = 2, margin = 4, unit = 'bytes' })");
  CHECK(d["hard"] == Json::parse("[1, 3]"));
  CHECK(d["hard_short"] == Json::parse("[0, 1]"));
  CHECK(d["hard_edge"] == 1);
  CHECK(d["upper"].get<double>() == Approx(0.8));
  CHECK(d["upper15"].get<double>() == Approx(0.5));
  CHECK(d["upper_in"] == 1);
  CHECK(d["upper_far"] == 0);
  CHECK(d["lower"] == 0);
  CHECK(d["sides_lo"].get<double>() == Approx(0.5));  // 2.5 below, margin 5
  CHECK(d["sides_hi"].get<double>() == Approx(0.5));  // 5 above, margin 10
  CHECK(d["gauss_lo"].get<double>() == Approx(std::exp(-0.5)));
  CHECK(d["gauss_hi"].get<double>() == Approx(std::exp(-0.5)));
  CHECK(d["gauss_in"] == 1);
  CHECK(d["nan"] == 0);
  CHECK(d["bytes"][0].get<double>() == Approx(0.5));  // 4 bytes, 2 over, margin 4
  CHECK(d["bytes"][1] == 4);
}

TEST_CASE("text.penalty: bad options fail the load", "[text_module]") {
  const std::pair<std::string, std::string> cases[] = {
      {"text.penalty { max = 10, maxx = 3 }",
       "text.penalty: unknown option 'maxx' (options: unit, min, max, shape, margin, scale, below, above)"},
      {"text.penalty { max = '10' }", "text.penalty: option 'max' must be a number (got string)"},
      {"text.penalty { max = 10, shape = 'cubic' }",
       "text.penalty: option 'shape' must be one of \"hard\", \"linear\", \"gaussian\" (got \"cubic\")"},
      {"text.penalty { max = 10, unit = 'lines' }",
       "text.penalty: option 'unit' must be one of \"bytes\", \"chars\", \"graphemes\", \"words\", \"tokens\" (got \"lines\")"},
      {"text.penalty { shape = 'hard' }", "text.penalty: give 'min', 'max' or both"},
      {"text.penalty { max = 10, shape = 'gaussian', margin = 3 }", "text.penalty: option 'margin' needs shape \"linear\""},
      {"text.penalty { max = 10, scale = 3 }", "text.penalty: option 'scale' needs shape \"gaussian\""},
      {"text.penalty { max = 10, shape = 'hard', below = 3 }",
       "text.penalty: options 'below' and 'above' need shape \"linear\" or \"gaussian\""},
      {"text.penalty { min = 10, max = 5 }", "text.penalty: linear length penalty: min (10) is greater than max (5)"},
      {"text.penalty { max = 10, margin = -1 }",
       "text.penalty: linear length penalty: margin below min must be finite and >= 0, got -1"},
      {"text.penalty { max = 10, shape = 'gaussian', above = 1/0 }",
       "text.penalty: gaussian length penalty: scale above max must be finite and >= 0"},
      {"text.penalty { max = 0/0 }", "text.penalty: linear length penalty: max is NaN"},
      {"text.penalty { [1] = 10 }", "text.penalty: option names must be strings (got number)"},
      {"text.penalty(10)", "bad argument #1 to 'penalty' (table expected, got number)"},
  };
  for (const auto& [prelude, message] : cases) {
    INFO(prelude);
    CHECK_THAT(LoadError("local p = " + prelude), Catch::Contains(message) && Catch::Contains("rubric.lua:2:"));
  }
}

TEST_CASE("text.penalty and text.matcher are refused inside a step", "[text_module]") {
  CHECK_THAT(StepError("return text.penalty { max = 3 }:score_length(1)"),
             Catch::Contains("text.penalty compiles once, when the rubric loads"));
  CHECK_THAT(StepError("return text.matcher { kind = 'contains', pattern = 'a' }:matches(s.answer)"),
             Catch::Contains("text.matcher compiles once, when the rubric loads"));
}

TEST_CASE("penalty and matcher methods check their arguments per sample", "[text_module]") {
  const std::string prelude =
      "local band = text.penalty { max = 3 }\nlocal m = text.matcher { kind = 'contains', pattern = 'a' }";
  CHECK_THAT(StepError("return band:score({})", prelude),
             Catch::Contains("bad argument #1 to 'score' (string expected, got table)"));
  CHECK_THAT(StepError("return band:score_length('many')", prelude),
             Catch::Contains("bad argument #1 to 'score_length' (number expected, got string)"));
  CHECK_THAT(StepError("return band.score('abc')", prelude),
             Catch::Contains("bad argument #1 to 'score' (gavel.text.penalty expected, got string)"));
  CHECK_THAT(StepError("return m:matches(nil)", prelude),
             Catch::Contains("bad argument #1 to 'matches' (string expected, got nil)"));
  CHECK_THAT(StepError("return m.matches(band, 'a')", prelude),
             Catch::Contains("bad argument #1 to 'matches' (gavel.text.matcher expected, got gavel.text.penalty)"));
}

TEST_CASE("text.matcher matches every kind with folding and normalisation", "[text_module]") {
  const Json d = Detail(R"(
    return true, {
      exact = { exact:matches('Yes'), exact:matches('yes'), exact:matches('Yes ') },
      folded = { folded:matches('  yES '), folded:matches('y es') },
      contains = { contains:matches('So the FINAL   answer is'), contains:matches('final-answer') },
      spaced = { spaced:matches('So the FINAL \n\t answer is') },
      starts = { starts:matches('Answer: 4'), starts:matches('The Answer: 4') },
      ends = { ends:matches('All Done.'), ends:matches('Done. ') },
      regex = { regex:matches('12 APPLES'), regex:matches('about 12 apples'), regex:matches('12 apples\n') },
      nfkc = { nfkc:matches('a \u{FB01}ne day'), nfkc:matches('a fine day') },
      raw = { raw:matches('a \u{FB01}ne day') },
      nfc = { nfc:matches('caf\u{E9}'), nfc:matches('cafe\u{301}') },
    })",
                        R"(
    exact = text.matcher { kind = 'exact', pattern = 'Yes' }
    folded = text.matcher { kind = 'exact', pattern = 'Yes', case_fold = true, whitespace = true }
    contains = text.matcher { kind = 'contains', pattern = 'final answer', case_fold = true }
    spaced = text.matcher { kind = 'contains', pattern = 'final answer', case_fold = true, whitespace = true }
    starts = text.matcher { kind = 'starts_with', pattern = 'Answer:' }
    ends = text.matcher { kind = 'ends_with', pattern = 'Done.' }
    regex = text.matcher { kind = 'regex', pattern = '^\\d+ apples$', case_fold = true }
    nfkc = text.matcher { kind = 'contains', pattern = 'fine', normalize = 'nfkc' }
    raw = text.matcher { kind = 'contains', pattern = 'fine', normalize = 'none' }
    nfc = text.matcher { kind = 'exact', pattern = 'cafe\u{301}', normalize = 'nfc' })");
  CHECK(d["exact"] == Json::parse("[true, false, false]"));
  CHECK(d["folded"] == Json::parse("[true, false]"));
  CHECK(d["contains"] == Json::parse("[false, false]"));  // no whitespace folding: three spaces
  CHECK(d["spaced"] == Json::parse("[true]"));
  CHECK(d["starts"] == Json::parse("[true, false]"));
  CHECK(d["ends"] == Json::parse("[true, false]"));
  CHECK(d["regex"] == Json::parse("[true, false, false]"));
  CHECK(d["nfkc"] == Json::parse("[true, true]"));
  CHECK(d["raw"] == Json::parse("[false]"));
  CHECK(d["nfc"] == Json::parse("[true, true]"));
}

TEST_CASE("text.matcher: bad options and regexes fail the load", "[text_module]") {
  const std::pair<std::string, std::string> cases[] = {
      {"text.matcher { kind = 'regex', pattern = '(' }", "text.matcher: invalid regex \"(\": missing )"},
      {"text.matcher { kind = 'regex', pattern = 'a{2,1}' }", "text.matcher: invalid regex \"a{2,1}\": invalid repetition size: {2,1}"},
      {"text.matcher { pattern = 'a' }", "text.matcher: option 'kind' is required"},
      {"text.matcher { kind = 'contains' }", "text.matcher: option 'pattern' is required"},
      {"text.matcher { kind = 'fuzzy', pattern = 'a' }",
       "text.matcher: option 'kind' must be one of \"exact\", \"contains\", \"starts_with\", \"ends_with\", \"regex\" (got \"fuzzy\")"},
      {"text.matcher { kind = 'contains', pattern = 'a', casefold = true }",
       "text.matcher: unknown option 'casefold' (options: kind, pattern, case_fold, whitespace, normalize)"},
      {"text.matcher { kind = 'contains', pattern = 'a', case_fold = 1 }",
       "text.matcher: option 'case_fold' must be a boolean (got number)"},
      {"text.matcher { kind = 'contains', pattern = 'a', whitespace = 'yes' }",
       "text.matcher: option 'whitespace' must be a boolean (got string)"},
      {"text.matcher { kind = 'contains', pattern = 'a', normalize = 'nfd' }",
       "text.matcher: option 'normalize' must be one of \"none\", \"nfc\", \"nfkc\" (got \"nfd\")"},
      {"text.matcher { kind = 'contains', pattern = 5 }", "text.matcher: option 'pattern' must be a string (got number)"},
      {"text.matcher('a')", "bad argument #1 to 'matcher' (table expected, got string)"},
  };
  for (const auto& [prelude, message] : cases) {
    INFO(prelude);
    CHECK_THAT(LoadError("local m = " + prelude), Catch::Contains(message) && Catch::Contains("rubric.lua:2:"));
  }
}

TEST_CASE("text.matcher objects are shared by workers matching at once", "[text_module]") {
  Run run(Rubric("return m:matches(s.answer) and 1 or 0",
                 "local m = text.matcher { kind = 'regex', pattern = '#### -?\\\\d+$' }\n"
                 "local same = text.matcher { kind = 'regex', pattern = '#### -?\\\\d+$' }"),
          4);
  REQUIRE(run.ok());
  std::vector<gavel::ParsedSample> batch;
  for (int i = 0; i < 200; ++i) {
    batch.push_back(MakeSample(std::to_string(i), i % 3 ? "so #### " + std::to_string(i) : "no answer"));
  }
  const auto scores = run.scorer().engine().ScoreBatch(std::move(batch));
  for (std::size_t i = 0; i < scores.size(); ++i) {
    INFO(i << ErrorText(scores[i]));
    CHECK(scores[i].reward == (i % 3 ? 1 : 0));
  }
}

TEST_CASE("literal matching and folding are available per sample", "[text_module]") {
  const Json d = Detail(R"(
    return true, {
      exact = { text.exact('Yes', 'Yes'), text.exact('yes', 'Yes'), text.exact(' yes ', 'Yes', { case_fold = true, whitespace = true }) },
      contains = { text.contains('The Final Answer', 'final answer', { case_fold = true }), text.contains('abc', 'd'), text.contains('abc', '') },
      starts = { text.starts_with('Answer: 4', 'answer', { case_fold = true }), text.starts_with('Answer: 4', 'answer') },
      ends = { text.ends_with('done.', 'Done.'), text.ends_with('\u{FB01}', 'fi', { normalize = 'nfkc' }) },
      fold = { text.fold('Stra\u{DF}e  X ', { case_fold = true, whitespace = true }), text.fold('\u{FB01}', { normalize = 'nfkc' }),
               text.fold('a  B'), text.fold('e\u{301}', { normalize = 'nfc' }) == '\u{E9}', text.fold('a\xFF') == 'a\u{FFFD}' },
    })");
  CHECK(d["exact"] == Json::parse("[true, false, true]"));
  CHECK(d["contains"] == Json::parse("[true, false, true]"));
  CHECK(d["starts"] == Json::parse("[true, false]"));
  CHECK(d["ends"] == Json::parse("[false, true]"));
  CHECK(d["fold"] == Json::parse(R"(["strasse x", "fi", "a  B", true, true])"));
}

TEST_CASE("literal matching: bad folds and arguments are per-sample rubric errors", "[text_module]") {
  CHECK_THAT(StepError("return text.contains('a', 'b', { casefold = true })"),
             Catch::Contains("text.contains: unknown option 'casefold' (options: case_fold, whitespace, normalize)"));
  CHECK_THAT(StepError("return text.exact('a', 'b', { case_fold = 'yes' })"),
             Catch::Contains("text.exact: option 'case_fold' must be a boolean (got string)"));
  CHECK_THAT(StepError("return text.fold('a', { normalize = 'nfd' }) == 'a'"),
             Catch::Contains("text.fold: option 'normalize' must be one of \"none\", \"nfc\", \"nfkc\" (got \"nfd\")"));
  CHECK_THAT(StepError("return text.ends_with('a', 'b', true)"),
             Catch::Contains("text.ends_with: options must be a table (got boolean)"));
  CHECK_THAT(StepError("return text.starts_with(nil, 'a')"),
             Catch::Contains("bad argument #1 to 'starts_with' (string expected, got nil)"));
  CHECK_THAT(StepError("return text.contains('a')"),
             Catch::Contains("bad argument #2 to 'contains' (string expected, got no value)"));
}

TEST_CASE("text.final_answer and text.parse_number", "[text_module]") {
  const Json d = Detail(R"(
    local a, f = text.final_answer('So \\boxed{\\frac{1}{2}}.')
    local h, hf = text.final_answer('work...\n#### 72')
    local p, pf = text.final_answer('The answer is Paris. Obviously.')
    local none = { text.final_answer('I am not sure.') }
    local n1, pc1 = text.parse_number('\\frac{3}{4}')
    local n2, pc2 = text.parse_number('50%')
    return true, { boxed = { a, f }, hashes = { h, hf }, phrase = { p, pf }, none = #none, nil_first = none[1] == nil,
                   n1 = { n1, pc1 }, n2 = { n2, pc2 }, n3 = text.parse_number('five') == nil, n4 = text.parse_number('$1,234.5') })");
  CHECK(d["boxed"] == Json::parse(R"(["\\frac{1}{2}", "boxed"])"));
  CHECK(d["hashes"] == Json::parse(R"(["72", "hashes"])"));
  CHECK(d["phrase"] == Json::parse(R"(["Paris", "answer_is"])"));
  CHECK(d["none"] == 0);  // a lone nil
  CHECK(d["nil_first"] == true);
  CHECK(d["n1"] == Json::parse("[0.75, false]"));
  CHECK(d["n2"] == Json::parse("[50, true]"));
  CHECK(d["n3"] == true);
  CHECK(d["n4"] == 1234.5);
}

TEST_CASE("text.compare_answers compares numbers with tolerances, or normalised text", "[text_module]") {
  const Json d = Detail(R"(
    local function both(...) local m, info = text.compare_answers(...) return { m, info } end
    return true, {
      half = both('1/2', 0.5),
      paris = both('Paris', '\\text{paris}.'),
      loose = both('3.14', '3.14159', { abs_tol = 0.01 }),
      strict = both('3.14', '3.14159'),
      rel = both('100', '100.9', { abs_tol = 0, rel_tol = 0.01 }),
      pct_either = both('50%', 0.5, { percent = 'either' }),
      pct_ignore = both('50%', 0.5, { percent = 'ignore' }),
      pct_fraction = both('50%', 0.5, { percent = 'fraction' }),
      int = both(42, '42'),
      float = both('0.1', 0.1),
      big = both('1e+20', 1e20),
      third = both('0.1', 1/3),
    })");
  CHECK(d["half"] == Json::parse(R"([true, {"numeric": true, "got_value": 0.5, "want_value": 0.5}])"));
  CHECK(d["paris"] == Json::parse(R"([true, {"numeric": false, "got": "paris", "want": "paris"}])"));
  CHECK(d["loose"][0] == true);
  CHECK(d["strict"][0] == false);
  CHECK(d["rel"][0] == true);
  CHECK(d["pct_either"][0] == true);
  CHECK(d["pct_ignore"][0] == false);
  CHECK(d["pct_fraction"][0] == true);
  CHECK(d["int"][0] == true);
  CHECK(d["float"][0] == true);
  CHECK(d["big"][0] == true);
  CHECK(d["third"][0] == false);
  CHECK(d["third"][1]["want_value"].get<double>() == 1.0 / 3);  // a float reference keeps every digit
}

TEST_CASE("text.check_answer extracts the final answer and compares it with the reference", "[text_module]") {
  const std::string body = "local ok, info = text.check_answer(s.answer, s.reference)\nreturn ok, info";
  Run run(Rubric(body));
  REQUIRE(run.ok());
  Score s = run.Answer("Adding them up, the answer is 12.", "\"reference_answer\": 12");
  INFO(ErrorText(s));
  CHECK(s.reward == 1);
  CHECK(s.details["c"] == Json::parse(R"({"found": true, "answer": "12", "form": "answer_is", "numeric": true,
                                          "got_value": 12, "want_value": 12})"));
  s = run.Answer("I am not sure.", "\"reference_answer\": 12");
  CHECK(s.reward == 0);
  CHECK(s.details["c"] == Json::parse(R"({"found": false, "numeric": false})"));
  s = run.Answer("\\boxed{\\text{Paris}}", "\"reference_answer\": \"paris\"");
  CHECK(s.reward == 1);
  CHECK(s.details["c"] == Json::parse(R"({"found": true, "answer": "\\text{Paris}", "form": "boxed", "numeric": false,
                                          "got": "paris", "want": "paris"})"));
  s = run.Answer("Final answer: 50%", "\"reference_answer\": 0.5");
  CHECK(s.reward == 1);
  // No reference: s.reference is nil.
  s = run.Answer("The answer is 3");
  CHECK(s.neutral);
  CHECK_THAT(ErrorText(s), Catch::Contains("text.check_answer: the reference must be a string or a number (got nil)"));

  const Json t = Detail(R"(
    local ok = text.check_answer('#### 3.14', 3.14159, { abs_tol = 0.01, percent = 'ignore' })
    local bad = text.check_answer('#### 3.14', '3.14159')
    return true, { ok, bad })");
  CHECK(t == Json::parse("[true, false]"));
}

TEST_CASE("answer checks: bad options and arguments are per-sample rubric errors", "[text_module]") {
  CHECK_THAT(StepError("return text.check_answer(s.answer, gavel.null)"),
             Catch::Contains("text.check_answer: the reference must be a string or a number (got userdata)"));
  CHECK_THAT(StepError("return text.compare_answers('1', '1', { abs_tol = -1 })"),
             Catch::Contains("text.compare_answers: ") && Catch::Contains("abs_tol"));
  CHECK_THAT(StepError("return text.check_answer('#### 1', '1', { rel_tol = 0/0 })"),
             Catch::Contains("text.check_answer: ") && Catch::Contains("rel_tol"));
  CHECK_THAT(StepError("return text.compare_answers('1', '1', { percent = 'both' })"),
             Catch::Contains("text.compare_answers: option 'percent' must be one of \"either\", \"ignore\", \"fraction\" (got \"both\")"));
  CHECK_THAT(StepError("return text.compare_answers('1', '1', { tol = 1 })"),
             Catch::Contains("text.compare_answers: unknown option 'tol' (options: abs_tol, rel_tol, percent)"));
  CHECK_THAT(StepError("return text.compare_answers('1', 1/0)"),
             Catch::Contains("text.compare_answers: the reference is not a finite number"));
  CHECK_THAT(StepError("return text.compare_answers({}, '1')"),
             Catch::Contains("text.compare_answers: the answer must be a string or a number (got table)"));
  CHECK_THAT(StepError("return text.final_answer(nil) == nil"),
             Catch::Contains("bad argument #1 to 'final_answer' (string expected, got nil)"));
  CHECK_THAT(StepError("return text.check_answer(nil, '1')"),
             Catch::Contains("bad argument #1 to 'check_answer' (string expected, got nil)"));
}

TEST_CASE("text similarity metrics", "[text_module]") {
  const Json d = Detail(R"(
    local function both(a, b) return { a, b } end
    return true, {
      edit = both(text.edit_similarity('kitten', 'sitting')),
      edit_empty = both(text.edit_similarity('', '')),
      f1 = both(text.token_f1('cat cat cat', 'cat')),
      bleu = both(text.bleu('the cat sat on the mat', 'the cat is on the mat')),
      bleu_case = text.bleu('The Cat', 'the cat'),
      bleu_lower = text.bleu('The Cat', 'the cat', { lowercase = true }),
      rouge = both(text.rouge_l('police kill the gunman', 'police killed the gunman')),
      rouge_beta = text.rouge_l('police kill the gunman', 'police killed the gunman the end', { beta = 2 }),
    })");
  CHECK(d["edit"][0].get<double>() == Approx(4.0 / 7));
  CHECK(d["edit"][1]["distance"] == 3);
  CHECK(d["edit"][1]["normalized"].get<double>() == Approx(3.0 / 7));
  CHECK(d["edit"][1]["length_a"] == 6);
  CHECK(d["edit"][1]["length_b"] == 7);
  CHECK(d["edit_empty"][0] == 1);
  CHECK(d["f1"][0].get<double>() == Approx(0.5));
  CHECK(d["f1"][1]["precision"].get<double>() == Approx(1.0 / 3));
  CHECK(d["f1"][1]["recall"] == 1);
  CHECK(d["f1"][1]["common"] == 1);
  CHECK(d["f1"][1]["prediction_tokens"] == 3);
  CHECK(d["f1"][1]["reference_tokens"] == 1);
  CHECK(d["bleu"][0].get<double>() == Approx(0.379918).epsilon(1e-5));
  const Json& b = d["bleu"][1];
  CHECK(b["brevity_penalty"] == 1);
  REQUIRE(b["precisions"].size() == 4);
  CHECK(b["precisions"][0].get<double>() == Approx(5.0 / 6));
  CHECK(b["precisions"][1].get<double>() == Approx(3.0 / 5));
  CHECK(b["precisions"][2].get<double>() == Approx(1.0 / 4));
  CHECK(b["precisions"][3].get<double>() == Approx(1.0 / 6));
  CHECK(b["hypothesis_length"] == 6);
  CHECK(b["reference_length"] == 6);
  CHECK(b["order"] == 4);
  CHECK(d["bleu_case"].get<double>() < 1);
  CHECK(d["bleu_lower"].get<double>() == Approx(1));
  CHECK(d["rouge"][0].get<double>() == Approx(0.75));
  CHECK(d["rouge"][1] == Json::parse(R"({"precision": 0.75, "recall": 0.75, "lcs": 3, "candidate_tokens": 4,
                                         "reference_tokens": 4})"));
  // P = 3/4, R = 3/6: F = 5 P R / (R + 4 P) = 5 * 0.375 / 3.5
  CHECK(d["rouge_beta"].get<double>() == Approx(5 * 0.375 / 3.5));
}

TEST_CASE("similarity: over-budget inputs are limit errors a rubric may catch", "[text_module]") {
  const std::string prelude = "local a, b = string.rep('a', 6000), string.rep('b', 6000)";
  CHECK_THAT(StepError("return text.edit_similarity(a, b)", prelude, gavel::ErrorKind::kLimit),
             Catch::Contains("rubric.lua:4: text.edit_similarity: "));
  CHECK_THAT(StepError("return text.rouge_l((a:gsub('a', 'a ')), (b:gsub('b', 'b ')))", prelude, gavel::ErrorKind::kLimit),
             Catch::Contains("text.rouge_l: "));
  const Json d = Detail("local ok, err = pcall(text.edit_similarity, a, b)\nreturn not ok, err", prelude);
  CHECK_THAT(d.get<std::string>(), Catch::Contains("text.edit_similarity: "));
}

TEST_CASE("similarity: bad options and arguments are per-sample rubric errors", "[text_module]") {
  CHECK_THAT(StepError("return text.rouge_l('a', 'b', { beta = 0 })"),
             Catch::Contains("text.rouge_l: ") && Catch::Contains("beta"));
  CHECK_THAT(StepError("return text.rouge_l('a', 'b', { beta = '2' })"),
             Catch::Contains("text.rouge_l: option 'beta' must be a number (got string)"));
  CHECK_THAT(StepError("return text.bleu('a', 'b', { lowercase = 1 })"),
             Catch::Contains("text.bleu: option 'lowercase' must be a boolean (got number)"));
  CHECK_THAT(StepError("return text.bleu('a', 'b', { smooth = true })"),
             Catch::Contains("text.bleu: unknown option 'smooth' (options: lowercase)"));
  CHECK_THAT(StepError("return text.edit_similarity('a', {})"),
             Catch::Contains("bad argument #2 to 'edit_similarity' (string expected, got table)"));
  CHECK_THAT(StepError("return text.token_f1(nil, 'a')"),
             Catch::Contains("bad argument #1 to 'token_f1' (string expected, got nil)"));
}

TEST_CASE("text: the example rubric of the guide", "[text_module]") {
  Run run(R"(
local text = require "gavel.text"

local concise = text.penalty { unit = "words", max = 300, margin = 200 }   -- 1 up to 300 words, 0 from 500
local refuses = text.matcher { kind = "regex", case_fold = true,
                               pattern = [[\b(i can(no|')t|i am unable to) (help|answer)\b]] }

return rubric {
  name = "math-answer",
  gates = {
    gate { name = "answered", fn = function(s)
      return not refuses:matches(s.answer), "the model refused"
    end },
  },
  checks = {
    check { name = "correct", weight = 0.8, fn = function(s)
      local ok, info = text.check_answer(s.answer, s.reference, { rel_tol = 1e-4 })
      return ok, info                    -- {found, answer, form, numeric, got_value, want_value}
    end },
    check { name = "concise", weight = 0.2, fn = function(s)
      local value, words = concise:score(s.answer)
      return value, words .. " words"
    end },
    check { name = "tokens", weight = 0, fn = function(s) return text.tokens(s.answer) end },
  },
}
)");
  INFO(run.load_error());
  REQUIRE(run.ok());
  Score s = run.Answer("Three quarters, so the answer is \\frac{3}{4}.", "\"reference_answer\": 0.75");
  INFO(ErrorText(s));
  CHECK(s.reward == Approx(1));
  CHECK(s.details["concise"] == "9 words");  // ICU counts "frac", "3" and "4" as words
  CHECK(s.details["correct"]["form"] == "answer_is");
  s = run.Answer("Sorry, I CAN'T help with that.", "\"reference_answer\": 0.75");
  CHECK(s.reward == 0);
  std::string long_answer;
  for (int i = 0; i < 400; ++i) long_answer += "word ";
  s = run.Answer(long_answer + "#### 0.75005", "\"reference_answer\": 0.75");
  CHECK(s.reward == Approx(0.8 + 0.2 * (1 - 101.0 / 200)));  // within rel_tol; 401 words: 101 over, margin 200
  CHECK(s.details["concise"] == "401 words");
}
