// Structured answers: the language of a JSON answer is the language of its string values, not of
// its keys, identifiers, URLs or cited sources; JSON that cannot be read is reported, not guessed.
#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "gavel/language/consistency.h"
#include "gavel/language/detect.h"
#include "json_prose.h"
#include "sentences.h"

namespace gavel::language {
namespace {

using detail::FindJsonProse;
using detail::JsonProse;
using detail::TextForm;

Detector Make(const DetectorOptions& options) {
  Result<Detector> detector = Detector::Create(options);
  REQUIRE(detector.ok());
  return std::move(detector).value();
}

Detector WithoutJsonProse() {
  DetectorOptions options;
  options.json_prose = false;
  return Make(options);
}

// A prompt and a short answer (two or three sentences, enough for CLD2) in one language.
struct Case {
  std::string lang;
  std::string prompt;
  std::string answer;
};

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {"es", "¿Por qué el cielo se ve azul durante el día? Explícalo en una frase.",
       "El cielo se ve azul porque el aire dispersa mucho más la luz azul que la roja."},
      {"de", "Warum ist der Himmel am Tag blau? Erkläre es bitte in einem Satz.",
       "Der Himmel sieht blau aus, weil die Luft das blaue Licht viel stärker streut als das "
       "rote."},
      {"fr", "Pourquoi le ciel est-il bleu pendant la journée ? Explique-le en une phrase.",
       "Le ciel paraît bleu parce que l'air diffuse beaucoup plus la lumière bleue que la "
       "rouge."},
      {"ru", "Почему небо днём голубое? Объясни это одним предложением, пожалуйста.",
       "Небо кажется голубым, потому что воздух рассеивает синий свет гораздо сильнее, чем "
       "красный."},
      {"ja", "なぜ昼間の空は青いのですか。一文で説明してください。",
       "空が青く見えるのは、空気が赤い光よりも青い光をずっと強く散乱させるからです。"},
      {"it", "Perché il cielo è azzurro durante il giorno? Spiegalo in una frase.",
       "Il cielo sembra azzurro perché l'aria diffonde la luce blu molto più di quella rossa."},
  };
  return cases;
}

// The parts one after the other. Built by appending: at -O3, GCC 12 warns falsely
// (-Wrestrict) on "literal" + std::string.
std::string Join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const std::string_view part : parts) out.append(part);
  return out;
}

// JSON string syntax for text without quotes, backslashes or control characters.
std::string Quoted(const std::string& s) { return Join({"\"", s, "\""}); }

// The answer in the shapes a structured model returns, with English keys and English-looking
// identifiers, URLs and cited titles around it.
std::vector<std::pair<std::string, std::string>> Shapes(const std::string& answer) {
  const std::string object = Join({
      "{\"answer\": ", Quoted(answer),
      ", \"confidence\": 0.92, \"category\": \"physics\", \"status\": \"final_answer\","
      " \"citations\": [{\"title\": \"Rayleigh scattering - Wikipedia, the free encyclopedia\","
      " \"url\": \"https://en.wikipedia.org/wiki/Rayleigh_scattering\"}, {\"title\": \"Why "
      "is the sky blue? A short explanation for curious readers\", \"url\": "
      "\"https://spaceplace.nasa.gov/blue-sky/\", \"snippet\": \"Sunlight reaches the "
      "atmosphere and is scattered in all directions by the gases and particles in the air.\"}]}"});
  return {
      {"plain", answer},
      {"json", object},
      {"fenced json", Join({"```json\n", object, "\n```"})},
      {"plain fence", Join({"```\n", object, "\n```\n"})},
      {"json in prose", Join({"Here it is:\n", object, "\n"})},
      {"array of strings", Join({"[", Quoted(answer), ", \"see_also\", \"https://example.com\"]"})},
      {"nested", Join({"{\"result\": {\"summary\": {\"text\": ", Quoted(answer),
                       "}, \"tags\": [\"sky_colour\", \"optics\"]}}"})},
  };
}

}  // namespace

TEST_CASE("JSON answers are detected by their string values, in every shape",
          "[detect][json]") {
  for (const Case& c : Cases()) {
    for (const auto& [shape, answer] : Shapes(c.answer)) {
      INFO(c.lang << ", " << shape << ": " << answer);
      const Detection d = Detect(answer);
      CHECK(d.language == c.lang);
      CHECK(d.reason.empty());
      const Consistency same = Compare(answer, c.prompt);
      CHECK(same.reliable);
      CHECK(same.match);
      CHECK(same.answer_lang == c.lang);
      CHECK(same.expected_lang == c.lang);
    }
  }
}

TEST_CASE("the form says where the prose came from", "[detect][json]") {
  const std::string& answer = Cases()[0].answer;
  const std::string object = "{\"answer\": " + Quoted(answer) + "}";
  CHECK(Detect(answer).form == "text");
  CHECK(Detect(object).form == "json");
  CHECK(Detect("```json\n" + object + "\n```").form == "fenced_json");
  CHECK(Detect("Aquí está:\n" + object + "\nEso es todo.").form == "json_in_text");
  CHECK(WithoutJsonProse().Detect(object).form == "text");
}

TEST_CASE("the issue's case: a short Spanish answer with English citations is Spanish",
          "[detect][json]") {
  // A short, correct answer: English keys and two citations with English titles and URLs.
  const std::string answer =
      "{\"answer\": \"El cielo es azul porque el aire dispersa más la luz azul.\", "
      "\"citations\": [{\"title\": \"Why Is the Sky Blue? | NASA Space Place\", \"url\": "
      "\"https://spaceplace.nasa.gov/blue-sky/en/\"}, {\"title\": \"Rayleigh scattering - "
      "Wikipedia\", \"url\": \"https://en.wikipedia.org/wiki/Rayleigh_scattering\"}]}";
  const std::string prompt = "¿Por qué el cielo es azul? Responde en una sola frase corta.";
  const Consistency c = Compare(answer, prompt);
  CHECK(c.answer_lang == "es");
  CHECK(c.expected_lang == "es");
  CHECK(c.reliable);
  CHECK(c.match);
  CHECK(c.answer_form == "json");
  const Result<Consistency> tagged = CompareToLanguage(answer, "es-ES");
  REQUIRE(tagged.ok());
  CHECK(tagged->match);

  // Read as text, as before: the English keys and titles win, a confident wrong verdict.
  const Consistency old = Compare(WithoutJsonProse(), answer, prompt);
  CHECK(old.answer_lang == "en");
  CHECK_FALSE(old.match);
  // The same answer in a fence was undecided: the fence was removed as code.
  const Detection fenced_old = WithoutJsonProse().Detect("```json\n" + answer + "\n```");
  CHECK(fenced_old.language == "und");
  CHECK(fenced_old.letters == 0);
  CHECK(Detect("```json\n" + answer + "\n```").language == "es");
}

TEST_CASE("an English answer with Spanish keys is English", "[detect][json]") {
  const std::string answer =
      "{\"respuesta\": \"The sky looks blue because the air scatters blue light much more than "
      "red light.\", \"categoría\": \"geografía\", \"fuentes_consultadas\": "
      "[\"enciclopedia\"], \"explicación_breve\": null}";
  const Detection d = Detect(answer);
  CHECK(d.language == "en");
  CHECK(d.form == "json");
  const Result<Consistency> c = CompareToLanguage(answer, "en");
  REQUIRE(c.ok());
  CHECK(c->match);
}

TEST_CASE("too little prose in the JSON is undecided, and says why", "[detect][json]") {
  // Only identifiers, numbers and a cited title: nothing of the answer's own to decide on.
  const Detection none = Detect(
      "{\"category\": \"billing\", \"priority\": 2, \"ticket_id\": \"TK-2041\", "
      "\"sources\": [{\"title\": \"Billing FAQ for enterprise customers\", "
      "\"url\": \"https://example.com/faq\"}]}");
  CHECK(none.language == "und");
  CHECK_FALSE(none.reliable);
  CHECK(none.letters == 0);
  CHECK(none.form == "json");
  CHECK(none.reason == "no letters (read: the prose of the JSON's string values)");

  const Detection short_one = Detect("{\"answer\": \"Sí, por la luz.\", \"id\": \"q_17\"}");
  CHECK(short_one.language == "und");
  CHECK(short_one.letters == 10);
  CHECK(short_one.reason ==
        "too short: 10 letters, 30 needed (read: the prose of the JSON's string values)");

  const Detection around =
      Detect("Respuesta:\n```json\n{\"answer\": \"Sí\"}\n```\nNada más.");
  CHECK(around.language == "und");
  CHECK(around.reason == "too short: 18 letters, 30 needed (read: the prose of the JSON's "
                         "string values and the text around it)");
}

TEST_CASE("JSON that does not parse is left out, with the reason", "[detect][json]") {
  // Truncated by the token limit: the keys cannot be told from the values.
  const std::string cut_short =
      "{\"answer\": \"El cielo se ve azul porque el aire dispersa mucho más la luz azul que la "
      "ro";
  CHECK(WithoutJsonProse().Detect(cut_short).language == "es");  // read as text, keys and all
  const Detection truncated = Detect(cut_short);
  CHECK(truncated.language == "und");
  CHECK(truncated.form == "json");
  CHECK(truncated.letters == 0);
  CHECK(truncated.reason.starts_with("no letters (the JSON does not parse and was left out: "
                                     "invalid JSON: "));

  // The prose around a broken object still decides.
  const Detection around = Detect(
      "El cielo se ve azul porque el aire dispersa mucho más la luz azul que la roja. "
      "{\"answer\": \"Rayleigh\", \"confidence\": }");
  CHECK(around.language == "es");
  CHECK(around.form == "json_in_text");
  CHECK(around.reason.empty());

  const Detection broken_fence = Detect("```json\n{\"answer\": \"Sí\",}\n```");
  CHECK(broken_fence.language == "und");
  CHECK(broken_fence.form == "fenced_json");
  CHECK(broken_fence.reason.starts_with(
      "no letters (the JSON does not parse and was left out: invalid JSON: "));

  // An empty fence holds no JSON: it is an empty code block, as before.
  const Detection empty_fence = Detect("```json\n```");
  CHECK(empty_fence.form == "text");
  CHECK(empty_fence.reason == "no letters");
}

TEST_CASE("hostile JSON is read or refused, never trusted", "[detect][json]") {
  // Nested deeper than the extractor parses: refused with the reason, nothing is read from it.
  const std::string deep = std::string(300, '[') + "\"Hola\"" + std::string(300, ']');
  const Detection too_deep = Detect(deep);
  CHECK(too_deep.language == "und");
  CHECK(too_deep.reason ==
        "no letters (the JSON does not parse and was left out: JSON nests deeper than 128 "
        "levels)");
  // Escaped control characters and noncharacters in values are read as spaces.
  const Detection escaped = Detect(
      "{\"answer\": \"El cielo se ve azul\\u0000 porque el aire\\u0007 dispersa\\uFFFF mucho más "
      "la luz azul que la roja.\"}");
  CHECK(escaped.language == "es");
  CHECK(escaped.letters == 61);
  // Ill-formed UTF-8 inside a JSON string does not parse: refused, like any other bad JSON.
  const Detection bad_utf8 = Detect("{\"answer\": \"El cielo \xff se ve azul.\"}");
  CHECK(bad_utf8.language == "und");
  CHECK(bad_utf8.reason.find("does not parse") != std::string::npos);
}

TEST_CASE("FindJsonProse keeps string values and drops keys, identifiers and sources",
          "[detect][json]") {
  const JsonProse p = FindJsonProse(
      "Antes.\n```json\n{\"answer\": \"Escribe a ana@example.com o abre config_file.yaml, "
      "`make test` y https://example.com/x para verlo.\", \"n\": 3, \"ok\": true, "
      "\"steps\": [\"Primero esto.\", \"getUserName y v2 son nombres.\", \"snake_case\"], "
      "\"ref\": {\"title\": \"Cited title\", \"link\": \"www.example.org/page\"}}\n```\nDespués.",
      1 << 16);
  CHECK(p.form == TextForm::kFencedJson);
  CHECK(p.error.empty());
  CHECK(p.text == "Antes.\n\n\nEscribe a o abre y para verlo.\nPrimero esto.\ny son nombres."
                  "\n\n\n\nDespués.");
}

TEST_CASE("FindJsonProse: the top object's own link does not hide its prose", "[detect][json]") {
  const JsonProse p = FindJsonProse(
      "{\"answer\": \"La capital es Canberra.\", \"url\": \"https://example.com\"}", 1 << 16);
  CHECK(p.form == TextForm::kJson);
  CHECK(p.text == "\n\nLa capital es Canberra.\n\n\n");
}

TEST_CASE("FindJsonProse leaves text without JSON alone", "[detect][json]") {
  for (const std::string_view text :
       {std::string_view("Plain prose with no brackets at all."),
        std::string_view("Citations like [1] and {placeholders} are prose [see below]."),
        std::string_view("The answer is [1, 2, 3] or 42."),
        std::string_view("\"Quoted\" prose is not a JSON string."), std::string_view("")}) {
    INFO(text);
    const JsonProse p = FindJsonProse(text, 1 << 16);
    CHECK(p.form == TextForm::kText);
    CHECK(p.text.empty());
    CHECK(p.error.empty());
  }
}

TEST_CASE("FindJsonProse collects about max_bytes of values", "[detect][json]") {
  std::string json = "[";
  for (int i = 0; i < 200; ++i) json += "\"Una frase de prueba en castellano.\",";
  json += "\"fin\"]";
  const JsonProse p = FindJsonProse(json, 100);
  CHECK(p.form == TextForm::kJson);
  CHECK(p.text.size() <= 110);
  CHECK(p.text.find("Una frase de prueba") != std::string::npos);
}

TEST_CASE("plain text is read exactly as before", "[detect][json]") {
  const Detector old = WithoutJsonProse();
  for (const testing::Sentence& s : testing::LoadSentences()) {
    INFO(s.lang << ": " << s.text);
    const Detection now = Detect(s.text);
    const Detection before = old.Detect(s.text);
    CHECK(now.language == before.language);
    CHECK(now.confidence == before.confidence);
    CHECK(now.letters == before.letters);
    CHECK(now.form == "text");
  }
}

}  // namespace gavel::language
