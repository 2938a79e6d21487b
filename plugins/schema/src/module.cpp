// The Lua module `gavel.schema`: schema.load compiles a JSON Schema file once per rubric;
// schema:check extracts the JSON from an answer and validates it; schema.extract only extracts.
#include "gavel/schema/module.h"

#include <cstddef>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <new>
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

std::string_view CheckText(lua_State* L, int arg) {
  std::size_t len = 0;
  const char* s = luaL_checklstring(L, arg, &len);
  return {s, len};
}


// Raises the message on top of the stack as an error of `kind` (a rubric error by default).
[[noreturn]] void RaiseTop(lua_State* L, ErrorKind kind) {
  if (kind == ErrorKind::kBadRubric || kind == ErrorKind::kUsage) {
    lua_error(L);
    __builtin_unreachable();
  }
  std::size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  std::string message(s, len);
  lua_pop(L, 1);
  RaiseError(L, kind, message);
}



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

void SetString(lua_State* L, const char* key, std::string_view value) {
  lua_pushlstring(L, value.data(), value.size());
  lua_setfield(L, -2, key);
}

void SetInteger(lua_State* L, const char* key, std::size_t value) {
  lua_pushinteger(L, static_cast<lua_Integer>(value));
  lua_setfield(L, -2, key);
}

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
  lua_pushlstring(L, s.name.data(), s.name.size());
  return 1;
}

int SchemaMethodCheck(lua_State* L) {
  const LoadedSchema& s = CheckSchema(L);
  const std::string_view text = CheckText(L, 2);
  const std::size_t max_violations = MaxViolations(L, 3, "schema:check");
  {
    Extracted extracted;
    ValidationResult validation;
    bool valid = false;
    const bool done = Guard(L, "schema:check", [&] {
      extracted = ExtractJson(text, ExtractOptions{.max_depth = kMaxValueDepth});
      if (!extracted.ok()) return;
      // The fast verdict first: it stops at the first violation and allocates nothing.
      valid = s.schema->IsValid(extracted.value);
      if (!valid) validation = s.schema->Validate(extracted.value, max_violations);
    });
    if (done) {
      lua_createtable(L, 0, 9);
      SetExtracted(L, extracted);
      lua_pushboolean(L, valid ? 1 : 0);
      lua_setfield(L, -2, "valid");
      PushViolations(L, s, validation);
      lua_setfield(L, -2, "violations");
      lua_pushboolean(L, validation.truncated ? 1 : 0);
      lua_setfield(L, -2, "truncated");
      return 1;
    }
  }
  RaiseTop(L, ErrorKind::kPlugin);
}

int SchemaMethodValidate(lua_State* L) {
  const LoadedSchema& s = CheckSchema(L);
  luaL_checkany(L, 2);
  const std::size_t max_violations = MaxViolations(L, 3, "schema:validate");
  ErrorKind kind = ErrorKind::kBadRubric;
  {
    Result<Json> value = LuaToJson(L, 2);
    if (!value) {
      PushMessage(L, "schema:validate", value.error().message());
    } else {
      ValidationResult validation;
      if (Guard(L, "schema:validate", [&] { validation = s.schema->Validate(*value, max_violations); })) {
        lua_pushboolean(L, validation.valid ? 1 : 0);
        PushViolations(L, s, validation);
        lua_pushboolean(L, validation.truncated ? 1 : 0);
        return 3;
      }
      kind = ErrorKind::kPlugin;
    }
  }
  RaiseTop(L, kind);
}

// --- schema.extract --------------------------------------------------------------------------

int Extract(lua_State* L) {
  const std::string_view text = CheckText(L, 1);
  {
    Extracted extracted;
    if (Guard(L, "schema.extract",
              [&] { extracted = ExtractJson(text, ExtractOptions{.max_depth = kMaxValueDepth}); })) {
      lua_createtable(L, 0, 6);
      SetExtracted(L, extracted);
      return 1;
    }
  }
  RaiseTop(L, ErrorKind::kPlugin);
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
