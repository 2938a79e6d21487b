// Validation: the walk (Eval, EvalNode), the dynamic scope and the scalar keywords (type, enum,
// const, numbers, strings). See evaluator.h.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "evaluator.h"
#include "gavel/schema/schema.h"
#include "json_text.h"
#include "json_value.h"
#include "node.h"
#include "pointer.h"

namespace gavel::schema {
namespace detail {

// Values deeper than this are refused before the walk (the equality and hashing helpers recurse).
constexpr std::size_t kMaxInstanceDepth = 256;

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

std::string Plural(std::uint64_t count, const char* one, const char* many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

void Annotations::Merge(const Annotations& other) {
  all_properties = all_properties || other.all_properties;
  if (!all_properties) properties.insert(properties.end(), other.properties.begin(), other.properties.end());
  all_items = all_items || other.all_items;
  prefix = std::max(prefix, other.prefix);
  if (!all_items) items.insert(items.end(), other.items.begin(), other.items.end());
}

bool Annotations::HasProperty(const std::string* name) const {
  return all_properties || std::find(properties.begin(), properties.end(), name) != properties.end();
}

bool Annotations::HasItem(std::size_t index) const {
  return all_items || index < prefix || std::find(items.begin(), items.end(), index) != items.end();
}

namespace {

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
  // multipleOf 1e-8 (any 1/k): every integer is a multiple, though 1e-8 has no exact binary form.
  if (IsIntegral(value) && m < 1) {
    const long double inverse = 1 / m;
    if (std::fabs(inverse - std::nearbyint(inverse)) <= std::max(1e-9L, inverse * 4e-16L)) return true;
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

std::uint8_t TypeBits(const Node& n, const Json& v) {
  const std::uint8_t bits = TypeBitsOf(v);
  // Integers beyond 64 bits arrive as doubles however they were written: they stay integers.
  const bool written_as_fraction = v.is_number_float() && std::fabs(v.get<double>()) < 18446744073709551616.0;
  return n.float_is_not_integer && written_as_fraction ? static_cast<std::uint8_t>(bits & ~kTypeInteger) : bits;
}

std::string TypeMessage(std::uint8_t types, const Json& v) {
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

}  // namespace

bool Evaluator::Eval(const Node& start, const Json& v, const Path* path, Annotations* annotations) {
  if (depth_ >= kMaxEvaluationDepth) {
    Report(start, "depth", path, [] {
      return "the schema is applied more than " + std::to_string(kMaxEvaluationDepth) + " levels deep here";
    });
    return false;
  }
  // Without dynamic references the scope is never read, and a pure $ref is just its target.
  const Node& n = track_scope_ ? start : *Resolved(&start);
  const bool enters = track_scope_ && (scope_.empty() || scope_.back() != n.resource);
  if (enters) scope_.push_back(n.resource);
  ++depth_;
  const bool ok = EvalNode(n, v, path, annotations);
  --depth_;
  if (enters) scope_.pop_back();
  return ok;
}

bool Evaluator::Check(const Node& node, const Json& v, const Path* path, Annotations* annotations) {
  const bool saved = checking_;
  checking_ = true;
  const bool ok = Eval(node, v, path, annotations);
  checking_ = saved;
  return ok;
}

// (Annotations live in frames of their own: the plain walk recurses once per in-place
// subschema, and its frames must stay small for kMaxEvaluationDepth levels to fit the stack.)
bool Evaluator::EvalInPlace(const Node& node, const Json& v, const Path* path, Annotations* annotations) {
  if (annotations == nullptr) return Eval(node, v, path);
  return InPlaceAnnotated(node, v, path, *annotations, false);
}

bool Evaluator::CheckInPlace(const Node& node, const Json& v, const Path* path, Annotations* annotations) {
  if (annotations == nullptr) return Check(node, v, path);
  return InPlaceAnnotated(node, v, path, *annotations, true);
}

bool Evaluator::InPlaceAnnotated(const Node& node, const Json& v, const Path* path, Annotations& annotations,
                                 bool check) {
  Annotations own;
  const bool ok = check ? Check(node, v, path, &own) : Eval(node, v, path, &own);
  if (ok) annotations.Merge(own);
  return ok;
}

// The outermost resource in the dynamic scope with the anchor wins; else the static target.
const Node& Evaluator::DynamicTarget(const Node& n) const {
  if (n.dynamic) {
    for (const Resource* resource : scope_) {
      if (const Node* anchor = resource->Find(n.dynamic_name)) return *anchor;
    }
  }
  return *n.dynamic_ref;
}

bool Evaluator::EvalNode(const Node& n, const Json& v, const Path* path, Annotations* annotations) {
  if (n.is_false) {
    Report(n, "false", path, [] { return std::string("no value is allowed here (the schema is false)"); });
    return false;
  }
  if (n.has_unevaluated) return EvalWithUnevaluated(n, v, path, annotations);
  return EvalKeywords(n, v, path, annotations);
}

// unevaluated* read what this node's other keywords evaluated, and nothing from outside it.
bool Evaluator::EvalWithUnevaluated(const Node& n, const Json& v, const Path* path, Annotations* annotations) {
  Annotations own;
  bool ok = EvalKeywords(n, v, path, &own);
  if (!ok && !Continue()) return false;
  if (!Unevaluated(n, v, path, own)) ok = false;
  if (annotations != nullptr) annotations->Merge(own);
  return ok;
}

// Every keyword but unevaluated*; what they evaluate goes to `collect` when not null.
bool Evaluator::EvalKeywords(const Node& n, const Json& v, const Path* path, Annotations* collect) {
  bool ok = true;
  // Each group returns its own verdict and has already recorded its violations.
  const auto step = [&](bool group_ok) {
    if (!group_ok) ok = false;
    return group_ok || Continue();
  };
  if (n.has_type && (TypeBits(n, v) & n.types) == 0) {
    ok = false;
    if (!Report(n, "type", path, [&] {
          if ((TypeBitsOf(v) & ~TypeBits(n, v) & kTypeInteger) != 0 && (n.types & kTypeNumber) == 0) {
            return std::string("must be an integer, not a number written with a fraction (draft-04)");
          }
          return TypeMessage(n.types, v);
        })) {
      return false;
    }
  }
  if (n.enum_values && !step(Enum(n, v, path))) return false;
  if (n.const_value && !JsonEqual(*n.const_value, v)) {
    ok = false;
    if (!Report(n, "const", path, [&] { return "must be equal to " + DumpForMessage(*n.const_value); })) return false;
  }
  if (n.has_number && v.is_number() && !step(Numbers(n, v, path))) return false;
  if (n.has_string && v.is_string() && !step(Strings(n, v, path))) return false;
  if (n.ref != nullptr && !step(EvalInPlace(*n.ref, v, path, collect))) return false;
  if (n.dynamic_ref != nullptr && !step(EvalInPlace(DynamicTarget(n), v, path, collect))) return false;
  if (n.has_array && v.is_array() && !step(Arrays(n, v, path, collect))) return false;
  if (n.has_object && v.is_object() && !step(Objects(n, v, path, collect))) return false;
  if (n.has_combinator && !step(Combinators(n, v, path, collect))) return false;
  return ok;
}

bool Evaluator::Enum(const Node& n, const Json& v, const Path* path) {
  for (const Json& allowed : *n.enum_values) {
    if (JsonEqual(allowed, v)) return true;
  }
  Report(n, "enum", path, [&] { return "must be one of " + DumpForMessage(Json(*n.enum_values)); });
  return false;
}

bool Evaluator::Numbers(const Node& n, const Json& v, const Path* path) {
  bool ok = true;
  const long double x = NumberOf(v);
  const auto fail = [&](const char* keyword, const char* relation, const Bound& bound) {
    ok = false;
    return Report(n, keyword, path, [&] { return std::string("must be ") + relation + " " + DumpForMessage(bound.literal); });
  };
  if (n.multiple_of && !IsMultipleOf(v, *n.multiple_of) && !fail("multipleOf", "a multiple of", *n.multiple_of)) return false;
  if (n.maximum && (n.maximum_exclusive ? x >= n.maximum->value : x > n.maximum->value) &&
      !fail("maximum", n.maximum_exclusive ? "<" : "<=", *n.maximum)) {
    return false;
  }
  if (n.exclusive_maximum && x >= n.exclusive_maximum->value && !fail("exclusiveMaximum", "<", *n.exclusive_maximum)) return false;
  if (n.minimum && (n.minimum_exclusive ? x <= n.minimum->value : x < n.minimum->value) &&
      !fail("minimum", n.minimum_exclusive ? ">" : ">=", *n.minimum)) {
    return false;
  }
  if (n.exclusive_minimum && x <= n.exclusive_minimum->value && !fail("exclusiveMinimum", ">", *n.exclusive_minimum)) return false;
  return ok;
}

bool Evaluator::Strings(const Node& n, const Json& v, const Path* path) {
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
  detail::Evaluator evaluator(&result.violations, max_violations, compiled_->dynamic_scope);
  result.valid = evaluator.Eval(*compiled_->root, instance, nullptr);
  result.truncated = evaluator.truncated();
  return result;
}

bool Schema::IsValid(const Json& instance) const {
  if (detail::DeeperThan(instance, detail::kMaxInstanceDepth)) return false;
  detail::Evaluator evaluator(nullptr, 0, compiled_->dynamic_scope);
  return evaluator.Eval(*compiled_->root, instance, nullptr);
}

}  // namespace gavel::schema

