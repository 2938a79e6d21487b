// Fuzzes JSON Schema validation of arbitrary instances. The first input byte picks one of a
// fixed set of schemas (the repository's schemas/ and hand-written ones that lean on the
// keywords most likely to go wrong: regex patterns, $ref recursion, uniqueItems with numbers of
// different spellings, multipleOf with fractions, if/then/else, dependencies, boolean schemas);
// the rest is the answer text, from which the instance is extracted as a rubric's schema:check
// does. One selector value instead compiles the rest as a schema (in memory, no $ref to files)
// and validates the text against it, to reach the compiler and the pattern translation.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "gavel/schema/extract.h"
#include "gavel/schema/schema.h"

namespace {

using gavel::fuzz::Check;
using SchemaPtr = std::shared_ptr<const gavel::schema::Schema>;

const char* const kHandWritten[] = {
    // Patterns on names and values, uniqueItems and contains on structured values.
    R"({
      "type": "object",
      "patternProperties": {
        "^x-[a-z]+$": {"type": "string", "pattern": "^[\\w\\s.-]{0,20}$"},
        "\\d{2,}": {"type": "integer"},
        "\\u00e9|caf\\u00e9": {"type": "string", "minLength": 2}
      },
      "propertyNames": {"maxLength": 8, "pattern": "^[^\\s]*$"},
      "additionalProperties": {
        "type": "array",
        "uniqueItems": true,
        "contains": {"const": {"a": [1, 2.0]}}
      }
    })",
    // Recursion through definitions, if/then/else, fractions, tuples and enums of every type
    // (draft-07 tuples: items as an array, additionalItems).
    R"({
      "$schema": "http://json-schema.org/draft-07/schema#",
      "definitions": {
        "node": {
          "type": "object",
          "properties": {
            "v": {"type": "number", "multipleOf": 0.01, "exclusiveMinimum": -1e308},
            "next": {"$ref": "#/definitions/node"}
          },
          "if": {"required": ["v"]},
          "then": {"properties": {"v": {"maximum": 100}}},
          "else": {"required": ["next"]}
        }
      },
      "oneOf": [
        {"$ref": "#/definitions/node"},
        {"type": "array", "items": [{"type": "string", "format": "date"}, {"type": "integer"}],
         "additionalItems": {"not": {"type": "null"}}, "minItems": 1, "maxItems": 5},
        {"enum": [null, true, 1, "1", [1], {"1": 1}]}
      ]
    })",
    // Dependencies, counts of properties and lengths, nested combinators, large integers.
    R"({
      "type": ["object", "string"],
      "minLength": 2,
      "maxLength": 10,
      "dependencies": {"a": ["b"], "c": {"required": ["d"], "properties": {"d": {"const": 0}}}},
      "minProperties": 1,
      "maxProperties": 4,
      "allOf": [
        {"not": {"required": ["z"]}},
        {"anyOf": [
          {"required": ["a"]},
          {"type": "string", "pattern": "^(a+)+$"},
          {"properties": {"n": {"type": "integer", "minimum": 0, "maximum": 9007199254740993}}}
        ]}
      ]
    })",
    // The whole document by "#": arbitrarily deep arrays of unique numbers.
    R"({
      "$id": "https://gavel.example/fuzz/tree.json",
      "type": ["array", "number"],
      "items": {"$ref": "#"},
      "uniqueItems": true,
      "multipleOf": 0.5
    })",
    // Boolean schemas and the keywords that take them.
    R"({
      "properties": {"t": true, "f": false},
      "additionalProperties": {"type": "integer", "exclusiveMaximum": 0},
      "items": false,
      "contains": false,
      "propertyNames": {"not": {"const": "forbidden"}}
    })",
};

const std::vector<SchemaPtr>& Schemas() {
  static const std::vector<SchemaPtr> schemas = [] {
    std::vector<SchemaPtr> out;
    for (const char* file : {"schemas/contract_comments.json", "schemas/contract_verdict.json",
                             "schemas/support_reply.json"}) {
      auto s = gavel::schema::Schema::LoadFile(gavel::fuzz::SourcePath(file), gavel::fuzz::SourcePath("schemas"));
      if (!s) gavel::fuzz::Fail("cannot load", s.error().message());
      out.push_back(*s);
    }
    int n = 0;
    for (const char* text : kHandWritten) {
      auto s = gavel::schema::Schema::FromJson(gavel::Json::parse(text), "hand-written " + std::to_string(n++));
      if (!s) gavel::fuzz::Fail("cannot compile", s.error().message());
      out.push_back(*s);
    }
    return out;
  }();
  return schemas;
}

void Validate(const gavel::schema::Schema& schema, const gavel::Json& instance) {
  const bool valid = schema.IsValid(instance);
  const gavel::schema::ValidationResult all = schema.Validate(instance);
  Check(valid == all.valid, "IsValid and Validate disagree", instance.dump(-1, ' ', true, gavel::Json::error_handler_t::replace));
  Check(all.valid == all.violations.empty(), "validity and violations disagree");
  Check(all.violations.size() <= 100, "more violations than the cap");
  Check(!all.truncated || all.violations.size() == 100, "truncated below the cap");
  for (const auto& v : all.violations) {
    Check(!v.keyword.empty() && !v.message.empty(), "a violation without keyword or message");
    Check(gavel::fuzz::IsValidUtf8(v.ToString()), "a violation is not UTF-8", v.ToString());
  }
  const gavel::schema::ValidationResult none = schema.Validate(instance, 0);
  Check(none.valid == valid && none.violations.empty(), "Validate(instance, 0) differs");
  const gavel::schema::ValidationResult one = schema.Validate(instance, 1);
  Check(one.valid == valid && one.violations.size() == (valid ? 0u : 1u), "Validate(instance, 1) differs");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)Schemas();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t choice = data[0] % (Schemas().size() + 1);
  // Deeper than the validator's own limit of 256 levels, so that limit is reached too.
  const gavel::schema::Extracted e = gavel::schema::ExtractJson(text, {.max_depth = 300});
  if (!e.ok()) return 0;
  if (choice < Schemas().size()) {
    Validate(*Schemas()[choice], e.value);
    return 0;
  }
  gavel::schema::LoadOptions options;
  options.max_depth = 64;
  auto schema = gavel::schema::Schema::FromJson(e.value, "fuzzed", options);
  if (!schema) {
    Check(gavel::fuzz::IsValidUtf8(schema.error().message()), "a schema error is not UTF-8",
          schema.error().message());
    return 0;
  }
  Validate(**schema, e.value);
  return 0;
}
