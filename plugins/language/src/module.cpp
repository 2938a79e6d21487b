// The Lua module `gavel.language`: which language an answer is in, and whether it is the one
// the sample expects.
//
//   local language = require "gavel.language"
//   local c = language.same_as_prompt(s)     -- c.match, c.reliable, c.answer, c.expected, ...
//
// Lua is built as C++ here, so a Lua error is a C++ exception and unwinds through these
// functions running destructors. The functions still raise their own errors only after the C++
// objects they built are gone: the message is pushed first, then raised.
#include "gavel/language/module.h"

#include <cstddef>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <lua.hpp>

#include "gavel/language/codes.h"
#include "gavel/language/consistency.h"
#include "gavel/language/detect.h"
#include "gavel/lua_support.h"
#include "gavel/plugin.h"

namespace gavel::language {
namespace {

constexpr const char* kDetectorType = "gavel.language.detector";

// Metadata keys same_as_prompt reads the expected language from, in order.
constexpr const char* kDefaultKeys[] = {"language", "expected_language"};

// ---- results -------------------------------------------------------------------------------

void PushDetection(lua_State* L, const Detection& d) {
  lua_createtable(L, 0, 9);
  SetString(L, "language", d.language);
  SetNumber(L, "confidence", d.confidence);
  SetBool(L, "reliable", d.reliable);
  SetString(L, "method", d.method);
  SetString(L, "guess", d.guess);
  SetInteger(L, "letters", d.letters);
  SetBool(L, "invalid_utf8", d.invalid_utf8);
  SetString(L, "form", d.form);
  SetString(L, "reason", d.reason);
}

// Why a comparison is unreliable, naming the side: "answer: too short: ...; prompt: ...".
std::string ConsistencyReason(const Consistency& c, const char* reference_name) {
  std::string reason;
  if (!c.answer_reason.empty()) reason.append("answer: ").append(c.answer_reason);
  if (!c.expected_reason.empty()) {
    if (!reason.empty()) reason.append("; ");
    reason.append(reference_name).append(": ").append(c.expected_reason);
  }
  return reason;
}

// `source` is same_as_prompt's ("metadata" or "prompt"), nullptr for compare and compare_to.
void PushConsistency(lua_State* L, const Consistency& c, const char* source) {
  lua_createtable(L, 0, 8);
  SetBool(L, "match", c.match);
  SetString(L, "answer", c.answer_lang);
  SetString(L, "expected", c.expected_lang);
  SetNumber(L, "confidence", c.confidence);
  SetBool(L, "reliable", c.reliable);
  SetString(L, "form", c.answer_form);
  const bool from_prompt = source != nullptr && std::string_view(source) == "prompt";
  SetString(L, "reason", ConsistencyReason(c, from_prompt ? "prompt" : "reference"));
  if (source != nullptr) SetString(L, "source", source);
}

// ---- the functions, for a given detector ---------------------------------------------------

// Arguments start at `base` (1 for module functions, 2 for methods).

int DoDetect(lua_State* L, const Detector& detector, int base, const char* who) {
  const std::string_view text = CheckText(L, base);
  lua_settop(L, base);
  return CallCore(
      L, who, [&] { return Result<Detection>(detector.Detect(text)); },
      [&](const Detection& d) {
        PushDetection(L, d);
        return 1;
      });
}

// Pushes the comparison of `answer` with `reference` text; `source` as for PushConsistency.
int PushCompared(lua_State* L, const Detector& detector, std::string_view answer,
                 std::string_view reference, const char* who, const char* source) {
  return CallCore(
      L, who, [&] { return Result<Consistency>(Compare(detector, answer, reference)); },
      [&](const Consistency& c) {
        PushConsistency(L, c, source);
        return 1;
      });
}

int DoCompare(lua_State* L, const Detector& detector, int base, const char* who) {
  const std::string_view answer = CheckText(L, base);
  const std::string_view reference = CheckText(L, base + 1);
  lua_settop(L, base + 1);
  return PushCompared(L, detector, answer, reference, who, nullptr);
}

// Compares `answer` with the expected tag; a tag that is not a language is a sample error.
int PushComparedToTag(lua_State* L, const Detector& detector, std::string_view answer,
                      std::string_view tag, const char* who, const char* source) {
  return CallCore(
      L, who, [&] { return CompareToLanguage(detector, answer, tag); },
      [&](const Consistency& c) {
        PushConsistency(L, c, source);
        return 1;
      });
}

int DoCompareTo(lua_State* L, const Detector& detector, int base, const char* who) {
  const std::string_view answer = CheckText(L, base);
  const std::string_view tag = CheckText(L, base + 1);
  lua_settop(L, base + 1);
  return PushComparedToTag(L, detector, answer, tag, who, nullptr);
}

enum class From { kAuto, kMetadata, kPrompt };

struct SameAsPromptOptions {
  From from = From::kAuto;
  bool json_prose = true;  // the detector's setting unless the call gives one
};

// Reads same_as_prompt's options table at idx (nil for none). Leaves the list of metadata keys
// on the stack (a table).
SameAsPromptOptions ReadSameAsPromptOptions(lua_State* L, int idx, const char* who,
                                            bool json_prose) {
  SameAsPromptOptions options;
  options.json_prose = json_prose;
  From& from = options.from;
  lua_createtable(L, 2, 0);  // the keys
  const int keys = lua_gettop(L);
  bool keys_given = false;
  if (!lua_isnoneornil(L, idx)) {
    if (!lua_istable(L, idx)) {
      luaL_error(L, "%s: options must be a table, got %s", who, luaL_typename(L, idx));
    }
    SeeThrough(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
      if (lua_type(L, -2) != LUA_TSTRING) {
        luaL_error(L, "%s: unknown option of type %s (options: from, json_prose, keys)", who,
                   luaL_typename(L, -2));
      }
      const std::string_view key = lua_tostring(L, -2);
      if (key == "from") {
        const char* v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : nullptr;
        const std::string_view value = v != nullptr ? v : "";
        if (value == "auto") {
          from = From::kAuto;
        } else if (value == "metadata") {
          from = From::kMetadata;
        } else if (value == "prompt") {
          from = From::kPrompt;
        } else if (v == nullptr) {
          luaL_error(L, "%s: option 'from' must be \"auto\", \"metadata\" or \"prompt\", got %s", who,
                     luaL_typename(L, -1));
        } else {
          luaL_error(L, "%s: option 'from' must be \"auto\", \"metadata\" or \"prompt\", got '%s'",
                     who, v);
        }
      } else if (key == "keys") {
        const int list = lua_gettop(L);
        if (lua_type(L, list) == LUA_TSTRING) {
          lua_pushvalue(L, list);
          lua_rawseti(L, keys, 1);
        } else if (lua_istable(L, list)) {
          SeeThrough(L, list);
          const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, list));
          if (n == 0) luaL_error(L, "%s: option 'keys' is an empty list", who);
          for (lua_Integer i = 1; i <= n; ++i) {
            if (lua_rawgeti(L, list, i) != LUA_TSTRING) {
              luaL_error(L, "%s: option 'keys'[%d] must be a string, got %s", who,
                         static_cast<int>(i), luaL_typename(L, -1));
            }
            lua_rawseti(L, keys, i);
          }
        } else {
          luaL_error(L, "%s: option 'keys' must be a string or a list of strings, got %s", who,
                     luaL_typename(L, list));
        }
        keys_given = true;
      } else if (key == "json_prose") {
        if (!lua_isboolean(L, -1)) {
          luaL_error(L, "%s: option 'json_prose' must be a boolean, got %s", who,
                     luaL_typename(L, -1));
        }
        options.json_prose = lua_toboolean(L, -1) != 0;
      } else {
        luaL_error(L, "%s: unknown option '%s' (options: from, json_prose, keys)", who,
                   lua_tostring(L, -2));
      }
      lua_pop(L, 1);
    }
  }
  if (!keys_given) {
    lua_Integer i = 1;
    for (const char* k : kDefaultKeys) {
      lua_pushstring(L, k);
      lua_rawseti(L, keys, i++);
    }
  }
  return options;
}

int DoSameAsPrompt(lua_State* L, const Detector& given, int base, const char* who) {
  luaL_checktype(L, base, LUA_TTABLE);
  lua_settop(L, base + 1);
  // Pushes the keys: base + 2.
  const SameAsPromptOptions options =
      ReadSameAsPromptOptions(L, base + 1, who, given.options().json_prose);
  const From from = options.from;
  const int keys = base + 2;
  // The detector with the call's json_prose: a Detector is only its options, so a copy is cheap
  // and the given one's options are already known to be valid.
  DetectorOptions detector_options = given.options();
  detector_options.json_prose = options.json_prose;
  const Detector detector = Detector::Create(detector_options).value();

  lua_getfield(L, base, "answer");  // base + 3
  if (lua_type(L, base + 3) != LUA_TSTRING) {
    luaL_error(L, "%s: s.answer must be a string, got %s", who, luaL_typename(L, base + 3));
  }

  // The expected language from the metadata: the first key that is present and not null.
  bool from_metadata = false;
  if (from != From::kPrompt) {
    lua_getfield(L, base, "metadata");  // base + 4
    const int metadata = base + 4;
    if (lua_istable(L, metadata)) {
      const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, keys));
      for (lua_Integer i = 1; i <= n && !from_metadata; ++i) {
        lua_rawgeti(L, keys, i);
        const int key = lua_gettop(L);
        lua_pushvalue(L, key);
        lua_gettable(L, metadata);
        const int type = lua_type(L, -1);
        if (type == LUA_TNIL || type == LUA_TLIGHTUSERDATA) {  // absent, or JSON null
          lua_pop(L, 2);
          continue;
        }
        if (type != LUA_TSTRING) {
          lua_pushfstring(L, "s.metadata.%s must be a language tag (a string), got %s",
                          lua_tostring(L, key), luaL_typename(L, -1));
          PushMessage(L, who, lua_tostring(L, -1));
          RaiseTop(L, ErrorKind::kBadSample);
        }
        lua_replace(L, metadata);  // base + 4: the tag
        lua_pop(L, 1);
        from_metadata = true;
      }
    } else if (!lua_isnil(L, metadata)) {
      luaL_error(L, "%s: s.metadata must be a table, got %s", who, luaL_typename(L, metadata));
    }
    if (!from_metadata && from == From::kMetadata) {
      lua_pushliteral(L, "the sample gives no expected language (looked for s.metadata.");
      const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, keys));
      for (lua_Integer i = 1; i <= n; ++i) {
        if (i > 1) lua_pushliteral(L, ", ");
        lua_rawgeti(L, keys, i);
        lua_concat(L, i > 1 ? 3 : 2);
      }
      lua_pushliteral(L, ")");
      lua_concat(L, 2);
      PushMessage(L, who, lua_tostring(L, -1));
      RaiseTop(L, ErrorKind::kBadSample);
    }
  }
  if (!from_metadata) {
    lua_settop(L, base + 3);
    lua_getfield(L, base, "prompt");  // base + 4
    if (lua_type(L, base + 4) != LUA_TSTRING) {
      luaL_error(L, "%s: s.prompt must be a string, got %s", who, luaL_typename(L, base + 4));
    }
  }
  lua_settop(L, base + 4);

  std::size_t len = 0;
  const char* answer_data = lua_tolstring(L, base + 3, &len);
  const std::string_view answer(answer_data, len);
  const char* other_data = lua_tolstring(L, base + 4, &len);
  const std::string_view other(other_data, len);

  if (from_metadata) return PushComparedToTag(L, detector, answer, other, who, "metadata");
  return PushCompared(L, detector, answer, other, who, "prompt");
}

// ---- module functions (the default detector) -----------------------------------------------

int Detect(lua_State* L) { return DoDetect(L, DefaultDetector(), 1, "language.detect"); }
int CompareFn(lua_State* L) { return DoCompare(L, DefaultDetector(), 1, "language.compare"); }
int CompareTo(lua_State* L) { return DoCompareTo(L, DefaultDetector(), 1, "language.compare_to"); }
int SameAsPrompt(lua_State* L) {
  return DoSameAsPrompt(L, DefaultDetector(), 1, "language.same_as_prompt");
}

// language.canonical(tag) -> code, or nil and a message.
int Canonical(lua_State* L) {
  const std::string_view tag = CheckText(L, 1);
  lua_settop(L, 1);
  ErrorKind kind = ErrorKind::kPlugin;
  int results = 0;
  const bool done = Guard(L, "language.canonical", kind, [&] {
    Result<std::string> code = CanonicalLanguage(tag);
    if (code) {
      PushString(L, *code);
      results = 1;
    } else {
      lua_pushnil(L);
      PushString(L, code.error().message());
      results = 2;
    }
  });
  if (done) return results;
  RaiseTop(L, kind);
}

// ---- detector objects ----------------------------------------------------------------------

int MethodDetect(lua_State* L) {
  return DoDetect(L, CheckObject<Detector>(L, 1, kDetectorType), 2, "detector:detect");
}
int MethodCompare(lua_State* L) {
  return DoCompare(L, CheckObject<Detector>(L, 1, kDetectorType), 2, "detector:compare");
}
int MethodCompareTo(lua_State* L) {
  return DoCompareTo(L, CheckObject<Detector>(L, 1, kDetectorType), 2, "detector:compare_to");
}
int MethodSameAsPrompt(lua_State* L) {
  return DoSameAsPrompt(L, CheckObject<Detector>(L, 1, kDetectorType), 2,
                        "detector:same_as_prompt");
}

const luaL_Reg kDetectorMethods[] = {{"detect", MethodDetect},
                                     {"compare", MethodCompare},
                                     {"compare_to", MethodCompareTo},
                                     {"same_as_prompt", MethodSameAsPrompt},
                                     {nullptr, nullptr}};

// An integer option at the top of the stack, in [lo, hi].
lua_Integer CheckIntOption(lua_State* L, const char* name, lua_Integer lo, lua_Integer hi) {
  int is_int = 0;
  const lua_Integer v = lua_tointegerx(L, -1, &is_int);
  if (lua_type(L, -1) != LUA_TNUMBER) {
    luaL_error(L, "language.detector: option '%s' must be an integer, got %s", name,
               luaL_typename(L, -1));
  }
  if (!is_int) {
    luaL_error(L, "language.detector: option '%s' must be an integer, got %f", name,
               lua_tonumber(L, -1));
  }
  if (v < lo || v > hi) {
    luaL_error(L, "language.detector: option '%s' must be in [%I, %I], got %I", name, lo, hi, v);
  }
  return v;
}

// language.detector { min_letters, min_script_letters, min_share, strip_markup, json_prose,
//                     max_bytes }
int MakeDetector(lua_State* L) {
  RequireRubricLoad(L, "language.detector");
  DetectorOptions options;
  if (!lua_isnoneornil(L, 1)) {
    luaL_checktype(L, 1, LUA_TTABLE);
    SeeThrough(L, 1);
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {
      if (lua_type(L, -2) != LUA_TSTRING) {
        luaL_error(L, "language.detector: unknown option of type %s (options: json_prose, "
                   "max_bytes, min_letters, min_script_letters, min_share, strip_markup)",
                   luaL_typename(L, -2));
      }
      const std::string_view key = lua_tostring(L, -2);
      if (key == "min_letters") {
        options.min_letters =
            static_cast<int>(CheckIntOption(L, "min_letters", 1, std::numeric_limits<int>::max()));
      } else if (key == "min_script_letters") {
        options.min_script_letters = static_cast<int>(
            CheckIntOption(L, "min_script_letters", 1, std::numeric_limits<int>::max()));
      } else if (key == "max_bytes") {
        options.max_bytes =
            static_cast<std::size_t>(CheckIntOption(L, "max_bytes", 1, lua_Integer{16} << 20));
      } else if (key == "min_share") {
        if (lua_type(L, -1) != LUA_TNUMBER) {
          luaL_error(L, "language.detector: option 'min_share' must be a number, got %s",
                     luaL_typename(L, -1));
        }
        const double share = lua_tonumber(L, -1);
        if (!(share > 0.0 && share <= 1.0)) {
          luaL_error(L, "language.detector: option 'min_share' must be in (0, 1], got %f", share);
        }
        options.min_share = share;
      } else if (key == "strip_markup" || key == "json_prose") {
        if (!lua_isboolean(L, -1)) {
          luaL_error(L, "language.detector: option '%s' must be a boolean, got %s",
                     lua_tostring(L, -2), luaL_typename(L, -1));
        }
        (key == "strip_markup" ? options.strip_markup : options.json_prose) =
            lua_toboolean(L, -1) != 0;
      } else {
        luaL_error(L, "language.detector: unknown option '%s' (options: json_prose, max_bytes, "
                   "min_letters, min_script_letters, min_share, strip_markup)",
                   lua_tostring(L, -2));
      }
      lua_pop(L, 1);
    }
  }
  lua_settop(L, 1);
  return CallCore(
      L, "language.detector",
      [&] {
        std::string key = "gavel.language.detector\n";
        key.append(std::to_string(options.min_letters)).append("\n");
        key.append(std::to_string(options.min_script_letters)).append("\n");
        char share[32];
        std::snprintf(share, sizeof share, "%.17g", options.min_share);
        key.append(share).append("\n");
        key.append(options.strip_markup ? "1\n" : "0\n");
        key.append(options.json_prose ? "1\n" : "0\n");
        key.append(std::to_string(options.max_bytes));
        return HostOf(L).resources().GetOrCreate<Detector>(
            key, [&]() -> Result<std::shared_ptr<const Detector>> {
              Result<Detector> made = Detector::Create(options);
              if (!made) return made.error();
              return std::make_shared<const Detector>(std::move(*made));
            });
      },
      [&](const std::shared_ptr<const Detector>& detector) {
        PushObject<Detector>(L, detector, kDetectorType, kDetectorMethods);
        return 1;
      });
}

class LanguageModule : public Plugin {
 public:
  std::string_view name() const override { return "gavel.language"; }
  void Open(lua_State* L) const override {
    static const luaL_Reg kFunctions[] = {{"detect", Detect},
                                          {"compare", CompareFn},
                                          {"compare_to", CompareTo},
                                          {"same_as_prompt", SameAsPrompt},
                                          {"canonical", Canonical},
                                          {"detector", MakeDetector},
                                          {nullptr, nullptr}};
    luaL_newlib(L, kFunctions);
  }
};

}  // namespace

std::unique_ptr<gavel::Plugin> MakeModule() { return std::make_unique<LanguageModule>(); }

}  // namespace gavel::language
