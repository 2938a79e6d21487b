// Schema-valid judge verdicts: a JSON value built from the request's JSON schema, every
// value chosen from a seed (a hash of the request's messages), so the same request always gets
// the same verdict and different answers usually get different scores. The stand-in judge
// answers with them, and the judge plugin's canned verdicts (Options::canned_verdicts, gavel/judge/options.h)
// come from them, so a rubric can run with no judge endpoint at all.
//
//   Json verdict = gavel::judge::GenerateVerdict(schema_document, gavel::judge::Fnv1a(request_body));
//
// The generator understands the part of JSON Schema that verdict schemas use: type (or a type
// list), properties, required, additionalProperties, min/maxProperties, items (schema or
// tuple), prefixItems, additionalItems, min/maxItems, uniqueItems, enum, const, minimum,
// maximum, exclusiveMinimum/Maximum (draft-04 booleans and draft-06+ numbers), multipleOf,
// min/maxLength, format (date-time, date, time, email, uri, uuid, hostname, ipv4, ipv6),
// allOf, anyOf, oneOf, and $ref to JSON pointers in the same document ("#/definitions/x",
// "#/$defs/x", "#"). `pattern`, `not`, `if`/`then`/`else` and `dependencies` are not
// generated for: callers check each verdict with a validator and may retry other seeds.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

namespace gavel::judge {

using Json = nlohmann::json;

// The schema used when a request has none: {"verdict": "pass"|"fail", "rationale": string}.
const Json& DefaultVerdictSchema();

// A value conforming to `schema`, chosen from `seed`.
Json GenerateVerdict(const Json& schema, std::uint64_t seed);

// Values that violate `schema`, derived from `valid` (a conforming value made with `seed`),
// most natural first: a required field removed, a number out of range, a value outside an
// enum, a wrong type, an unexpected field; then whole values of other types. Never empty.
std::vector<Json> OffSchemaCandidates(const Json& schema, const Json& valid, std::uint64_t seed);

inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
// FNV-1a, 64 bits; `h` continues a previous hash.
std::uint64_t Fnv1a(std::string_view data, std::uint64_t h = kFnvOffset);
// A well-mixed combination of two values (SplitMix64's finaliser over a ^ rotated b).
std::uint64_t Mix(std::uint64_t a, std::uint64_t b);

}  // namespace gavel::judge
