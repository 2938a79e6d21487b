// The Lua module `gavel.schema`: schema.load compiles a JSON Schema file once per rubric;
// schema:check extracts the JSON from an answer and validates it; schema.extract only extracts.
#include "gavel/schema/module.h"

#include <cstddef>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <lua.hpp>

#include "gavel/lua_support.h"
#include "gavel/plugin.h"
#include "gavel/schema/extract.h"
#include "gavel/schema/schema.h"

namespace gavel::schema {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSchemaType = "gavel.schema.schema";

// Deeper JSON is "invalid" at extraction: the engine converts JSON to Lua values only down to
// 64 levels, and a hostile answer must not turn a verdict into a rubric error.
constexpr std::size_t kMaxValueDepth = 64;
constexpr lua_Integer kDefaultMaxViolations = 20;

// A compiled schema shared by every Lua state of one rubric.
struct LoadedSchema {
  std::shared_ptr<const Schema> schema;
  std::string name;         // the file, relative to the data root ("schemas/review.json")
  std::string root_prefix;  // "<data root>/": removed from document names in results
};

// --- Argument and option helpers -------------------------------------------------------------

std::size_t MaxViolations(lua_State* L, int idx, const char* fn) {
  if (!CheckOptions(L, idx, fn, {"max_violations"})) return kDefaultMaxViolations;
  lua_getfield(L, idx, "max_violations");
  lua_Integer n = kDefaultMaxViolations;
  if (!lua_isnil(L, -1)) {
    int is_integer = 0;
    n = lua_tointegerx(L, -1, &is_integer);
    if (lua_type(L, -1) != LUA_TNUMBER || !is_integer || n < 0) {
      luaL_error(L, "%s: option 'max_violations' must be an integer >= 0", fn);
    }
  }
  lua_pop(L, 1);
  return static_cast<std::size_t>(n);
}

// --- Results ----------------------------------------------------------------------------------

// The extraction's fields, into the table on top of the stack.
void SetExtracted(lua_State* L, const Extracted& e) {
  SetString(L, "status", ExtractStatusName(e.status));
  if (e.status != ExtractStatus::kNotFound) {
    SetString(L, "form", JsonFormName(e.form));
    SetInteger(L, "offset", e.offset + 1);
    SetInteger(L, "length", e.length);
  }
  if (e.ok()) {
    PushJsonValue(L, e.value);
    lua_setfield(L, -2, "value");
  } else {
    SetString(L, "error", e.error);
  }
}

// Pushes the list of violations, with document names relative to the data root.
void PushViolations(lua_State* L, const LoadedSchema& s, const ValidationResult& r) {
  lua_createtable(L, static_cast<int>(r.violations.size()), 0);
  lua_Integer i = 1;
  for (const Violation& v : r.violations) {
    lua_createtable(L, 0, 4);
    SetString(L, "pointer", v.instance_pointer);
    SetString(L, "keyword", v.keyword);
    std::string_view where = v.schema_pointer;
    if (where.starts_with(s.root_prefix)) where.remove_prefix(s.root_prefix.size());
    SetString(L, "schema_pointer", where);
    SetString(L, "message", v.message);
    lua_rawseti(L, -2, i++);
  }
}

// --- schema.load -----------------------------------------------------------------------------

std::string ReplaceAll(std::string text, std::string_view from) {
  if (from.empty()) return text;
  for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos)) {
    text.erase(pos, from.size());
  }
  return text;
}

int SchemaMethodCheck(lua_State* L);
int SchemaMethodValidate(lua_State* L);
int SchemaMethodName(lua_State* L);

const luaL_Reg kSchemaMethods[] = {
    {"check", SchemaMethodCheck},
    {"validate", SchemaMethodValidate},
    {"name", SchemaMethodName},
    {nullptr, nullptr},
};

int Load(lua_State* L) {
  RequireRubricLoad(L, "schema.load");
  const std::string_view given = CheckText(L, 1);
  {
    const fs::path resolved = ResolveDataFile(L, given);  // raises naming the file
    std::error_code ec;
    const fs::path file = fs::canonical(resolved, ec);
    if (ec) {
      PushMessage(L, "schema.load", "cannot read " + resolved.string() + ": " + ec.message());
    } else {
      std::error_code root_ec;
      const fs::path root = fs::weakly_canonical(HostOf(L).data_root(), root_ec);
      std::string prefix = root.string();
      if (prefix.empty() || prefix.back() != '/') prefix += '/';
      auto loaded = HostOf(L).resources().GetOrCreate<LoadedSchema>(
          "gavel.schema:" + file.string(), [&]() -> Result<std::shared_ptr<const LoadedSchema>> {
            try {
              Result<std::shared_ptr<const Schema>> schema = Schema::LoadFile(file, root);
              if (!schema) return Error(schema.error().kind(), ReplaceAll(schema.error().message(), prefix));
              auto made = std::make_shared<LoadedSchema>();
              made->schema = std::move(*schema);
              made->name = file.lexically_relative(root).generic_string();
              made->root_prefix = prefix;
              return std::shared_ptr<const LoadedSchema>(std::move(made));
            } catch (const std::exception& e) {
              return Error(ErrorKind::kInternal, std::string("compiling the schema failed: ") + e.what());
            }
          });
      if (loaded) {
        PushObject<LoadedSchema>(L, *loaded, kSchemaType, kSchemaMethods);
        return 1;
      }
      PushMessage(L, "schema.load", loaded.error().message());
    }
  }
  return lua_error(L);
}

// --- Methods ---------------------------------------------------------------------------------

const LoadedSchema& CheckSchema(lua_State* L) { return CheckObject<LoadedSchema>(L, 1, kSchemaType); }

int SchemaMethodName(lua_State* L) {
  const LoadedSchema& s = CheckSchema(L);
  PushString(L, s.name);
  return 1;
}

// What schema:check found: the extraction, and the validation when it found JSON.
struct Checked {
  Extracted extracted;
  ValidationResult validation;
  bool valid = false;
};

int SchemaMethodCheck(lua_State* L) {
  const LoadedSchema& s = CheckSchema(L);
  const std::string_view text = CheckText(L, 2);
  const std::size_t max_violations = MaxViolations(L, 3, "schema:check");
  return CallCore(
      L, "schema:check",
      [&] {
        Checked c;
        c.extracted = ExtractJson(text, ExtractOptions{.max_depth = kMaxValueDepth});
        if (!c.extracted.ok()) return Result<Checked>(std::move(c));
        // The fast verdict first: it stops at the first violation and allocates nothing.
        c.valid = s.schema->IsValid(c.extracted.value);
        if (!c.valid) c.validation = s.schema->Validate(c.extracted.value, max_violations);
        return Result<Checked>(std::move(c));
      },
      [&](const Checked& c) {
        lua_createtable(L, 0, 9);
        SetExtracted(L, c.extracted);
        SetBool(L, "valid", c.valid);
        PushViolations(L, s, c.validation);
        lua_setfield(L, -2, "violations");
        SetBool(L, "truncated", c.validation.truncated);
        return 1;
      });
}

int SchemaMethodValidate(lua_State* L) {
  const LoadedSchema& s = CheckSchema(L);
  luaL_checkany(L, 2);
  const std::size_t max_violations = MaxViolations(L, 3, "schema:validate");
  return CallCore(
      L, "schema:validate",
      [&]() -> Result<ValidationResult> {
        Result<Json> value = LuaToJson(L, 2);
        if (!value) return Error(ErrorKind::kBadRubric, value.error().message());
        return s.schema->Validate(*value, max_violations);
      },
      [&](const ValidationResult& validation) {
        lua_pushboolean(L, validation.valid ? 1 : 0);
        PushViolations(L, s, validation);
        lua_pushboolean(L, validation.truncated ? 1 : 0);
        return 3;
      });
}

// --- schema.extract --------------------------------------------------------------------------

int Extract(lua_State* L) {
  const std::string_view text = CheckText(L, 1);
  return CallCore(
      L, "schema.extract",
      [&] { return Result<Extracted>(ExtractJson(text, ExtractOptions{.max_depth = kMaxValueDepth})); },
      [&](const Extracted& extracted) {
        lua_createtable(L, 0, 6);
        SetExtracted(L, extracted);
        return 1;
      });
}

const luaL_Reg kFunctions[] = {
    {"load", Load},
    {"extract", Extract},
    {nullptr, nullptr},
};

class SchemaModule final : public Plugin {
 public:
  std::string_view name() const override { return "gavel.schema"; }
  void Open(lua_State* L) const override { luaL_newlib(L, kFunctions); }
};

}  // namespace

std::unique_ptr<gavel::Plugin> MakeModule() { return std::make_unique<SchemaModule>(); }

}  // namespace gavel::schema
