// Validation: a walk over the compiled nodes and the value together. It runs in one of two
// modes: collecting (every violation is recorded, up to the cap) or checking (the first failure
// decides, nothing is recorded). anyOf, oneOf, not, if and contains only need a verdict from
// their subschemas, so they check; everything else collects. Nothing is allocated unless a
// violation is recorded; instance pointers are built from a chain of stack frames only then.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gavel/schema/schema.h"
#include "json_text.h"
#include "json_value.h"
#include "node.h"

namespace gavel::schema {
namespace detail {
namespace {

// Values deeper than this are refused before the walk (the equality and hashing helpers recurse).
constexpr std::size_t kMaxInstanceDepth = 256;
// Nested evaluations of subschemas, in place ($ref, allOf, ...) and into the value together.
// Load-time cycle checks make every walk finite; this bounds stack use on pathological schemas.
constexpr std::size_t kMaxEvaluationDepth = 1000;
// uniqueItems compares pairwise up to this many items, then sorts hashes (allocating).
constexpr std::size_t kPairwiseUniqueLimit = 16;

// One step from the value being validated to the current one; lives on the caller's stack.
struct Path {
  const Path* parent;
  const std::string* key;  // object member, or
  std::size_t index;       // array element when key is null
};

std::string EscapeToken(std::string_view token) {
  std::string out;
  for (const char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PointerOf(const Path* path) {
  std::vector<const Path*> chain;
  for (const Path* p = path; p != nullptr; p = p->parent) chain.push_back(p);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    out += '/';
    out += (*it)->key != nullptr ? EscapeToken(*(*it)->key) : std::to_string((*it)->index);
  }
  return out;
}

std::uint8_t TypeBitsOf(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return kTypeNull;
    case Json::value_t::boolean: return kTypeBoolean;
    case Json::value_t::object: return kTypeObject;
    case Json::value_t::array: return kTypeArray;
    case Json::value_t::string: return kTypeString;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return kTypeNumber | kTypeInteger;
    case Json::value_t::number_float: return IsIntegral(v) ? kTypeNumber | kTypeInteger : kTypeNumber;
    default: return 0;
  }
}

const char* TypePhrase(std::uint8_t bit) {
  switch (bit) {
    case kTypeNull: return "null";
    case kTypeBoolean: return "a boolean";
    case kTypeObject: return "an object";
    case kTypeArray: return "an array";
    case kTypeNumber: return "a number";
    case kTypeString: return "a string";
    case kTypeInteger: return "an integer";
    default: return "?";
  }
}

std::string Phrase(const Json& v) {
  const std::string name = SchemaTypeName(v);
  if (name == "null") return name;
  return (name == "object" || name == "array" || name == "integer" ? "an " : "a ") + name;
}

std::string Plural(std::uint64_t count, const char* one, const char* many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

// A finite non-zero long double as odd * 2^exponent, exactly (the mantissa has at most 64 bits).
void OddMantissa(long double value, std::uint64_t& odd, int& exponent) {
  int e = 0;
  const long double fraction = std::frexp(std::fabs(value), &e);  // in [0.5, 1)
  odd = static_cast<std::uint64_t>(std::ldexp(fraction, 64));
  exponent = e - 64;
  while ((odd & 1) == 0) {
    odd >>= 1;
    ++exponent;
  }
}

bool IsMultipleOf(const Json& value, const Bound& divisor) {
  const long double x = NumberOf(value);
  const long double m = divisor.value;
  if (x == 0) return true;
  constexpr long double kTwo64 = 18446744073709551616.0L;
  if (IsIntegral(value) && IsIntegral(divisor.literal) && std::fabs(x) < kTwo64 && m < kTwo64) {
    return static_cast<std::uint64_t>(std::fabs(x)) % static_cast<std::uint64_t>(m) == 0;
  }
  const long double q = x / m;
  if (!std::isfinite(q)) return false;  // only where long double is no wider than double
  // Schema authors write decimals ("multipleOf": 0.01) that binary floating point only
  // approximates, so a small quotient is compared to the nearest integer with a tolerance
  // scaled to double precision...
  if (std::fabs(q) < 4503599627370496.0L) {  // 2^52
    const long double tolerance = std::max(1e-9L, std::fabs(q) * 4e-16L);
    return std::fabs(q - std::nearbyint(q)) <= tolerance;
  }
  // ...while a huge quotient has no fractional digits left to compare, so the two binary values
  // are compared exactly: x / m is an integer iff m's odd part divides x's and x's power of two
  // is at least m's.
  std::uint64_t x_odd = 0, m_odd = 0;
  int x_exp = 0, m_exp = 0;
  OddMantissa(x, x_odd, x_exp);
  OddMantissa(m, m_odd, m_exp);
  return x_odd % m_odd == 0 && x_exp >= m_exp;
}

const Node* Resolved(const Node* node) {
  while (node != nullptr && node->ref != nullptr) node = node->ref;
  return node;
}

class Evaluator {
 public:
  Evaluator(std::vector<Violation>* out, std::size_t max_violations)
      : out_(out), max_(max_violations) {}

  bool truncated() const { return truncated_; }

  bool Eval(const Node& start, const Json& v, const Path* path) {
    if (depth_ >= kMaxEvaluationDepth) {
      Report(start, "depth", path, [] {
        return "the schema is applied more than " + std::to_string(kMaxEvaluationDepth) + " levels deep here";
      });
      return false;
    }
    ++depth_;
    const bool ok = EvalNode(*Resolved(&start), v, path);
    --depth_;
    return ok;
  }

 private:
  bool collecting() const { return out_ != nullptr && !checking_; }
  // After a failure: whether to go on looking for more violations.
  bool Continue() const { return collecting() && !stopped_; }

  // Records a violation when collecting; `message` is only called then. Returns Continue().
  template <typename MakeMessage>
  bool Report(const Node& node, std::string_view keyword, const Path* path, MakeMessage&& message) {
    if (!Continue()) return false;
    if (out_->size() >= max_) {
      truncated_ = stopped_ = true;
      return false;
    }
    Violation violation;
    violation.instance_pointer = PointerOf(path);
    violation.keyword = std::string(keyword);
    violation.schema_pointer = keyword == "false" ? node.location : node.location + "/" + std::string(keyword);
    violation.message = message();
    out_->push_back(std::move(violation));
    return true;
  }

  // The verdict of `node` on `v` without recording anything.
  bool Check(const Node& node, const Json& v, const Path* path) {
    const bool saved = checking_;
    checking_ = true;
    const bool ok = Eval(node, v, path);
    checking_ = saved;
    return ok;
  }

  bool EvalNode(const Node& n, const Json& v, const Path* path) {
    if (n.is_false) {
      Report(n, "false", path, [] { return std::string("no value is allowed here (the schema is false)"); });
      return false;
    }
    bool ok = true;
    // Each group returns its own verdict and has already recorded its violations.
    const auto step = [&](bool group_ok) {
      if (!group_ok) ok = false;
      return group_ok || Continue();
    };
    if (n.has_type && (TypeBitsOf(v) & n.types) == 0) {
      ok = false;
      if (!Report(n, "type", path, [&] { return TypeMessage(n.types, v); })) return false;
    }
    if (n.enum_values && !step(Enum(n, v, path))) return false;
    if (n.const_value && !JsonEqual(*n.const_value, v)) {
      ok = false;
      if (!Report(n, "const", path, [&] { return "must be equal to " + DumpForMessage(*n.const_value); })) return false;
    }
    if (n.has_number && v.is_number() && !step(Numbers(n, v, path))) return false;
    if (n.has_string && v.is_string() && !step(Strings(n, v, path))) return false;
    if (n.has_array && v.is_array() && !step(Arrays(n, v, path))) return false;
    if (n.has_object && v.is_object() && !step(Objects(n, v, path))) return false;
    if (n.has_combinator && !step(Combinators(n, v, path))) return false;
    return ok;
  }

  static std::string TypeMessage(std::uint8_t types, const Json& v) {
    std::string expected;
    int listed = 0;
    const int total = std::popcount(types);
    for (std::uint8_t bit = 1; bit != 0 && bit <= kTypeInteger; bit = static_cast<std::uint8_t>(bit << 1)) {
      if ((types & bit) == 0) continue;
      if (listed > 0) expected += listed + 1 == total ? " or " : ", ";
      expected += TypePhrase(bit);
      ++listed;
    }
    if (total == 0) return "no type is allowed (the type list is empty)";
    return "must be " + expected + ", not " + Phrase(v);
  }

  bool Enum(const Node& n, const Json& v, const Path* path) {
    for (const Json& allowed : *n.enum_values) {
      if (JsonEqual(allowed, v)) return true;
    }
    Report(n, "enum", path, [&] { return "must be one of " + DumpForMessage(Json(*n.enum_values)); });
    return false;
  }

  bool Numbers(const Node& n, const Json& v, const Path* path) {
    bool ok = true;
    const long double x = NumberOf(v);
    const auto fail = [&](const char* keyword, const char* relation, const Bound& bound) {
      ok = false;
      return Report(n, keyword, path, [&] { return std::string("must be ") + relation + " " + DumpForMessage(bound.literal); });
    };
    if (n.multiple_of && !IsMultipleOf(v, *n.multiple_of) && !fail("multipleOf", "a multiple of", *n.multiple_of)) return false;
    if (n.maximum && x > n.maximum->value && !fail("maximum", "<=", *n.maximum)) return false;
    if (n.exclusive_maximum && x >= n.exclusive_maximum->value && !fail("exclusiveMaximum", "<", *n.exclusive_maximum)) return false;
    if (n.minimum && x < n.minimum->value && !fail("minimum", ">=", *n.minimum)) return false;
    if (n.exclusive_minimum && x <= n.exclusive_minimum->value && !fail("exclusiveMinimum", ">", *n.exclusive_minimum)) return false;
    return ok;
  }

  bool Strings(const Node& n, const Json& v, const Path* path) {
    bool ok = true;
    const std::string& s = v.get_ref<const std::string&>();
    if (n.max_length || n.min_length) {
      // Code points, as draft-07 counts length; the byte size is an upper bound that often
      // settles maxLength without counting.
      const bool need_count = (n.max_length && s.size() > *n.max_length) || n.min_length;
      const std::uint64_t length = need_count ? CodePointCount(s) : s.size();
      if (n.max_length && length > *n.max_length) {
        ok = false;
        if (!Report(n, "maxLength", path, [&] {
              return "must be at most " + Plural(*n.max_length, "character", "characters") + " long (found " + std::to_string(length) + ")";
            })) {
          return false;
        }
      }
      if (n.min_length && length < *n.min_length) {
        ok = false;
        if (!Report(n, "minLength", path, [&] {
              return "must be at least " + Plural(*n.min_length, "character", "characters") + " long (found " + std::to_string(length) + ")";
            })) {
          return false;
        }
      }
    }
    if (n.pattern && !RE2::PartialMatch(s, *n.pattern->re)) {
      ok = false;
      if (!Report(n, "pattern", path, [&] { return "must match the pattern " + Quoted(n.pattern->source); })) return false;
    }
    return ok;
  }

  // Index pair of the first two equal items, or false.
  static bool FindDuplicate(const Json::array_t& items, std::size_t& first, std::size_t& second) {
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

  bool Arrays(const Node& n, const Json& v, const Path* path) {
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
    if (n.items_is_list) {
      const std::size_t listed = std::min(items.size(), n.item_list.size());
      for (std::size_t i = 0; i < listed; ++i) {
        const Path child{path, nullptr, i};
        if (!Eval(*n.item_list[i], items[i], &child)) {
          ok = false;
          if (!Continue()) return false;
        }
      }
      if (n.additional_items != nullptr && items.size() > n.item_list.size()) {
        if (Resolved(n.additional_items)->is_false) {
          if (!fail("additionalItems", [&] {
                return "must have at most " + Plural(n.item_list.size(), "item", "items") + " (additionalItems is false)";
              })) {
            return false;
          }
        } else {
          for (std::size_t i = n.item_list.size(); i < items.size(); ++i) {
            const Path child{path, nullptr, i};
            if (!Eval(*n.additional_items, items[i], &child)) {
              ok = false;
              if (!Continue()) return false;
            }
          }
        }
      }
    } else if (n.items != nullptr) {
      for (std::size_t i = 0; i < items.size(); ++i) {
        const Path child{path, nullptr, i};
        if (!Eval(*n.items, items[i], &child)) {
          ok = false;
          if (!Continue()) return false;
        }
      }
    }
    if (n.contains != nullptr) {
      bool found = false;
      for (std::size_t i = 0; i < items.size() && !found; ++i) {
        const Path child{path, nullptr, i};
        found = Check(*n.contains, items[i], &child);
      }
      if (!found && !fail("contains", [] { return std::string("must contain an item that matches the contains schema"); })) {
        return false;
      }
    }
    return ok;
  }

  const NamedNode* FindProperty(const Node& n, const std::string& key) const {
    const auto it = std::lower_bound(n.properties.begin(), n.properties.end(), key,
                                     [](const NamedNode& p, const std::string& k) { return p.name < k; });
    return it != n.properties.end() && it->name == key ? &*it : nullptr;
  }

  bool Objects(const Node& n, const Json& v, const Path* path) {
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
            !fail("dependencies", [&] { return "property " + Quoted(dependency.name) + " requires property " + Quoted(name); })) {
          return false;
        }
      }
      if (dependency.schema != nullptr && !Eval(*dependency.schema, v, path)) {
        ok = false;
        if (!Continue()) return false;
      }
    }
    if (n.property_names != nullptr) {
      for (const auto& entry : object) {
        const Json name(entry.first);  // a property name is validated as a string value
        if (collecting()) {
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
          if (!name_ok && !fail("propertyNames", [&] {
                return "property name " + Quoted(entry.first) + " is not allowed" +
                       (reasons.empty() ? std::string() : ": " + reasons.front().message);
              })) {
            return false;
          }
        } else if (!Check(*n.property_names, name, path)) {
          return false;
        }
      }
    }
    return ok;
  }

  bool Combinators(const Node& n, const Json& v, const Path* path) {
    bool ok = true;
    for (const Node* sub : n.all_of) {
      if (!Eval(*sub, v, path)) {
        ok = false;
        if (!Continue()) return false;
      }
    }
    if (!n.any_of.empty()) {
      bool any = false;
      for (const Node* sub : n.any_of) {
        if ((any = Check(*sub, v, path))) break;
      }
      if (!any) {
        ok = false;
        if (!Report(n, "anyOf", path, [] { return std::string("must match at least one of the anyOf schemas"); })) return false;
      }
    }
    if (!n.one_of.empty()) {
      std::size_t matches[2] = {0, 0};
      std::size_t count = 0;
      for (std::size_t i = 0; i < n.one_of.size() && count < 2; ++i) {
        if (Check(*n.one_of[i], v, path)) matches[count++] = i;
      }
      if (count != 1) {
        ok = false;
        if (!Report(n, "oneOf", path, [&] {
              return std::string("must match exactly one of the oneOf schemas (") +
                     (count == 0 ? std::string("matches none") : "matches #" + std::to_string(matches[0]) + " and #" + std::to_string(matches[1])) + ")";
            })) {
          return false;
        }
      }
    }
    if (n.not_schema != nullptr && Check(*n.not_schema, v, path)) {
      ok = false;
      if (!Report(n, "not", path, [] { return std::string("must not match the \"not\" schema"); })) return false;
    }
    if (n.if_schema != nullptr) {
      const Node* branch = Check(*n.if_schema, v, path) ? n.then_schema : n.else_schema;
      if (branch != nullptr && !Eval(*branch, v, path)) {
        ok = false;
        if (!Continue()) return false;
      }
    }
    return ok;
  }

  std::vector<Violation>* out_;  // null: checking only
  std::size_t max_;
  std::size_t depth_ = 0;
  bool checking_ = false;
  bool stopped_ = false;
  bool truncated_ = false;
};

}  // namespace
}  // namespace detail

std::string Violation::ToString() const {
  return (instance_pointer.empty() ? std::string("(root)") : instance_pointer) + ": " + message;
}

ValidationResult Schema::Validate(const Json& instance, std::size_t max_violations) const {
  ValidationResult result;
  if (detail::DeeperThan(instance, detail::kMaxInstanceDepth)) {
    result.valid = false;
    if (max_violations > 0) {
      result.violations.push_back(Violation{"", "depth", "", "the value nests deeper than " +
                                                                 std::to_string(detail::kMaxInstanceDepth) + " levels"});
    } else {
      result.truncated = true;
    }
    return result;
  }
  detail::Evaluator evaluator(&result.violations, max_violations);
  result.valid = evaluator.Eval(*compiled_->root, instance, nullptr);
  result.truncated = evaluator.truncated();
  return result;
}

bool Schema::IsValid(const Json& instance) const {
  if (detail::DeeperThan(instance, detail::kMaxInstanceDepth)) return false;
  detail::Evaluator evaluator(nullptr, 0);
  return evaluator.Eval(*compiled_->root, instance, nullptr);
}

}  // namespace gavel::schema
