// JSON Schema validation (draft-04, -06, -07, 2019-09 and 2020-12, chosen by `$schema`). A schema is loaded and compiled once into an immutable object
// that any number of threads may use at the same time; each Validate lists every violation.
//
//   auto schema = gavel::schema::Schema::LoadFile("schemas/review.json", "schemas");
//   if (!schema) return schema.error();               // names the file, pointer and keyword
//   gavel::schema::ValidationResult r = (*schema)->Validate(answer_json);
//   for (const auto& v : r.violations) std::cerr << v.ToString() << "\n";
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gavel/sample.h"
#include "gavel/status.h"

namespace gavel::schema {

struct Violation {
  std::string instance_pointer;  // JSON pointer into the validated value; "" is the value itself
  std::string keyword;           // "enum", "required", "additionalProperties", ...
  // Where the keyword is: a JSON pointer in the main schema ("/properties/a/enum"), or
  // "<document>#<pointer>" for a keyword in another document reached through $ref.
  std::string schema_pointer;
  std::string message;  // plain English, without the pointer: must be one of ["low","high"]

  // "/comments/2/severity: must be one of [...]"; the whole value is spelled "(root)".
  std::string ToString() const;
};

struct ValidationResult {
  bool valid = true;
  // There were more violations than the cap; `violations` holds the first ones found.
  bool truncated = false;
  std::vector<Violation> violations;
};

// The dialect of a schema: named by its `$schema`, else LoadOptions::default_dialect.
enum class Dialect : std::uint8_t { kDraft4, kDraft6, kDraft7, kDraft2019_09, kDraft2020_12 };

struct LoadOptions {
  // For a document whose root names no `$schema`. 2020-12 is what current generators, OpenAPI
  // 3.1 and structured-output APIs emit, so a schema written today validates as its author meant.
  Dialect default_dialect = Dialect::kDraft2020_12;
  // A $ref to "<prefix><rest>" (an absolute URI) reads the file <folder>/<rest>; the file must
  // stay inside the folder after "..", percent-decoding and symbolic links are resolved.
  // LoadFile adds its root folder here; gavel never fetches anything over a network.
  std::vector<std::pair<std::string, std::filesystem::path>> uri_folders;
  // Documents that a $ref may name by absolute URI (without fragment) without reading a file:
  // each is known by the URI it is listed under and by the `$id` of its root, if any.
  std::vector<std::pair<std::string, Json>> documents;
  // URI of a FromJson document when it has no $id; relative $refs resolve against it.
  std::string base_uri;
  std::size_t max_documents = 64;             // main document included
  std::size_t max_depth = 128;                // nesting of any schema document
  std::uintmax_t max_file_bytes = 8u << 20u;  // per schema file
};

namespace detail {
struct Compiled;
}

class Schema {
 public:
  // Reads `file`, which must be inside the folder `root`; relative $refs to sibling files are
  // resolved against the referring file's folder and may not leave `root`. Errors name the file:
  // "schemas/x.json: /properties/a/minLength: must be a non-negative integer".
  static Result<std::shared_ptr<const Schema>> LoadFile(const std::filesystem::path& file,
                                                        const std::filesystem::path& root,
                                                        LoadOptions options = {});
  // Compiles a schema held in memory; `name` stands for it in error messages.
  static Result<std::shared_ptr<const Schema>> FromJson(const Json& document, std::string name,
                                                        LoadOptions options = {});

  // Every violation, up to `max_violations` (0 lists none, but `valid` is still exact).
  // A value nested deeper than 256 levels is reported as one violation, not walked.
  ValidationResult Validate(const Json& instance, std::size_t max_violations = 100) const;
  // Same verdict as Validate(instance).valid; stops at the first violation and allocates
  // nothing (unless the schema uses propertyNames, uniqueItems on more than 16 items,
  // unevaluatedProperties/unevaluatedItems, or $dynamicRef/$recursiveRef).
  bool IsValid(const Json& instance) const;

  const std::string& name() const;

  ~Schema();
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

 private:
  explicit Schema(std::unique_ptr<const detail::Compiled> compiled);
  std::unique_ptr<const detail::Compiled> compiled_;
};

}  // namespace gavel::schema
