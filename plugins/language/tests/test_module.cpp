// gavel.language through the engine: rubrics that detect and compare languages.
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "gavel/language/detect.h"
#include "gavel/language/module.h"
#include "test_support.h"

using gavel::ErrorKind;
using gavel::Json;
using gavel::testing::ErrorText;

namespace {

const std::string kGermanPrompt =
    "Kannst du mir bitte erklären, warum mein Programm bei der ersten Zahl nicht anfängt?";
const std::string kGermanAnswer =
    "Der Fehler in deinem Code liegt daran, dass die Schleife bei eins statt bei null beginnt.";
const std::string kEnglishPrompt =
    "Can you please explain why my program does not start at the first number of the list?";
const std::string kEnglishAnswer =
    "The main reason your code fails is that the loop index starts at one instead of zero.";
const std::string kFrenchAnswer =
    "L'erreur dans votre code vient du fait que la boucle commence à un au lieu de zéro.";

// A sample with a user prompt, an answer and extra top-level members (JSON text, may be empty).
gavel::ParsedSample Sample(const std::string& prompt, const std::string& answer,
                           const std::string& extra = "") {
  Json obj = {{"id", "s"},
              {"messages", Json::array({Json{{"role", "user"}, {"content", prompt}},
                                        Json{{"role", "assistant"}, {"content", answer}}})}};
  std::string text = obj.dump();
  if (!extra.empty()) text = text.substr(0, text.size() - 1) + "," + extra + "}";
  return gavel::ParseSampleText(text, 0);
}

struct Rig {
  Rig() { REQUIRE(registry.Add(gavel::language::MakeModule())); }

  bool Load(const std::string& source, unsigned threads = 1) {
    auto rubric = gavel::testing::LoadSource(dir, source, registry);
    if (!rubric) {
      load_error = rubric.error().message();
      return false;
    }
    gavel::EngineOptions eo;
    eo.threads = threads;
    auto made = gavel::Engine::Create(*rubric, registry, eo);
    if (!made) {
      load_error = made.error().message();
      return false;
    }
    engine = std::move(*made);
    return true;
  }

  // Loads a rubric whose check `c` returns 1 and the value of `expr` (a Lua expression over
  // `s`, `language` and the locals defined by `prelude`) as its detail.
  void LoadExpr(const std::string& expr, const std::string& prelude = "") {
    const bool loaded = Load("local language = require 'gavel.language'\n" + prelude +
                             "\nreturn rubric { neutral = 0.25, checks = { check { name = 'c', "
                             "fn = function(s)\n  return 1, " + expr + "\nend } } }");
    INFO(load_error);
    REQUIRE(loaded);
  }

  gavel::Score Score(gavel::ParsedSample sample) {
    std::vector<gavel::ParsedSample> batch;
    batch.push_back(std::move(sample));
    return engine->ScoreBatch(std::move(batch)).at(0);
  }

  // The detail of check `c` for a sample; fails the test on a sample error.
  Json Detail(gavel::ParsedSample sample) {
    gavel::Score score = Score(std::move(sample));
    INFO(ErrorText(score));
    REQUIRE(score.errors.empty());
    return score.details["c"];
  }

  // The one error of a failed sample; checks the neutral reward.
  gavel::ScoreError Failure(gavel::ParsedSample sample) {
    gavel::Score score = Score(std::move(sample));
    CHECK(score.neutral);
    CHECK(score.reward == 0.25);
    REQUIRE(score.errors.size() == 1);
    return score.errors[0];
  }

  std::string LoadError(const std::string& prelude) {
    const bool loaded = Load("local language = require 'gavel.language'\n" + prelude +
                             "\nreturn rubric { checks = { check { name = 'c', fn = function() "
                             "return 1 end } } }");
    CHECK_FALSE(loaded);
    return load_error;
  }

  gavel::testing::TempDir dir;
  gavel::PluginRegistry registry;
  std::unique_ptr<gavel::Engine> engine;
  std::string load_error;
};

}  // namespace

TEST_CASE("The module test binary uses CLD2's full tables", "[language][module]") {
  CHECK(gavel::language::Cld2FullTablesInUse());
}

TEST_CASE("language.detect reports language, confidence, reliability, method, guess, letters",
          "[language][module]") {
  Rig rig;
  rig.LoadExpr("language.detect(s.answer)");
  Json d = rig.Detail(Sample("x", kGermanAnswer));
  CHECK(d["language"] == "de");
  CHECK(d["reliable"] == true);
  CHECK(d["method"] == "cld2");
  CHECK(d["guess"] == "de");
  CHECK(d["confidence"].get<double>() > 0.9);
  CHECK(d["confidence"].get<double>() <= 1.0);
  CHECK(d["letters"] == 72);
  CHECK(d["invalid_utf8"] == false);
  CHECK(d["form"] == "text");
  CHECK(d["reason"] == "");

  d = rig.Detail(Sample("x", "Καλημέρα σε όλους, τι κάνετε;"));
  CHECK(d["language"] == "el");
  CHECK(d["method"] == "script");
  CHECK(d["reliable"] == true);

  d = rig.Detail(Sample("x", "Danke schön"));  // too short: reported as undecided
  CHECK(d["language"] == "und");
  CHECK(d["reliable"] == false);
  CHECK(d["confidence"] == 0.0);
  CHECK(d["letters"] == 10);
  CHECK(d["reason"] == "too short: 10 letters, 30 needed");

  d = rig.Detail(Sample("x", "12345 !!! 678"));  // no letters at all
  CHECK(d["language"] == "und");
  CHECK(d["method"] == "none");
  CHECK(d["guess"] == "");
  CHECK(d["letters"] == 0);
}

TEST_CASE("language.compare detects both texts and compares them", "[language][module]") {
  Rig rig;
  rig.LoadExpr("language.compare(s.answer, s.prompt)");
  Json c = rig.Detail(Sample(kGermanPrompt, kGermanAnswer));
  CHECK(c["match"] == true);
  CHECK(c["reliable"] == true);
  CHECK(c["answer"] == "de");
  CHECK(c["expected"] == "de");
  CHECK(c["confidence"].get<double>() > 0.9);
  CHECK_FALSE(c.contains("source"));

  c = rig.Detail(Sample(kGermanPrompt, kEnglishAnswer));
  CHECK(c["match"] == false);
  CHECK(c["reliable"] == true);
  CHECK(c["answer"] == "en");
  CHECK(c["expected"] == "de");

  c = rig.Detail(Sample("Warum?", kGermanAnswer));  // the reference is too short to decide
  CHECK(c["match"] == false);
  CHECK(c["reliable"] == false);
  CHECK(c["answer"] == "de");
  CHECK(c["expected"] == "und");
  CHECK(c["reason"] == "reference: too short: 5 letters, 30 needed");

  c = rig.Detail(Sample("Warum?", "Ja."));  // neither side is decided
  CHECK(c["reason"] ==
        "answer: too short: 2 letters, 30 needed; reference: too short: 5 letters, 30 needed");
  CHECK(c["form"] == "text");
}

TEST_CASE("language.compare_to canonicalises the tag; a bad tag is a sample error",
          "[language][module]") {
  Rig rig;
  rig.LoadExpr("language.compare_to(s.answer, s.metadata.lang)");
  Json c = rig.Detail(Sample("x", kGermanAnswer, R"("lang": "de-AT")"));
  CHECK(c["match"] == true);
  CHECK(c["reliable"] == true);
  CHECK(c["expected"] == "de");
  CHECK(c["confidence"].get<double>() > 0.9);

  c = rig.Detail(Sample("x", kGermanAnswer, R"("lang": "fra")"));
  CHECK(c["match"] == false);
  CHECK(c["reliable"] == true);
  CHECK(c["answer"] == "de");
  CHECK(c["expected"] == "fr");

  c = rig.Detail(Sample("x", "Ja.", R"("lang": "de")"));  // the answer is too short
  CHECK(c["match"] == false);
  CHECK(c["reliable"] == false);
  CHECK(c["answer"] == "und");
  CHECK(c["reason"] == "answer: too short: 2 letters, 30 needed");

  const gavel::ScoreError e = rig.Failure(Sample("x", kGermanAnswer, R"("lang": "klingon")"));
  CHECK(e.kind == ErrorKind::kBadSample);
  CHECK_THAT(e.message, Catch::Contains("language.compare_to: 'klingon' is not a language tag") &&
                            Catch::Contains("rubric.lua:"));
}

TEST_CASE("same_as_prompt takes the expected language from the metadata, else the prompt",
          "[language][module]") {
  Rig rig;
  rig.LoadExpr("language.same_as_prompt(s)");
  Json c = rig.Detail(Sample(kEnglishPrompt, kGermanAnswer, R"("metadata": {"language": "de"})"));
  CHECK(c["source"] == "metadata");
  CHECK(c["match"] == true);
  CHECK(c["expected"] == "de");

  c = rig.Detail(Sample(kEnglishPrompt, kGermanAnswer, R"("expected_language": "fr")"));
  CHECK(c["source"] == "metadata");
  CHECK(c["match"] == false);
  CHECK(c["reliable"] == true);
  CHECK(c["expected"] == "fr");

  // "language" comes before "expected_language".
  c = rig.Detail(Sample(kEnglishPrompt, kGermanAnswer,
                        R"("language": "de", "expected_language": "fr")"));
  CHECK(c["expected"] == "de");

  c = rig.Detail(Sample(kGermanPrompt, kGermanAnswer));
  CHECK(c["source"] == "prompt");
  CHECK(c["match"] == true);
  CHECK(c["reliable"] == true);

  c = rig.Detail(Sample(kGermanPrompt, kFrenchAnswer));
  CHECK(c["source"] == "prompt");
  CHECK(c["match"] == false);
  CHECK(c["answer"] == "fr");
  CHECK(c["expected"] == "de");

  // JSON null counts as absent.
  c = rig.Detail(Sample(kGermanPrompt, kGermanAnswer, R"("metadata": {"language": null})"));
  CHECK(c["source"] == "prompt");
  CHECK(c["match"] == true);

  // Too short to decide: unreliable, never a guess.
  c = rig.Detail(Sample("Warum?", kGermanAnswer));
  CHECK(c["source"] == "prompt");
  CHECK(c["reliable"] == false);
  CHECK(c["match"] == false);
  CHECK(c["reason"] == "prompt: too short: 5 letters, 30 needed");
  c = rig.Detail(Sample(kGermanPrompt, "Weil."));
  CHECK(c["reliable"] == false);
  CHECK(c["match"] == false);
  c = rig.Detail(Sample(kGermanPrompt, "Weil.", R"("language": "de")"));
  CHECK(c["source"] == "metadata");
  CHECK(c["reliable"] == false);
  CHECK(c["match"] == false);
}

// The issue's case: a short Spanish answer, English keys, citations with English titles and URLs.
const std::string kSpanishPrompt = "¿Por qué el cielo es azul? Responde en una sola frase corta.";
const std::string kSpanishJson =
    R"({"answer": "El cielo es azul porque el aire dispersa más la luz azul.", )"
    R"("citations": [{"title": "Why Is the Sky Blue? | NASA Space Place", )"
    R"("url": "https://spaceplace.nasa.gov/blue-sky/en/"}, )"
    R"({"title": "Rayleigh scattering - Wikipedia", )"
    R"("url": "https://en.wikipedia.org/wiki/Rayleigh_scattering"}]})";

TEST_CASE("same_as_prompt reads the prose of a JSON answer, not its keys", "[language][module]") {
  Rig rig;
  rig.LoadExpr("language.same_as_prompt(s)");
  struct Case {
    const char* lang;
    std::string prompt;
    std::string prose;
    std::string lead;  // what a model writes before the JSON
  };
  const std::vector<Case> cases = {
      {"es", kSpanishPrompt, "El cielo se ve azul porque el aire dispersa mucho más la luz azul "
                             "que la roja.", "Aquí tienes la respuesta:"},
      {"de", kGermanPrompt, kGermanAnswer, "Hier ist die Antwort:"},
      {"fr", "Pourquoi le ciel est-il bleu pendant la journée ? Explique-le en une phrase.",
       kFrenchAnswer, "Voici la réponse :"},
      {"ru", "Почему небо днём голубое? Объясни это одним предложением, пожалуйста.",
       "Небо кажется голубым, потому что воздух рассеивает синий свет гораздо сильнее, чем "
       "красный.", "Вот ответ:"},
      {"ja", "なぜ昼間の空は青いのですか。一文で説明してください。",
       "空が青く見えるのは、空気が赤い光よりも青い光をずっと強く散乱させるからです。",
       "答えは次のとおりです:"},
  };
  for (const Case& c : cases) {
    const std::string object =
        Json{{"answer", c.prose}, {"category", "explanation"}, {"confidence", 0.9},
             {"sources", Json::array({Json{{"title", "Why is the sky blue and not another colour"},
                                           {"url", "https://example.com/sky"}}})}}
            .dump();
    const std::vector<std::pair<std::string, std::string>> shapes = {
        {"text", c.prose},
        {"json", object},
        {"fenced_json", "```json\n" + object + "\n```"},
        {"json_in_text", c.lead + "\n" + object + "\n"},
    };
    for (const auto& [form, answer] : shapes) {
      INFO(c.lang << " " << form << ": " << answer);
      const Json r = rig.Detail(Sample(c.prompt, answer));
      CHECK(r["answer"] == c.lang);
      CHECK(r["expected"] == c.lang);
      CHECK(r["match"] == true);
      CHECK(r["form"] == form);
      CHECK(r["reason"] == "");
    }
  }

  Json r = rig.Detail(Sample(kSpanishPrompt, kSpanishJson));
  CHECK(r["answer"] == "es");
  CHECK(r["expected"] == "es");
  CHECK(r["match"] == true);
  r = rig.Detail(Sample(kEnglishPrompt, R"({"respuesta": ")" + kEnglishAnswer +
                                            R"(", "categoría": "programación"})"));
  CHECK(r["answer"] == "en");
  CHECK(r["match"] == true);

  // Too little prose: undecided, and the reason says what was read.
  r = rig.Detail(Sample(kSpanishPrompt, R"({"answer": "Por la luz.", "id": "q_17"})"));
  CHECK(r["reliable"] == false);
  CHECK(r["reason"] ==
        "answer: too short: 8 letters, 30 needed (read: the prose of the JSON's string values)");
}

TEST_CASE("The structured-answer example in docs/rubrics.md works as described",
          "[language][module]") {
  Rig rig;
  rig.LoadExpr(
      R"lua(language.detect('{"answer": "El cielo es azul porque el aire dispersa más la luz azul.", '
  .. '"citations": [{"title": "Why Is the Sky Blue?", "url": "https://spaceplace.nasa.gov/"}]}'))lua");
  const Json d = rig.Detail(Sample("p", "a"));
  CHECK(d["language"] == "es");
  CHECK(d["form"] == "json");
}

TEST_CASE("json_prose = false reads a JSON answer as text", "[language][module]") {
  Rig rig;
  rig.LoadExpr("{ call = language.same_as_prompt(s, { json_prose = false }),\n"
               "  det = raw:same_as_prompt(s), det_on = raw:same_as_prompt(s, { json_prose = true }),\n"
               "  detect = raw:detect(s.answer) }",
               "local raw = language.detector { json_prose = false }");
  const Json r = rig.Detail(Sample(kSpanishPrompt, kSpanishJson));
  // The English keys and titles win: what the recipe gave before JSON answers were read.
  CHECK(r["call"]["answer"] == "en");
  CHECK(r["call"]["match"] == false);
  CHECK(r["call"]["form"] == "text");
  CHECK(r["det"]["answer"] == "en");
  CHECK(r["detect"]["form"] == "text");
  // A call's option overrides its detector's.
  CHECK(r["det_on"]["answer"] == "es");
  CHECK(r["det_on"]["form"] == "json");
}

TEST_CASE("same_as_prompt: a bad expected language in the sample is a sample error",
          "[language][module]") {
  Rig rig;
  rig.LoadExpr("language.same_as_prompt(s)");
  gavel::ScoreError e = rig.Failure(Sample(kGermanPrompt, kGermanAnswer, R"("language": "xx")"));
  CHECK(e.kind == ErrorKind::kBadSample);
  CHECK_THAT(e.message, Catch::Contains("language.same_as_prompt: 'xx' is not a language tag"));
  e = rig.Failure(Sample(kGermanPrompt, kGermanAnswer, R"("language": 7)"));
  CHECK(e.kind == ErrorKind::kBadSample);
  CHECK_THAT(e.message,
             Catch::Contains("s.metadata.language must be a language tag (a string), got number"));
  e = rig.Failure(Sample(kGermanPrompt, kGermanAnswer, R"("expected_language": ["de"])"));
  CHECK(e.kind == ErrorKind::kBadSample);
  CHECK_THAT(e.message, Catch::Contains("s.metadata.expected_language must be a language tag"));
}

TEST_CASE("same_as_prompt options: from and keys", "[language][module]") {
  Rig rig;
  rig.LoadExpr("language.same_as_prompt(s, opts[s.metadata.case])",
               "local opts = { prompt = { from = 'prompt' }, metadata = { from = 'metadata' },\n"
               "  auto = { from = 'auto' }, lang = { keys = { 'lang', 'language' } },\n"
               "  one = { keys = 'lang', from = 'metadata' } }");
  // from = "prompt" ignores the metadata.
  Json c = rig.Detail(Sample(kGermanPrompt, kGermanAnswer, R"("case": "prompt", "language": "fr")"));
  CHECK(c["source"] == "prompt");
  CHECK(c["match"] == true);
  c = rig.Detail(Sample(kGermanPrompt, kGermanAnswer, R"("case": "auto", "language": "fr")"));
  CHECK(c["source"] == "metadata");
  CHECK(c["match"] == false);
  c = rig.Detail(Sample(kGermanPrompt, kGermanAnswer, R"("case": "metadata", "language": "de")"));
  CHECK(c["source"] == "metadata");
  CHECK(c["match"] == true);
  // from = "metadata" without one is a sample error naming the keys looked for.
  gavel::ScoreError e = rig.Failure(Sample(kGermanPrompt, kGermanAnswer, R"("case": "metadata")"));
  CHECK(e.kind == ErrorKind::kBadSample);
  CHECK_THAT(e.message, Catch::Contains("the sample gives no expected language (looked for "
                                        "s.metadata.language, expected_language)"));
  // keys replaces the default list, in order.
  c = rig.Detail(Sample(kGermanPrompt, kGermanAnswer,
                        R"("case": "lang", "lang": "fr", "language": "de")"));
  CHECK(c["expected"] == "fr");
  c = rig.Detail(Sample(kGermanPrompt, kGermanAnswer,
                        R"("case": "lang", "expected_language": "fr")"));
  CHECK(c["source"] == "prompt");  // expected_language is no longer looked at
  CHECK(c["expected"] == "de");
  c = rig.Detail(Sample(kGermanPrompt, kGermanAnswer, R"("case": "one", "lang": "de")"));
  CHECK(c["source"] == "metadata");
  e = rig.Failure(Sample(kGermanPrompt, kGermanAnswer, R"("case": "one", "language": "de")"));
  CHECK_THAT(e.message, Catch::Contains("looked for s.metadata.lang)"));
}

TEST_CASE("same_as_prompt option and argument errors are rubric errors per sample",
          "[language][module]") {
  Rig rig;
  rig.LoadExpr("calls[s.answer]()",
               "local s_ = { answer = 'x', prompt = 'y' }\n"
               "local calls = {\n"
               "  unknown = function() return language.same_as_prompt(s_, { form = 'prompt' }) end,\n"
               "  from_type = function() return language.same_as_prompt(s_, { from = 3 }) end,\n"
               "  json_prose_type = function()\n"
               "    return language.same_as_prompt(s_, { json_prose = 'no' }) end,\n"
               "  from_value = function() return language.same_as_prompt(s_, { from = 'nope' }) end,\n"
               "  keys_empty = function() return language.same_as_prompt(s_, { keys = {} }) end,\n"
               "  keys_item = function() return language.same_as_prompt(s_, { keys = { 1 } }) end,\n"
               "  keys_type = function() return language.same_as_prompt(s_, { keys = 5 }) end,\n"
               "  opts_type = function() return language.same_as_prompt(s_, 'prompt') end,\n"
               "  positional = function() return language.same_as_prompt(s_, { 'x' }) end,\n"
               "  not_table = function() return language.same_as_prompt('text') end,\n"
               "  no_answer = function() return language.same_as_prompt({ prompt = 'x' }) end,\n"
               "  no_prompt = function() return language.same_as_prompt({ answer = 'x' }) end,\n"
               "  bad_meta = function() return language.same_as_prompt({ answer = 'x', prompt = 'y',"
               " metadata = 'z' }) end,\n"
               "}");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"unknown",
       "language.same_as_prompt: unknown option 'form' (options: from, json_prose, keys)"},
      {"json_prose_type", "language.same_as_prompt: option 'json_prose' must be a boolean, "
                          "got string"},
      {"from_type", "option 'from' must be \"auto\", \"metadata\" or \"prompt\", got number"},
      {"from_value", "option 'from' must be \"auto\", \"metadata\" or \"prompt\", got 'nope'"},
      {"keys_empty", "option 'keys' is an empty list"},
      {"keys_item", "option 'keys'[1] must be a string, got number"},
      {"keys_type", "option 'keys' must be a string or a list of strings, got number"},
      {"opts_type", "language.same_as_prompt: options must be a table, got string"},
      {"positional", "unknown option of type number"},
      {"not_table", "bad argument #1 to 'same_as_prompt' (table expected, got string)"},
      {"no_answer", "language.same_as_prompt: s.answer must be a string, got nil"},
      {"no_prompt", "language.same_as_prompt: s.prompt must be a string, got nil"},
      {"bad_meta", "language.same_as_prompt: s.metadata must be a table, got string"},
  };
  for (const auto& [answer, message] : cases) {
    INFO(answer);
    const gavel::ScoreError e = rig.Failure(Sample("p", answer));
    CHECK(e.kind == ErrorKind::kBadRubric);
    CHECK_THAT(e.message, Catch::Contains(message) && Catch::Contains("rubric.lua:"));
  }
}

TEST_CASE("Wrong argument types to detect, compare and compare_to are rubric errors",
          "[language][module]") {
  Rig rig;
  rig.LoadExpr("calls[s.answer]()",
               "local det = language.detector()\n"
               "local calls = {\n"
               "  detect = function() return language.detect(nil) end,\n"
               "  detect_number = function() return language.detect(12) end,\n"
               "  compare = function() return language.compare('x', {}) end,\n"
               "  compare_to = function() return language.compare_to('x') end,\n"
               "  canonical = function() return language.canonical(false) end,\n"
               "  method = function() return det:detect(nil) end,\n"
               "  dot = function() return det.detect('text') end,\n"
               "}");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"detect", "bad argument #1 to 'detect' (string expected, got nil)"},
      {"detect_number", "bad argument #1 to 'detect' (string expected, got number)"},
      {"compare", "bad argument #2 to 'compare' (string expected, got table)"},
      {"compare_to", "bad argument #2 to 'compare_to' (string expected, got no value)"},
      {"canonical", "bad argument #1 to 'canonical' (string expected, got boolean)"},
      {"method", "bad argument #1 to 'detect' (string expected, got nil)"},
      {"dot", "gavel.language.detector expected, got string"},
  };
  for (const auto& [answer, message] : cases) {
    INFO(answer);
    const gavel::ScoreError e = rig.Failure(Sample("p", answer));
    CHECK(e.kind == ErrorKind::kBadRubric);
    CHECK_THAT(e.message, Catch::Contains(message));
  }
}

TEST_CASE("language.canonical returns the code, or nil and a message", "[language][module]") {
  Rig rig;
  rig.LoadExpr("pack(language.canonical(s.answer))",
               "local function pack(...)\n"
               "  return { n = select('#', ...), first = (...), second = select(2, ...) }\n"
               "end");
  CHECK(rig.Detail(Sample("p", "pt-BR")) == Json{{"n", 1}, {"first", "pt"}});
  CHECK(rig.Detail(Sample("p", "iw")) == Json{{"n", 1}, {"first", "he"}});
  CHECK(rig.Detail(Sample("p", "zh_Hant")) == Json{{"n", 1}, {"first", "zh"}});
  CHECK(rig.Detail(Sample("p", "deu")) == Json{{"n", 1}, {"first", "de"}});
  CHECK(rig.Detail(Sample("p", "english")) ==
        Json{{"n", 2}, {"second", "'english' is not a language tag gavel.language can detect"}});
}

TEST_CASE("language.detector options change what is decided", "[language][module]") {
  const std::string short_german = "Guten Morgen, wie geht es dir heute?";  // 28 letters
  const std::string short_greek = "Καλημέρα";                            // 8 letters
  // 72 Latin letters and 18 Cyrillic ones: German covers at most 80% of the letters.
  const std::string mixed = kGermanAnswer + " Привет, как дела у тебя?";
  const std::string with_code =
      "Hier ist die Lösung für dein Problem mit der Schleife:\n```\n" +
      std::string("for index in range(len(items)): print(items[index]) if index is not None "
                  "else continue the loop and return the value from the function\n") +
      std::string("while counter is less than the maximum value keep reading from the input "
                  "stream and write the output\n") +
      "```\n";
  Rig rig;
  rig.LoadExpr("{ default = language.detect(s.answer).language, tuned = tuned:detect(s.answer).language,\n"
               "  greek = greek:detect(s.answer).language, share = share:detect(s.answer).language,\n"
               "  raw = raw:detect(s.answer).language, cut = cut:detect(s.answer).language,\n"
               "  plain = plain:detect(s.answer).language }",
               "local tuned = language.detector { min_letters = 20 }\n"
               "local greek = language.detector { min_script_letters = 10 }\n"
               "local share = language.detector { min_share = 0.9 }\n"
               "local raw = language.detector { strip_markup = false }\n"
               "local cut = language.detector { max_bytes = 20 }\n"
               "local plain = language.detector {}");
  Json d = rig.Detail(Sample("p", short_german));
  CHECK(d["default"] == "und");
  CHECK(d["plain"] == "und");
  CHECK(d["tuned"] == "de");

  d = rig.Detail(Sample("p", short_greek));
  CHECK(d["default"] == "el");
  CHECK(d["greek"] == "und");

  d = rig.Detail(Sample("p", mixed));
  CHECK(d["default"] == "de");
  CHECK(d["share"] == "und");

  d = rig.Detail(Sample("p", with_code));
  CHECK(d["default"] == "de");
  CHECK(d["raw"] != "de");

  d = rig.Detail(Sample("p", kGermanAnswer));
  CHECK(d["default"] == "de");
  CHECK(d["cut"] == "und");  // only the first 20 bytes are read
}

TEST_CASE("Detector objects have detect, compare, compare_to and same_as_prompt",
          "[language][module]") {
  Rig rig;
  rig.LoadExpr("{ d = det:detect(s.answer), c = det:compare(s.answer, s.prompt),\n"
               "  t = det:compare_to(s.answer, 'de'), p = det:same_as_prompt(s),\n"
               "  m = det:same_as_prompt(s, { from = 'metadata' }) }",
               "local det = language.detector { min_letters = 20, min_script_letters = 6,\n"
               "  min_share = 0.6, strip_markup = true, max_bytes = 65536 }");
  const std::string prompt = "Wie spät ist es jetzt in Berlin?";  // 25 letters
  const std::string answer = "Es ist jetzt genau zwölf Uhr in Berlin.";
  const Json d = rig.Detail(Sample(prompt, answer, R"("language": "fr")"));
  CHECK(d["d"]["language"] == "de");
  CHECK(d["c"]["match"] == true);   // both decided only because min_letters = 20
  CHECK(d["c"]["reliable"] == true);
  CHECK(d["t"]["match"] == true);
  CHECK(d["p"]["source"] == "metadata");
  CHECK(d["p"]["match"] == false);
  CHECK(d["m"]["expected"] == "fr");

  gavel::ScoreError e = rig.Failure(Sample(prompt, answer));  // no language for from = metadata
  CHECK(e.kind == ErrorKind::kBadSample);
  CHECK_THAT(e.message, Catch::Contains("detector:same_as_prompt: the sample gives no expected"));

  // The module's default detector would not decide these texts.
  Rig plain;
  plain.LoadExpr("language.compare(s.answer, s.prompt)");
  const Json c = plain.Detail(Sample(prompt, answer));
  CHECK(c["reliable"] == false);
  CHECK(c["match"] == false);
}

TEST_CASE("detector:compare_to with a bad tag is a sample error", "[language][module]") {
  Rig rig;
  rig.LoadExpr("det:compare_to(s.answer, s.metadata.lang)", "local det = language.detector()");
  const gavel::ScoreError e = rig.Failure(Sample("p", kGermanAnswer, R"("lang": "und")"));
  CHECK(e.kind == ErrorKind::kBadSample);
  CHECK_THAT(e.message, Catch::Contains("detector:compare_to: 'und' is not a language tag"));
}

TEST_CASE("language.detector option errors name the option, at load", "[language][module]") {
  Rig rig;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"language.detector { min_leters = 20 }",
       "language.detector: unknown option 'min_leters' (options: json_prose, max_bytes, "
       "min_letters, min_script_letters, min_share, strip_markup)"},
      {"language.detector { 20 }", "language.detector: unknown option of type number"},
      {"language.detector { min_letters = '20' }",
       "language.detector: option 'min_letters' must be an integer, got string"},
      {"language.detector { min_letters = 2.5 }",
       "language.detector: option 'min_letters' must be an integer, got 2.5"},
      {"language.detector { min_letters = 0 }",
       "language.detector: option 'min_letters' must be in [1, 2147483647], got 0"},
      {"language.detector { min_letters = 2^40 }",
       "language.detector: option 'min_letters' must be in [1, 2147483647]"},
      {"language.detector { min_script_letters = -1 }",
       "language.detector: option 'min_script_letters' must be in [1, 2147483647], got -1"},
      {"language.detector { min_share = 0 }",
       "language.detector: option 'min_share' must be in (0, 1], got 0.0"},
      {"language.detector { min_share = 1.5 }", "option 'min_share' must be in (0, 1], got 1.5"},
      {"language.detector { min_share = 0/0 }", "option 'min_share' must be in (0, 1]"},
      {"language.detector { min_share = 'high' }",
       "language.detector: option 'min_share' must be a number, got string"},
      {"language.detector { strip_markup = 1 }",
       "language.detector: option 'strip_markup' must be a boolean, got number"},
      {"language.detector { json_prose = 'yes' }",
       "language.detector: option 'json_prose' must be a boolean, got string"},
      {"language.detector { max_bytes = 0 }",
       "language.detector: option 'max_bytes' must be in [1, 16777216], got 0"},
      {"language.detector { max_bytes = 16777217 }", "option 'max_bytes' must be in [1, 16777216]"},
      {"language.detector('fast')",
       "bad argument #1 to 'detector' (table expected, got string)"},
  };
  for (const auto& [expr, message] : cases) {
    INFO(expr);
    const std::string error = rig.LoadError("local det = " + expr);
    CHECK_THAT(error, Catch::Contains(message) && Catch::Contains("rubric.lua:2:"));
  }
}

TEST_CASE("language.detector inside a step is refused", "[language][module]") {
  Rig rig;
  rig.LoadExpr("language.detector { min_letters = 20 }:detect(s.answer)");
  const gavel::ScoreError e = rig.Failure(Sample("p", kGermanAnswer));
  CHECK(e.kind == ErrorKind::kBadRubric);
  CHECK_THAT(e.message, Catch::Contains("language.detector compiles once, when the rubric loads") &&
                            Catch::Contains("check 'c'"));
}

TEST_CASE("Many samples on several workers", "[language][module]") {
  Rig rig;
  const bool loaded = rig.Load(R"(
    local language = require "gavel.language"
    local det = language.detector { min_letters = 20 }
    return rubric { checks = { check { name = "same", fn = function(s)
      local c = det:same_as_prompt(s)
      return c.match, c.answer
    end } } })",
                               4);
  INFO(rig.load_error);
  REQUIRE(loaded);
  std::vector<gavel::ParsedSample> batch;
  for (int i = 0; i < 48; ++i) {
    const std::string& answer = i % 3 == 0 ? kGermanAnswer : i % 3 == 1 ? kEnglishAnswer : kFrenchAnswer;
    batch.push_back(Sample(kGermanPrompt, answer));
  }
  std::vector<gavel::Score> scores = rig.engine->ScoreBatch(std::move(batch));
  REQUIRE(scores.size() == 48);
  for (int i = 0; i < 48; ++i) {
    INFO(i << ": " << ErrorText(scores[i]));
    CHECK(scores[i].errors.empty());
    CHECK(scores[i].reward == (i % 3 == 0 ? 1.0 : 0.0));
    CHECK(scores[i].details["same"] == (i % 3 == 0 ? "de" : i % 3 == 1 ? "en" : "fr"));
  }
}

TEST_CASE("language.detect flags invalid UTF-8 and still decides", "[language][module]") {
  Rig rig;
  rig.LoadExpr("language.detect(s.answer .. '\\xff\\xfe')");
  const Json d = rig.Detail(Sample("p", kGermanAnswer));
  CHECK(d["invalid_utf8"] == true);
  CHECK(d["language"] == "de");
}

TEST_CASE("The example in docs/rubrics.md works as described", "[language][module]") {
  Rig rig;
  const bool loaded = rig.Load(R"lua(
local language = require "gavel.language"

return rubric {
  name = "reply-in-kind",
  checks = {
    check { name = "same_language", weight = 1, fn = function(s)
      -- expected: s.metadata.language if the sample gives it, else the prompt's language
      -- a JSON answer is judged by the prose of its string values (c.form says so)
      local c = language.same_as_prompt(s)
      local why = c.answer .. " vs " .. c.expected .. " (" .. c.source .. ")"
      if not c.reliable then return 0.5, "undecided: " .. why .. ": " .. c.reason end
      return c.match, why
    end },
  },
})lua");
  INFO(rig.load_error);
  REQUIRE(loaded);
  gavel::Score score = rig.Score(Sample(kGermanPrompt, kGermanAnswer));
  CHECK(score.reward == 1.0);
  CHECK(score.details["same_language"] == "de vs de (prompt)");
  score = rig.Score(Sample(kGermanPrompt, kEnglishAnswer, R"("language": "en")"));
  CHECK(score.reward == 1.0);
  CHECK(score.details["same_language"] == "en vs en (metadata)");
  score = rig.Score(Sample(kGermanPrompt, kFrenchAnswer));
  CHECK(score.reward == 0.0);
  score = rig.Score(Sample("Warum?", kFrenchAnswer));
  CHECK(score.reward == 0.5);
  CHECK(score.details["same_language"] ==
        "undecided: fr vs und (prompt): prompt: too short: 5 letters, 30 needed");
  score = rig.Score(Sample(kSpanishPrompt, kSpanishJson));
  CHECK(score.reward == 1.0);
  CHECK(score.details["same_language"] == "es vs es (prompt)");
  score = rig.Score(Sample(kSpanishPrompt, "```json\n" + kSpanishJson + "\n```"));
  CHECK(score.reward == 1.0);
  CHECK(score.details["same_language"] == "es vs es (prompt)");
}
