// Loading and compiling schemas: documents are read (files only under a permitted folder), their
// $ids indexed, then every subschema is compiled once into a Node. $refs are resolved here, at
// load time, so that validation follows plain pointers and never fails to resolve anything.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ecma_regex.h"
#include "gavel/schema/schema.h"
#include "json_text.h"
#include "json_value.h"
#include "node.h"
#include "uri.h"

namespace gavel::schema {
namespace detail {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// JSON pointers

std::string EscapeToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
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

// Appends "/<token>", escaped. (Spelled out: `"/" + EscapeToken(t)` draws a false -Wrestrict
// from GCC 12 at -O3.)
void AppendToken(std::string& pointer, std::string_view token) {
  pointer += '/';
  pointer += EscapeToken(token);
}

// Splits an escaped JSON pointer ("" or "/a/b~1c") into unescaped tokens.
bool SplitPointer(std::string_view pointer, std::vector<std::string>& tokens) {
  tokens.clear();
  if (pointer.empty()) return true;
  if (pointer.front() != '/') return false;
  std::string token;
  for (std::size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
    } else if (pointer[i] == '~') {
      if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) return false;
      token += pointer[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      token += pointer[i];
    }
  }
  return true;
}

bool ParseIndex(std::string_view token, std::size_t& index) {
  if (token.empty() || token.size() > 18 || (token.size() > 1 && token.front() == '0')) return false;
  index = 0;
  for (const char c : token) {
    if (c < '0' || c > '9') return false;
    index = index * 10 + static_cast<std::size_t>(c - '0');
  }
  return true;
}

// "(root)" for the empty pointer, so that a message never starts with ": ".
std::string ShowPointer(std::string_view pointer) {
  return pointer.empty() ? std::string("(root)") : std::string(pointer);
}

// ---------------------------------------------------------------------------------------------
// Where subschemas are. Only these positions can hold a $id, so that {"enum": [{"$id": "x"}]}
// or a property *named* $id is not taken for an identifier.

enum class Position { kSchema, kSchemaMap, kSchemaArray, kOther };

Position ChildPosition(Position parent, std::string_view key, const Json& child) {
  switch (parent) {
    case Position::kSchemaMap:
    case Position::kSchemaArray: return Position::kSchema;
    case Position::kOther: return Position::kOther;
    case Position::kSchema: break;
  }
  if (key == "properties" || key == "patternProperties" || key == "definitions" || key == "$defs" ||
      key == "dependencies") {
    return Position::kSchemaMap;
  }
  if (key == "allOf" || key == "anyOf" || key == "oneOf") return Position::kSchemaArray;
  if (key == "items") return child.is_array() ? Position::kSchemaArray : Position::kSchema;
  if (key == "additionalItems" || key == "additionalProperties" || key == "contains" ||
      key == "propertyNames" || key == "if" || key == "then" || key == "else" || key == "not") {
    return Position::kSchema;
  }
  return Position::kOther;
}

// The $id of a schema object that changes the base URI, or null. In draft-07 a $ref's siblings
// are ignored, $id included.
const Json* IdOf(const Json& schema) {
  if (!schema.is_object() || schema.contains("$ref")) return nullptr;
  const auto it = schema.find("$id");
  return it != schema.end() && it->is_string() ? &*it : nullptr;
}

bool IsSupportedMetaSchema(std::string_view uri) {
  uri = WithoutFragment(uri);
  for (const std::string_view draft : {"draft-07", "draft-06"}) {
    for (const std::string_view scheme : {"http://", "https://"}) {
      if (uri == std::string(scheme) + "json-schema.org/" + std::string(draft) + "/schema") return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Files

bool IsInside(const fs::path& path, const fs::path& folder) {
  const fs::path relative = path.lexically_relative(folder);
  return !relative.empty() && !relative.is_absolute() && *relative.begin() != "..";
}

Result<Json> ReadJsonFile(const fs::path& path, const std::string& display, const LoadOptions& options) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    const bool exists = fs::exists(path, ec);
    return Error(ErrorKind::kIo, "cannot read " + display + ": " +
                                     (exists ? "not a regular file" : "no such file"));
  }
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > options.max_file_bytes) {
    return Error(ErrorKind::kBadRubric, display + ": larger than the " +
                                            std::to_string(options.max_file_bytes) + "-byte limit for schema files");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorKind::kIo, "cannot read " + display + ": " + std::strerror(errno));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error(ErrorKind::kIo, "cannot read " + display + ": " + std::strerror(errno));
  if (NestsDeeperThan(text, options.max_depth)) {
    return Error(ErrorKind::kBadRubric,
                 display + ": nests deeper than " + std::to_string(options.max_depth) + " levels");
  }
  Json json;
  std::string error;
  if (!ParseJsonText(text, json, error)) {
    return Error(ErrorKind::kBadRubric, display + ": invalid JSON: " + error);
  }
  return json;
}

// ---------------------------------------------------------------------------------------------
// The compiler

struct Document {
  std::string uri;      // retrieval URI, without fragment
  std::string display;  // how messages name it: the file as the user would write it, or the URI
  Json json;
};

struct Location {
  std::size_t doc = 0;
  std::string pointer;
};

struct Target {
  const Json* value = nullptr;
  std::string base;     // base URI in scope at the target, before the target's own $id
  std::string pointer;  // canonical (escaped) JSON pointer
};

struct Pending {
  Node* node;
  std::size_t doc;
  std::string pointer;
  const Json* value;
  std::string base;
};

struct FolderMapping {
  std::string prefix;
  fs::path folder;   // as given; resolved when used
  fs::path display;  // how messages spell the folder
};

class Compiler {
 public:
  Compiler(const LoadOptions& options, std::vector<FolderMapping> folders)
      : options_(options), folders_(std::move(folders)) {}

  Status AddDocument(std::string uri, std::string display, Json json) {
    if (docs_.size() >= options_.max_documents) {
      return Error(ErrorKind::kBadRubric, display + ": more than " + std::to_string(options_.max_documents) +
                                              " schema documents are referenced");
    }
    const std::size_t index = docs_.size();
    docs_.push_back(std::make_unique<Document>(Document{std::move(uri), std::move(display), std::move(json)}));
    const Document& doc = *docs_.back();
    if (Status s = Register(doc.uri, Location{index, ""}); !s) return s;
    std::string pointer;
    return IndexIds(index, doc.json, pointer, doc.uri, Position::kSchema);
  }

  Result<std::unique_ptr<Compiled>> Run(std::string name) {
    compiled_ = std::make_unique<Compiled>();
    compiled_->name = std::move(name);
    compiled_->root = GetOrCreate(0, "", &docs_[0]->json, docs_[0]->uri);
    // Breadth first, so that the first error reported is the shallowest one.
    while (!queue_.empty()) {
      Pending pending = std::move(queue_.front());
      queue_.pop_front();
      if (Status s = CompileNode(pending); !s) return s.error();
    }
    if (Status s = CheckInPlaceCycles(); !s) return s.error();
    return std::move(compiled_);
  }

 private:
  // --- messages

  // `keyword` may go on with more (escaped) pointer tokens: "dependencies/a".
  Error Bad(std::size_t doc, std::string_view pointer, std::string_view keyword, const std::string& message) const {
    std::string where = std::string(pointer);
    if (!keyword.empty()) {
      where += '/';
      where += keyword;
    }
    return Error(ErrorKind::kBadRubric, docs_[doc]->display + ": " + ShowPointer(where) + ": " + message);
  }

  std::string LocationText(std::size_t doc, const std::string& pointer) const {
    return doc == 0 ? pointer : docs_[doc]->display + "#" + pointer;
  }

  // --- $id index

  Status Register(const std::string& uri, Location location) {
    const auto [it, inserted] = ids_.emplace(uri, location);
    if (!inserted && (it->second.doc != location.doc || it->second.pointer != location.pointer)) {
      return Bad(location.doc, location.pointer, "$id",
                 "the URI " + Quoted(uri) + " already names " +
                     ShowPointer(LocationText(it->second.doc, it->second.pointer)));
    }
    return Status::Ok();
  }

  Status IndexIds(std::size_t doc, const Json& value, std::string& pointer, std::string base, Position position) {
    if (position == Position::kSchema) {
      if (const Json* id = IdOf(value)) {
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
    }
    if (position == Position::kOther) return Status::Ok();
    const std::size_t length = pointer.size();
    if (value.is_object()) {
      for (const auto& [key, child] : value.get_ref<const Json::object_t&>()) {
        const Position child_position = ChildPosition(position, key, child);
        if (child_position == Position::kOther) continue;
        AppendToken(pointer, key);
        if (Status s = IndexIds(doc, child, pointer, base, child_position); !s) return s;
        pointer.resize(length);
      }
    } else if (value.is_array() && position == Position::kSchemaArray) {
      const auto& items = value.get_ref<const Json::array_t&>();
      for (std::size_t i = 0; i < items.size(); ++i) {
        AppendToken(pointer, std::to_string(i));
        if (Status s = IndexIds(doc, items[i], pointer, base, Position::kSchema); !s) return s;
        pointer.resize(length);
      }
    }
    return Status::Ok();
  }

  // --- documents

  // Makes sure the document with this absolute URI (no fragment) is loaded.
  Status EnsureDocument(const std::string& uri, std::size_t from_doc, std::string_view from_pointer) {
    if (ids_.count(uri) != 0) return Status::Ok();
    const auto fail = [&](const std::string& why) {
      return Bad(from_doc, from_pointer, "$ref", "cannot load " + Quoted(uri) + ": " + why);
    };
    for (const auto& [name, json] : options_.documents) {
      if (WithoutFragment(name) != uri) continue;
      if (DeeperThan(json, options_.max_depth)) {
        return fail("nests deeper than " + std::to_string(options_.max_depth) + " levels");
      }
      return AddDocument(uri, uri, json);
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
        return Error(json.error().kind(), Bad(from_doc, from_pointer, "$ref", json.error().message()).message());
      }
      return AddDocument(uri, display, std::move(json).value());
    }
    if (uri.rfind("file:", 0) == 0) {
      // A relative $ref climbed out of the root: name the root rather than talk about networks.
      for (const FolderMapping& mapping : folders_) {
        if (mapping.prefix.rfind("file:", 0) == 0) return fail("outside the schema folder " + mapping.display.string());
      }
    }
    return fail("it is not under a schema folder and no document has this URI (gavel never fetches schemas over a network)");
  }

  // Walks `pointer` (escaped) from the root of `doc`, tracking the base URI through $ids.
  Result<Target> Locate(std::size_t doc, std::string_view pointer) const {
    std::vector<std::string> tokens;
    Target target;
    if (!SplitPointer(pointer, tokens)) return Error(ErrorKind::kBadRubric, "is not a JSON pointer");
    const Json* current = &docs_[doc]->json;
    std::string base = docs_[doc]->uri;
    Position position = Position::kSchema;
    for (const std::string& token : tokens) {
      if (position == Position::kSchema) {
        if (const Json* id = IdOf(*current)) {
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
    return target;
  }

  // --- nodes

  Node* GetOrCreate(std::size_t doc, const std::string& pointer, const Json* value, std::string base) {
    auto [it, inserted] = memo_.try_emplace(std::make_pair(doc, pointer), nullptr);
    if (!inserted) return it->second;
    compiled_->nodes.push_back(std::make_unique<Node>());
    Node* node = compiled_->nodes.back().get();
    node->location = LocationText(doc, pointer);
    it->second = node;
    queue_.push_back(Pending{node, doc, pointer, value, std::move(base)});
    return node;
  }

  Result<const Node*> ResolveRef(std::size_t doc, const std::string& pointer, const std::string& base,
                                 const std::string& reference) {
    const std::string resolved = ResolveUri(base, reference);
    const std::string absolute(WithoutFragment(resolved));
    const std::string_view fragment = FragmentOf(resolved);
    if (Status s = EnsureDocument(absolute, doc, pointer); !s) return s.error();
    Location location;
    std::string target_pointer;
    if (!fragment.empty() && fragment.front() != '/') {
      const auto it = ids_.find(absolute + "#" + std::string(fragment));
      if (it == ids_.end()) {
        return Bad(doc, pointer, "$ref", "cannot resolve " + Quoted(reference) + ": no $id names #" + std::string(fragment));
      }
      location = it->second;
      target_pointer = location.pointer;
    } else {
      location = ids_.at(absolute);
      target_pointer = location.pointer + PercentDecode(fragment);
    }
    Result<Target> target = Locate(location.doc, target_pointer);
    if (!target) {
      return Bad(doc, pointer, "$ref", "cannot resolve " + Quoted(reference) + ": " + target.error().message());
    }
    return GetOrCreate(location.doc, target->pointer, target->value, target->base);
  }

  Result<const Node*> Child(const Pending& p, const std::string& base, std::string_view keyword,
                            const Json& value) {
    return GetOrCreate(p.doc, p.pointer + "/" + EscapeToken(keyword), &value, base);
  }
  Result<const Node*> Child(const Pending& p, const std::string& base, std::string_view keyword,
                            std::string_view key, const Json& value) {
    return GetOrCreate(p.doc, p.pointer + "/" + EscapeToken(keyword) + "/" + EscapeToken(key), &value, base);
  }

  Status CompileNode(const Pending& p) {
    Node& node = *p.node;
    const Json& schema = *p.value;
    if (schema.is_boolean()) {
      node.is_false = !schema.get<bool>();
      return Status::Ok();
    }
    if (!schema.is_object()) {
      return Bad(p.doc, p.pointer, "", std::string("a schema must be an object or a boolean, not ") +
                                           SchemaTypeName(schema));
    }
    if (const auto it = schema.find("$ref"); it != schema.end()) {
      if (!it->is_string()) return Bad(p.doc, p.pointer, "$ref", "must be a string");
      Result<const Node*> target = ResolveRef(p.doc, p.pointer, p.base, it->get_ref<const std::string&>());
      if (!target) return target.error();
      node.ref = *target;
      return Status::Ok();
    }
    std::string base = p.base;
    if (const auto it = schema.find("$id"); it != schema.end()) {
      if (!it->is_string()) return Bad(p.doc, p.pointer, "$id", "must be a string");
      base = std::string(WithoutFragment(ResolveUri(base, it->get_ref<const std::string&>())));
    }
    if (const auto it = schema.find("$schema"); it != schema.end()) {
      if (!it->is_string()) return Bad(p.doc, p.pointer, "$schema", "must be a string");
      if (p.pointer.empty() && !IsSupportedMetaSchema(it->get_ref<const std::string&>())) {
        return Bad(p.doc, p.pointer, "$schema",
                   "unsupported " + Quoted(it->get_ref<const std::string&>()) +
                       ": gavel implements JSON Schema draft-07 (draft-06 is accepted too)");
      }
    }
    for (const auto& [keyword, value] : schema.get_ref<const Json::object_t&>()) {
      if (Status s = CompileKeyword(p, base, keyword, value); !s) return s;
    }
    if (node.then_schema != nullptr || node.else_schema != nullptr) {
      // then/else without if have no effect (draft-07); they were compiled only to be checked.
      if (node.if_schema == nullptr) node.then_schema = node.else_schema = nullptr;
    }
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
    return Status::Ok();
  }

  Result<std::uint64_t> NonNegativeInteger(const Pending& p, const std::string& keyword, const Json& value) const {
    if (!IsIntegral(value) || NumberOf(value) < 0) return Bad(p.doc, p.pointer, keyword, "must be a non-negative integer");
    const long double number = NumberOf(value);
    constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
    return number >= static_cast<long double>(kMax) ? kMax : static_cast<std::uint64_t>(number);
  }

  Result<Bound> Number(const Pending& p, const std::string& keyword, const Json& value) const {
    if (!value.is_number()) return Bad(p.doc, p.pointer, keyword, "must be a number");
    return Bound{NumberOf(value), value};
  }

  Result<Pattern> Regex(const Pending& p, const std::string& keyword, const std::string& source) const {
    std::string error;
    auto re = CompileEcmaRegex(source, error);
    if (!re) return Bad(p.doc, p.pointer, keyword, "invalid regular expression " + Quoted(source) + ": " + error);
    return Pattern{std::move(re), source};
  }

  // Fills `names` from an array of distinct strings.
  Status PropertyNames(const Pending& p, const std::string& where, const Json& value, std::vector<std::string>& names) const {
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

  Status SchemaList(const Pending& p, const std::string& base, const std::string& keyword, const Json& value,
                    std::vector<const Node*>& out) {
    if (!value.is_array() || value.empty()) return Bad(p.doc, p.pointer, keyword, "must be a non-empty array of schemas");
    for (std::size_t i = 0; i < value.size(); ++i) {
      Result<const Node*> child = Child(p, base, keyword, std::to_string(i), value[i]);
      if (!child) return child.error();
      out.push_back(*child);
    }
    return Status::Ok();
  }

  static std::uint8_t TypeBitOf(std::string_view name) {
    if (name == "null") return kTypeNull;
    if (name == "boolean") return kTypeBoolean;
    if (name == "object") return kTypeObject;
    if (name == "array") return kTypeArray;
    if (name == "number") return kTypeNumber;
    if (name == "string") return kTypeString;
    if (name == "integer") return kTypeInteger;
    return 0;
  }

  Status CompileType(const Pending& p, const Json& value) {
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
    if (value.is_array()) {
      // An empty list allows no type at all; keep that distinct from "no type keyword".
      node.has_type = true;
      for (const Json& name : value) {
        if (Status s = add(name); !s) return s;
      }
      return Status::Ok();
    }
    node.has_type = true;
    return add(value);
  }

  Status CompileKeyword(const Pending& p, const std::string& base, const std::string& keyword, const Json& value) {
    Node& node = *p.node;
    // Each branch checks the value's form (the draft-07 meta-schema's rules) and compiles it.
    if (keyword == "type") return CompileType(p, value);
    if (keyword == "enum") {
      if (!value.is_array()) return Bad(p.doc, p.pointer, keyword, "must be an array");
      node.enum_values = value.get<std::vector<Json>>();
      return Status::Ok();
    }
    if (keyword == "const") {
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
        keyword == "maxProperties" || keyword == "minProperties") {
      Result<std::uint64_t> count = NonNegativeInteger(p, keyword, value);
      if (!count) return count.error();
      std::optional<std::uint64_t>& slot = keyword == "maxLength"    ? node.max_length
                                           : keyword == "minLength"  ? node.min_length
                                           : keyword == "maxItems"   ? node.max_items
                                           : keyword == "minItems"   ? node.min_items
                                           : keyword == "maxProperties" ? node.max_properties
                                                                        : node.min_properties;
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
    if (keyword == "items") {
      if (value.is_array()) {
        node.items_is_list = true;
        for (std::size_t i = 0; i < value.size(); ++i) {
          Result<const Node*> child = Child(p, base, keyword, std::to_string(i), value[i]);
          if (!child) return child.error();
          node.item_list.push_back(*child);
        }
        return Status::Ok();
      }
      if (!value.is_object() && !value.is_boolean()) {
        return Bad(p.doc, p.pointer, keyword, "must be a schema or an array of schemas");
      }
      Result<const Node*> child = Child(p, base, keyword, value);
      if (!child) return child.error();
      node.items = *child;
      return Status::Ok();
    }
    if (keyword == "uniqueItems") {
      if (!value.is_boolean()) return Bad(p.doc, p.pointer, keyword, "must be a boolean");
      node.unique_items = value.get<bool>();
      return Status::Ok();
    }
    if (keyword == "required") {
      return PropertyNames(p, keyword, value, node.required);
    }
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
    if (keyword == "dependencies") {
      if (!value.is_object()) return Bad(p.doc, p.pointer, keyword, "must be an object");
      for (const auto& [key, dependency] : value.get_ref<const Json::object_t&>()) {
        Dependency entry;
        entry.name = key;
        if (dependency.is_array()) {
          if (Status s = PropertyNames(p, keyword + "/" + EscapeToken(key), dependency, entry.required); !s) return s;
        } else if (dependency.is_object() || dependency.is_boolean()) {
          Result<const Node*> child = Child(p, base, keyword, key, dependency);
          if (!child) return child.error();
          entry.schema = *child;
        } else {
          return Bad(p.doc, p.pointer, keyword + "/" + EscapeToken(key), "must be a schema or an array of property names");
        }
        node.dependencies.push_back(std::move(entry));
      }
      return Status::Ok();
    }
    if (keyword == "allOf") return SchemaList(p, base, keyword, value, node.all_of);
    if (keyword == "anyOf") return SchemaList(p, base, keyword, value, node.any_of);
    if (keyword == "oneOf") return SchemaList(p, base, keyword, value, node.one_of);
    const std::pair<const char*, const Node* Node::*> single[] = {
        {"additionalItems", &Node::additional_items},
        {"contains", &Node::contains},
        {"additionalProperties", &Node::additional_properties},
        {"propertyNames", &Node::property_names},
        {"not", &Node::not_schema},
        {"if", &Node::if_schema},
        {"then", &Node::then_schema},
        {"else", &Node::else_schema},
    };
    for (const auto& [name, member] : single) {
      if (keyword != name) continue;
      Result<const Node*> child = Child(p, base, keyword, value);
      if (!child) return child.error();
      node.*member = *child;
      return Status::Ok();
    }
    if (keyword == "format" && !value.is_string()) return Bad(p.doc, p.pointer, keyword, "must be a string");
    // format (an annotation in gavel), title, description, default, examples, $comment,
    // readOnly, writeOnly, contentMediaType, contentEncoding and unknown keywords: no effect.
    return Status::Ok();
  }

  // A loop through $ref, allOf, anyOf, oneOf, not, if/then/else or a schema dependency comes
  // back to the same value without descending into it, so validation would never end. Such a
  // schema is refused at load; every other cycle descends into the value and ends with it.
  Status CheckInPlaceCycles() const {
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

  const LoadOptions& options_;
  std::vector<FolderMapping> folders_;
  std::vector<std::unique_ptr<Document>> docs_;
  std::map<std::string, Location, std::less<>> ids_;
  std::map<std::pair<std::size_t, std::string>, Node*> memo_;
  std::deque<Pending> queue_;
  std::unique_ptr<Compiled> compiled_;
};

Result<std::vector<FolderMapping>> FoldersFromOptions(const LoadOptions& options) {
  std::vector<FolderMapping> folders;
  for (const auto& [prefix, folder] : options.uri_folders) {
    if (!SplitUri(prefix).has_scheme) {
      return Error(ErrorKind::kUsage, "schema folder URI prefix " + Quoted(prefix) + " must be an absolute URI");
    }
    folders.push_back(FolderMapping{prefix, folder, folder});
  }
  return folders;
}

}  // namespace
}  // namespace detail

Result<std::shared_ptr<const Schema>> Schema::FromJson(const Json& document, std::string name, LoadOptions options) {
  if (detail::DeeperThan(document, options.max_depth)) {
    return Error(ErrorKind::kBadRubric, name + ": nests deeper than " + std::to_string(options.max_depth) + " levels");
  }
  Result<std::vector<detail::FolderMapping>> folders = detail::FoldersFromOptions(options);
  if (!folders) return folders.error();
  detail::Compiler compiler(options, std::move(folders).value());
  const std::string uri(detail::WithoutFragment(options.base_uri));
  if (Status s = compiler.AddDocument(uri, name, document); !s) return s.error();
  Result<std::unique_ptr<detail::Compiled>> compiled = compiler.Run(std::move(name));
  if (!compiled) return compiled.error();
  return std::shared_ptr<const Schema>(new Schema(std::move(compiled).value()));
}

Result<std::shared_ptr<const Schema>> Schema::LoadFile(const std::filesystem::path& file,
                                                       const std::filesystem::path& root, LoadOptions options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path real_root = fs::canonical(root, ec);
  if (ec) return Error(ErrorKind::kIo, "schema root " + root.string() + ": " + ec.message());
  if (!fs::is_directory(real_root)) return Error(ErrorKind::kUsage, "schema root " + root.string() + " is not a folder");
  const fs::path real_file = fs::weakly_canonical(file, ec);
  if (ec) return Error(ErrorKind::kIo, "cannot read " + file.string() + ": " + ec.message());
  if (!detail::IsInside(real_file, real_root)) {
    return Error(ErrorKind::kUsage, file.string() + " is outside the schema root " + root.string());
  }
  Result<Json> json = detail::ReadJsonFile(real_file, file.string(), options);
  if (!json) return json.error();

  Result<std::vector<detail::FolderMapping>> folders = detail::FoldersFromOptions(options);
  if (!folders) return folders.error();
  std::string root_prefix = "file://" + detail::PercentEncodePath(real_root.string());
  if (root_prefix.back() != '/') root_prefix += '/';
  // The root goes first: a sibling file is found by its file: URI before any user mapping.
  folders->insert(folders->begin(), detail::FolderMapping{root_prefix, real_root, root});

  detail::Compiler compiler(options, std::move(folders).value());
  const std::string uri = "file://" + detail::PercentEncodePath(real_file.string());
  if (Status s = compiler.AddDocument(uri, file.string(), std::move(json).value()); !s) return s.error();
  Result<std::unique_ptr<detail::Compiled>> compiled = compiler.Run(file.string());
  if (!compiled) return compiled.error();
  return std::shared_ptr<const Schema>(new Schema(std::move(compiled).value()));
}

Schema::Schema(std::unique_ptr<const detail::Compiled> compiled) : compiled_(std::move(compiled)) {}
Schema::~Schema() = default;

const std::string& Schema::name() const { return compiled_->name; }

}  // namespace gavel::schema
