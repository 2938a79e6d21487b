// The Lua module `gavel.safety`: rule packs compiled once per rubric, scanned per sample.
//
//   local safety = require "gavel.safety"
//   local guard = safety.load { packs = { "rules/pii.json" }, actions = { pii = "zero" } }
//   local r = guard:scan(s.answer)          -- r.clean, r.action, r.factor, r.hits, ...
//
// Lua is built as C++ here, so a Lua error is a C++ exception and unwinds through these
// functions running destructors. The functions still raise their own errors only after the C++
// objects they built are gone: the message is pushed first, then raised (RaiseTop).
#include "gavel/safety/module.h"

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <lua.hpp>

#include "gavel/lua_support.h"
#include "gavel/plugin.h"
#include "gavel/safety/normalize.h"
#include "gavel/safety/rule_pack.h"

namespace gavel::safety {
namespace {

constexpr const char* kGuardType = "gavel.safety.guard";

// A match shorter than this many characters is previewed as "***" alone.
constexpr std::size_t kPreviewMinChars = 12;
// Characters shown at each end of a longer match.
constexpr std::size_t kPreviewEdgeChars = 2;

// What a category's hits do to the reward, from the weakest to the strongest.
enum class ActionKind { kReport = 0, kPenalise = 1, kZero = 2 };

struct Action {
  ActionKind kind = ActionKind::kReport;
  double penalty = 0.0;  // kPenalise only: the factor is multiplied by (1 - penalty)
};

// The object `safety.load` returns: a compiled pack (shared by every guard over the same files
// and normalisation) and what each of its categories does. Immutable.
struct Guard {
  std::shared_ptr<const RulePack> pack;
  std::map<std::string, Action, std::less<>> actions;  // every category of the pack
};

const char* ActionName(ActionKind kind) {
  switch (kind) {
    case ActionKind::kReport: return "report";
    case ActionKind::kPenalise: return "penalise";
    case ActionKind::kZero: return "zero";
  }
  return "report";
}

// ---- safety.load: arguments (Lua values only, so errors can be raised at once) ---------------

// Pushes the resolved path of the file a rubric names; raises if it is missing or outside.
void PushResolvedPath(lua_State* L, const char* name) {
  const std::string path = ResolveDataFile(L, name).lexically_normal().string();
  PushString(L, path);
}

// Appends the resolved paths named by the value at idx (a string or a list of strings) to the
// table at paths; `what` names the value in messages.
void AddPackPaths(lua_State* L, int idx, int paths, const char* what) {
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) == LUA_TSTRING) {
    PushResolvedPath(L, lua_tostring(L, idx));
    lua_rawseti(L, paths, static_cast<lua_Integer>(lua_rawlen(L, paths)) + 1);
    return;
  }
  if (!lua_istable(L, idx)) {
    luaL_error(L, "safety.load: %s must be a pack path or a list of pack paths, got %s", what,
               luaL_typename(L, idx));
  }
  SeeThrough(L, idx);
  const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, idx));
  lua_Integer keys = 0;
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    lua_pop(L, 1);
    ++keys;
  }
  if (keys != n) luaL_error(L, "safety.load: %s must be a list of pack paths (keys 1..n only)", what);
  if (n == 0) luaL_error(L, "safety.load: %s is an empty list; give at least one pack path", what);
  for (lua_Integer i = 1; i <= n; ++i) {
    if (lua_rawgeti(L, idx, i) != LUA_TSTRING) {
      luaL_error(L, "safety.load: %s[%d] must be a string, got %s", what, static_cast<int>(i),
                 luaL_typename(L, -1));
    }
    PushResolvedPath(L, lua_tostring(L, -1));
    lua_rawseti(L, paths, static_cast<lua_Integer>(lua_rawlen(L, paths)) + 1);
    lua_pop(L, 1);
  }
}

// Checks one action value (at the top of the stack) for the category `name`.
void CheckActionValue(lua_State* L, const char* name) {
  const int top = lua_gettop(L);
  if (lua_type(L, top) == LUA_TSTRING) {
    const std::string_view v = lua_tostring(L, top);
    if (v == "zero" || v == "report") return;
    if (v == "penalise" || v == "penalize") {
      luaL_error(L, "safety.load: actions.%s: write a penalty as { penalty = p } with p in [0, 1]",
                 name);
    }
    luaL_error(L, "safety.load: actions.%s: unknown action '%s' (actions: \"zero\", \"report\", "
               "{ penalty = p })", name, lua_tostring(L, top));
  }
  if (!lua_istable(L, top)) {
    luaL_error(L, "safety.load: actions.%s must be \"zero\", \"report\" or { penalty = p }, got %s",
               name, luaL_typename(L, top));
  }
  SeeThrough(L, top);
  lua_pushnil(L);
  while (lua_next(L, top) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING || std::string_view(lua_tostring(L, -1)) != "penalty") {
      if (lua_type(L, -1) == LUA_TSTRING) {
        luaL_error(L, "safety.load: actions.%s: unknown option '%s' (options: penalty)", name,
                   lua_tostring(L, -1));
      }
      luaL_error(L, "safety.load: actions.%s: unknown option of type %s (options: penalty)", name,
                 luaL_typename(L, -1));
    }
  }
  lua_pushliteral(L, "penalty");
  if (lua_rawget(L, top) != LUA_TNUMBER) {
    luaL_error(L, "safety.load: actions.%s.penalty must be a number in [0, 1], got %s", name,
               luaL_typename(L, -1));
  }
  const double p = lua_tonumber(L, -1);
  if (!(p >= 0.0 && p <= 1.0)) {
    luaL_error(L, "safety.load: actions.%s.penalty must be in [0, 1], got %f", name, p);
  }
  lua_settop(L, top);
}

void CheckActions(lua_State* L, int idx) {
  if (!lua_istable(L, idx)) {
    luaL_error(L, "safety.load: option 'actions' must be a table, got %s", luaL_typename(L, idx));
  }
  SeeThrough(L, idx);
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING) {
      luaL_error(L, "safety.load: actions: keys must be category names (strings), got %s",
                 luaL_typename(L, -2));
    }
    CheckActionValue(L, lua_tostring(L, -2));
    lua_pop(L, 1);
  }
}

Normalization CheckNormalization(lua_State* L, int idx, const char* who) {
  if (lua_type(L, idx) != LUA_TSTRING) {
    luaL_error(L, "%s: option 'normalization' must be \"nfc\" or \"nfkc\", got %s", who,
               luaL_typename(L, idx));
  }
  const std::string_view v = lua_tostring(L, idx);
  if (v == "nfc") return Normalization::kNFC;
  if (v == "nfkc") return Normalization::kNFKC;
  luaL_error(L, "%s: option 'normalization' must be \"nfc\" or \"nfkc\", got '%s'", who,
             lua_tostring(L, idx));
  __builtin_unreachable();
}

// Reads safety.load's argument. Leaves the stack as: 1 argument, 2 list of resolved paths,
// 3 actions table (or nil).
Normalization ReadLoadArgs(lua_State* L) {
  if (lua_gettop(L) > 1) luaL_error(L, "safety.load takes one argument (a path, a list or options)");
  lua_settop(L, 1);
  lua_newtable(L);  // 2: paths
  lua_pushnil(L);   // 3: actions
  Normalization form = Normalization::kNFC;
  if (lua_type(L, 1) == LUA_TSTRING) {
    AddPackPaths(L, 1, 2, "the pack path");
    return form;
  }
  if (!lua_istable(L, 1)) {
    luaL_argexpected(L, false, 1, "pack path, list of pack paths or options table");
  }
  SeeThrough(L, 1);
  bool has_string_key = false;
  lua_pushnil(L);
  while (lua_next(L, 1) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING) has_string_key = true;
  }
  if (!has_string_key) {  // safety.load { "a.json", "b.json" }
    AddPackPaths(L, 1, 2, "the list of pack paths");
    return form;
  }
  bool has_packs = false;
  lua_pushnil(L);
  while (lua_next(L, 1) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING) {
      luaL_error(L, "safety.load: an options table takes the pack paths in 'packs', not as list "
                 "items (found a key of type %s)", luaL_typename(L, -2));
    }
    const std::string_view key = lua_tostring(L, -2);
    if (key == "packs") {
      AddPackPaths(L, -1, 2, "option 'packs'");
      has_packs = true;
    } else if (key == "normalization") {
      form = CheckNormalization(L, -1, "safety.load");
    } else if (key == "actions") {
      CheckActions(L, lua_gettop(L));
      lua_pushvalue(L, -1);
      lua_replace(L, 3);
    } else {
      luaL_error(L, "safety.load: unknown option '%s' (options: actions, normalization, packs)",
                 lua_tostring(L, -2));
    }
    lua_pop(L, 1);
  }
  if (!has_packs) luaL_error(L, "safety.load: option 'packs' is required");
  return form;
}

Action ReadAction(lua_State* L, int idx) {
  Action action;
  if (lua_type(L, idx) == LUA_TSTRING) {
    action.kind = std::string_view(lua_tostring(L, idx)) == "zero" ? ActionKind::kZero
                                                                 : ActionKind::kReport;
    return action;
  }
  idx = lua_absindex(L, idx);
  lua_pushliteral(L, "penalty");  // checked by CheckActionValue: a number in [0, 1]
  lua_rawget(L, idx);
  action.kind = ActionKind::kPenalise;
  action.penalty = lua_tonumber(L, -1);
  lua_pop(L, 1);
  return action;
}

// ---- the guard object ----------------------------------------------------------------------

int GuardScan(lua_State* L);
int GuardSize(lua_State* L);

const luaL_Reg kGuardMethods[] = {{"scan", GuardScan}, {"size", GuardSize}, {nullptr, nullptr}};

// __index of guards: the fields `rules` and `categories`, then the methods (upvalue 1).
int GuardIndex(lua_State* L) {
  const Guard& guard = CheckObject<Guard>(L, 1, kGuardType);
  if (lua_type(L, 2) == LUA_TSTRING) {
    const std::string_view key = lua_tostring(L, 2);
    if (key == "rules") {
      lua_pushinteger(L, static_cast<lua_Integer>(guard.pack->size()));
      return 1;
    }
    if (key == "categories") {
      lua_createtable(L, static_cast<int>(guard.actions.size()), 0);
      lua_Integer i = 1;
      for (const auto& [name, action] : guard.actions) {
        PushString(L, name);
        lua_rawseti(L, -2, i++);
      }
      return 1;
    }
  }
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  return 1;
}

void PushGuard(lua_State* L, std::shared_ptr<const Guard> guard) {
  PushObject<Guard>(L, std::move(guard), kGuardType, kGuardMethods);
  // PushObject gives the metatable a plain methods table as __index the first time; swap it
  // for GuardIndex, which also answers the per-guard fields.
  lua_getmetatable(L, -1);
  if (lua_getfield(L, -1, "__index") == LUA_TTABLE) {
    lua_pushcclosure(L, GuardIndex, 1);
    lua_setfield(L, -2, "__index");
  } else {
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

int GuardSize(lua_State* L) {
  const Guard& guard = CheckObject<Guard>(L, 1, kGuardType);
  lua_pushinteger(L, static_cast<lua_Integer>(guard.pack->size()));
  return 1;
}

// A redacted view of a match: the first and last two characters around "***" when the match
// has at least kPreviewMinChars characters, else "***". Only the first two characters are kept
// when the stored text was cut. Never the match itself.
std::string Preview(const Span& span) {
  const std::string& text = span.text;  // valid UTF-8 (the normalised text)
  std::vector<std::size_t> starts;      // byte offset of each character
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  if (!span.truncated && starts.size() < kPreviewMinChars) return "***";
  std::string out = text.substr(0, starts[kPreviewEdgeChars]);
  out.append("***");
  if (!span.truncated) out.append(text, starts[starts.size() - kPreviewEdgeChars]);
  return out;
}

void PushScanResult(lua_State* L, const Guard& guard, const ScanResult& result) {
  luaL_checkstack(L, 8, "safety scan result");
  // The action of the whole text: the strongest over the categories that hit.
  ActionKind strongest = ActionKind::kReport;
  double factor = 1.0;
  for (const auto& [category, rules] : result.category_hits) {
    auto it = guard.actions.find(category);
    const Action action = it == guard.actions.end() ? Action{} : it->second;
    strongest = std::max(strongest, action.kind);
    if (action.kind == ActionKind::kZero) factor = 0.0;
    if (action.kind == ActionKind::kPenalise) factor *= 1.0 - action.penalty;
  }

  lua_createtable(L, 0, 8);
  SetBool(L, "clean", result.clean());
  SetString(L, "action", result.clean() ? "none" : ActionName(strongest));
  SetNumber(L, "factor", factor);

  lua_createtable(L, static_cast<int>(result.hits.size()), 0);
  lua_Integer i = 1;
  for (const Hit& hit : result.hits) {
    lua_createtable(L, 0, 7);
    SetString(L, "rule", hit.rule);
    SetString(L, "pack", hit.pack);
    SetString(L, "category", hit.category);
    SetString(L, "severity", SeverityName(hit.severity));
    SetString(L, "message", hit.message);
    SetInteger(L, "count", hit.count);
    lua_createtable(L, static_cast<int>(hit.spans.size()), 0);
    lua_Integer j = 1;
    for (const Span& span : hit.spans) {
      lua_createtable(L, 0, 3);
      SetInteger(L, "offset", static_cast<lua_Integer>(span.offset) + 1);
      SetInteger(L, "length", span.length);
      SetString(L, "preview", Preview(span));
      lua_rawseti(L, -2, j++);
    }
    lua_setfield(L, -2, "spans");
    lua_rawseti(L, -2, i++);
  }
  lua_setfield(L, -2, "hits");

  lua_createtable(L, 0, static_cast<int>(result.category_hits.size()));
  for (const auto& [category, rules] : result.category_hits) {
    PushString(L, category);
    lua_pushinteger(L, static_cast<lua_Integer>(rules));
    lua_rawset(L, -3);
  }
  lua_setfield(L, -2, "categories");

  if (const auto severity = result.MaxSeverity()) {
    SetString(L, "max_severity", SeverityName(*severity));
  }

  // "pii: email_address, phone_us; injection: ignore_previous_instructions", categories in the
  // order of their first hit.
  std::string summary;
  std::vector<std::string_view> order;
  for (const Hit& hit : result.hits) {
    if (std::find(order.begin(), order.end(), hit.category) == order.end()) {
      order.push_back(hit.category);
    }
  }
  for (const std::string_view category : order) {
    if (!summary.empty()) summary.append("; ");
    summary.append(category).append(":");
    bool first = true;
    for (const Hit& hit : result.hits) {
      if (hit.category != category) continue;
      summary.append(first ? " " : ", ").append(hit.rule);
      first = false;
    }
  }
  SetString(L, "summary", result.clean() ? std::string_view("clean") : std::string_view(summary));
}

int GuardScan(lua_State* L) {
  const Guard& guard = CheckObject<Guard>(L, 1, kGuardType);
  const std::string_view text = CheckText(L, 2);
  lua_settop(L, 2);
  return CallCore(
      L, "guard:scan", [&] { return guard.pack->Scan(text); },
      [&](const ScanResult& result) {
        PushScanResult(L, guard, result);
        return 1;
      });
}

// ---- module functions ----------------------------------------------------------------------

// Compiles (or finds) the pack of safety.load's checked arguments (ReadLoadArgs's stack) and
// gives each of its categories its action.
Result<std::shared_ptr<const Guard>> MakeGuard(lua_State* L, Normalization form) {
  std::vector<std::filesystem::path> files;
  std::string key = "gavel.safety.pack";
  key.append(form == Normalization::kNFKC ? "\nnfkc" : "\nnfc");
  const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, 2));
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_rawgeti(L, 2, i);
    std::size_t len = 0;
    const char* path = lua_tolstring(L, -1, &len);
    files.emplace_back(std::string(path, len));
    key.append("\n").append(path, len);
    lua_pop(L, 1);
  }
  PackOptions options;
  options.normalization = form;
  Result<std::shared_ptr<const RulePack>> pack = HostOf(L).resources().GetOrCreate<RulePack>(
      key, [&] { return RulePack::LoadFiles(files, options); });
  // A pack that does not load is the rubric's to fix, whatever the reason.
  if (!pack) return Error(ErrorKind::kBadRubric, pack.error().message());
  auto guard = std::make_shared<Guard>();
  guard->pack = *pack;
  Action fallback;
  std::map<std::string, Action, std::less<>> given;
  if (lua_istable(L, 3)) {
    lua_pushnil(L);
    while (lua_next(L, 3) != 0) {
      const Action action = ReadAction(L, -1);
      const std::string_view name = lua_tostring(L, -2);
      if (name == "default") {
        fallback = action;
      } else {
        given.emplace(std::string(name), action);
      }
      lua_pop(L, 1);
    }
  }
  for (const Rule& rule : (*pack)->rules()) guard->actions.emplace(rule.category, fallback);
  std::string unknown;
  for (const auto& [name, action] : given) {
    auto it = guard->actions.find(name);
    if (it == guard->actions.end()) {
      unknown.append(unknown.empty() ? "'" : ", '").append(name).append("'");
    } else {
      it->second = action;
    }
  }
  if (!unknown.empty()) {
    std::string known;
    for (const auto& [name, action] : guard->actions) known.append(known.empty() ? "" : ", ").append(name);
    return Error(ErrorKind::kBadRubric, "actions: no loaded rule has the category " + unknown +
                                            " (categories: " + known + ")");
  }
  return std::shared_ptr<const Guard>(std::move(guard));
}

int Load(lua_State* L) {
  RequireRubricLoad(L, "safety.load");
  const Normalization form = ReadLoadArgs(L);  // stack: 1 arg, 2 paths, 3 actions or nil
  return CallCore(
      L, "safety.load", [&] { return MakeGuard(L, form); },
      [&](const std::shared_ptr<const Guard>& guard) {
        PushGuard(L, guard);
        return 1;
      });
}

// safety.normalize(text [, "nfc" | "nfkc"]): the text as rules see it, which span offsets
// refer to.
int Normalize(lua_State* L) {
  const std::string_view text = CheckText(L, 1);
  Normalization form = Normalization::kNFC;
  if (!lua_isnoneornil(L, 2)) form = CheckNormalization(L, 2, "safety.normalize");
  lua_settop(L, 2);
  return CallCore(
      L, "safety.normalize", [&] { return NormalizeForScan(text, form); },
      [&](const std::string& normalized) {
        PushString(L, normalized);
        return 1;
      });
}

class SafetyModule : public Plugin {
 public:
  std::string_view name() const override { return "gavel.safety"; }
  void Open(lua_State* L) const override {
    static const luaL_Reg kFunctions[] = {
        {"load", Load}, {"normalize", Normalize}, {nullptr, nullptr}};
    luaL_newlib(L, kFunctions);
  }
};

}  // namespace

std::unique_ptr<gavel::Plugin> MakeModule() { return std::make_unique<SafetyModule>(); }

}  // namespace gavel::safety
