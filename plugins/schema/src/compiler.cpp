// Loading and compiling schemas: documents, identifiers ($id, anchors, dialects), references.
// The keywords are compiled in keywords.cpp.
#include "compiler.h"

#include <algorithm>
#include <unordered_map>

#include "json_text.h"
#include "json_value.h"
#include "pointer.h"
#include "uri.h"

namespace gavel::schema {
namespace detail {
namespace fs = std::filesystem;

namespace {

Position ChildPosition(Position parent, std::string_view key, const Json& child) {
  switch (parent) {
    case Position::kSchemaMap:
    case Position::kSchemaArray: return Position::kSchema;
    case Position::kOther: return Position::kOther;
    case Position::kSchema: break;
  }
  if (key == "properties" || key == "patternProperties" || key == "definitions" || key == "$defs" ||
      key == "dependencies" || key == "dependentSchemas") {
    return Position::kSchemaMap;
  }
  if (key == "allOf" || key == "anyOf" || key == "oneOf" || key == "prefixItems") return Position::kSchemaArray;
  if (key == "items") return child.is_array() ? Position::kSchemaArray : Position::kSchema;
  if (key == "additionalItems" || key == "additionalProperties" || key == "contains" ||
      key == "propertyNames" || key == "if" || key == "then" || key == "else" || key == "not" ||
      key == "unevaluatedItems" || key == "unevaluatedProperties" || key == "contentSchema") {
    return Position::kSchema;
  }
  return Position::kOther;
}

// The identifier of a schema object that changes the base URI, or null. Up to draft-07 a
// $ref's siblings are ignored, $id included.
const Json* IdOf(const Json& schema, Dialect dialect) {
  if (!schema.is_object() || (RefHidesSiblings(dialect) && schema.contains("$ref"))) return nullptr;
  const auto it = schema.find(IdKeyword(dialect));
  return it != schema.end() && it->is_string() ? &*it : nullptr;
}

bool HasAnyId(const Json& schema) {
  for (const char* key : {"$id", "id"}) {
    const auto it = schema.find(key);
    if (it != schema.end() && it->is_string()) return true;
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The compiler

Status Compiler::AddDocument(std::string uri, std::string display, Json json, Scope scope) {
  if (docs_.size() >= options_.max_documents) {
    return Error(ErrorKind::kBadRubric, display + ": more than " + std::to_string(options_.max_documents) +
                                            " schema documents are referenced");
  }
  const std::size_t index = docs_.size();
  docs_.push_back(std::make_unique<Document>(Document{std::move(uri), std::move(display), std::move(json)}));
  const Document& doc = *docs_.back();
  if (Status s = Register(doc.uri, Location{index, ""}); !s) return s;
  scopes_[{index, ""}] = scope;
  std::string pointer;
  return IndexIds(index, doc.json, pointer, doc.uri, Position::kSchema, scope);
}

Result<std::unique_ptr<Compiled>> Compiler::Run(std::string name) {
  compiled_ = std::make_unique<Compiled>();
  compiled_->name = std::move(name);
  compiled_->root = GetOrCreate(0, "", &docs_[0]->json, docs_[0]->uri, scopes_.at({0, ""}));
  // Breadth first, so that the first error reported is the shallowest one.
  while (!queue_.empty()) {
    Pending pending = std::move(queue_.front());
    queue_.pop_front();
    if (Status s = CompileNode(pending); !s) return s.error();
  }
  if (Status s = CheckInPlaceCycles(); !s) return s.error();
  return std::move(compiled_);
}

// `keyword` may go on with more (escaped) pointer tokens: "dependencies/a".
Error Compiler::Bad(std::size_t doc, std::string_view pointer, std::string_view keyword, const std::string& message) const {
  std::string where = std::string(pointer);
  if (!keyword.empty()) {
    where += '/';
    where += keyword;
  }
  return Error(ErrorKind::kBadRubric, docs_[doc]->display + ": " + ShowPointer(where) + ": " + message);
}

std::string Compiler::LocationText(std::size_t doc, const std::string& pointer) const {
  return doc == 0 ? pointer : docs_[doc]->display + "#" + pointer;
}

// --- identifiers

Status Compiler::Register(const std::string& uri, Location location) {
  const auto [it, inserted] = ids_.emplace(uri, location);
  if (!inserted && (it->second.doc != location.doc || it->second.pointer != location.pointer)) {
    return Bad(location.doc, location.pointer, "$id",
               "the URI " + Quoted(uri) + " already names " +
                   ShowPointer(LocationText(it->second.doc, it->second.pointer)));
  }
  return Status::Ok();
}

// The dialect and vocabularies a $schema names: a dialect gavel knows, or a meta-schema it can
// load (registered, under a schema folder, or bundled) whose own $schema is one it knows.
Result<Scope> Compiler::ScopeOfMetaSchema(const std::string& uri, std::size_t doc, const std::string& pointer) {
  if (const std::optional<Dialect> dialect = DialectOfUri(uri)) return Scope{*dialect, kVocabAll};
  const std::string absolute(WithoutFragment(uri));
  const std::string unknown = "unknown dialect " + Quoted(uri) +
                              ": gavel implements JSON Schema draft-04, draft-06, draft-07, 2019-09 and 2020-12";
  if (absolute.empty() || !SplitUri(absolute).has_scheme) return Bad(doc, pointer, "$schema", unknown);
  if (Status s = EnsureDocument(absolute, doc, pointer, "$schema", Scope{}); !s) {
    return Bad(doc, pointer, "$schema", unknown + ", and no meta-schema with this URI is registered");
  }
  const Location& location = ids_.at(absolute);
  Result<Target> meta = Locate(location.doc, location.pointer);
  if (!meta || !meta->value->is_object()) return Bad(doc, pointer, "$schema", unknown);
  const Json& json = *meta->value;
  const auto own = json.find("$schema");
  const std::optional<Dialect> dialect =
      own != json.end() && own->is_string() ? DialectOfUri(own->get_ref<const std::string&>()) : std::nullopt;
  if (!dialect) return Bad(doc, pointer, "$schema", unknown + " (the meta-schema's own $schema is not one of them)");
  Scope scope{*dialect, kVocabAll};
  const auto vocabulary = json.find("$vocabulary");
  if (*dialect >= Dialect::kDraft2019_09 && vocabulary != json.end() && vocabulary->is_object()) {
    scope.vocab = 0;
    for (const auto& [name, required] : vocabulary->items()) {
      const int bit = VocabularyBit(name);
      if (bit < 0) {
        if (required == true) {
          return Bad(doc, pointer, "$schema", "the meta-schema " + Quoted(uri) + " requires the vocabulary " +
                                                  Quoted(name) + ", which gavel does not implement");
        }
        continue;
      }
      scope.vocab = static_cast<std::uint8_t>(scope.vocab | bit);
    }
  }
  return scope;
}

Status Compiler::IndexAnchors(std::size_t doc, const Json& value, const std::string& pointer, const std::string& base,
                              Scope scope) {
  if (scope.dialect < Dialect::kDraft2019_09) return Status::Ok();
  const auto anchor = [&](const char* keyword, bool dynamic) -> Status {
    const auto it = value.find(keyword);
    if (it == value.end()) return Status::Ok();
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) return Bad(doc, pointer, keyword, "must be a name");
    const std::string& name = it->get_ref<const std::string&>();
    if (Status s = Register(base + "#" + name, Location{doc, pointer}); !s) return s;
    if (dynamic) dynamic_anchors_[base].emplace_back(name, Location{doc, pointer});
    return Status::Ok();
  };
  if (Status s = anchor("$anchor", false); !s) return s;
  if (scope.dialect == Dialect::kDraft2020_12) return anchor("$dynamicAnchor", true);
  const auto recursive = value.find("$recursiveAnchor");
  if (recursive != value.end()) {
    if (!recursive->is_boolean()) return Bad(doc, pointer, "$recursiveAnchor", "must be a boolean");
    if (recursive->get<bool>()) dynamic_anchors_[base].emplace_back("", Location{doc, pointer});
  }
  return Status::Ok();
}

Status Compiler::IndexIds(std::size_t doc, const Json& value, std::string& pointer, std::string base,
                          Position position, Scope scope) {
  if (position == Position::kSchema && value.is_object()) {
    const auto schema_uri = value.find("$schema");
    if (schema_uri != value.end() && (pointer.empty() || HasAnyId(value))) {
      if (!schema_uri->is_string()) return Bad(doc, pointer, "$schema", "must be a string");
      Result<Scope> named = ScopeOfMetaSchema(schema_uri->get<std::string>(), doc, pointer);
      if (!named) return named.error();
      scope = *named;
      scopes_[{doc, pointer}] = scope;
    }
    if (const Json* id = IdOf(value, scope.dialect)) {
      const std::string resolved = ResolveUri(base, id->get_ref<const std::string&>());
      const std::string absolute(WithoutFragment(resolved));
      const std::string_view fragment = FragmentOf(resolved);
      if (absolute != base) {
        base = absolute;
        if (Status s = Register(absolute, Location{doc, pointer}); !s) return s;
      }
      // "$id": "#name" gives a location-independent name within the current base.
      if (!fragment.empty()) {
        if (Status s = Register(absolute + "#" + std::string(fragment), Location{doc, pointer}); !s) return s;
      }
    }
    if (Status s = IndexAnchors(doc, value, pointer, base, scope); !s) return s;
  }
  if (position == Position::kOther) return Status::Ok();
  const std::size_t length = pointer.size();
  if (value.is_object()) {
    for (const auto& [key, child] : value.get_ref<const Json::object_t&>()) {
      const Position child_position = ChildPosition(position, key, child);
      if (child_position == Position::kOther) continue;
      AppendToken(pointer, key);
      if (Status s = IndexIds(doc, child, pointer, base, child_position, scope); !s) return s;
      pointer.resize(length);
    }
  } else if (value.is_array() && position == Position::kSchemaArray) {
    const auto& items = value.get_ref<const Json::array_t&>();
    for (std::size_t i = 0; i < items.size(); ++i) {
      AppendToken(pointer, std::to_string(i));
      if (Status s = IndexIds(doc, items[i], pointer, base, Position::kSchema, scope); !s) return s;
      pointer.resize(length);
    }
  }
  return Status::Ok();
}

// --- documents

// Makes sure the document with this absolute URI (no fragment) is loaded. Looked for, in order:
// documents given in LoadOptions (by the URI they are listed under or by their $id), schema
// folders, and the bundled meta-schemas. Never a network.
Status Compiler::EnsureDocument(const std::string& uri, std::size_t from_doc, std::string_view from_pointer,
                                std::string_view keyword, Scope scope) {
  if (ids_.count(uri) != 0) return Status::Ok();
  const auto fail = [&](const std::string& why) {
    return Bad(from_doc, from_pointer, keyword, "cannot load " + Quoted(uri) + ": " + why);
  };
  for (const auto& [name, json] : options_.documents) {
    bool match = WithoutFragment(name) == uri;
    if (!match && json.is_object()) {
      for (const char* id_keyword : {"$id", "id"}) {
        const auto id = json.find(id_keyword);
        match = match || (id != json.end() && id->is_string() && WithoutFragment(id->get_ref<const std::string&>()) == uri);
      }
    }
    if (!match) continue;
    if (DeeperThan(json, options_.max_depth)) {
      return fail("nests deeper than " + std::to_string(options_.max_depth) + " levels");
    }
    return AddDocument(uri, uri, json, scope);
  }
  for (const FolderMapping& mapping : folders_) {
    if (uri.compare(0, mapping.prefix.size(), mapping.prefix) != 0) continue;
    const std::string_view rest = std::string_view(uri).substr(mapping.prefix.size());
    if (rest.find('?') != std::string_view::npos) return fail("a query is not a file name");
    std::error_code ec;
    const fs::path folder = fs::canonical(mapping.folder, ec);
    if (ec) return fail("schema folder " + mapping.folder.string() + ": " + ec.message());
    const fs::path relative = fs::path(PercentDecode(rest)).lexically_normal();
    const fs::path file = fs::weakly_canonical(folder / relative, ec);
    // weakly_canonical resolves "..", and symbolic links in the part that exists, so a link
    // pointing out of the folder is caught here too.
    if (ec || !IsInside(file, folder)) {
      return fail("outside the schema folder " + mapping.display.string());
    }
    const std::string display = (mapping.display / file.lexically_relative(folder)).lexically_normal().string();
    Result<Json> json = ReadJsonFile(file, display, options_);
    if (!json) {
      // Keep the kind (unreadable is kIo, malformed kBadRubric) and say which $ref led here.
      return Error(json.error().kind(), Bad(from_doc, from_pointer, keyword, json.error().message()).message());
    }
    return AddDocument(uri, display, std::move(json).value(), scope);
  }
  if (const Json* meta = BundledMetaSchema(uri)) return AddDocument(uri, uri, *meta, scope);
  if (uri.rfind("file:", 0) == 0) {
    // A relative $ref climbed out of the root: name the root rather than talk about networks.
    for (const FolderMapping& mapping : folders_) {
      if (mapping.prefix.rfind("file:", 0) == 0) return fail("outside the schema folder " + mapping.display.string());
    }
  }
  return fail("it is not under a schema folder and no document has this URI (gavel never fetches schemas over a network)");
}

Scope Compiler::ScopeAt(std::size_t doc, const std::string& pointer, Scope inherited) const {
  const auto it = scopes_.find({doc, pointer});
  return it == scopes_.end() ? inherited : it->second;
}

// Walks `pointer` (escaped) from the root of `doc`, tracking the base URI through $ids and the
// dialect through $schema.
Result<Target> Compiler::Locate(std::size_t doc, std::string_view pointer) const {
  std::vector<std::string> tokens;
  Target target;
  if (!SplitPointer(pointer, tokens)) return Error(ErrorKind::kBadRubric, "is not a JSON pointer");
  const Json* current = &docs_[doc]->json;
  std::string base = docs_[doc]->uri;
  Scope scope = ScopeAt(doc, "", Scope{});
  Position position = Position::kSchema;
  for (const std::string& token : tokens) {
    if (position == Position::kSchema) {
      scope = ScopeAt(doc, target.pointer, scope);
      if (const Json* id = IdOf(*current, scope.dialect)) {
        base = std::string(WithoutFragment(ResolveUri(base, id->get_ref<const std::string&>())));
      }
    }
    const Json* child = nullptr;
    if (current->is_object()) {
      const auto it = current->find(token);
      if (it != current->end()) child = &*it;
    } else if (current->is_array()) {
      std::size_t index = 0;
      if (ParseIndex(token, index) && index < current->size()) child = &(*current)[index];
    }
    if (child == nullptr) {
      return Error(ErrorKind::kBadRubric, "no " + Quoted(token) + " at " + ShowPointer(target.pointer));
    }
    position = current->is_array() ? (position == Position::kSchemaArray ? Position::kSchema : Position::kOther)
                                    : ChildPosition(position, token, *child);
    current = child;
    AppendToken(target.pointer, token);
  }
  target.value = current;
  target.base = std::move(base);
  target.scope = scope;
  return target;
}

// --- nodes

Node* Compiler::GetOrCreate(std::size_t doc, const std::string& pointer, const Json* value, std::string base,
                            Scope scope) {
  auto [it, inserted] = memo_.try_emplace(std::make_pair(doc, pointer), nullptr);
  if (!inserted) return it->second;
  compiled_->nodes.push_back(std::make_unique<Node>());
  Node* node = compiled_->nodes.back().get();
  node->location = LocationText(doc, pointer);
  it->second = node;
  queue_.push_back(Pending{node, doc, pointer, value, std::move(base), scope});
  return node;
}

// The resource with this base URI, with its dynamic anchors compiled (queued).
const Resource* Compiler::ResourceFor(const std::string& base) {
  const auto found = resources_.find(base);
  if (found != resources_.end()) return found->second;
  compiled_->resources.push_back(std::make_unique<Resource>());
  Resource* resource = compiled_->resources.back().get();
  resources_.emplace(base, resource);
  const auto anchors = dynamic_anchors_.find(base);
  if (anchors == dynamic_anchors_.end()) return resource;
  for (const auto& [name, location] : anchors->second) {
    Result<Target> target = Locate(location.doc, location.pointer);
    if (!target) continue;  // indexed from this very document, so always found
    resource->dynamic_anchors.push_back(
        NamedNode{name, GetOrCreate(location.doc, target->pointer, target->value, target->base, target->scope)});
  }
  return resource;
}

Result<Target> Compiler::ResolveTarget(std::size_t doc, const std::string& pointer, const std::string& base,
                                       const std::string& reference, std::string_view keyword, Scope scope,
                                       std::size_t& target_doc) {
  const std::string resolved = ResolveUri(base, reference);
  const std::string absolute(WithoutFragment(resolved));
  const std::string_view fragment = FragmentOf(resolved);
  if (Status s = EnsureDocument(absolute, doc, pointer, keyword, scope); !s) return s.error();
  Location location;
  std::string target_pointer;
  if (!fragment.empty() && fragment.front() != '/') {
    const auto it = ids_.find(absolute + "#" + std::string(fragment));
    if (it == ids_.end()) {
      return Bad(doc, pointer, keyword,
                 "cannot resolve " + Quoted(reference) + ": no $id or anchor names #" + std::string(fragment));
    }
    location = it->second;
    target_pointer = location.pointer;
  } else {
    location = ids_.at(absolute);
    target_pointer = location.pointer + PercentDecode(fragment);
  }
  Result<Target> target = Locate(location.doc, target_pointer);
  if (!target) {
    return Bad(doc, pointer, keyword, "cannot resolve " + Quoted(reference) + ": " + target.error().message());
  }
  target_doc = location.doc;
  return target;
}

Result<const Node*> Compiler::ResolveRef(const Pending& p, const std::string& base, const std::string& reference) {
  std::size_t doc = 0;
  Result<Target> target = ResolveTarget(p.doc, p.pointer, base, reference, "$ref", p.scope, doc);
  if (!target) return target.error();
  return GetOrCreate(doc, target->pointer, target->value, target->base, target->scope);
}

// $dynamicRef (2020-12) and $recursiveRef (2019-09) resolve like $ref; they look at the dynamic
// scope only when their static target carries the matching anchor ("bookending").
Status Compiler::CompileDynamicRef(const Pending& p, const std::string& base, std::string_view keyword,
                                   const Json& value) {
  if (!value.is_string()) return Bad(p.doc, p.pointer, keyword, "must be a string");
  const std::string& reference = value.get_ref<const std::string&>();
  std::size_t doc = 0;
  Result<Target> target = ResolveTarget(p.doc, p.pointer, base, reference, keyword, p.scope, doc);
  if (!target) return target.error();
  Node& node = *p.node;
  node.dynamic_ref = GetOrCreate(doc, target->pointer, target->value, target->base, target->scope);
  node.dynamic_keyword = keyword == "$dynamicRef" ? "$dynamicRef" : "$recursiveRef";
  const Json& to = *target->value;
  if (keyword == "$dynamicRef") {
    const std::string fragment(FragmentOf(ResolveUri(base, reference)));
    const auto anchor = to.is_object() ? to.find("$dynamicAnchor") : to.end();
    if (!fragment.empty() && fragment.front() != '/' && to.is_object() && anchor != to.end() && *anchor == fragment) {
      node.dynamic = true;
      node.dynamic_name = fragment;
    }
  } else if (to.is_object() && to.value("$recursiveAnchor", Json(false)) == true) {
    node.dynamic = true;
  }
  compiled_->dynamic_scope = compiled_->dynamic_scope || node.dynamic;
  return Status::Ok();
}

Result<const Node*> Compiler::Child(const Pending& p, const std::string& base, std::string_view keyword,
                                    const Json& value) {
  return GetOrCreate(p.doc, p.pointer + "/" + EscapeToken(keyword), &value, base, p.scope);
}

Result<const Node*> Compiler::Child(const Pending& p, const std::string& base, std::string_view keyword,
                                    std::string_view key, const Json& value) {
  return GetOrCreate(p.doc, p.pointer + "/" + EscapeToken(keyword) + "/" + EscapeToken(key), &value, base, p.scope);
}

Status Compiler::CompileNode(const Pending& pending) {
  Pending p = pending;
  p.scope = ScopeAt(p.doc, p.pointer, p.scope);
  Node& node = *p.node;
  const Json& schema = *p.value;
  if (schema.is_boolean()) {
    node.is_false = !schema.get<bool>();
    node.resource = ResourceFor(p.base);
    return Status::Ok();
  }
  if (!schema.is_object()) {
    return Bad(p.doc, p.pointer, "", std::string("a schema must be an object or a boolean, not ") +
                                         SchemaTypeName(schema));
  }
  const Dialect dialect = p.scope.dialect;
  const auto ref = schema.find("$ref");
  if (ref != schema.end() && !ref->is_string()) return Bad(p.doc, p.pointer, "$ref", "must be a string");
  if (ref != schema.end() && RefHidesSiblings(dialect)) {
    node.resource = ResourceFor(p.base);
    Result<const Node*> target = ResolveRef(p, p.base, ref->get_ref<const std::string&>());
    if (!target) return target.error();
    node.ref = *target;
    node.pure_ref = true;
    return Status::Ok();
  }
  std::string base = p.base;
  if (const auto it = schema.find(IdKeyword(dialect)); it != schema.end()) {
    if (!it->is_string()) return Bad(p.doc, p.pointer, IdKeyword(dialect), "must be a string");
    base = std::string(WithoutFragment(ResolveUri(base, it->get_ref<const std::string&>())));
  }
  if (const auto it = schema.find("$schema"); it != schema.end() && !it->is_string()) {
    return Bad(p.doc, p.pointer, "$schema", "must be a string");
  }
  node.resource = ResourceFor(base);
  if (ref != schema.end()) {
    Result<const Node*> target = ResolveRef(p, base, ref->get_ref<const std::string&>());
    if (!target) return target.error();
    node.ref = *target;
  }
  for (const auto& [keyword, value] : schema.get_ref<const Json::object_t&>()) {
    if (Status s = CompileKeyword(p, base, keyword, value); !s) return s;
  }
  return FinishNode(p);
}

// A loop through $ref, allOf, anyOf, oneOf, not, if/then/else or a schema dependency comes
// back to the same value without descending into it, so validation would never end. Such a
// schema is refused at load; every other cycle descends into the value and ends with it.
Status Compiler::CheckInPlaceCycles() const {
  const auto& nodes = compiled_->nodes;
  std::unordered_map<const Node*, std::size_t> index;
  for (std::size_t i = 0; i < nodes.size(); ++i) index.emplace(nodes[i].get(), i);
  std::vector<std::vector<std::size_t>> edges(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = *nodes[i];
    const auto add = [&](const Node* to) {
      if (to != nullptr) edges[i].push_back(index.at(to));
    };
    add(n.ref);
    add(n.dynamic_ref);
    for (const Node* s : n.all_of) add(s);
    for (const Node* s : n.any_of) add(s);
    for (const Node* s : n.one_of) add(s);
    add(n.not_schema);
    add(n.if_schema);
    add(n.then_schema);
    add(n.else_schema);
    for (const Dependency& d : n.dependencies) add(d.schema);
  }
  // Iterative depth-first search: a chain of thousands of $refs must not overflow the stack.
  enum : std::uint8_t { kWhite, kGrey, kBlack };
  std::vector<std::uint8_t> colour(nodes.size(), kWhite);
  std::vector<std::pair<std::size_t, std::size_t>> stack;  // node, next edge
  for (std::size_t start = 0; start < nodes.size(); ++start) {
    if (colour[start] != kWhite) continue;
    stack.emplace_back(start, 0);
    colour[start] = kGrey;
    while (!stack.empty()) {
      auto& [current, next] = stack.back();
      if (next == edges[current].size()) {
        colour[current] = kBlack;
        stack.pop_back();
        continue;
      }
      const std::size_t to = edges[current][next++];
      if (colour[to] == kGrey) {
        std::string loop;
        bool on_loop = false;
        for (const auto& frame : stack) {
          on_loop = on_loop || frame.first == to;
          if (on_loop) loop += ShowPointer(nodes[frame.first]->location) + " -> ";
        }
        loop += ShowPointer(nodes[to]->location);
        return Error(ErrorKind::kBadRubric, compiled_->name +
                                                ": the schema loops back to itself without descending into the value: " + loop);
      }
      if (colour[to] == kWhite) {
        colour[to] = kGrey;
        stack.emplace_back(to, 0);
      }
    }
  }
  return Status::Ok();
}

}  // namespace detail
}  // namespace gavel::schema
