// Validation: every violation with its pointers and message, the cap, keyword semantics that the
// official suite does not pin down, limits, and concurrent use of one schema.
#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "gavel/schema/extract.h"
#include "gavel/schema/schema.h"
#include "support.h"

namespace {

namespace fs = std::filesystem;
using gavel::Json;
using gavel::schema::Schema;
using gavel::schema::ValidationResult;
using gavel::schema::Violation;
using gavel::schema::testing::MustLoad;

const fs::path kData = GAVEL_SCHEMA_TEST_DATA;

std::vector<std::string> Lines(const ValidationResult& result) {
  std::vector<std::string> lines;
  for (const Violation& v : result.violations) lines.push_back(v.ToString());
  return lines;
}

// The violations of `instance` against `schema` as "pointer: message" lines; checks that the
// checking walk (IsValid) agrees with the collecting one.
std::vector<std::string> Violations(const std::string& schema, const std::string& instance) {
  const auto compiled = MustLoad(schema);
  const Json value = Json::parse(instance);
  const ValidationResult result = compiled->Validate(value);
  INFO(schema << " on " << instance);
  CHECK(result.valid == result.violations.empty());
  CHECK(compiled->IsValid(value) == result.valid);
  CHECK(!result.truncated);
  return Lines(result);
}

using Lines_ = std::vector<std::string>;

std::shared_ptr<const Schema> ReviewSchema() {
  auto schema = Schema::LoadFile(kData / "root" / "review.json", kData / "root");
  REQUIRE(schema.ok());
  return schema.value();
}

const char* const kBadReview = R"({
  "summary": "Too short",
  "verdict": "reject",
  "extra": 1,
  "comments": [
    {"file": "ok.cc", "line": 1, "severity": "low", "message": "A fine comment here."},
    {"file": "bad file", "line": 0, "severity": "low", "message": "short", "tags": ["a", "a"], "end_line": 2.5},
    {"file": "x.cc", "line": 2, "severity": "urgent", "message": "Another fine comment."},
    {"line": "3", "severity": "high", "message": "Missing the file name."}
  ]
})";

}  // namespace

TEST_CASE("validate: every violation, with instance pointer, keyword, schema location and message", "[validate]") {
  const auto schema = ReviewSchema();
  const ValidationResult result = schema->Validate(Json::parse(kBadReview));
  CHECK(!result.valid);
  CHECK(!result.truncated);
  // Members are visited in key order (nlohmann keeps objects sorted), so the list is stable.
  CHECK(Lines(result) == Lines_{
                             "/comments/1/end_line: must be an integer, not a number",
                             "/comments/1/file: must match the pattern \"^[A-Za-z0-9_./-]+\\.[a-z]+$\"",
                             "/comments/1/line: must be >= 1",
                             "/comments/1/message: must be at least 10 characters long (found 5)",
                             "/comments/1/tags: must not contain equal items (items 0 and 1 are equal)",
                             "/comments/2/severity: must be one of [\"low\",\"medium\",\"high\"]",
                             "/comments/3: missing required property \"file\"",
                             "/comments/3/line: must be an integer, not a string",
                             "(root): property \"extra\" is not allowed",
                             "/summary: must be at least 10 characters long (found 9)",
                             "/verdict: must be one of [\"approve\",\"request_changes\",\"comment\"]",
                         });
  const std::string common = (kData / "root" / "common.json").string();
  const Violation& severity = result.violations[5];
  CHECK(severity.instance_pointer == "/comments/2/severity");
  CHECK(severity.keyword == "enum");
  CHECK(severity.schema_pointer == common + "#/definitions/severity/enum");
  CHECK(severity.message == R"(must be one of ["low","medium","high"])");
  CHECK(result.violations[8].schema_pointer == "/additionalProperties");
  CHECK(result.violations[8].keyword == "additionalProperties");
  CHECK(result.violations[8].instance_pointer.empty());
  CHECK(result.violations[9].schema_pointer == "/properties/summary/minLength");
  CHECK(result.violations[6].schema_pointer == common + "#/definitions/comment/required");
}

TEST_CASE("validate: the violation cap", "[validate]") {
  const auto schema = ReviewSchema();
  const Json bad = Json::parse(kBadReview);
  const ValidationResult capped = schema->Validate(bad, 3);
  CHECK(!capped.valid);
  CHECK(capped.truncated);
  CHECK(capped.violations.size() == 3);
  CHECK(Lines(capped)[2] == Lines(schema->Validate(bad))[2]);

  const ValidationResult exact = schema->Validate(bad, 11);
  CHECK(exact.violations.size() == 11);
  CHECK(!exact.truncated);

  const ValidationResult none = schema->Validate(bad, 0);
  CHECK(!none.valid);
  CHECK(none.truncated);
  CHECK(none.violations.empty());

  const ValidationResult valid = schema->Validate(Json::parse(R"({"summary": "All good here.", "verdict": "approve", "comments": []})"), 0);
  CHECK(valid.valid);
  CHECK(!valid.truncated);
}

TEST_CASE("validate: messages of each keyword", "[validate]") {
  CHECK(Violations(R"({"type": "string"})", "1") == Lines_{"(root): must be a string, not an integer"});
  CHECK(Violations(R"({"type": ["string", "null", "array"]})", "{}") == Lines_{"(root): must be null, an array or a string, not an object"});
  CHECK(Violations(R"({"type": []})", "1") == Lines_{"(root): no type is allowed (the type list is empty)"});
  CHECK(Violations(R"({"const": {"a": [1]}})", R"({"a": [2]})") == Lines_{R"((root): must be equal to {"a":[1]})"});
  CHECK(Violations(R"({"multipleOf": 0.5})", "1.25") == Lines_{"(root): must be a multiple of 0.5"});
  CHECK(Violations(R"({"maximum": 3})", "4") == Lines_{"(root): must be <= 3"});
  CHECK(Violations(R"({"exclusiveMaximum": 3})", "3") == Lines_{"(root): must be < 3"});
  CHECK(Violations(R"({"minimum": 1.5})", "1") == Lines_{"(root): must be >= 1.5"});
  CHECK(Violations(R"({"exclusiveMinimum": 0})", "0") == Lines_{"(root): must be > 0"});
  CHECK(Violations(R"({"maxLength": 1})", R"("ab")") == Lines_{"(root): must be at most 1 character long (found 2)"});
  CHECK(Violations(R"({"minLength": 3})", R"("ab")") == Lines_{"(root): must be at least 3 characters long (found 2)"});
  CHECK(Violations(R"({"maxItems": 1})", "[1, 2]") == Lines_{"(root): must have at most 1 item (found 2)"});
  CHECK(Violations(R"({"minItems": 2})", "[1]") == Lines_{"(root): must have at least 2 items (found 1)"});
  CHECK(Violations(R"({"$schema": "http://json-schema.org/draft-07/schema#", "items": [{}], "additionalItems": false})", "[1, 2, 3]") ==
        Lines_{"(root): must have at most 1 item (additionalItems is false)"});
  CHECK(Violations(R"({"$schema": "http://json-schema.org/draft-07/schema#", "items": [{}], "additionalItems": {"type": "string"}})", R"([1, "a", 3])") ==
        Lines_{"/2: must be a string, not an integer"});
  CHECK(Violations(R"({"prefixItems": [{}], "items": false})", "[1, 2, 3]") ==
        Lines_{"(root): must have at most 1 item (items is false)"});
  CHECK(Violations(R"({"prefixItems": [{}], "items": {"type": "string"}})", R"([1, "a", 3])") ==
        Lines_{"/2: must be a string, not an integer"});
  CHECK(Violations(R"({"contains": {"const": 1}, "minContains": 2})", "[1, 3]") ==
        Lines_{"(root): must contain at least 2 items matching the contains schema (found 1)"});
  CHECK(Violations(R"({"contains": {"const": 1}, "maxContains": 1})", "[1, 1]") ==
        Lines_{"(root): must contain at most 1 item matching the contains schema (found 2)"});
  CHECK(Violations(R"({"dependentRequired": {"a": ["b"]}})", R"({"a": 1})") ==
        Lines_{"(root): property \"a\" requires property \"b\""});
  CHECK(Violations(R"({"properties": {"a": {}}, "unevaluatedProperties": false})", R"({"a": 1, "b": 2})") ==
        Lines_{"(root): property \"b\" is not allowed (no keyword evaluated it, and unevaluatedProperties is false)"});
  CHECK(Violations(R"({"prefixItems": [{}], "unevaluatedItems": false})", "[1, 2]") ==
        Lines_{"(root): item 1 is not allowed (no keyword evaluated it, and unevaluatedItems is false)"});
  CHECK(Violations(R"({"$schema": "http://json-schema.org/draft-04/schema#", "maximum": 3, "exclusiveMaximum": true})", "3") ==
        Lines_{"(root): must be < 3"});
  CHECK(Violations(R"({"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"})", "2.0") ==
        Lines_{"(root): must be an integer, not a number written with a fraction (draft-04)"});
  CHECK(Violations(R"({"contains": {"const": 1}})", "[2, 3]") == Lines_{"(root): must contain an item that matches the contains schema"});
  CHECK(Violations(R"({"maxProperties": 1})", R"({"a": 1, "b": 2})") == Lines_{"(root): must have at most 1 property (found 2)"});
  CHECK(Violations(R"({"minProperties": 2})", R"({"a": 1})") == Lines_{"(root): must have at least 2 properties (found 1)"});
  CHECK(Violations(R"({"dependencies": {"a": ["b", "c"]}})", R"({"a": 1, "c": 1})") ==
        Lines_{"(root): property \"a\" requires property \"b\""});
  CHECK(Violations(R"({"dependencies": {"a": {"required": ["z"]}}})", R"({"a": 1})") ==
        Lines_{"(root): missing required property \"z\""});
  CHECK(Violations(R"({"propertyNames": {"maxLength": 3}})", R"({"abcd": 1, "ab": 2})") ==
        Lines_{"(root): property name \"abcd\" is not allowed: must be at most 3 characters long (found 4)"});
  CHECK(Violations(R"({"propertyNames": false})", R"({"a": 1})") ==
        Lines_{"(root): property name \"a\" is not allowed: no value is allowed here (the schema is false)"});
  CHECK(Violations(R"({"anyOf": [{"type": "string"}, {"type": "null"}]})", "1") ==
        Lines_{"(root): must match at least one of the anyOf schemas"});
  CHECK(Violations(R"({"oneOf": [{"type": "string"}, {"type": "null"}]})", "1") ==
        Lines_{"(root): must match exactly one of the oneOf schemas (matches none)"});
  CHECK(Violations(R"({"oneOf": [{"type": "integer"}, {"type": "string"}, {"minimum": 0}]})", "1") ==
        Lines_{"(root): must match exactly one of the oneOf schemas (matches #0 and #2)"});
  CHECK(Violations(R"({"not": {"type": "integer"}})", "1") == Lines_{"(root): must not match the \"not\" schema"});
  CHECK(Violations("false", "1") == Lines_{"(root): no value is allowed here (the schema is false)"});
  CHECK(Violations(R"({"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}})", R"({"a": 1})") ==
        Lines_{"(root): missing required property \"b\""});
  CHECK(Violations(R"({"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}})", R"({})") ==
        Lines_{"(root): missing required property \"c\""});
  CHECK(Violations(R"({"allOf": [{"minimum": 5}, {"multipleOf": 2}]})", "3") ==
        Lines_{"(root): must be >= 5", "(root): must be a multiple of 2"});
  CHECK(Violations(R"({"properties": {"a": {"enum": [[1, 2], {"x": null}]}}})", R"({"a": 5})") ==
        Lines_{"/a: must be one of [[1,2],{\"x\":null}]"});
  // A false schema's location is the schema itself, not a keyword in it.
  const auto false_items = MustLoad(R"({"items": false})")->Validate(Json::parse("[1]"));
  REQUIRE(false_items.violations.size() == 1);
  CHECK(false_items.violations[0].keyword == "false");
  CHECK(false_items.violations[0].schema_pointer == "/items");
  CHECK(false_items.violations[0].instance_pointer == "/0");
}

TEST_CASE("validate: long values are shortened in messages", "[validate]") {
  std::string big = "[";
  for (int i = 0; i < 100; ++i) big += (i ? ",\"" : "\"") + std::string(10, 'a' + static_cast<char>(i % 26)) + "\"";
  big += "]";
  const auto lines = Violations(R"({"enum": )" + big + "}", "1");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].size() < 260);
  CHECK_THAT(lines[0], Catch::EndsWith("..."));
}

TEST_CASE("validate: instance pointers escape ~ and /", "[validate]") {
  CHECK(Violations(R"({"additionalProperties": {"type": "string"}})", R"({"a/b~c": 1})") ==
        Lines_{"/a~1b~0c: must be a string, not an integer"});
  CHECK(Violations(R"({"patternProperties": {"^x": {"type": "string"}}})", R"({"x~": [], "y": 1})") ==
        Lines_{"/x~0: must be a string, not an array"});
}

TEST_CASE("validate: numbers", "[validate]") {
  const auto integer = MustLoad(R"({"type": "integer"})");
  CHECK(integer->IsValid(Json::parse("1.0")));
  CHECK(integer->IsValid(Json::parse("1e300")));
  CHECK(integer->IsValid(Json::parse("18446744073709551615")));
  CHECK(!integer->IsValid(Json::parse("1.5")));

  const auto cents = MustLoad(R"({"multipleOf": 0.01})");
  for (const char* ok : {"0.07", "19.99", "1e3", "0", "-4.35", "123456789.01"}) {
    INFO(ok);
    CHECK(cents->IsValid(Json::parse(ok)));
  }
  for (const char* bad : {"0.001", "19.995", "-0.015"}) {
    INFO(bad);
    CHECK(!cents->IsValid(Json::parse(bad)));
  }
  const auto three = MustLoad(R"({"multipleOf": 3})");
  CHECK(three->IsValid(Json::parse("9223372036854775806")));
  CHECK(!three->IsValid(Json::parse("9223372036854775807")));
  CHECK(three->IsValid(Json::parse("-9")));
  CHECK(three->IsValid(Json::parse("9.0")));
  // A quotient too large for a fractional part is judged exactly: 2^70 is not a multiple of 3
  // but is of 2^10.
  CHECK(!three->IsValid(Json(1180591620717411303424.0)));
  CHECK(MustLoad(R"({"multipleOf": 1024})")->IsValid(Json(1180591620717411303424.0)));
  // From later editions of the official suite: the quotient overflows a double.
  CHECK(!MustLoad(R"({"type": "integer", "multipleOf": 0.123456789})")->IsValid(Json::parse("1e308")));

  // Integer and float representations of one value compare equal, even beyond 2^53.
  const auto max = MustLoad(R"({"maximum": 9007199254740993})");
  CHECK(max->IsValid(Json::parse("9007199254740993")));
  CHECK(!max->IsValid(Json::parse("9007199254740994")));
  CHECK(MustLoad(R"({"const": 1})")->IsValid(Json::parse("1.0")));
  CHECK(!MustLoad(R"({"const": 1})")->IsValid(Json::parse("true")));
  CHECK(!MustLoad(R"({"enum": [0]})")->IsValid(Json::parse("false")));
}

TEST_CASE("validate: strings count code points and patterns are ECMA-262 as far as RE2 goes", "[validate]") {
  const auto two = MustLoad(R"({"maxLength": 2, "minLength": 2})");
  CHECK(two->IsValid(Json("\xC3\xA9\xF0\x9F\x98\x80")));  // é and an emoji: 2 code points, 6 bytes
  CHECK(!two->IsValid(Json("abc")));
  CHECK(Violations(R"({"maxLength": 2})", "\"\xC3\xA9\xC3\xA9\xC3\xA9\"") ==
        Lines_{"(root): must be at most 2 characters long (found 3)"});

  CHECK(MustLoad(R"({"pattern": "^\\u00e9+$"})")->IsValid(Json("\xC3\xA9\xC3\xA9")));
  CHECK(MustLoad(R"({"pattern": "^\\uD83D\\uDE00$"})")->IsValid(Json("\xF0\x9F\x98\x80")));
  CHECK(MustLoad(R"({"pattern": "^(?<year>\\d{4})-\\d{2}$"})")->IsValid(Json("2024-05")));
  CHECK(MustLoad(R"({"pattern": "^\\cJ$"})")->IsValid(Json("\n")));
  CHECK(MustLoad(R"({"pattern": "^[^]$"})")->IsValid(Json("\n")));
  CHECK(!MustLoad(R"({"pattern": "a[]"})")->IsValid(Json("a")));
  CHECK(MustLoad(R"({"pattern": "\\p{L}"})")->IsValid(Json("\xC3\xA9")));
  // Unanchored: a match anywhere counts.
  CHECK(MustLoad(R"({"pattern": "b"})")->IsValid(Json("abc")));
  // Not a string: pattern does not apply.
  CHECK(MustLoad(R"({"pattern": "^a$"})")->IsValid(Json(5)));
}

TEST_CASE("validate: uniqueItems compares values, pairwise or by hash", "[validate]") {
  const auto unique = MustLoad(R"({"uniqueItems": true})");
  CHECK(!unique->IsValid(Json::parse("[1, 1.0]")));
  CHECK(!unique->IsValid(Json::parse(R"([{"a": 1, "b": [2]}, {"b": [2.0], "a": 1}])")));
  CHECK(unique->IsValid(Json::parse("[1, true, \"1\", [1], {\"1\": 1}, null, 0, false]")));

  // More than 16 items take the hashing path; the message names the same (earliest) pair.
  Json many = Json::array();
  for (int i = 0; i < 40; ++i) many.push_back(Json{{"id", i}, {"tags", Json::array({i % 7})}});
  CHECK(unique->IsValid(many));
  many.push_back(Json{{"tags", Json::array({3.0})}, {"id", 10.0}});  // equal to item 10
  many.push_back(many[5]);
  CHECK(Lines(unique->Validate(many)) == Lines_{"(root): must not contain equal items (items 5 and 41 are equal)"});
  many.erase(many.end() - 1);
  CHECK(Lines(unique->Validate(many)) == Lines_{"(root): must not contain equal items (items 10 and 40 are equal)"});
  CHECK(!unique->IsValid(many));
}

TEST_CASE("validate: format is an annotation", "[validate]") {
  const auto schema = MustLoad(R"({"format": "email", "properties": {"d": {"format": "date-time"}}})");
  CHECK(schema->IsValid(Json::parse(R"({"d": "not a date"})")));
  CHECK(schema->IsValid(Json("not an email")));
}

TEST_CASE("validate: values nested too deeply are one violation, not a deep walk", "[validate]") {
  const auto schema = MustLoad(R"({"items": {"$ref": "#"}})");
  Json deep = Json::array();
  for (int i = 0; i < 300; ++i) deep = Json::array({deep});
  const ValidationResult result = schema->Validate(deep);
  CHECK(!result.valid);
  CHECK(Lines(result) == Lines_{"(root): the value nests deeper than 256 levels"});
  CHECK(result.violations[0].keyword == "depth");
  CHECK(!schema->IsValid(deep));
  CHECK(schema->Validate(deep, 0).truncated);

  Json fine = Json::array();
  for (int i = 0; i < 200; ++i) fine = Json::array({fine});
  CHECK(schema->Validate(fine).valid);
}

TEST_CASE("validate: a very long chain of in-place subschemas stops at the evaluation limit", "[validate]") {
  // 1,200 definitions, each applying the next with allOf: no loop, so it loads, but applying it
  // would recurse 1,200 deep on one value.
  Json definitions = Json::object();
  for (int i = 0; i < 1200; ++i) {
    definitions[std::string("d").append(std::to_string(i))] =
        Json{{"allOf", Json::array({Json{{"$ref", std::string("#/definitions/d").append(std::to_string(i + 1))}}})}};
  }
  definitions["d1200"] = Json{{"type", "integer"}};
  const auto schema = MustLoad(Json{{"definitions", definitions}, {"$ref", "#/definitions/d0"}}.dump());
  const ValidationResult result = schema->Validate(Json(1));
  CHECK(!result.valid);
  REQUIRE(result.violations.size() == 1);
  CHECK(result.violations[0].keyword == "depth");
  CHECK(result.violations[0].message == "the schema is applied more than 1000 levels deep here");
  // A shorter chain is fine.
  definitions["d900"] = Json{{"type", "integer"}};
  const auto shorter = MustLoad(Json{{"definitions", definitions}, {"$ref", "#/definitions/d0"}}.dump());
  CHECK(shorter->IsValid(Json(1)));
  CHECK(!shorter->IsValid(Json("1")));
}

TEST_CASE("validate: one schema, many threads", "[validate]") {
  const auto schema = ReviewSchema();
  const auto extracted = gavel::schema::ExtractJson(
      std::string("```json\n") + kBadReview + "\n```");
  REQUIRE(extracted.ok());
  const Json bad = extracted.value;
  const Json good = Json::parse(R"({"summary": "All good here.", "verdict": "approve", "comments": []})");
  const std::vector<std::string> expected = Lines(schema->Validate(bad));
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (Lines(schema->Validate(bad)) != expected || !schema->IsValid(good) || schema->IsValid(bad)) ++mismatches;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(mismatches.load() == 0);
}
