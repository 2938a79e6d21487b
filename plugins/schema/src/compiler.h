// The schema compiler: documents are read (files only under a permitted folder), their $ids,
// anchors and dialects indexed, then every subschema is compiled once into a Node. $refs are
// resolved here, at load time, so that validation follows plain pointers.
//
//   Compiler compiler(options, folders);
//   compiler.AddDocument(uri, "schemas/x.json", json);     // the main document first
//   Result<std::unique_ptr<Compiled>> compiled = compiler.Run("schemas/x.json");
//
// compiler.cpp holds documents, identifiers and references; keywords.cpp the keywords.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialect.h"
#include "gavel/schema/schema.h"
#include "node.h"

namespace gavel::schema::detail {

// Where subschemas are. Only these positions can hold a $id, so that {"enum": [{"$id": "x"}]}
// or a property *named* $id is not taken for an identifier.
enum class Position { kSchema, kSchemaMap, kSchemaArray, kOther };

struct Document {
  std::string uri;      // retrieval URI, without fragment
  std::string display;  // how messages name it: the file as the user would write it, or the URI
  Json json;
};

struct Location {
  std::size_t doc = 0;
  std::string pointer;
};

// How a subschema is read: its dialect and, from 2019-09 on, the vocabularies its meta-schema
// enables.
struct Scope {
  Dialect dialect = Dialect::kDraft2020_12;
  std::uint8_t vocab = kVocabAll;
};

struct Target {
  const Json* value = nullptr;
  std::string base;     // base URI in scope at the target, before the target's own $id
  std::string pointer;  // canonical (escaped) JSON pointer
  Scope scope;          // in effect at the target, before its own $schema
};

struct Pending {
  Node* node;
  std::size_t doc;
  std::string pointer;
  const Json* value;
  std::string base;
  Scope scope;
};

struct FolderMapping {
  std::string prefix;
  std::filesystem::path folder;   // as given; resolved when used
  std::filesystem::path display;  // how messages spell the folder
};

bool IsInside(const std::filesystem::path& path, const std::filesystem::path& folder);
Result<Json> ReadJsonFile(const std::filesystem::path& path, const std::string& display, const LoadOptions& options);

class Compiler {
 public:
  Compiler(const LoadOptions& options, std::vector<FolderMapping> folders)
      : options_(options), folders_(std::move(folders)) {}

  // `scope` is the one a document that names no $schema gets: the referring schema's.
  Status AddDocument(std::string uri, std::string display, Json json, Scope scope);
  Result<std::unique_ptr<Compiled>> Run(std::string name);

 private:
  // --- compiler.cpp: messages, identifiers, documents, references, nodes
  Error Bad(std::size_t doc, std::string_view pointer, std::string_view keyword, const std::string& message) const;
  std::string LocationText(std::size_t doc, const std::string& pointer) const;
  Status Register(const std::string& uri, Location location);
  Status IndexIds(std::size_t doc, const Json& value, std::string& pointer, std::string base, Position position, Scope scope);
  Status IndexAnchors(std::size_t doc, const Json& value, const std::string& pointer, const std::string& base, Scope scope);
  Result<Scope> ScopeOfMetaSchema(const std::string& uri, std::size_t doc, const std::string& pointer);
  Status EnsureDocument(const std::string& uri, std::size_t from_doc, std::string_view from_pointer,
                        std::string_view keyword, Scope scope);
  Result<Target> Locate(std::size_t doc, std::string_view pointer) const;
  Scope ScopeAt(std::size_t doc, const std::string& pointer, Scope inherited) const;
  Node* GetOrCreate(std::size_t doc, const std::string& pointer, const Json* value, std::string base, Scope scope);
  const Resource* ResourceFor(const std::string& base);
  Result<Target> ResolveTarget(std::size_t doc, const std::string& pointer, const std::string& base,
                               const std::string& reference, std::string_view keyword, Scope scope,
                               std::size_t& target_doc);
  Result<const Node*> ResolveRef(const Pending& p, const std::string& base, const std::string& reference);
  Status CompileDynamicRef(const Pending& p, const std::string& base, std::string_view keyword, const Json& value);
  Result<const Node*> Child(const Pending& p, const std::string& base, std::string_view keyword, const Json& value);
  Result<const Node*> Child(const Pending& p, const std::string& base, std::string_view keyword,
                            std::string_view key, const Json& value);
  Status CompileNode(const Pending& p);
  Status CheckInPlaceCycles() const;

  // --- keywords.cpp
  Status CompileKeyword(const Pending& p, const std::string& base, const std::string& keyword, const Json& value);
  Status CompileArrayKeyword(const Pending& p, const std::string& base, const std::string& keyword, const Json& value);
  Status CompileObjectKeyword(const Pending& p, const std::string& base, const std::string& keyword, const Json& value);
  Status FinishNode(const Pending& p);
  Status CompileType(const Pending& p, const Json& value);
  Result<std::uint64_t> NonNegativeInteger(const Pending& p, const std::string& keyword, const Json& value) const;
  Result<Bound> Number(const Pending& p, const std::string& keyword, const Json& value) const;
  Result<Pattern> Regex(const Pending& p, const std::string& keyword, const std::string& source) const;
  Status PropertyNames(const Pending& p, const std::string& where, const Json& value, std::vector<std::string>& names) const;
  Status SchemaList(const Pending& p, const std::string& base, const std::string& keyword, const Json& value,
                    std::vector<const Node*>& out);
  Status Dependencies(const Pending& p, const std::string& base, const std::string& keyword, const Json& value);

  const LoadOptions& options_;
  std::vector<FolderMapping> folders_;
  std::vector<std::unique_ptr<Document>> docs_;
  std::map<std::string, Location, std::less<>> ids_;
  // Resource roots that name a $schema, with the scope it gives them.
  std::map<std::pair<std::size_t, std::string>, Scope> scopes_;
  // $dynamicAnchor (and $recursiveAnchor, named "") locations by the base URI of their resource.
  std::map<std::string, std::vector<std::pair<std::string, Location>>, std::less<>> dynamic_anchors_;
  std::map<std::string, Resource*, std::less<>> resources_;
  std::map<std::pair<std::size_t, std::string>, Node*> memo_;
  std::deque<Pending> queue_;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace gavel::schema::detail
