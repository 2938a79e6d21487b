// Loading schemas: files and sibling files, $ref resolution, and every kind of load error.
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "gavel/schema/schema.h"
#include "support.h"

namespace {

namespace fs = std::filesystem;
using gavel::ErrorKind;
using gavel::Json;
using gavel::schema::LoadOptions;
using gavel::schema::Schema;
using gavel::schema::testing::LoadError;
using gavel::schema::testing::MustLoad;
using gavel::schema::testing::TempDir;

const fs::path kData = GAVEL_SCHEMA_TEST_DATA;

}  // namespace

TEST_CASE("load: a schema file with references to sibling files in other folders", "[load]") {
  const auto schema = Schema::LoadFile(kData / "root" / "review.json", kData / "root");
  REQUIRE(schema.ok());
  CHECK((*schema)->name() == (kData / "root" / "review.json").string());

  const Json good = Json::parse(R"({
    "summary": "Looks fine overall.", "verdict": "comment",
    "comments": [{"file": "a/b.cc", "line": 3, "severity": "low", "message": "Rename this variable.",
                  "category": "x-naming"}]})");
  CHECK((*schema)->Validate(good).valid);

  // The category goes through nested/categories.json, which refers back up to common.json.
  Json bad = good;
  bad["comments"][0]["category"] = "naming";
  const auto result = (*schema)->Validate(bad);
  REQUIRE(result.violations.size() == 1);
  CHECK(result.violations[0].instance_pointer == "/comments/0/category");
  CHECK(result.violations[0].keyword == "anyOf");
  CHECK(result.violations[0].schema_pointer == (kData / "root" / "nested" / "categories.json").string() + "#/anyOf");
}

TEST_CASE("load: the display names follow the root as the caller spelled it", "[load]") {
  // With a relative root the messages name files relative to it, as a rubric author wrote them.
  const fs::path saved = fs::current_path();
  fs::current_path(kData);
  const auto schema = Schema::LoadFile("root/review.json", "root");
  fs::current_path(saved);
  REQUIRE(schema.ok());
  Json answer = Json::parse(R"({"summary": "Looks fine overall.", "verdict": "comment",
    "comments": [{"file": "a.cc", "line": 1, "severity": "urgent", "message": "Rename this variable."}]})");
  const auto result = (*schema)->Validate(answer);
  REQUIRE(result.violations.size() == 1);
  CHECK(result.violations[0].schema_pointer == "root/common.json#/definitions/severity/enum");
  CHECK(result.violations[0].ToString() == R"(/comments/0/severity: must be one of ["low","medium","high"])");
}

TEST_CASE("load: references may not leave the root folder", "[load]") {
  SECTION("through ..") {
    const auto schema = Schema::LoadFile(kData / "root" / "escape.json", kData / "root");
    REQUIRE(!schema);
    CHECK(schema.error().kind() == ErrorKind::kBadRubric);
    CHECK_THAT(schema.error().message(),
               Catch::StartsWith((kData / "root" / "escape.json").string() + ": /properties/a/$ref: cannot load \"file://") &&
                   Catch::EndsWith("outside.json\": outside the schema folder " + (kData / "root").string()));
  }
  SECTION("through a symbolic link") {
    TempDir dir;
    dir.Write("outside.json", R"({"type": "string"})");
    dir.Write("root/main.json", R"({"$ref": "link.json"})");
    fs::create_symlink(dir.path() / "outside.json", dir.path() / "root" / "link.json");
    const auto schema = Schema::LoadFile(dir.path() / "root" / "main.json", dir.path() / "root");
    REQUIRE(!schema);
    CHECK_THAT(schema.error().message(), Catch::Contains("/$ref: cannot load") && Catch::Contains("outside the schema folder"));
  }
  SECTION("through percent-encoded dots") {
    TempDir dir;
    dir.Write("outside.json", R"({"type": "string"})");
    dir.Write("root/main.json", R"({"$ref": "%2E%2E/outside.json"})");
    const auto schema = Schema::LoadFile(dir.path() / "root" / "main.json", dir.path() / "root");
    REQUIRE(!schema);
    CHECK_THAT(schema.error().message(), Catch::Contains("outside the schema folder"));
  }
  SECTION("the schema file itself") {
    const auto schema = Schema::LoadFile(kData / "outside.json", kData / "root");
    REQUIRE(!schema);
    CHECK(schema.error().kind() == ErrorKind::kUsage);
    CHECK(schema.error().message() == (kData / "outside.json").string() + " is outside the schema root " + (kData / "root").string());
  }
  SECTION("network URIs are never fetched") {
    const std::string error = LoadError(R"({"$ref": "https://example.com/schema.json"})");
    CHECK(error == "s.json: /$ref: cannot load \"https://example.com/schema.json\": it is not under a schema folder and no "
                   "document has this URI (gavel never fetches schemas over a network)");
  }
}

TEST_CASE("load: unreadable and malformed files", "[load]") {
  TempDir dir;
  SECTION("missing schema file") {
    const auto schema = Schema::LoadFile(dir.path() / "missing.json", dir.path());
    REQUIRE(!schema);
    CHECK(schema.error().kind() == ErrorKind::kIo);
    CHECK(schema.error().message() == "cannot read " + (dir.path() / "missing.json").string() + ": no such file");
  }
  SECTION("missing root") {
    const auto schema = Schema::LoadFile(dir.path() / "x" / "a.json", dir.path() / "x");
    REQUIRE(!schema);
    CHECK(schema.error().kind() == ErrorKind::kIo);
    CHECK_THAT(schema.error().message(), Catch::StartsWith("schema root " + (dir.path() / "x").string() + ": "));
  }
  SECTION("root is a file") {
    const auto file = dir.Write("a.json", "{}");
    const auto schema = Schema::LoadFile(file, file);
    REQUIRE(!schema);
    CHECK(schema.error().kind() == ErrorKind::kUsage);
    CHECK(schema.error().message() == "schema root " + file.string() + " is not a folder");
  }
  SECTION("a folder where a file should be") {
    fs::create_directories(dir.path() / "sub.json");
    const auto schema = Schema::LoadFile(dir.path() / "sub.json", dir.path());
    REQUIRE(!schema);
    CHECK(schema.error().kind() == ErrorKind::kIo);
    CHECK(schema.error().message() == "cannot read " + (dir.path() / "sub.json").string() + ": not a regular file");
  }
  SECTION("invalid JSON") {
    const auto file = dir.Write("bad.json", "{\"type\": \"string\",}");
    const auto schema = Schema::LoadFile(file, dir.path());
    REQUIRE(!schema);
    CHECK(schema.error().kind() == ErrorKind::kBadRubric);
    CHECK_THAT(schema.error().message(), Catch::StartsWith(file.string() + ": invalid JSON: parse error at line 1, column 19"));
  }
  SECTION("a missing sibling names the $ref that wanted it") {
    const auto file = dir.Write("main.json", R"({"properties": {"a": {"$ref": "other.json"}}})");
    const auto schema = Schema::LoadFile(file, dir.path());
    REQUIRE(!schema);
    CHECK(schema.error().kind() == ErrorKind::kIo);
    CHECK(schema.error().message() == file.string() + ": /properties/a/$ref: cannot read " +
                                          (dir.path() / "other.json").string() + ": no such file");
  }
  SECTION("a malformed sibling") {
    const auto file = dir.Write("main.json", R"({"$ref": "other.json#/definitions/x"})");
    dir.Write("other.json", "[1, 2");
    const auto schema = Schema::LoadFile(file, dir.path());
    REQUIRE(!schema);
    CHECK(schema.error().kind() == ErrorKind::kBadRubric);
    CHECK_THAT(schema.error().message(), Catch::StartsWith(file.string() + ": /$ref: " + (dir.path() / "other.json").string() + ": invalid JSON"));
  }
  SECTION("a bad keyword in a sibling names the sibling") {
    const auto file = dir.Write("main.json", R"({"$ref": "sub/other.json"})");
    dir.Write("sub/other.json", R"({"properties": {"a": {"maxItems": "3"}}})");
    const auto schema = Schema::LoadFile(file, dir.path());
    REQUIRE(!schema);
    CHECK(schema.error().message() == (dir.path() / "sub" / "other.json").string() + ": /properties/a/maxItems: must be a non-negative integer");
  }
  SECTION("file size limit") {
    LoadOptions options;
    options.max_file_bytes = 10;
    const auto file = dir.Write("big.json", R"({"type": "string"})");
    const auto schema = Schema::LoadFile(file, dir.path(), options);
    REQUIRE(!schema);
    CHECK(schema.error().message() == file.string() + ": larger than the 10-byte limit for schema files");
  }
  SECTION("nesting limit") {
    LoadOptions options;
    options.max_depth = 3;
    const auto file = dir.Write("deep.json", R"({"items": {"items": {"items": {}}}})");
    const auto schema = Schema::LoadFile(file, dir.path(), options);
    REQUIRE(!schema);
    CHECK(schema.error().message() == file.string() + ": nests deeper than 3 levels");
    CHECK_THAT(LoadError(R"({"items": {"items": {"items": {}}}})", options), Catch::Equals("s.json: nests deeper than 3 levels"));
  }
  SECTION("document count limit") {
    LoadOptions options;
    options.max_documents = 3;
    dir.Write("a.json", R"({"$ref": "b.json"})");
    dir.Write("b.json", R"({"$ref": "c.json"})");
    dir.Write("c.json", R"({"$ref": "d.json"})");
    dir.Write("d.json", R"({})");
    const auto schema = Schema::LoadFile(dir.path() / "a.json", dir.path(), options);
    REQUIRE(!schema);
    CHECK(schema.error().message() == (dir.path() / "d.json").string() + ": more than 3 schema documents are referenced");
    options.max_documents = 4;
    CHECK(Schema::LoadFile(dir.path() / "a.json", dir.path(), options).ok());
  }
}

TEST_CASE("load: keywords with malformed values name the file, pointer and keyword", "[load]") {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"properties": {"a": {"minLength": -1}}})", "s.json: /properties/a/minLength: must be a non-negative integer"},
      {R"({"maxLength": 1.5})", "s.json: /maxLength: must be a non-negative integer"},
      {R"({"type": "strin"})", "s.json: /type: unknown type \"strin\"; must be a type name (null, boolean, object, array, number, string, integer) or an array of them"},
      {R"({"type": ["string", "string"]})", "s.json: /type: lists \"string\" twice"},
      {R"({"type": [1]})", "s.json: /type: must be a type name (null, boolean, object, array, number, string, integer) or an array of them"},
      {R"({"type": 5})", "s.json: /type: must be a type name (null, boolean, object, array, number, string, integer) or an array of them"},
      {R"({"enum": 5})", "s.json: /enum: must be an array"},
      {R"({"multipleOf": 0})", "s.json: /multipleOf: must be a number greater than 0"},
      {R"({"multipleOf": "2"})", "s.json: /multipleOf: must be a number"},
      {R"({"maximum": "1"})", "s.json: /maximum: must be a number"},
      {R"({"exclusiveMinimum": true})", "s.json: /exclusiveMinimum: must be a number"},
      {R"({"pattern": 5})", "s.json: /pattern: must be a string"},
      {R"({"pattern": "(a"})", "s.json: /pattern: invalid regular expression \"(a\": missing ): (a"},
      {R"j({"pattern": "a(?=b)"})j", "s.json: /pattern: invalid regular expression \"a(?=b)\": invalid perl operator: (?= (RE2 has no lookahead or lookbehind)"},
      {R"({"pattern": "(a)\\1"})", "s.json: /pattern: invalid regular expression \"(a)\\1\": invalid escape sequence: \\1 (RE2 has no backreferences)"},
      {R"({"patternProperties": {"[": {}}})", "s.json: /patternProperties: invalid regular expression \"[\": missing ]: ["},
      {R"({"items": 5})", "s.json: /items: must be a schema or an array of schemas"},
      {R"({"$schema": "http://json-schema.org/draft-07/schema#", "items": [{}, 5]})", "s.json: /items/1: a schema must be an object or a boolean, not integer"},
      {R"({"prefixItems": [{}, 5]})", "s.json: /prefixItems/1: a schema must be an object or a boolean, not integer"},
      {R"({"prefixItems": []})", "s.json: /prefixItems: must be a non-empty array of schemas"},
      {R"({"items": [{}]})", "s.json: /items: must be one schema in 2020-12; an array of schemas is written prefixItems (or name draft-07 in $schema)"},
      {R"({"additionalItems": false})", "s.json: /additionalItems: is not a 2020-12 keyword: the schema for the items after prefixItems is written items (or name draft-07 in $schema)"},
      {R"({"dependentRequired": {"a": {}}})", "s.json: /dependentRequired/a: must be an array of property names"},
      {R"({"dependentSchemas": {"a": ["b"]}})", "s.json: /dependentSchemas/a: must be a schema"},
      {R"({"minContains": -1, "contains": {}})", "s.json: /minContains: must be a non-negative integer"},
      {R"({"unevaluatedProperties": 1})", "s.json: /unevaluatedProperties: a schema must be an object or a boolean, not integer"},
      {R"({"$anchor": 5})", "s.json: /$anchor: must be a name"},
      {R"({"$dynamicRef": 5})", "s.json: /$dynamicRef: must be a string"},
      {R"({"$schema": "https://json-schema.org/draft/2019-09/schema", "$recursiveAnchor": "yes"})", "s.json: /$recursiveAnchor: must be a boolean"},
      {R"({"$schema": "http://json-schema.org/draft-04/schema#", "exclusiveMaximum": 3})", "s.json: /exclusiveMaximum: must be a boolean in draft-04"},
      {R"({"additionalProperties": "no"})", "s.json: /additionalProperties: a schema must be an object or a boolean, not string"},
      {R"({"uniqueItems": "yes"})", "s.json: /uniqueItems: must be a boolean"},
      {R"({"required": [1]})", "s.json: /required: must be an array of property names"},
      {R"({"required": ["a", "a"]})", "s.json: /required: lists \"a\" twice"},
      {R"({"properties": []})", "s.json: /properties: must be an object whose values are schemas"},
      {R"({"properties": {"a/b": 1}})", "s.json: /properties/a~1b: a schema must be an object or a boolean, not integer"},
      {R"({"definitions": {"x": null}})", "s.json: /definitions/x: a schema must be an object or a boolean, not null"},
      {R"({"$defs": {"x": []}})", "s.json: /$defs/x: a schema must be an object or a boolean, not array"},
      {R"({"dependencies": {"a": 5}})", "s.json: /dependencies/a: must be a schema or an array of property names"},
      {R"({"dependencies": {"a": ["b", 2]}})", "s.json: /dependencies/a: must be an array of property names"},
      {R"({"dependencies": []})", "s.json: /dependencies: must be an object"},
      {R"({"allOf": []})", "s.json: /allOf: must be a non-empty array of schemas"},
      {R"({"anyOf": {}})", "s.json: /anyOf: must be a non-empty array of schemas"},
      {R"({"oneOf": [true, 1]})", "s.json: /oneOf/1: a schema must be an object or a boolean, not integer"},
      {R"({"not": 1})", "s.json: /not: a schema must be an object or a boolean, not integer"},
      {R"({"then": 1})", "s.json: /then: a schema must be an object or a boolean, not integer"},
      {R"({"$ref": 5})", "s.json: /$ref: must be a string"},
      {R"({"$id": 5})", "s.json: /$id: must be a string"},
      {R"({"format": 5})", "s.json: /format: must be a string"},
      {R"({"$schema": 7})", "s.json: /$schema: must be a string"},
      {R"({"$schema": "http://json-schema.org/draft-03/schema#"})",
       "s.json: /$schema: unknown dialect \"http://json-schema.org/draft-03/schema#\": gavel implements JSON Schema draft-04, draft-06, draft-07, 2019-09 and 2020-12, and no meta-schema with this URI is registered"},
      {R"({"$schema": "draft-07"})",
       "s.json: /$schema: unknown dialect \"draft-07\": gavel implements JSON Schema draft-04, draft-06, draft-07, 2019-09 and 2020-12"},
      // A $ref beside it does not hide it (it did up to draft-07 rules, silently).
      {R"({"$schema": "https://example.com/my-dialect", "$ref": "#/$defs/a", "$defs": {"a": {}}})",
       "s.json: /$schema: unknown dialect \"https://example.com/my-dialect\": gavel implements JSON Schema draft-04, draft-06, draft-07, 2019-09 and 2020-12, and no meta-schema with this URI is registered"},
      {R"(5)", "s.json: (root): a schema must be an object or a boolean, not integer"},
  };
  for (const auto& [schema, message] : cases) {
    CHECK(LoadError(schema) == message);
  }
  // Supported meta-schemas load.
  for (const char* meta : {"http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft-07/schema",
                           "http://json-schema.org/draft-06/schema#", "http://json-schema.org/draft-04/schema#",
                           "https://json-schema.org/draft/2019-09/schema", "https://json-schema.org/draft/2020-12/schema"}) {
    MustLoad(Json{{"$schema", meta}}.dump());
  }
}

TEST_CASE("load: unresolvable references", "[load]") {
  CHECK(LoadError(R"({"properties": {"a": {"$ref": "#/definitions/nope"}}, "definitions": {}})") ==
        "s.json: /properties/a/$ref: cannot resolve \"#/definitions/nope\": no \"nope\" at /definitions");
  CHECK(LoadError(R"({"$ref": "#/items/1", "items": [{}]})") ==
        "s.json: /$ref: cannot resolve \"#/items/1\": no \"1\" at /items");
  CHECK(LoadError(R"({"$ref": "#/a~2b"})") == "s.json: /$ref: cannot resolve \"#/a~2b\": is not a JSON pointer");
  CHECK(LoadError(R"({"$ref": "#missing"})") == "s.json: /$ref: cannot resolve \"#missing\": no $id or anchor names #missing");
}

TEST_CASE("load: loops that never descend into the value are refused", "[load]") {
  CHECK(LoadError(R"({"$ref": "#"})") ==
        "s.json: the schema loops back to itself without descending into the value: (root) -> (root)");
  CHECK(LoadError(R"({"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"allOf": [{"$ref": "#/definitions/a"}]}},
                      "anyOf": [{"type": "string"}, {"$ref": "#/definitions/a"}]})") ==
        "s.json: the schema loops back to itself without descending into the value: "
        "/definitions/a -> /definitions/b -> /definitions/b/allOf/0 -> /definitions/a");
  CHECK_THAT(LoadError(R"({"dependencies": {"a": {"not": {"$ref": "#"}}}})"), Catch::Contains("loops back"));
  CHECK_THAT(LoadError(R"({"if": {"$ref": "#"}})"), Catch::Contains("loops back"));
}

TEST_CASE("load: recursive schemas that descend into the value load and validate", "[load]") {
  const auto tree = MustLoad(R"({
    "type": "object", "required": ["value"],
    "properties": {"value": {"type": "integer"}, "children": {"type": "array", "items": {"$ref": "#"}}}})");
  Json value = Json::parse(R"({"value": 1})");
  for (int i = 0; i < 100; ++i) value = Json{{"value", i}, {"children", Json::array({value})}};
  CHECK(tree->Validate(value).valid);
  Json* leaf = &value;
  while (leaf->contains("children")) leaf = &(*leaf)["children"][0];
  (*leaf)["value"] = "x";
  const auto result = tree->Validate(value);
  REQUIRE(result.violations.size() == 1);
  CHECK(result.violations[0].instance_pointer.size() == std::string("/children/0").size() * 100 + std::string("/value").size());
}

TEST_CASE("load: $ref forms", "[load]") {
  SECTION("escaped and percent-encoded pointers") {
    const auto schema = MustLoad(R"({"definitions": {"a/b": {"type": "integer"}, "c~d": {"type": "string"}, "e%f": {"type": "null"}},
      "properties": {"x": {"$ref": "#/definitions/a~1b"}, "y": {"$ref": "#/definitions/c~0d"}, "z": {"$ref": "#/definitions/e%25f"}}})");
    CHECK(schema->IsValid(Json::parse(R"({"x": 1, "y": "s", "z": null})")));
    CHECK(!schema->IsValid(Json::parse(R"({"x": "1"})")));
    CHECK(!schema->IsValid(Json::parse(R"({"y": 1})")));
    CHECK(!schema->IsValid(Json::parse(R"({"z": 1})")));
  }
  SECTION("$defs as well as definitions") {
    const auto schema = MustLoad(R"({"$defs": {"n": {"type": "number"}}, "items": {"$ref": "#/$defs/n"}})");
    CHECK(schema->IsValid(Json::parse("[1, 2.5]")));
    CHECK(!schema->IsValid(Json::parse("[\"a\"]")));
  }
  SECTION("plain-name $id") {
    const auto schema = MustLoad(R"({"definitions": {"x": {"$id": "#pos", "minimum": 0}}, "items": {"$ref": "#pos"}})");
    CHECK(schema->IsValid(Json::parse("[0, 1]")));
    CHECK(!schema->IsValid(Json::parse("[-1]")));
  }
  SECTION("$id changes the base of nested references") {
    LoadOptions options;
    options.documents.emplace_back("http://example.com/shared/types.json", Json::parse(R"({"definitions": {"id": {"type": "integer"}}})"));
    const auto schema = MustLoad(R"({"$id": "http://example.com/root.json",
      "properties": {"a": {"$id": "shared/", "properties": {"b": {"$ref": "types.json#/definitions/id"}}}}})", options);
    CHECK(schema->IsValid(Json::parse(R"({"a": {"b": 1}})")));
    const auto result = schema->Validate(Json::parse(R"({"a": {"b": "1"}})"));
    REQUIRE(result.violations.size() == 1);
    CHECK(result.violations[0].schema_pointer == "http://example.com/shared/types.json#/definitions/id/type");
  }
  SECTION("base_uri for relative references in documents held in memory") {
    LoadOptions options;
    options.base_uri = "http://example.com/a/main.json";
    options.documents.emplace_back("http://example.com/b/other.json#", Json::parse(R"({"type": "boolean"})"));
    const auto schema = MustLoad(R"({"items": {"$ref": "../b/other.json"}})", options);
    CHECK(schema->IsValid(Json::parse("[true]")));
    CHECK(!schema->IsValid(Json::parse("[1]")));
  }
  SECTION("uri_folders map a URI prefix to a folder, and no further") {
    TempDir dir;
    dir.Write("types/int.json", R"({"type": "integer"})");
    dir.Write("secret.json", R"({})");
    LoadOptions options;
    options.uri_folders.emplace_back("http://example.com/s/", dir.path() / "types");
    const auto schema = MustLoad(R"({"items": {"$ref": "http://example.com/s/int.json"}})", options);
    CHECK(schema->IsValid(Json::parse("[1]")));
    CHECK(!schema->IsValid(Json::parse("[1.5]")));
    CHECK_THAT(LoadError(R"({"$ref": "http://example.com/s/../secret.json"})", options), Catch::Contains("cannot load"));
    CHECK_THAT(LoadError(R"({"$ref": "http://example.com/s/%2e%2e/secret.json"})", options),
               Catch::Contains("outside the schema folder"));
    options.uri_folders.back().first = "relative/";
    const auto bad = Schema::FromJson(Json::object(), "s.json", options);
    REQUIRE(!bad);
    CHECK(bad.error().kind() == ErrorKind::kUsage);
    CHECK(bad.error().message() == "schema folder URI prefix \"relative/\" must be an absolute URI");
  }
  SECTION("failures of uri_folders and documents name the $ref") {
    LoadOptions options;
    options.uri_folders.emplace_back("http://example.com/s/", "/nonexistent/gavel/folder");
    CHECK_THAT(LoadError(R"({"$ref": "http://example.com/s/a.json"})", options),
               Catch::StartsWith("s.json: /$ref: cannot load \"http://example.com/s/a.json\": schema folder /nonexistent/gavel/folder: "));
    CHECK(LoadError(R"({"$ref": "http://example.com/s/a.json?v=2"})", options) ==
          "s.json: /$ref: cannot load \"http://example.com/s/a.json?v=2\": a query is not a file name");
    options.max_depth = 2;
    options.documents.emplace_back("http://example.com/deep.json", Json::parse(R"({"items": {"items": {}}})"));
    CHECK(LoadError(R"({"$ref": "http://example.com/deep.json"})", options) ==
          "s.json: /$ref: cannot load \"http://example.com/deep.json\": nests deeper than 2 levels");
  }
  SECTION("the same $id twice") {
    CHECK(LoadError(R"({"definitions": {"a": {"$id": "http://x/a"}, "b": {"$id": "http://x/a"}}})") ==
          "s.json: /definitions/b/$id: the URI \"http://x/a\" already names /definitions/a");
  }
  SECTION("$id inside enum or a property named $id is not an identifier") {
    const auto schema = MustLoad(R"({"properties": {"$id": {"type": "string"}}})");
    CHECK(schema->IsValid(Json::parse(R"({"$id": "a"})")));
    CHECK(!schema->IsValid(Json::parse(R"({"$id": 1})")));
    CHECK(LoadError(R"({"enum": [{"$id": "#x"}], "items": {"$ref": "#x"}})") ==
          "s.json: /items/$ref: cannot resolve \"#x\": no $id or anchor names #x");
  }
  SECTION("$ref siblings are ignored up to draft-07") {
    for (const char* draft : {"http://json-schema.org/draft-07/schema#", "http://json-schema.org/draft-06/schema#",
                              "http://json-schema.org/draft-04/schema#"}) {
      const auto schema = MustLoad(std::string(R"({"$schema": ")") + draft + R"(", "definitions": {"s": {"type": "string"}}, "properties": {"a": {"$ref": "#/definitions/s", "maxLength": 1, "minLength": "bad"}}})");
      CHECK(schema->IsValid(Json::parse(R"({"a": "long string"})")));
    }
  }
  SECTION("$ref siblings apply from 2019-09 on") {
    for (const char* dialect : {"https://json-schema.org/draft/2019-09/schema", "https://json-schema.org/draft/2020-12/schema"}) {
      const auto schema = MustLoad(std::string(R"({"$schema": ")") + dialect + R"(", "$defs": {"s": {"type": "string"}}, "properties": {"a": {"$ref": "#/$defs/s", "maxLength": 1}}})");
      CHECK(!schema->IsValid(Json::parse(R"({"a": "long string"})")));
      CHECK(!schema->IsValid(Json::parse(R"({"a": 1})")));
      CHECK(schema->IsValid(Json::parse(R"({"a": "x"})")));
    }
    CHECK(LoadError(R"({"$defs": {"s": {}}, "properties": {"a": {"$ref": "#/$defs/s", "minLength": "bad"}}})") ==
          "s.json: /properties/a/minLength: must be a non-negative integer");
  }
}
