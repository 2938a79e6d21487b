// Compiling the keywords of one schema object, per dialect: each branch checks the value's form
// (the meta-schema's rules) and fills the Node. A keyword the dialect does not define is an
// annotation, as the specifications say, except the few that would silently change a verdict
// when a schema moves between dialects: those are refused with the way to write them.
#include <algorithm>
#include <limits>

#include "compiler.h"
#include "ecma_regex.h"
#include "json_text.h"
#include "json_value.h"
#include "pointer.h"

namespace gavel::schema::detail {
namespace {

bool IsValidationKeyword(std::string_view k) {
  static constexpr std::string_view kValidation[] = {
      "type",      "enum",      "const",     "multipleOf", "maximum",       "exclusiveMaximum",
      "minimum",   "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
      "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties", "required",
      "dependentRequired"};
  return std::find(std::begin(kValidation), std::end(kValidation), k) != std::end(kValidation);
}

bool IsApplicatorKeyword(std::string_view k) {
  static constexpr std::string_view kApplicator[] = {
      "prefixItems", "items", "additionalItems", "contains", "properties", "patternProperties",
      "additionalProperties", "dependentSchemas", "dependencies", "propertyNames", "if", "then",
      "else", "allOf", "anyOf", "oneOf", "not"};
  return std::find(std::begin(kApplicator), std::end(kApplicator), k) != std::end(kApplicator);
}

std::uint8_t TypeBitOf(std::string_view name) {
  if (name == "null") return kTypeNull;
  if (name == "boolean") return kTypeBoolean;
  if (name == "object") return kTypeObject;
  if (name == "array") return kTypeArray;
  if (name == "number") return kTypeNumber;
  if (name == "string") return kTypeString;
  if (name == "integer") return kTypeInteger;
  return 0;
}

}  // namespace

Status Compiler::CompileType(const Pending& p, const Json& value) {
  static const std::string kExpected =
      "must be a type name (null, boolean, object, array, number, string, integer) or an array of them";
  Node& node = *p.node;
  const auto add = [&](const Json& name) -> Status {
    if (!name.is_string()) return Bad(p.doc, p.pointer, "type", kExpected);
    const std::uint8_t bit = TypeBitOf(name.get_ref<const std::string&>());
    if (bit == 0) return Bad(p.doc, p.pointer, "type", "unknown type " + Quoted(name.get_ref<const std::string&>()) + "; " + kExpected);
    if ((node.types & bit) != 0) return Bad(p.doc, p.pointer, "type", "lists " + Quoted(name.get_ref<const std::string&>()) + " twice");
    node.types |= bit;
    return Status::Ok();
  };
  // An empty list allows no type at all; keep that distinct from "no type keyword".
  node.has_type = true;
  node.float_is_not_integer = p.scope.dialect == Dialect::kDraft4;
  if (value.is_array()) {
    for (const Json& name : value) {
      if (Status s = add(name); !s) return s;
    }
    return Status::Ok();
  }
  return add(value);
}

Status Compiler::CompileKeyword(const Pending& p, const std::string& base, const std::string& keyword, const Json& value) {
  Node& node = *p.node;
  const Dialect d = p.scope.dialect;
  const bool modern = d >= Dialect::kDraft2019_09;
  if ((!(p.scope.vocab & kVocabValidation) && IsValidationKeyword(keyword)) ||
      (!(p.scope.vocab & kVocabApplicator) && IsApplicatorKeyword(keyword)) ||
      (!(p.scope.vocab & kVocabUnevaluated) && keyword.rfind("unevaluated", 0) == 0)) {
    return Status::Ok();  // its vocabulary is not in the meta-schema's $vocabulary
  }
  if (keyword == "type") return CompileType(p, value);
  if (keyword == "enum") {
    if (!value.is_array()) return Bad(p.doc, p.pointer, keyword, "must be an array");
    node.enum_values = value.get<std::vector<Json>>();
    return Status::Ok();
  }
  if (keyword == "const" && d >= Dialect::kDraft6) {
    node.const_value = value;
    return Status::Ok();
  }
  if (keyword == "multipleOf") {
    Result<Bound> bound = Number(p, keyword, value);
    if (!bound) return bound.error();
    if (!(bound->value > 0)) return Bad(p.doc, p.pointer, keyword, "must be a number greater than 0");
    node.multiple_of = std::move(bound).value();
    return Status::Ok();
  }
  if (d == Dialect::kDraft4 && (keyword == "exclusiveMaximum" || keyword == "exclusiveMinimum")) {
    if (!value.is_boolean()) return Bad(p.doc, p.pointer, keyword, "must be a boolean in draft-04");
    (keyword == "exclusiveMaximum" ? node.maximum_exclusive : node.minimum_exclusive) = value.get<bool>();
    return Status::Ok();
  }
  if (keyword == "maximum" || keyword == "exclusiveMaximum" || keyword == "minimum" || keyword == "exclusiveMinimum") {
    Result<Bound> bound = Number(p, keyword, value);
    if (!bound) return bound.error();
    std::optional<Bound>& slot = keyword == "maximum"            ? node.maximum
                                 : keyword == "exclusiveMaximum" ? node.exclusive_maximum
                                 : keyword == "minimum"          ? node.minimum
                                                                 : node.exclusive_minimum;
    slot = std::move(bound).value();
    return Status::Ok();
  }
  if (keyword == "maxLength" || keyword == "minLength" || keyword == "maxItems" || keyword == "minItems" ||
      keyword == "maxProperties" || keyword == "minProperties" ||
      (modern && (keyword == "maxContains" || keyword == "minContains"))) {
    Result<std::uint64_t> count = NonNegativeInteger(p, keyword, value);
    if (!count) return count.error();
    std::optional<std::uint64_t>& slot = keyword == "maxLength"       ? node.max_length
                                         : keyword == "minLength"     ? node.min_length
                                         : keyword == "maxItems"      ? node.max_items
                                         : keyword == "minItems"      ? node.min_items
                                         : keyword == "maxProperties" ? node.max_properties
                                         : keyword == "minProperties" ? node.min_properties
                                         : keyword == "maxContains"   ? node.max_contains
                                                                      : node.min_contains;
    slot = *count;
    return Status::Ok();
  }
  if (keyword == "pattern") {
    if (!value.is_string()) return Bad(p.doc, p.pointer, keyword, "must be a string");
    Result<Pattern> pattern = Regex(p, keyword, value.get_ref<const std::string&>());
    if (!pattern) return pattern.error();
    node.pattern = std::move(pattern).value();
    return Status::Ok();
  }
  if (keyword == "uniqueItems") {
    if (!value.is_boolean()) return Bad(p.doc, p.pointer, keyword, "must be a boolean");
    node.unique_items = value.get<bool>();
    return Status::Ok();
  }
  if (keyword == "required") return PropertyNames(p, keyword, value, node.required);
  if (keyword == "$dynamicRef" && d == Dialect::kDraft2020_12) return CompileDynamicRef(p, base, keyword, value);
  if (keyword == "$recursiveRef" && d == Dialect::kDraft2019_09) return CompileDynamicRef(p, base, keyword, value);
  if (keyword == "items" || keyword == "prefixItems" || (keyword == "additionalItems" && d == Dialect::kDraft2020_12)) {
    return CompileArrayKeyword(p, base, keyword, value);
  }
  return CompileObjectKeyword(p, base, keyword, value);
}

// items, prefixItems, and additionalItems where 2020-12 replaced it.
Status Compiler::CompileArrayKeyword(const Pending& p, const std::string& base, const std::string& keyword,
                                     const Json& value) {
  Node& node = *p.node;
  const Dialect d = p.scope.dialect;
  const auto list = [&](std::vector<const Node*>& out) -> Status {
    for (std::size_t i = 0; i < value.size(); ++i) {
      Result<const Node*> child = Child(p, base, keyword, std::to_string(i), value[i]);
      if (!child) return child.error();
      out.push_back(*child);
    }
    return Status::Ok();
  };
  if (keyword == "items") {
    if (value.is_array()) {
      if (d == Dialect::kDraft2020_12) {
        return Bad(p.doc, p.pointer, keyword,
                   "must be one schema in 2020-12; an array of schemas is written prefixItems "
                   "(or name draft-07 in $schema)");
      }
      node.items_is_list = true;
      return list(node.item_list);
    }
    if (!value.is_object() && !value.is_boolean()) {
      return Bad(p.doc, p.pointer, keyword, "must be a schema or an array of schemas");
    }
    Result<const Node*> child = Child(p, base, keyword, value);
    if (!child) return child.error();
    node.items = *child;
    return Status::Ok();
  }
  if (keyword == "prefixItems" && d == Dialect::kDraft2020_12) {
    if (!value.is_array() || value.empty()) return Bad(p.doc, p.pointer, keyword, "must be a non-empty array of schemas");
    node.items_is_list = true;
    return list(node.item_list);
  }
  if (keyword == "additionalItems" && d == Dialect::kDraft2020_12) {
    return Bad(p.doc, p.pointer, keyword,
               "is not a 2020-12 keyword: the schema for the items after prefixItems is written items "
               "(or name draft-07 in $schema)");
  }
  return Status::Ok();
}

Status Compiler::CompileObjectKeyword(const Pending& p, const std::string& base, const std::string& keyword,
                                      const Json& value) {
  Node& node = *p.node;
  const Dialect d = p.scope.dialect;
  const bool modern = d >= Dialect::kDraft2019_09;
  if (keyword == "properties" || keyword == "patternProperties" || keyword == "definitions" || keyword == "$defs") {
    if (!value.is_object()) return Bad(p.doc, p.pointer, keyword, "must be an object whose values are schemas");
    for (const auto& [key, child_value] : value.get_ref<const Json::object_t&>()) {
      Result<const Node*> child = Child(p, base, keyword, key, child_value);
      if (!child) return child.error();
      if (keyword == "properties") {
        node.properties.push_back(NamedNode{key, *child});  // the map's order is sorted
      } else if (keyword == "patternProperties") {
        Result<Pattern> pattern = Regex(p, keyword, key);
        if (!pattern) return pattern.error();
        node.pattern_properties.push_back(PatternNode{std::move(pattern).value(), *child});
      }
      // definitions: compiled so that mistakes in them are reported, used only through $ref.
    }
    return Status::Ok();
  }
  if (keyword == "dependencies" || (modern && (keyword == "dependentRequired" || keyword == "dependentSchemas"))) {
    return Dependencies(p, base, keyword, value);
  }
  if (keyword == "allOf") return SchemaList(p, base, keyword, value, node.all_of);
  if (keyword == "anyOf") return SchemaList(p, base, keyword, value, node.any_of);
  if (keyword == "oneOf") return SchemaList(p, base, keyword, value, node.one_of);
  struct Single {
    const char* name;
    const Node* Node::*member;
    Dialect since;
  };
  static constexpr Single kSingle[] = {
      {"additionalItems", &Node::additional_items, Dialect::kDraft4},
      {"contains", &Node::contains, Dialect::kDraft6},
      {"additionalProperties", &Node::additional_properties, Dialect::kDraft4},
      {"propertyNames", &Node::property_names, Dialect::kDraft6},
      {"not", &Node::not_schema, Dialect::kDraft4},
      {"if", &Node::if_schema, Dialect::kDraft7},
      {"then", &Node::then_schema, Dialect::kDraft7},
      {"else", &Node::else_schema, Dialect::kDraft7},
      {"unevaluatedProperties", &Node::unevaluated_properties, Dialect::kDraft2019_09},
      {"unevaluatedItems", &Node::unevaluated_items, Dialect::kDraft2019_09},
  };
  for (const Single& single : kSingle) {
    if (keyword != single.name || d < single.since) continue;
    Result<const Node*> child = Child(p, base, keyword, value);
    if (!child) return child.error();
    node.*single.member = *child;
    return Status::Ok();
  }
  if (keyword == "format" && !value.is_string()) return Bad(p.doc, p.pointer, keyword, "must be a string");
  // format (an annotation in gavel), title, description, default, examples, $comment,
  // readOnly, writeOnly, content*, and keywords the dialect does not define: no effect.
  return Status::Ok();
}

// dependencies (property -> names or schema), dependentRequired (-> names), dependentSchemas
// (-> schema).
Status Compiler::Dependencies(const Pending& p, const std::string& base, const std::string& keyword, const Json& value) {
  if (!value.is_object()) return Bad(p.doc, p.pointer, keyword, "must be an object");
  const char* name = keyword == "dependencies" ? "dependencies" : keyword == "dependentRequired" ? "dependentRequired" : "dependentSchemas";
  const bool names_allowed = keyword != "dependentSchemas";
  const bool schemas_allowed = keyword != "dependentRequired";
  for (const auto& [key, dependency] : value.get_ref<const Json::object_t&>()) {
    Dependency entry;
    entry.keyword = name;
    entry.name = key;
    const std::string where = keyword + "/" + EscapeToken(key);
    if (dependency.is_array() && names_allowed) {
      if (Status s = PropertyNames(p, where, dependency, entry.required); !s) return s;
    } else if ((dependency.is_object() || dependency.is_boolean()) && schemas_allowed) {
      Result<const Node*> child = Child(p, base, keyword, key, dependency);
      if (!child) return child.error();
      entry.schema = *child;
    } else {
      return Bad(p.doc, p.pointer, where,
                 !schemas_allowed ? "must be an array of property names"
                 : !names_allowed ? "must be a schema"
                                  : "must be a schema or an array of property names");
    }
    p.node->dependencies.push_back(std::move(entry));
  }
  return Status::Ok();
}

// What the keywords mean together, and the summaries validation uses to skip groups.
Status Compiler::FinishNode(const Pending& p) {
  Node& node = *p.node;
  const Dialect d = p.scope.dialect;
  if (node.then_schema != nullptr || node.else_schema != nullptr) {
    // then/else without if have no effect; they were compiled only to be checked.
    if (node.if_schema == nullptr) node.then_schema = node.else_schema = nullptr;
  }
  if (d == Dialect::kDraft2020_12) {
    // items after prefixItems is the schema for the rest of the array.
    if (node.items_is_list && node.items != nullptr) {
      node.additional_items = node.items;
      node.additional_items_keyword = "items";
      node.items = nullptr;
    }
    node.contains_annotates = true;
  } else if (!node.items_is_list) {
    node.additional_items = nullptr;  // additionalItems has no effect without an items array
  }
  if (node.contains == nullptr) node.min_contains = node.max_contains = std::nullopt;
  if (!node.maximum) node.maximum_exclusive = false;
  if (!node.minimum) node.minimum_exclusive = false;
  node.has_number = node.multiple_of || node.maximum || node.exclusive_maximum || node.minimum ||
                    node.exclusive_minimum;
  node.has_string = node.max_length || node.min_length || node.pattern;
  node.has_array = node.items != nullptr || node.items_is_list || node.max_items || node.min_items ||
                   node.unique_items || node.contains != nullptr;
  node.has_object = node.max_properties || node.min_properties || !node.required.empty() ||
                    !node.properties.empty() || !node.pattern_properties.empty() ||
                    node.additional_properties != nullptr || !node.dependencies.empty() ||
                    node.property_names != nullptr;
  node.has_combinator = !node.all_of.empty() || !node.any_of.empty() || !node.one_of.empty() ||
                        node.not_schema != nullptr || node.if_schema != nullptr;
  node.has_unevaluated = node.unevaluated_properties != nullptr || node.unevaluated_items != nullptr;
  node.pure_ref = node.ref != nullptr && !node.has_type && !node.enum_values && !node.const_value &&
                  !node.has_number && !node.has_string && !node.has_array && !node.has_object &&
                  !node.has_combinator && !node.has_unevaluated && node.dynamic_ref == nullptr;
  return Status::Ok();
}

Result<std::uint64_t> Compiler::NonNegativeInteger(const Pending& p, const std::string& keyword, const Json& value) const {
  if (!IsIntegral(value) || NumberOf(value) < 0) return Bad(p.doc, p.pointer, keyword, "must be a non-negative integer");
  const long double number = NumberOf(value);
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  return number >= static_cast<long double>(kMax) ? kMax : static_cast<std::uint64_t>(number);
}

Result<Bound> Compiler::Number(const Pending& p, const std::string& keyword, const Json& value) const {
  if (!value.is_number()) return Bad(p.doc, p.pointer, keyword, "must be a number");
  return Bound{NumberOf(value), value};
}

Result<Pattern> Compiler::Regex(const Pending& p, const std::string& keyword, const std::string& source) const {
  std::string error;
  auto re = CompileEcmaRegex(source, error);
  if (!re) return Bad(p.doc, p.pointer, keyword, "invalid regular expression " + Quoted(source) + ": " + error);
  return Pattern{std::move(re), source};
}

// Fills `names` from an array of distinct strings.
Status Compiler::PropertyNames(const Pending& p, const std::string& where, const Json& value,
                               std::vector<std::string>& names) const {
  if (!value.is_array()) return Bad(p.doc, p.pointer, where, "must be an array of property names");
  for (const Json& item : value) {
    if (!item.is_string()) return Bad(p.doc, p.pointer, where, "must be an array of property names");
    if (std::find(names.begin(), names.end(), item.get_ref<const std::string&>()) != names.end()) {
      return Bad(p.doc, p.pointer, where, "lists " + Quoted(item.get_ref<const std::string&>()) + " twice");
    }
    names.push_back(item.get<std::string>());
  }
  return Status::Ok();
}

Status Compiler::SchemaList(const Pending& p, const std::string& base, const std::string& keyword, const Json& value,
                            std::vector<const Node*>& out) {
  if (!value.is_array() || value.empty()) return Bad(p.doc, p.pointer, keyword, "must be a non-empty array of schemas");
  for (std::size_t i = 0; i < value.size(); ++i) {
    Result<const Node*> child = Child(p, base, keyword, std::to_string(i), value[i]);
    if (!child) return child.error();
    out.push_back(*child);
  }
  return Status::Ok();
}

}  // namespace gavel::schema::detail
