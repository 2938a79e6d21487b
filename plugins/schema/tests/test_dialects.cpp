// Dialects: selection by $schema, and the cases that used to validate silently by the wrong
// rules (issue 19): a 2020-12 schema whose root $ref hid its $schema, and 2019-09/2020-12
// keywords ignored in a schema that names no dialect. Also the local registry and the bundled
// meta-schemas that let $refs resolve offline.
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "gavel/schema/schema.h"
#include "support.h"

namespace {

using gavel::Json;
using gavel::schema::Dialect;
using gavel::schema::LoadOptions;
using gavel::schema::Schema;
using gavel::schema::testing::LoadError;
using gavel::schema::testing::MustLoad;

bool Valid(const std::shared_ptr<const Schema>& schema, const char* instance) {
  const Json value = Json::parse(instance);
  const bool valid = schema->Validate(value).valid;
  CHECK(schema->IsValid(value) == valid);  // both walks agree
  return valid;
}

}  // namespace

TEST_CASE("dialects: a root $ref no longer hides $schema: 2020-12 keywords beside it apply", "[dialects]") {
  const auto schema = MustLoad(R"({"$schema": "https://json-schema.org/draft/2020-12/schema",
                                   "$ref": "#/$defs/base", "unevaluatedProperties": false,
                                   "$defs": {"base": {"properties": {"a": {"type": "integer"}}}}})");
  CHECK(Valid(schema, R"({"a": 1})"));
  CHECK(!Valid(schema, R"({"a": 1, "b": 2})"));  // was valid: validated as draft-07
  CHECK(!Valid(schema, R"({"a": "x"})"));
}

TEST_CASE("dialects: a schema naming no dialect is 2020-12, and none of its keywords is ignored", "[dialects]") {
  CHECK(!Valid(MustLoad(R"({"properties": {"a": {}}, "unevaluatedProperties": false})"), R"({"a": 1, "b": 2})"));
  CHECK(!Valid(MustLoad(R"({"prefixItems": [{}], "unevaluatedItems": false})"), "[1, 2]"));
  CHECK(!Valid(MustLoad(R"({"prefixItems": [{"type": "string"}]})"), "[1]"));
  CHECK(!Valid(MustLoad(R"({"dependentSchemas": {"a": {"required": ["b"]}}})"), R"({"a": 1})"));
  CHECK(!Valid(MustLoad(R"({"dependentRequired": {"a": ["b"]}})"), R"({"a": 1})"));
  CHECK(!Valid(MustLoad(R"({"contains": {"const": 1}, "minContains": 2})"), "[1, 2]"));
  CHECK(!Valid(MustLoad(R"({"contains": {"const": 1}, "maxContains": 1})"), "[1, 1]"));
  CHECK(Valid(MustLoad(R"({"contains": {"const": 1}, "minContains": 0})"), "[]"));
  // $dynamicRef: the outermost $dynamicAnchor in the dynamic scope wins.
  const auto tree = MustLoad(R"({"$id": "https://example.com/strict-tree", "$dynamicAnchor": "node",
                                 "$ref": "https://example.com/tree", "unevaluatedProperties": false,
                                 "$defs": {"tree": {"$id": "https://example.com/tree", "$dynamicAnchor": "node",
                                   "type": "object",
                                   "properties": {"data": true, "children": {"type": "array", "items": {"$dynamicRef": "#node"}}}}}})");
  CHECK(Valid(tree, R"({"children": [{"data": 1}]})"));
  CHECK(!Valid(tree, R"({"children": [{"daat": 1}]})"));
  // The default is an option.
  LoadOptions draft7;
  draft7.default_dialect = Dialect::kDraft7;
  CHECK(Valid(MustLoad(R"({"properties": {"a": {}}, "unevaluatedProperties": false})", draft7), R"({"a": 1, "b": 2})"));
}

TEST_CASE("dialects: draft-04 spells exclusive bounds as booleans and $id as id, and 1.0 is no integer", "[dialects]") {
  const auto schema = MustLoad(R"({"$schema": "http://json-schema.org/draft-04/schema#",
                                   "minimum": 1, "exclusiveMinimum": true, "maximum": 3,
                                   "properties": {"a": {"$ref": "http://example.com/n#"}},
                                   "definitions": {"n": {"id": "http://example.com/n", "type": "integer"}}})");
  CHECK(!Valid(schema, "1"));
  CHECK(Valid(schema, "3"));
  CHECK(!Valid(schema, R"({"a": "x"})"));
  CHECK(!Valid(MustLoad(R"({"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"})"), "1.0"));
  CHECK(Valid(MustLoad(R"({"$schema": "http://json-schema.org/draft-06/schema#", "type": "integer"})"), "1.0"));
}

TEST_CASE("dialects: 2019-09's $recursiveRef follows $recursiveAnchor through the dynamic scope", "[dialects]") {
  LoadOptions options;
  options.documents.emplace_back("https://example.com/tree", Json::parse(R"({
      "$schema": "https://json-schema.org/draft/2019-09/schema", "$id": "https://example.com/tree",
      "$recursiveAnchor": true, "type": "object",
      "properties": {"data": true, "children": {"type": "array", "items": {"$recursiveRef": "#"}}}})"));
  const auto strict = MustLoad(R"({"$schema": "https://json-schema.org/draft/2019-09/schema",
                                   "$id": "https://example.com/strict", "$recursiveAnchor": true,
                                   "$ref": "https://example.com/tree", "unevaluatedProperties": false})",
                               options);
  CHECK(Valid(strict, R"({"children": [{"data": 1}]})"));
  CHECK(!Valid(strict, R"({"children": [{"daat": 1}]})"));
}

TEST_CASE("dialects: a custom meta-schema's $vocabulary decides which keywords assert", "[dialects]") {
  LoadOptions options;
  options.documents.emplace_back("https://example.com/no-validation", Json::parse(R"({
      "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.com/no-validation",
      "$vocabulary": {"https://json-schema.org/draft/2020-12/vocab/core": true,
                      "https://json-schema.org/draft/2020-12/vocab/applicator": true}})"));
  const auto schema = MustLoad(R"({"$schema": "https://example.com/no-validation",
                                   "properties": {"a": {"type": "string"}}, "minProperties": 5})", options);
  CHECK(Valid(schema, R"({"a": 1})"));
  options.documents.emplace_back("https://example.com/needs", Json::parse(R"({
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "$vocabulary": {"https://example.com/vocab/unknown": true}})"));
  CHECK(LoadError(R"({"$schema": "https://example.com/needs"})", options) ==
        "s.json: /$schema: the meta-schema \"https://example.com/needs\" requires the vocabulary "
        "\"https://example.com/vocab/unknown\", which gavel does not implement");
}

TEST_CASE("dialects: a registered document is found by its $id, never fetched", "[dialects]") {
  LoadOptions options;
  // Listed under a file-like name; the $ref names its $id.
  options.documents.emplace_back("file:///schemas/address.json", Json::parse(R"({
      "$id": "https://example.com/address", "type": "object", "required": ["city"]})"));
  const auto schema = MustLoad(R"({"properties": {"home": {"$ref": "https://example.com/address"}}})", options);
  CHECK(Valid(schema, R"({"home": {"city": "Oslo"}})"));
  CHECK(!Valid(schema, R"({"home": {}})"));
  CHECK(LoadError(R"({"$ref": "https://example.com/other"})", options) ==
        "s.json: /$ref: cannot load \"https://example.com/other\": it is not under a schema folder and no document "
        "has this URI (gavel never fetches schemas over a network)");
}

TEST_CASE("dialects: the meta-schemas of every dialect are bundled, so a $ref to them works offline", "[dialects]") {
  if (!std::filesystem::is_regular_file(std::string(GAVEL_METASCHEMA_DIR) + "/draft2020-12.json")) {
    WARN("the build found no meta-schemas in " GAVEL_METASCHEMA_DIR " (python3-jsonschema); nothing is bundled");
    return;
  }
  for (const char* meta : {"http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-06/schema#",
                           "http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft/2019-09/schema",
                           "https://json-schema.org/draft/2020-12/schema"}) {
    INFO(meta);
    const auto schema = MustLoad(Json{{"$ref", meta}}.dump());
    CHECK(Valid(schema, R"({"type": "string", "minLength": 1})"));
    CHECK(!Valid(schema, R"({"type": 5})"));
    CHECK(!Valid(schema, R"({"minLength": -1})"));
  }
}

TEST_CASE("dialects: ECMA-262 patterns: Unicode property names and white space", "[dialects]") {
  const auto letters = MustLoad(R"({"pattern": "^\\p{Letter}+$"})");
  CHECK(Valid(letters, R"("héllo")"));
  CHECK(!Valid(letters, R"("123")"));
  const auto space = MustLoad(R"({"pattern": "^\\s$"})");
  CHECK(Valid(space, "\"\\u00a0\""));
  CHECK(Valid(space, "\"\\u2003\""));
  CHECK(!Valid(space, R"("a")"));
  const auto non_space = MustLoad(R"({"pattern": "^[\\S]$"})");
  CHECK(!Valid(non_space, "\"\\u3000\""));
  CHECK(Valid(non_space, R"("x")"));
  const auto dot = MustLoad(R"({"pattern": "^.$"})");
  CHECK(!Valid(dot, "\"\\u2028\""));
  CHECK(Valid(dot, R"("é")"));
  CHECK(!Valid(MustLoad(R"({"pattern": "^\\d$"})"), "\"\\u0660\""));  // \d stays ASCII
}
