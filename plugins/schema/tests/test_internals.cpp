// The private helpers, tested directly: URI resolution, ECMA-262 to RE2 translation, byte scans
// and JSON value semantics.
#include <string>

#include <catch2/catch.hpp>

#include "ecma_regex.h"
#include "json_text.h"
#include "json_value.h"
#include "uri.h"

namespace {

using gavel::Json;
namespace d = gavel::schema::detail;

}  // namespace

TEST_CASE("internals: URI references resolve as RFC 3986 section 5 says", "[internals]") {
  const std::string base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> cases[] = {
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"", "http://a/b/c/d;p?q"},
      {"..", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"urn:x:y", "urn:x:y"},
  };
  for (const auto& [reference, expected] : cases) {
    INFO(reference);
    CHECK(d::ResolveUri(base, reference) == expected);
  }
  // Bases that gavel itself makes: file URIs, and no URI at all for documents held in memory.
  CHECK(d::ResolveUri("file:///r/a/x.json", "../b.json#/definitions/x") == "file:///r/b.json#/definitions/x");
  CHECK(d::ResolveUri("", "#/definitions/x") == "#/definitions/x");
  CHECK(d::ResolveUri("", "other.json") == "other.json");
  CHECK(d::ResolveUri("http://localhost:1234/", "folder/") == "http://localhost:1234/folder/");
  CHECK(d::ResolveUri("http://x", "y") == "http://x/y");
}

TEST_CASE("internals: URI parts and percent-encoding", "[internals]") {
  const auto parts = d::SplitUri("http://host:80/p/a?q=1#frag");
  CHECK(parts.scheme == "http");
  CHECK(parts.authority == "host:80");
  CHECK(parts.path == "/p/a");
  CHECK(parts.query == "q=1");
  CHECK(parts.fragment == "frag");
  CHECK(!d::SplitUri("a/b:c").has_scheme);
  CHECK(!d::SplitUri("1a:b").has_scheme);
  CHECK(d::WithoutFragment("a#b#c") == "a");
  CHECK(d::FragmentOf("a#b#c") == "b#c");
  CHECK(d::FragmentOf("a") == "");
  CHECK(d::PercentDecode("%25a%2Fb%zz%4") == "%a/b%zz%4");
  CHECK(d::PercentEncodePath("/a b/%c#d?e/é") == "/a%20b/%25c%23d%3Fe/%C3%A9");
}

TEST_CASE("internals: ECMA-262 spellings become RE2 spellings", "[internals]") {
  CHECK(d::TranslateEcmaRegex("\\u00e9") == "\\x{E9}");
  CHECK(d::TranslateEcmaRegex("\\uD83D\\uDE00") == "\\x{1F600}");
  CHECK(d::TranslateEcmaRegex("\\\\u0041") == "\\\\u0041");  // an escaped backslash, then text
  CHECK(d::TranslateEcmaRegex("\\cM") == "\\x{D}");
  CHECK(d::TranslateEcmaRegex("(?<y>a)(?<=b)(?<!c)") == "(?P<y>a)(?<=b)(?<!c)");
  CHECK(d::TranslateEcmaRegex("[^]") == "[\\x{0}-\\x{10FFFF}]");
  CHECK(d::TranslateEcmaRegex("a[]") == "a[^\\x{0}-\\x{10FFFF}]");
  CHECK(d::TranslateEcmaRegex("[(?<x>]") == "[(?<x>]");  // inside a class, nothing is a group
  CHECK(d::TranslateEcmaRegex("[\\]](?<x>)") == "[\\]](?P<x>)");

  std::string error;
  CHECK(d::CompileEcmaRegex("^[a-z]+$", error) != nullptr);
  CHECK(d::CompileEcmaRegex("(?<!a)b", error) == nullptr);
  CHECK(error == "invalid perl operator: (?< (RE2 has no lookahead or lookbehind)");
  CHECK(d::CompileEcmaRegex("\\Z", error) == nullptr);
  CHECK(error == "invalid escape sequence: \\Z");
}

TEST_CASE("internals: byte scans", "[internals]") {
  CHECK(!d::NestsDeeperThan("[[1]]", 2));
  CHECK(d::NestsDeeperThan("[[[1]]]", 2));
  CHECK(!d::NestsDeeperThan(R"(["[[[", "\"[[["])", 1));
  CHECK(!d::NestsDeeperThan("]]]][[", 2));  // stray closers do not lower the count below zero
  CHECK(d::CodePointCount("a\xC3\xA9\xF0\x9F\x98\x80") == 3);
  CHECK(d::Printable("a\x01\n\xC3\xA9\xFF") == "a\\x01\\n\xC3\xA9\\xFF");
  CHECK(d::Quoted("say \"hi\"") == "\"say \\\"hi\\\"\"");
  CHECK(d::Quoted(std::string(10, 'x') + "\xC3\xA9", 11) == std::string("\"").append(10, 'x').append("...\""));

  Json value;
  std::string error;
  CHECK(d::ParseJsonText("[1, 2]", value, error));
  CHECK(value.size() == 2);
  CHECK(!d::ParseJsonText("[1, 2] 3", value, error));
  CHECK_THAT(error, Catch::StartsWith("parse error at line 1, column 8"));
  CHECK(value.is_null());
}

TEST_CASE("internals: JSON equality and hashing", "[internals]") {
  const std::pair<const char*, const char*> equal[] = {
      {"1", "1.0"}, {"-0.0", "0"}, {"18446744073709551615", "18446744073709551615"},
      {R"({"a": [1, {"b": null}]})", R"({"a": [1.0, {"b": null}]})"}, {"[]", "[]"}, {"\"x\"", "\"x\""},
  };
  for (const auto& [a, b] : equal) {
    INFO(a << " vs " << b);
    CHECK(d::JsonEqual(Json::parse(a), Json::parse(b)));
    CHECK(d::JsonHash(Json::parse(a)) == d::JsonHash(Json::parse(b)));
  }
  const std::pair<const char*, const char*> different[] = {
      {"1", "true"}, {"0", "false"}, {"null", "false"}, {"[1]", "[1, 1]"}, {R"({"a": 1})", R"({"b": 1})"},
      {"9007199254740993", "9007199254740992"}, {"\"1\"", "1"}, {"{}", "[]"},
  };
  for (const auto& [a, b] : different) {
    INFO(a << " vs " << b);
    CHECK(!d::JsonEqual(Json::parse(a), Json::parse(b)));
  }
  CHECK(d::IsIntegral(Json::parse("2.0")));
  CHECK(!d::IsIntegral(Json::parse("2.5")));
  CHECK(!d::IsIntegral(Json("2")));
  CHECK(std::string(d::SchemaTypeName(Json::parse("2.0"))) == "integer");
  CHECK(std::string(d::SchemaTypeName(Json::parse("2.5"))) == "number");
  CHECK(d::DeeperThan(Json::parse("[[[]]]"), 2));
  CHECK(!d::DeeperThan(Json::parse("[[[]]]"), 3));
  CHECK(d::DumpForMessage(Json(std::string(300, 'a')), 10) == "\"aaaaaaaaa...");
}
