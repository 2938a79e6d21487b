// ExtractJson: the three forms, the failures, and hostile input.
#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include "gavel/schema/extract.h"

namespace {

using gavel::Json;
using gavel::schema::ExtractJson;
using gavel::schema::ExtractOptions;
using gavel::schema::ExtractStatus;
using gavel::schema::JsonForm;

std::string Repeat(std::string_view piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

}  // namespace

TEST_CASE("extract: bare JSON of every kind", "[extract]") {
  const auto object = ExtractJson("  {\"a\": [1, 2]}\n");
  REQUIRE(object.ok());
  CHECK(object.form == JsonForm::kBare);
  CHECK(object.value == Json::parse(R"({"a": [1, 2]})"));
  CHECK(object.offset == 2);
  CHECK(object.length == 13);

  const auto array = ExtractJson("[{\"x\": \"]\"}, 2]");
  REQUIRE(array.ok());
  CHECK(array.form == JsonForm::kBare);
  CHECK(array.value.size() == 2);

  CHECK(ExtractJson("42").value == 42);
  CHECK(ExtractJson("-1.5e3").value == -1500.0);
  CHECK(ExtractJson("\"text\"").value == "text");
  CHECK(ExtractJson(" true ").value == true);
  CHECK(ExtractJson("null").ok());
  CHECK(ExtractJson("null").form == JsonForm::kBare);

  // A byte order mark does not hide bare JSON.
  const auto bom = ExtractJson("\xEF\xBB\xBF{\"a\": 1}");
  REQUIRE(bom.ok());
  CHECK(bom.form == JsonForm::kBare);
}

TEST_CASE("extract: fenced JSON", "[extract]") {
  const auto tagged = ExtractJson("Sure!\n```json\n{\"a\": 1}\n```\nAnything else?");
  REQUIRE(tagged.ok());
  CHECK(tagged.form == JsonForm::kFenced);
  CHECK(tagged.value == Json::parse(R"({"a": 1})"));

  const auto upper = ExtractJson("```JSON\n[1, 2]\n```");
  REQUIRE(upper.ok());
  CHECK(upper.form == JsonForm::kFenced);

  const auto plain = ExtractJson("Result:\n```\n{\"b\": 2}\n```");
  REQUIRE(plain.ok());
  CHECK(plain.form == JsonForm::kFenced);
  CHECK(plain.value["b"] == 2);

  // Another language's fence is skipped whole, even when it contains braces.
  const auto after_python = ExtractJson(
      "```python\nd = {\"not\": \"this\"}\n```\nand the data:\n```json\n{\"c\": 3}\n```");
  REQUIRE(after_python.ok());
  CHECK(after_python.value == Json::parse(R"({"c": 3})"));

  // A ```json fence wins over an earlier plain one.
  const auto preferred = ExtractJson("```\n{\"plain\": 1}\n```\n```json\n{\"tagged\": 1}\n```");
  REQUIRE(preferred.ok());
  CHECK(preferred.value.contains("tagged"));

  // A one-line fence.
  const auto inline_fence = ExtractJson("```json {\"d\": 4} ```");
  REQUIRE(inline_fence.ok());
  CHECK(inline_fence.value["d"] == 4);

  // "```" inside a JSON string does not close the fence: only one at the start of a line does.
  const auto backticks = ExtractJson("```json\n{\"code\": \"use ```x``` here\"}\n```\n");
  REQUIRE(backticks.ok());
  CHECK(backticks.value["code"] == "use ```x``` here");
}

TEST_CASE("extract: fenced failures", "[extract]") {
  const auto truncated = ExtractJson("```json\n{\"a\": [1, 2");
  CHECK(truncated.status == ExtractStatus::kInvalid);
  CHECK(truncated.form == JsonForm::kFenced);
  CHECK_THAT(truncated.error, Catch::Contains("invalid JSON") && Catch::Contains("unexpected end of input"));

  const auto malformed = ExtractJson("```json\n{\"a\": 1,}\n```");
  CHECK(malformed.status == ExtractStatus::kInvalid);
  CHECK_THAT(malformed.error, Catch::Contains("parse error"));

  const auto empty = ExtractJson("Here:\n```json\n```");
  CHECK(empty.status == ExtractStatus::kInvalid);
  CHECK(empty.form == JsonForm::kFenced);
  CHECK(empty.error == "the ```json block is empty");
}

TEST_CASE("extract: JSON after prose", "[extract]") {
  const auto after = ExtractJson("The answer is: {\"a\": 1}");
  REQUIRE(after.ok());
  CHECK(after.form == JsonForm::kAfterProse);
  CHECK(after.offset == 15);
  CHECK(after.length == 8);

  const auto trailing = ExtractJson("Here you go [\"x\", \"y\"] - hope that helps!");
  REQUIRE(trailing.ok());
  CHECK(trailing.value == Json::parse(R"(["x", "y"])"));

  // JSON first, prose after: not bare, so it counts as JSON with prose around it.
  const auto prose_after = ExtractJson("{\"a\": 1}\nHope this helps.");
  REQUIRE(prose_after.ok());
  CHECK(prose_after.form == JsonForm::kAfterProse);

  // Brackets in prose that do not read like JSON are not candidates.
  const auto bracketed_prose =
      ExtractJson("[see below] {placeholder} [2023 report] [true story] then {\"a\": {\"b\": [1]}}");
  REQUIRE(bracketed_prose.ok());
  CHECK(bracketed_prose.value == Json::parse(R"({"a": {"b": [1]}})"));

  // A citation that is valid JSON loses to the larger payload, wherever it is.
  const auto citation = ExtractJson("As shown in [1], the result is {\"score\": 7, \"ok\": true}.");
  REQUIRE(citation.ok());
  CHECK(citation.value["score"] == 7);
  const auto citation_after = ExtractJson("{\"score\": 7, \"ok\": true} per [1].");
  REQUIRE(citation_after.ok());
  CHECK(citation_after.value["score"] == 7);

  // An unbalanced bracket in prose before the payload.
  const auto stray = ExtractJson("Lists start with [ and so on. {\"a\": 1}");
  REQUIRE(stray.ok());
  CHECK(stray.value["a"] == 1);

  // A word that begins like a literal is prose.
  const auto nullable = ExtractJson("nullable fields: [\"a\"]");
  REQUIRE(nullable.ok());
  CHECK(nullable.form == JsonForm::kAfterProse);
}

TEST_CASE("extract: truncated or malformed JSON after prose is invalid, not skipped", "[extract]") {
  // The complete objects inside a truncated answer must not be taken for the answer.
  const auto truncated = ExtractJson("Review: {\"comments\": [{\"a\": 1}, {\"b\": 2}, {\"c\": ");
  CHECK(truncated.status == ExtractStatus::kInvalid);
  CHECK(truncated.form == JsonForm::kAfterProse);
  CHECK(truncated.offset == 8);
  CHECK_THAT(truncated.error, Catch::Contains("unexpected end of input"));

  // Nor may a citation stand in for a truncated payload.
  const auto with_citation = ExtractJson("See [1]: {\"a\": [1, 2, 3, 4");
  CHECK(with_citation.status == ExtractStatus::kInvalid);

  const auto mismatched = ExtractJson("Result: {\"a\": [1, 2}");
  CHECK(mismatched.status == ExtractStatus::kInvalid);
  CHECK_THAT(mismatched.error, Catch::Contains("parse error"));

  const auto bare_truncated = ExtractJson("{\"a\": ");
  CHECK(bare_truncated.status == ExtractStatus::kInvalid);
  CHECK(bare_truncated.form == JsonForm::kBare);
}

TEST_CASE("extract: nothing that looks like JSON", "[extract]") {
  for (const char* answer : {"", "   \n\t", "I cannot help with that.", "Use a [list] or {set}.",
                             "not json", "true story, no data", "```python\nprint(1)\n```"}) {
    INFO(answer);
    const auto result = ExtractJson(answer);
    CHECK(result.status == ExtractStatus::kNotFound);
    CHECK(!result.error.empty());
    CHECK(result.value.is_null());
  }
  CHECK(ExtractJson("").error == "the answer is empty");
  CHECK(ExtractJson("no json").error == "no JSON object or array found in the answer");
}

TEST_CASE("extract: nesting beyond the limit is refused before parsing", "[extract]") {
  ExtractOptions options;
  options.max_depth = 4;
  CHECK(ExtractJson("[[[[1]]]]", options).ok());
  for (const std::string& answer : {std::string("[[[[[1]]]]]"), std::string("```json\n[[[[[1]]]]]\n```"),
                                   std::string("Here: {\"a\": [[[[1]]]]} ok")}) {
    INFO(answer);
    const auto result = ExtractJson(answer, options);
    CHECK(result.status == ExtractStatus::kInvalid);
    CHECK(result.error == "JSON nests deeper than 4 levels");
  }
  // Brackets inside strings are not nesting.
  CHECK(ExtractJson("{\"a\": \"[[[[[[[[\"}", options).ok());
  // The default limit holds against a deep bare answer (which nlohmann would recurse into).
  const auto deep = ExtractJson(Repeat("[", 100000) + Repeat("]", 100000));
  CHECK(deep.status == ExtractStatus::kInvalid);
  CHECK(deep.error == "JSON nests deeper than 128 levels");
}

TEST_CASE("extract: parse errors are printable whatever the input bytes", "[extract]") {
  const auto result = ExtractJson("{\"a\": \xFF\x01}");
  REQUIRE(result.status == ExtractStatus::kInvalid);
  for (const char c : result.error) {
    const auto byte = static_cast<unsigned char>(c);
    CHECK(byte >= 0x20);
    CHECK(byte < 0x80);
  }
  CHECK_THAT(result.error, Catch::Contains("\\xFF"));
}

TEST_CASE("extract: hostile inputs take linear time", "[extract]") {
  // Each of these makes a naive "try every bracket" extractor rescan the rest of the text from
  // every position: quadratic, hours at this size. One pass takes milliseconds; the bound is
  // generous so that a slow sanitizer build never trips it.
  constexpr std::size_t kSize = 1 << 20;
  const std::string inputs[] = {
      Repeat("[", kSize),
      Repeat("{\"", kSize / 2),
      Repeat("[1 ", kSize / 3),
      Repeat("{\"a\":1} x ", kSize / 10),
      Repeat("```", kSize / 3),
      Repeat("```json\n", kSize / 8),
      Repeat("[\"", kSize / 2),
      "text " + Repeat("[[\"\\\"", kSize / 5),
  };
  for (const std::string& input : inputs) {
    const auto start = std::chrono::steady_clock::now();
    const auto result = ExtractJson(input);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    INFO(input.substr(0, 16) << "... -> " << gavel::schema::ExtractStatusName(result.status) << ": " << result.error);
    CHECK(elapsed < std::chrono::seconds(5));
  }
}

TEST_CASE("extract: names of forms and statuses", "[extract]") {
  CHECK(gavel::schema::JsonFormName(JsonForm::kBare) == "bare");
  CHECK(gavel::schema::JsonFormName(JsonForm::kFenced) == "fenced");
  CHECK(gavel::schema::JsonFormName(JsonForm::kAfterProse) == "after_prose");
  CHECK(gavel::schema::ExtractStatusName(ExtractStatus::kOk) == "ok");
  CHECK(gavel::schema::ExtractStatusName(ExtractStatus::kNotFound) == "not_found");
  CHECK(gavel::schema::ExtractStatusName(ExtractStatus::kInvalid) == "invalid");
}
