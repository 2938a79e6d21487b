// The JSON Schema dialects gavel implements, how a `$schema` URI names one, and the meta-schemas
// bundled at build time so that a $ref to them resolves offline.
//
//   std::optional<Dialect> d = DialectOfUri("https://json-schema.org/draft/2020-12/schema");
//   if (const Json* meta = BundledMetaSchema(uri)) ...;  // null when not bundled
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "gavel/sample.h"
#include "gavel/schema/schema.h"

namespace gavel::schema::detail {

// Vocabularies (2019-09 and later); older dialects have them all, implicitly.
enum VocabBit : std::uint8_t {
  kVocabApplicator = 1,
  kVocabValidation = 2,
  kVocabUnevaluated = 4,  // part of the applicator vocabulary in 2019-09
  kVocabAll = 7,
};

// The dialect a known meta-schema URI names ("http://json-schema.org/draft-07/schema#" and its
// spellings with https or without '#'), or nothing.
std::optional<Dialect> DialectOfUri(std::string_view uri);

// "draft-07", "2020-12", ...
const char* DialectName(Dialect dialect);

// Draft-04 to draft-07: the siblings of $ref (its $id included) are ignored.
inline bool RefHidesSiblings(Dialect d) { return d <= Dialect::kDraft7; }
// Draft-04 spells $id "id".
inline const char* IdKeyword(Dialect d) { return d == Dialect::kDraft4 ? "id" : "$id"; }

// The vocabulary bit a 2019-09/2020-12 vocabulary URI stands for: 0 for a vocabulary that adds
// no assertion gavel implements (core, meta-data, content, format-annotation), -1 if unknown.
int VocabularyBit(std::string_view uri);

// The meta-schema or vocabulary meta-schema of a dialect by its URI (no fragment), parsed once;
// null when it is not one or when the build had no copy (see CMakeLists.txt).
const Json* BundledMetaSchema(std::string_view uri);

}  // namespace gavel::schema::detail
