// A grader of `gavel.judge`, compiled from a typed spec with no Lua in sight: prompt templates,
// the verdict schema (compiled, and read for its dimensions, its rationale and whether it can
// judge a comparison) and the judge's provider configuration. Immutable once made, shared by
// every Lua state of one rubric and by the calls in flight; it does not reach the HTTP client,
// so the last reference may go on any thread.
//
//   GraderSpec spec{.url = "http://127.0.0.1:8000/v1?model=m", .prompt = root / "p.txt",
//                   .verdict = root / "v.json"};
//   Result<std::shared_ptr<const Grader>> grader = MakeGrader(spec, root);
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gavel/judge/http_client.h"
#include "gavel/judge/options.h"
#include "gavel/judge/provider.h"
#include "gavel/sample.h"
#include "gavel/schema/schema.h"
#include "gavel/status.h"
#include "template.h"

namespace gavel::judge {

// One dimension of a verdict, read off the verdict schema: a bounded number is a scale, a
// boolean or a "pass"/"fail" enum is pass/fail, any other enum of strings is a category.
struct Dimension {
  enum class Kind { kScale, kBinary, kCategory };
  std::string name;
  Kind kind = Kind::kScale;
  double min = 0, max = 0;  // kScale
};

struct Grader {
  ProviderConfig config;  // holds credentials: never printed
  std::string name;       // in judgements: the option `name`, else the prompt file's stem
  std::vector<Dimension> dimensions;
  std::string rationale_field;  // the verdict's free-text property, if it has one
  std::string description;
  Template prompt;
  std::optional<Template> system;
  Json schema_document;  // sent as the structured-output schema
  std::shared_ptr<const schema::Schema> schema;
  std::string schema_name;  // the file, relative to the data root
  double temperature = 0;
  int max_tokens = 1024;
  std::chrono::milliseconds timeout{60000};
  std::chrono::milliseconds attempt_timeout{0};  // 0: the client's
  std::optional<Prices> prices;
  std::function<Status(HttpRequest&)> prepare;
  std::string compare_problem;  // why compare cannot use the schema; empty when it can
};

// What judge.new was given, checked and resolved (the files canonical, under the data root).
struct GraderSpec {
  std::string name{};  // empty: the prompt file's stem
  std::string url{};
  std::filesystem::path prompt{}, system{}, verdict{};  // system may be empty
  double temperature = 0;
  int max_tokens = 1024;
  std::chrono::milliseconds timeout{60000};
  std::chrono::milliseconds attempt_timeout{0};
  std::optional<Prices> prices{};
};

// Reads and compiles the files of `spec`; errors (kBadRubric, or the URL's kUsage) name the
// file relative to `root`.
Result<std::shared_ptr<const Grader>> MakeGrader(const GraderSpec& spec, const std::filesystem::path& root);

// 1 to 64 letters, digits, '_', '.' or '-'.
bool ValidGraderName(std::string_view name);

// Why grader:compare cannot use this verdict schema, or "" when it can. What cannot be seen
// here (a "winner" behind a $ref, a schema without an enum) is checked on every verdict.
std::string CompareProblem(const Json& doc);

// The dimensions of a verdict schema's top-level properties, in the schema's order of
// "required" first, then the others by name.
std::vector<Dimension> Dimensions(const Json& doc);

// The verdict's free-text property: "rationale", "reason", "reasoning" or "explanation".
std::string RationaleField(const Json& doc);

// One verdict as a judgement (Score::judgements): its dimensions' values and its rationale.
Json JudgementOf(const Grader& grader, std::size_t item, const Json& verdict);

}  // namespace gavel::judge
