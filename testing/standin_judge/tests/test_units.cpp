// The stand-in judge's pieces without a socket: the head parser, directives, and the verdict
// generator checked against gavel's draft-07 validator over many seeds.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "directives.h"
#include "gavel/schema/schema.h"
#include "http.h"
#include "judge_service.h"
#include "verdict.h"

namespace {

using gavel::standin::internal::CheckPartialHead;
using gavel::standin::internal::FindHeadEnd;
using gavel::standin::internal::GenerateVerdict;
using gavel::standin::internal::HeadLimits;
using gavel::standin::internal::HeadParse;
using gavel::standin::internal::Json;
using gavel::standin::internal::OffSchemaCandidates;
using gavel::standin::internal::ParseDirectives;
using gavel::standin::internal::ParseHead;

HeadParse Parse(const std::string& head, HeadLimits limits = {}) {
  REQUIRE(FindHeadEnd(head, 0) == head.size());
  return ParseHead(head, limits);
}

std::shared_ptr<const gavel::schema::Schema> Compile(const Json& schema) {
  auto compiled = gavel::schema::Schema::FromJson(schema, "test schema");
  INFO((compiled ? std::string() : compiled.error().ToString()));
  REQUIRE(compiled.ok());
  return *compiled;
}

}  // namespace

TEST_CASE("head parser: a POST with Content-Length, keep-alive and Expect", "[units]") {
  const HeadParse p = Parse(
      "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length:  12 \r\n"
      "Expect: 100-continue\r\nX-Thing: a  b\r\n\r\n");
  REQUIRE(p.state == HeadParse::State::kDone);
  CHECK(p.head.method == "POST");
  CHECK(p.head.path == "/v1/chat/completions");
  CHECK(p.head.query == "x=1");
  CHECK(p.head.content_length == 12);
  CHECK(p.head.keep_alive);
  CHECK(p.head.expect_continue);
  REQUIRE(p.head.Find("x-thing") != nullptr);
  CHECK(*p.head.Find("X-THING") == "a  b");
}

TEST_CASE("head parser: HTTP/1.0 closes unless keep-alive; Connection: close closes", "[units]") {
  CHECK_FALSE(Parse("GET / HTTP/1.0\r\n\r\n").head.keep_alive);
  CHECK(Parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").head.keep_alive);
  CHECK_FALSE(Parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").head.keep_alive);
  CHECK(Parse("GET / HTTP/1.1\nHost: a\n\n").state == HeadParse::State::kDone);
}

TEST_CASE("head parser: refusals with their status", "[units]") {
  HeadLimits small;
  small.max_body_bytes = 100;
  const auto status = [&](const std::string& head) { return Parse(head, small).status; };
  CHECK(status("POST / HTTP/1.1\r\nHost: a\r\n\r\n") == 411);
  CHECK(status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n") == 411);
  CHECK(status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3"
               "\r\n\r\n") == 400);
  CHECK(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n") == 413);
  CHECK(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n") == 400);
  CHECK(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") ==
        400);
  CHECK(status("POST / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\nContent-Length: 1\r\n\r\n") == 417);
  CHECK(status("GET / HTTP/1.1\r\n\r\n") == 400);  // no Host
  CHECK(status("GET / HTTP/2.0\r\nHost: a\r\n\r\n") == 505);
  CHECK(status("GET / HTTQ/1.1\r\nHost: a\r\n\r\n") == 400);
  CHECK(status("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n") == 400);
  CHECK(status("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n") == 400);
  CHECK(status("GET nopath HTTP/1.1\r\nHost: a\r\n\r\n") == 400);
}

TEST_CASE("head parser: garbage is refused before the head ends", "[units]") {
  const HeadLimits limits;
  CHECK(CheckPartialHead("GET /v1/chat/compl", limits).state == HeadParse::State::kIncomplete);
  CHECK(CheckPartialHead("POST / HTTP/1.1\r\nHost:", limits).state ==
        HeadParse::State::kIncomplete);
  // Every prefix of a valid head is incomplete, not an error.
  const std::string head = "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n";
  for (std::size_t n = 0; n <= head.size(); ++n) {
    INFO(n);
    CHECK(CheckPartialHead(head.substr(0, n), limits).state == HeadParse::State::kIncomplete);
  }
  CHECK(CheckPartialHead("\x16\x03\x01\x02\x00", limits).status == 400);  // a TLS ClientHello
  CHECK(CheckPartialHead("GET / FTP/1.1\r\n", limits).status == 400);
  CHECK(CheckPartialHead("hello world how are you\r\n", limits).status == 400);
  CHECK(CheckPartialHead("GET /" + std::string(70000, 'a'), limits).status == 414);
  CHECK(CheckPartialHead("GET / HTTP/1.1\r\nX: " + std::string(70000, 'a'), limits).status == 431);
}

TEST_CASE("directives: items, several blocks, verdicts with brackets", "[units]") {
  auto d = ParseDirectives("a [[standin:status=429, retry_after=2]] b [[standin:latency_ms=50]]");
  REQUIRE(d.ok());
  CHECK(d->any);
  CHECK(d->status == 429);
  CHECK(d->retry_after == 2);
  CHECK(d->latency_ms == 50);

  d = ParseDirectives(R"([[standin:verdict={"a": "]]", "b": [1, {"c": "}"}]},fenced]])");
  REQUIRE(d.ok());
  CHECK(*d->verdict == R"({"a": "]]", "b": [1, {"c": "}"}]})");
  CHECK(d->fenced);

  d = ParseDirectives("[[standin:fail=2]]");
  REQUIRE(d.ok());
  CHECK(d->fail == 2);
  CHECK(d->status == 503);  // the default status of fail=N

  d = ParseDirectives("no directive here [[other:thing]]");
  REQUIRE(d.ok());
  CHECK_FALSE(d->any);

  for (const char* bad :
       {"[[standin:stauts=429]]", "[[standin:status=200]]", "[[standin:status=abc]]",
        "[[standin:hang=1]]", "[[standin:status=429", "[[standin:verdict={\"a\": 1]]",
        "[[standin:verdict]]", "[[standin:huge]]", "[[standin:]]"}) {
    INFO(bad);
    CHECK_FALSE(ParseDirectives(bad).ok());
  }
}

TEST_CASE("directives: stripped from the text the verdict hash is made of", "[units]") {
  using gavel::standin::internal::StripDirectives;
  CHECK(StripDirectives("a [[standin:fenced]]b") == "a b");
  CHECK(StripDirectives(R"(x[[standin:verdict={"k": "]]"}]]y[[standin:hang]])") == "xy");
  CHECK(StripDirectives("plain") == "plain");
}

TEST_CASE("verdicts conform to their schema for many seeds", "[units]") {
  const Json schemas = Json::parse(R"([
    {"type": "object",
     "properties": {
       "score": {"type": "integer", "minimum": 1, "maximum": 5},
       "confidence": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
       "pass": {"type": "boolean"},
       "label": {"enum": ["good", "bad", "ugly"]},
       "reason": {"type": "string", "minLength": 10, "maxLength": 40},
       "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b", "c", "d"]},
                "minItems": 2, "maxItems": 3, "uniqueItems": true},
       "kind": {"const": "review"},
       "maybe": {"type": ["null", "integer"], "maximum": -5}
     },
     "required": ["score", "confidence", "pass", "label", "reason", "tags", "kind"],
     "additionalProperties": false},
    {"type": "object",
     "definitions": {"criterion": {"type": "object",
                                   "properties": {"name": {"type": "string"},
                                                  "points": {"type": "integer", "minimum": 0,
                                                             "maximum": 3}},
                                   "required": ["name", "points"],
                                   "additionalProperties": false}},
     "properties": {"criteria": {"type": "array", "items": {"$ref": "#/definitions/criterion"},
                                 "minItems": 1, "maxItems": 4},
                    "total": {"type": "integer", "multipleOf": 5, "minimum": 0,
                              "maximum": 100}},
     "required": ["criteria", "total"]},
    {"$defs": {"grade": {"type": "string", "enum": ["A", "B", "C"]}},
     "type": "object",
     "properties": {"grade": {"$ref": "#/$defs/grade"},
                    "when": {"type": "string", "format": "date-time"},
                    "id": {"type": "string", "format": "uuid"},
                    "mail": {"type": "string", "format": "email"},
                    "weight": {"type": "number", "minimum": -2.5, "maximum": 2.5,
                               "multipleOf": 0.5}},
     "required": ["grade", "when", "id", "mail", "weight"]},
    {"allOf": [{"type": "object", "properties": {"a": {"type": "integer", "minimum": 3}},
                "required": ["a"]},
               {"properties": {"a": {"maximum": 4}, "b": {"type": "boolean"}},
                "required": ["b"]}]},
    {"anyOf": [{"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]},
               {"type": "string", "maxLength": 5}]},
    {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
     "properties": {"pair": {"type": "array", "items": [{"type": "integer"}, {"type": "string"}],
                             "additionalItems": false},
                    "node": {"$ref": "#/definitions/node"}},
     "definitions": {"node": {"type": "object",
                              "properties": {"next": {"$ref": "#/definitions/node"},
                                             "v": {"type": "integer"}},
                              "required": ["v"]}},
     "required": ["pair", "node"], "minProperties": 3},
    {"type": "integer", "exclusiveMinimum": 10, "exclusiveMaximum": 15},
    {"type": "array", "minItems": 4, "items": {"type": "number", "maximum": -1}},
    true,
    {}
  ])");
  for (const Json& schema : schemas) {
    const auto validator = Compile(schema);
    std::set<std::string> distinct;
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
      const Json verdict = GenerateVerdict(schema, seed * 7919 + 1);
      INFO("schema " << schema.dump() << "\nverdict " << verdict.dump());
      const auto result = validator->Validate(verdict);
      for (const auto& v : result.violations) UNSCOPED_INFO(v.ToString());
      REQUIRE(result.valid);
      distinct.insert(verdict.dump());
      CHECK(GenerateVerdict(schema, seed * 7919 + 1) == verdict);  // deterministic
    }
    INFO("schema " << schema.dump());
    CHECK(distinct.size() >= 3);  // values do depend on the seed
  }
}

TEST_CASE("the default verdict is pass or fail with a stand-in rationale", "[units]") {
  const auto validator = Compile(gavel::standin::internal::DefaultVerdictSchema());
  std::set<std::string> verdicts;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const Json v = GenerateVerdict(gavel::standin::internal::DefaultVerdictSchema(), seed);
    REQUIRE(validator->IsValid(v));
    verdicts.insert(v.at("verdict").get<std::string>());
    CHECK(v.at("rationale").get<std::string>().find("Stand-in judge") != std::string::npos);
  }
  CHECK(verdicts == std::set<std::string>{"pass", "fail"});
}

TEST_CASE("off-schema candidates: the first violates, starting with a missing field", "[units]") {
  const Json schema = Json::parse(R"({"type": "object",
    "properties": {"score": {"type": "integer", "minimum": 1, "maximum": 5},
                   "why": {"type": "string"}},
    "required": ["score", "why"]})");
  const auto validator = Compile(schema);
  const Json valid = GenerateVerdict(schema, 42);
  REQUIRE(validator->IsValid(valid));
  const std::vector<Json> candidates = OffSchemaCandidates(schema, valid, 42);
  REQUIRE_FALSE(candidates.empty());
  CHECK_FALSE(validator->IsValid(candidates.front()));
  CHECK_FALSE(candidates.front().contains("score"));
  // An integer out of range is among them too.
  bool out_of_range = false;
  for (const Json& c : candidates) {
    out_of_range = out_of_range || (c.is_object() && c.contains("score") && c.contains("why") &&
                                    c["score"].is_number_integer() && c["score"] > 5);
  }
  CHECK(out_of_range);
}

TEST_CASE("huge bodies are exactly N bytes of JSON, whatever the piece size", "[units]") {
  using gavel::standin::internal::JudgeService;
  for (const std::uint64_t size : {0ULL, 5ULL, 14ULL, 15ULL, 100000ULL}) {
    std::string body;
    for (std::uint64_t offset = 0; offset < size;) {
      const std::string piece = JudgeService::HugeBodyPiece(size, offset, 4093);
      REQUIRE_FALSE(piece.empty());
      body += piece;
      offset += piece.size();
    }
    REQUIRE(body.size() == size);
    if (size >= 14) {
      const Json j = Json::parse(body);
      CHECK(j.at("padding").get<std::string>().size() == size - 14);
    }
  }
}
