// Validation of the keywords that apply subschemas: arrays (items, prefixItems, contains),
// objects (properties, dependencies, propertyNames), combinators, and unevaluated*.
// See evaluator.h.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "evaluator.h"
#include "json_text.h"
#include "json_value.h"
#include "node.h"

namespace gavel::schema::detail {
namespace {

// uniqueItems compares pairwise up to this many items, then sorts hashes (allocating).
constexpr std::size_t kPairwiseUniqueLimit = 16;

// Index pair of the first two equal items, or false.
bool FindDuplicate(const Json::array_t& items, std::size_t& first, std::size_t& second) {
  if (items.size() <= kPairwiseUniqueLimit) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      for (std::size_t j = i + 1; j < items.size(); ++j) {
        if (JsonEqual(items[i], items[j])) {
          first = i;
          second = j;
          return true;
        }
      }
    }
    return false;
  }
  std::vector<std::pair<std::size_t, std::size_t>> hashed;  // hash, index
  hashed.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) hashed.emplace_back(JsonHash(items[i]), i);
  std::sort(hashed.begin(), hashed.end());
  bool found = false;
  for (std::size_t a = 0; a < hashed.size(); ++a) {
    for (std::size_t b = a + 1; b < hashed.size() && hashed[b].first == hashed[a].first; ++b) {
      const std::size_t i = std::min(hashed[a].second, hashed[b].second);
      const std::size_t j = std::max(hashed[a].second, hashed[b].second);
      if ((!found || std::make_pair(i, j) < std::make_pair(first, second)) && JsonEqual(items[i], items[j])) {
        first = i;
        second = j;
        found = true;  // keep looking: the message names the earliest duplicate, as above
      }
    }
  }
  return found;
}

const NamedNode* FindProperty(const Node& n, const std::string& key) {
  const auto it = std::lower_bound(n.properties.begin(), n.properties.end(), key,
                                   [](const NamedNode& p, const std::string& k) { return p.name < k; });
  return it != n.properties.end() && it->name == key ? &*it : nullptr;
}

}  // namespace

bool Evaluator::Arrays(const Node& n, const Json& v, const Path* path, Annotations* annotations) {
  bool ok = true;
  const auto& items = v.get_ref<const Json::array_t&>();
  const auto fail = [&](const char* keyword, auto&& message) {
    ok = false;
    return Report(n, keyword, path, message);
  };
  if (n.max_items && items.size() > *n.max_items &&
      !fail("maxItems", [&] { return "must have at most " + Plural(*n.max_items, "item", "items") + " (found " + std::to_string(items.size()) + ")"; })) {
    return false;
  }
  if (n.min_items && items.size() < *n.min_items &&
      !fail("minItems", [&] { return "must have at least " + Plural(*n.min_items, "item", "items") + " (found " + std::to_string(items.size()) + ")"; })) {
    return false;
  }
  std::size_t first = 0, second = 0;
  if (n.unique_items && items.size() > 1 && FindDuplicate(items, first, second) &&
      !fail("uniqueItems", [&] {
        return "must not contain equal items (items " + std::to_string(first) + " and " + std::to_string(second) + " are equal)";
      })) {
    return false;
  }
  const auto each = [&](const Node& schema, std::size_t from) {
    for (std::size_t i = from; i < items.size(); ++i) {
      const Path child{path, nullptr, i};
      if (!Eval(schema, items[i], &child)) {
        ok = false;
        if (!Continue()) return false;
      }
    }
    if (annotations != nullptr && from < items.size()) annotations->all_items = true;
    return true;
  };
  if (n.items_is_list) {
    const std::size_t listed = std::min(items.size(), n.item_list.size());
    for (std::size_t i = 0; i < listed; ++i) {
      const Path child{path, nullptr, i};
      if (!Eval(*n.item_list[i], items[i], &child)) {
        ok = false;
        if (!Continue()) return false;
      }
    }
    if (annotations != nullptr) annotations->prefix = std::max(annotations->prefix, listed);
    if (n.additional_items != nullptr && items.size() > n.item_list.size()) {
      if (Resolved(n.additional_items)->is_false) {
        if (!fail(n.additional_items_keyword, [&] {
              return "must have at most " + Plural(n.item_list.size(), "item", "items") + " (" +
                     n.additional_items_keyword + " is false)";
            })) {
          return false;
        }
      } else if (!each(*n.additional_items, n.item_list.size())) {
        return false;
      }
    }
  } else if (n.items != nullptr && !each(*n.items, 0)) {
    return false;
  }
  if (n.contains != nullptr && !Contains(n, items, path, annotations)) {
    ok = false;
    if (!Continue()) return false;
  }
  return ok;
}

// contains, with minContains and maxContains (2019-09 on); in 2020-12 the matching items count
// as evaluated.
bool Evaluator::Contains(const Node& n, const Json::array_t& items, const Path* path, Annotations* annotations) {
  const std::uint64_t min = n.min_contains.value_or(1);
  const bool annotate = annotations != nullptr && n.contains_annotates;
  // Stop at the first match unless a count or the matches themselves are needed.
  const bool count_all = annotate || n.max_contains.has_value() || min > 1;
  std::uint64_t matches = 0;
  for (std::size_t i = 0; i < items.size() && (count_all || matches == 0); ++i) {
    const Path child{path, nullptr, i};
    if (Check(*n.contains, items[i], &child)) {
      ++matches;
      if (annotate) annotations->items.push_back(i);
    }
  }
  if (matches < min) {
    const char* keyword = n.min_contains ? "minContains" : "contains";
    Report(n, keyword, path, [&] {
      return min == 1 ? std::string("must contain an item that matches the contains schema")
                      : "must contain at least " + Plural(min, "item", "items") + " matching the contains schema (found " +
                            std::to_string(matches) + ")";
    });
    return false;
  }
  if (n.max_contains && matches > *n.max_contains) {
    Report(n, "maxContains", path, [&] {
      return "must contain at most " + Plural(*n.max_contains, "item", "items") + " matching the contains schema (found " +
             std::to_string(matches) + ")";
    });
    return false;
  }
  return true;
}

bool Evaluator::Objects(const Node& n, const Json& v, const Path* path, Annotations* annotations) {
  bool ok = true;
  const auto& object = v.get_ref<const Json::object_t&>();
  const auto fail = [&](const char* keyword, auto&& message) {
    ok = false;
    return Report(n, keyword, path, message);
  };
  if (n.max_properties && object.size() > *n.max_properties &&
      !fail("maxProperties", [&] {
        return "must have at most " + Plural(*n.max_properties, "property", "properties") + " (found " + std::to_string(object.size()) + ")";
      })) {
    return false;
  }
  if (n.min_properties && object.size() < *n.min_properties &&
      !fail("minProperties", [&] {
        return "must have at least " + Plural(*n.min_properties, "property", "properties") + " (found " + std::to_string(object.size()) + ")";
      })) {
    return false;
  }
  for (const std::string& name : n.required) {
    if (object.find(name) == object.end() &&
        !fail("required", [&] { return "missing required property " + Quoted(name); })) {
      return false;
    }
  }
  if (!n.properties.empty() || !n.pattern_properties.empty() || n.additional_properties != nullptr) {
    const Node* additional = Resolved(n.additional_properties);
    for (const auto& [key, member] : object) {
      const Path child{path, &key, 0};
      bool matched = false;
      if (const NamedNode* property = FindProperty(n, key)) {
        matched = true;
        if (!Eval(*property->node, member, &child)) {
          ok = false;
          if (!Continue()) return false;
        }
      }
      for (const PatternNode& pattern : n.pattern_properties) {
        if (!RE2::PartialMatch(key, *pattern.pattern.re)) continue;
        matched = true;
        if (!Eval(*pattern.node, member, &child)) {
          ok = false;
          if (!Continue()) return false;
        }
      }
      if (annotations != nullptr && (matched || additional != nullptr)) annotations->properties.push_back(&key);
      if (matched || additional == nullptr) continue;
      if (additional->is_false) {
        // Reported on the object, naming the member: the member's own location would read as
        // if its value were wrong.
        if (!fail("additionalProperties", [&name = key] { return "property " + Quoted(name) + " is not allowed"; })) return false;
      } else if (!Eval(*n.additional_properties, member, &child)) {
        ok = false;
        if (!Continue()) return false;
      }
    }
  }
  for (const Dependency& dependency : n.dependencies) {
    if (object.find(dependency.name) == object.end()) continue;
    for (const std::string& name : dependency.required) {
      if (object.find(name) == object.end() &&
          !fail(dependency.keyword, [&] { return "property " + Quoted(dependency.name) + " requires property " + Quoted(name); })) {
        return false;
      }
    }
    if (dependency.schema != nullptr && !EvalInPlace(*dependency.schema, v, path, annotations)) {
      ok = false;
      if (!Continue()) return false;
    }
  }
  if (n.property_names != nullptr && !PropertyNames(n, object, path)) {
    ok = false;
    if (!Continue()) return false;
  }
  return ok;
}

bool Evaluator::PropertyNames(const Node& n, const Json::object_t& object, const Path* path) {
  bool ok = true;
  for (const auto& entry : object) {
    const Json name(entry.first);  // a property name is validated as a string value
    if (!collecting()) {
      if (!Check(*n.property_names, name, path)) return false;
      continue;
    }
    // Say why the name is refused: evaluate into a private list holding the first reason.
    std::vector<Violation> reasons;
    std::vector<Violation>* const saved_out = out_;
    const std::size_t saved_max = max_;
    const bool saved_stopped = stopped_, saved_truncated = truncated_;
    out_ = &reasons;
    max_ = 1;
    stopped_ = false;
    const bool name_ok = Eval(*n.property_names, name, path);
    out_ = saved_out;
    max_ = saved_max;
    stopped_ = saved_stopped;
    truncated_ = saved_truncated;
    if (name_ok) continue;
    ok = false;
    if (!Report(n, "propertyNames", path, [&] {
          return "property name " + Quoted(entry.first) + " is not allowed" +
                 (reasons.empty() ? std::string() : ": " + reasons.front().message);
        })) {
      return false;
    }
  }
  return ok;
}

bool Evaluator::Combinators(const Node& n, const Json& v, const Path* path, Annotations* annotations) {
  bool ok = true;
  for (const Node* sub : n.all_of) {
    if (!EvalInPlace(*sub, v, path, annotations)) {
      ok = false;
      if (!Continue()) return false;
    }
  }
  if (!n.any_of.empty()) {
    bool any = false;
    for (const Node* sub : n.any_of) {
      // Annotations come from every branch that matches, so then all are tried.
      any = CheckInPlace(*sub, v, path, annotations) || any;
      if (any && annotations == nullptr) break;
    }
    if (!any) {
      ok = false;
      if (!Report(n, "anyOf", path, [] { return std::string("must match at least one of the anyOf schemas"); })) return false;
    }
  }
  if (!n.one_of.empty() && !OneOf(n, v, path, annotations)) {
    ok = false;
    if (!Continue()) return false;
  }
  if (n.not_schema != nullptr && Check(*n.not_schema, v, path)) {
    ok = false;
    if (!Report(n, "not", path, [] { return std::string("must not match the \"not\" schema"); })) return false;
  }
  if (n.if_schema != nullptr) {
    const Node* branch = CheckInPlace(*n.if_schema, v, path, annotations) ? n.then_schema : n.else_schema;
    if (branch != nullptr && !EvalInPlace(*branch, v, path, annotations)) {
      ok = false;
      if (!Continue()) return false;
    }
  }
  return ok;
}

bool Evaluator::OneOf(const Node& n, const Json& v, const Path* path, Annotations* annotations) {
  std::size_t matches[2] = {0, 0};
  std::size_t count = 0;
  Annotations matched;
  for (std::size_t i = 0; i < n.one_of.size() && count < 2; ++i) {
    if (CheckInPlace(*n.one_of[i], v, path, annotations != nullptr ? &matched : nullptr)) matches[count++] = i;
  }
  if (count == 1) {
    if (annotations != nullptr) annotations->Merge(matched);
    return true;
  }
  Report(n, "oneOf", path, [&] {
    return std::string("must match exactly one of the oneOf schemas (") +
           (count == 0 ? std::string("matches none") : "matches #" + std::to_string(matches[0]) + " and #" + std::to_string(matches[1])) + ")";
  });
  return false;
}

// unevaluatedItems and unevaluatedProperties: `evaluated` holds what the node's other keywords
// evaluated; afterwards it covers everything, for the schemas around this one.
bool Evaluator::Unevaluated(const Node& n, const Json& v, const Path* path, Annotations& evaluated) {
  bool ok = true;
  if (n.unevaluated_items != nullptr && v.is_array()) {
    const auto& items = v.get_ref<const Json::array_t&>();
    const bool is_false = Resolved(n.unevaluated_items)->is_false;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (evaluated.HasItem(i)) continue;
      const Path child{path, nullptr, i};
      if (is_false) {
        ok = false;
        if (!Report(n, "unevaluatedItems", path, [&] {
              return "item " + std::to_string(i) + " is not allowed (no keyword evaluated it, and unevaluatedItems is false)";
            })) {
          return false;
        }
      } else if (!Eval(*n.unevaluated_items, items[i], &child)) {
        ok = false;
        if (!Continue()) return false;
      }
    }
    evaluated.all_items = true;
  }
  if (n.unevaluated_properties != nullptr && v.is_object()) {
    const bool is_false = Resolved(n.unevaluated_properties)->is_false;
    for (const auto& [key, member] : v.get_ref<const Json::object_t&>()) {
      if (evaluated.HasProperty(&key)) continue;
      const Path child{path, &key, 0};
      if (is_false) {
        ok = false;
        if (!Report(n, "unevaluatedProperties", path, [&name = key] {
              return "property " + Quoted(name) + " is not allowed (no keyword evaluated it, and unevaluatedProperties is false)";
            })) {
          return false;
        }
      } else if (!Eval(*n.unevaluated_properties, member, &child)) {
        ok = false;
        if (!Continue()) return false;
      }
    }
    evaluated.all_properties = true;
  }
  return ok;
}

}  // namespace gavel::schema::detail
