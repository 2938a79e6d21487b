// The validation walk over the compiled nodes and the value together, in one of two modes:
// collecting (every violation is recorded, up to the cap) or checking (the first failure
// decides, nothing is recorded). anyOf, oneOf, not, if and contains only need a verdict from
// their subschemas, so they check; everything else collects. Nothing is allocated unless a
// violation is recorded, or the schema uses unevaluatedProperties/unevaluatedItems (the
// annotations they read) or a dynamic reference (the dynamic scope).
//
//   Evaluator evaluator(&violations, 100, compiled.dynamic_scope);
//   bool valid = evaluator.Eval(*compiled.root, value, nullptr);
//
// validator.cpp holds the walk and the scalar keywords; validate_apply.cpp the keywords that
// apply subschemas (arrays, objects, combinators, unevaluated*).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gavel/schema/schema.h"
#include "node.h"

namespace gavel::schema::detail {

// Nested evaluations of subschemas, in place ($ref, allOf, ...) and into the value together.
// Load-time cycle checks make every walk finite; this bounds stack use on pathological schemas.
constexpr std::size_t kMaxEvaluationDepth = 1000;

// One step from the value being validated to the current one; lives on the caller's stack.
struct Path {
  const Path* parent;
  const std::string* key;  // object member, or
  std::size_t index;       // array element when key is null
};

std::string PointerOf(const Path* path);

// "1 item", "2 items".
std::string Plural(std::uint64_t count, const char* one, const char* many);

// What the successful keywords of a schema evaluated in the current value (2019-09 and later),
// for unevaluatedProperties and unevaluatedItems. Property names point into the value itself.
struct Annotations {
  bool all_properties = false;
  std::vector<const std::string*> properties;
  bool all_items = false;
  std::size_t prefix = 0;            // items [0, prefix) were evaluated
  std::vector<std::size_t> items;    // and these (contains)

  void Merge(const Annotations& other);
  bool HasProperty(const std::string* name) const;
  bool HasItem(std::size_t index) const;
};

// A pure $ref stands for its target.
inline const Node* Resolved(const Node* node) {
  while (node != nullptr && node->pure_ref) node = node->ref;
  return node;
}

class Evaluator {
 public:
  Evaluator(std::vector<Violation>* out, std::size_t max_violations, bool track_scope)
      : out_(out), max_(max_violations), track_scope_(track_scope) {}

  bool truncated() const { return truncated_; }

  // `annotations`, when not null, receives what `start` evaluated (on success).
  bool Eval(const Node& start, const Json& v, const Path* path, Annotations* annotations = nullptr);

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
  bool Check(const Node& node, const Json& v, const Path* path, Annotations* annotations = nullptr);
  // A subschema applied to the same value: its annotations count only if it succeeds.
  bool EvalInPlace(const Node& node, const Json& v, const Path* path, Annotations* annotations);
  bool CheckInPlace(const Node& node, const Json& v, const Path* path, Annotations* annotations);
  bool InPlaceAnnotated(const Node& node, const Json& v, const Path* path, Annotations& annotations, bool check);
  const Node& DynamicTarget(const Node& n) const;

  bool EvalNode(const Node& n, const Json& v, const Path* path, Annotations* annotations);
  bool EvalWithUnevaluated(const Node& n, const Json& v, const Path* path, Annotations* annotations);
  bool EvalKeywords(const Node& n, const Json& v, const Path* path, Annotations* collect);
  bool Enum(const Node& n, const Json& v, const Path* path);
  bool Numbers(const Node& n, const Json& v, const Path* path);
  bool Strings(const Node& n, const Json& v, const Path* path);
  bool Arrays(const Node& n, const Json& v, const Path* path, Annotations* annotations);
  bool Contains(const Node& n, const Json::array_t& items, const Path* path, Annotations* annotations);
  bool Objects(const Node& n, const Json& v, const Path* path, Annotations* annotations);
  bool PropertyNames(const Node& n, const Json::object_t& object, const Path* path);
  bool Combinators(const Node& n, const Json& v, const Path* path, Annotations* annotations);
  bool OneOf(const Node& n, const Json& v, const Path* path, Annotations* annotations);
  bool Unevaluated(const Node& n, const Json& v, const Path* path, Annotations& evaluated);

  std::vector<Violation>* out_;  // null: checking only
  std::size_t max_;
  bool track_scope_;
  std::vector<const Resource*> scope_;  // the dynamic scope, outermost first
  std::size_t depth_ = 0;
  bool checking_ = false;
  bool stopped_ = false;
  bool truncated_ = false;
};

}  // namespace gavel::schema::detail
