// The compiled form of a schema: one Node per subschema, linked by plain pointers into storage
// owned by Compiled. Built once by the compiler, then only read (by any number of threads).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <re2/re2.h>

#include "gavel/sample.h"
#include "gavel/schema/schema.h"

namespace gavel::schema::detail {

enum TypeBit : std::uint8_t {
  kTypeNull = 1,
  kTypeBoolean = 2,
  kTypeObject = 4,
  kTypeArray = 8,
  kTypeNumber = 16,
  kTypeString = 32,
  kTypeInteger = 64,
};

struct Bound {
  long double value = 0;  // for comparison (exact for every JSON number, see NumberOf)
  Json literal;           // as written, for messages
};

struct Pattern {
  std::unique_ptr<const RE2> re;
  std::string source;  // as written in the schema, for messages
};

struct Node;

struct NamedNode {
  std::string name;
  const Node* node = nullptr;
};

struct PatternNode {
  Pattern pattern;
  const Node* node = nullptr;
};

struct Dependency {
  const char* keyword = "dependencies";  // or dependentRequired, dependentSchemas
  std::string name;                   // when this property is present...
  std::vector<std::string> required;  // ...these must be too (array form), or
  const Node* schema = nullptr;       // ...the object must match this (schema form)
};

// A schema resource (a document, or a subschema with its own $id): the dynamic scope at
// validation is the stack of resources entered. Anchors are sorted by name; the name ""
// stands for `"$recursiveAnchor": true` (a $dynamicAnchor is never empty).
struct Resource {
  std::vector<NamedNode> dynamic_anchors;
  const Node* Find(std::string_view name) const;
};

struct Node {
  // "/properties/a" in the main document, "<document>#/properties/a" in another; a violation's
  // schema_pointer is this plus "/<keyword>".
  std::string location;

  bool is_false = false;      // the boolean schema `false` (`true` is a Node with nothing set)
  const Node* ref = nullptr;  // $ref; up to draft-07 its siblings are ignored, so nothing else is set
  bool pure_ref = false;      // only a $ref: the node stands for its target
  const Resource* resource = nullptr;

  // $dynamicRef / $recursiveRef: `dynamic_ref` is the target found statically; when
  // `dynamic` is set the outermost resource in the dynamic scope with an anchor named
  // `dynamic_name` wins over it.
  const Node* dynamic_ref = nullptr;
  bool dynamic = false;
  std::string dynamic_name;
  const char* dynamic_keyword = "$dynamicRef";

  bool has_type = false;
  std::uint8_t types = 0;  // TypeBit mask of `type`
  bool float_is_not_integer = false;  // draft-04: 1.0 is a number, not an integer
  std::optional<std::vector<Json>> enum_values;
  std::optional<Json> const_value;

  std::optional<Bound> multiple_of, maximum, exclusive_maximum, minimum, exclusive_minimum;
  bool maximum_exclusive = false, minimum_exclusive = false;  // draft-04's boolean exclusiveMaximum

  std::optional<std::uint64_t> max_length, min_length;
  std::optional<Pattern> pattern;

  const Node* items = nullptr;          // `items` as one schema, for every item
  std::vector<const Node*> item_list;   // `items` as an array of schemas, or `prefixItems`
  bool items_is_list = false;
  const Node* additional_items = nullptr;  // past item_list: additionalItems, or 2020-12's items
  const char* additional_items_keyword = "additionalItems";
  std::optional<std::uint64_t> max_items, min_items;
  bool unique_items = false;
  const Node* contains = nullptr;
  std::optional<std::uint64_t> min_contains, max_contains;  // 2019-09 and later
  bool contains_annotates = false;  // 2020-12: matched items count as evaluated

  std::optional<std::uint64_t> max_properties, min_properties;
  std::vector<std::string> required;
  std::vector<NamedNode> properties;  // sorted by name for binary search
  std::vector<PatternNode> pattern_properties;
  const Node* additional_properties = nullptr;
  std::vector<Dependency> dependencies;
  const Node* property_names = nullptr;

  std::vector<const Node*> all_of, any_of, one_of;
  const Node* not_schema = nullptr;
  const Node* if_schema = nullptr;
  const Node* then_schema = nullptr;
  const Node* else_schema = nullptr;

  const Node* unevaluated_properties = nullptr;
  const Node* unevaluated_items = nullptr;

  // Summaries so that validation skips whole keyword groups that the node does not use.
  bool has_number = false, has_string = false, has_array = false, has_object = false;
  bool has_combinator = false;
  bool has_unevaluated = false;
};

inline const Node* Resource::Find(std::string_view name) const {
  for (const NamedNode& anchor : dynamic_anchors) {
    if (anchor.name == name) return anchor.node;
  }
  return nullptr;
}

// A compiled schema: every node, and the root.
struct Compiled {
  std::string name;
  std::vector<std::unique_ptr<Node>> nodes;
  std::vector<std::unique_ptr<Resource>> resources;
  bool dynamic_scope = false;  // some $dynamicRef/$recursiveRef needs the dynamic scope tracked
  const Node* root = nullptr;
};

}  // namespace gavel::schema::detail
