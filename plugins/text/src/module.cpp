// The Lua module `gavel.text`: lengths, length penalties, matchers, final-answer checks and
// similarity metrics. Penalties and matchers are built at rubric load (matchers are compiled once
// per rubric and shared); everything else is a pure per-sample function.
#include "gavel/text/module.h"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <lua.hpp>

#include "gavel/lua_support.h"
#include "gavel/plugin.h"
#include "gavel/text/answer.h"
#include "gavel/text/length.h"
#include "gavel/text/match.h"
#include "gavel/text/penalty.h"
#include "gavel/text/similarity.h"

namespace gavel::text {
namespace {

constexpr const char* kPenaltyType = "gavel.text.penalty";
constexpr const char* kMatcherType = "gavel.text.matcher";

// --- Argument, option and error helpers ------------------------------------------------------

// Pushes options[key] (the table at idx, absolute) and checks its Lua type; false when nil.
bool OptField(lua_State* L, int idx, const char* fn, const char* key, int type, const char* type_name) {
  lua_getfield(L, idx, key);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return false;
  }
  if (lua_type(L, -1) != type) {
    luaL_error(L, "%s: option '%s' must be %s (got %s)", fn, key, type_name, luaL_typename(L, -1));
  }
  return true;
}

std::optional<double> OptNumber(lua_State* L, int idx, const char* fn, const char* key) {
  if (!OptField(L, idx, fn, key, LUA_TNUMBER, "a number")) return std::nullopt;
  const double v = lua_tonumber(L, -1);
  lua_pop(L, 1);
  return v;
}

std::optional<bool> OptBool(lua_State* L, int idx, const char* fn, const char* key) {
  if (!OptField(L, idx, fn, key, LUA_TBOOLEAN, "a boolean")) return std::nullopt;
  const bool v = lua_toboolean(L, -1) != 0;
  lua_pop(L, 1);
  return v;
}

// The index of options[key] in `choices` (a null-terminated list), or -1 when absent.
int OptChoice(lua_State* L, int idx, const char* fn, const char* key, const char* const choices[]) {
  if (!OptField(L, idx, fn, key, LUA_TSTRING, "a string")) return -1;
  const char* v = lua_tostring(L, -1);
  for (int i = 0; choices[i] != nullptr; ++i) {
    if (std::strcmp(v, choices[i]) == 0) {
      lua_pop(L, 1);
      return i;
    }
  }
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 0; choices[i] != nullptr; ++i) {
    if (i > 0) luaL_addstring(&b, ", ");
    luaL_addchar(&b, '"');
    luaL_addstring(&b, choices[i]);
    luaL_addchar(&b, '"');
  }
  luaL_pushresult(&b);
  luaL_error(L, "%s: option '%s' must be one of %s (got \"%s\")", fn, key, lua_tostring(L, -1), v);
  return -1;
}

// --- Shared tables of names ------------------------------------------------------------------

const char* const kUnitNames[] = {"bytes", "chars", "graphemes", "words", "tokens", nullptr};
constexpr LengthUnit kUnits[] = {LengthUnit::kBytes, LengthUnit::kCodePoints, LengthUnit::kGraphemes,
                                 LengthUnit::kWords, LengthUnit::kApproxTokens};

const char* const kNormalizeNames[] = {"none", "nfc", "nfkc", nullptr};
constexpr Normalization kNormalizations[] = {Normalization::kNone, Normalization::kNfc, Normalization::kNfkc};

// A fold table { case_fold = bool, whitespace = bool, normalize = "none"|"nfc"|"nfkc" } at idx,
// which may be nil (no folding). `extra` lists further keys the caller reads itself.
FoldOptions ReadFold(lua_State* L, int idx, const char* fn, std::initializer_list<const char*> keys) {
  FoldOptions fold;
  if (!CheckOptions(L, idx, fn, keys)) return fold;
  idx = lua_absindex(L, idx);
  fold.case_fold = OptBool(L, idx, fn, "case_fold").value_or(false);
  fold.whitespace = OptBool(L, idx, fn, "whitespace").value_or(false);
  const int n = OptChoice(L, idx, fn, "normalize", kNormalizeNames);
  if (n >= 0) fold.normalization = kNormalizations[n];
  return fold;
}

// --- Lengths ---------------------------------------------------------------------------------

int MeasureAndPush(lua_State* L, const char* fn, std::string_view text, LengthUnit unit) {
  return CallCore(
      L, fn, [&] { return MeasureLength(text, unit); },
      [&](std::size_t n) {
        lua_pushinteger(L, static_cast<lua_Integer>(n));
        return 1;
      });
}

int Length(lua_State* L) {
  const std::string_view text = CheckText(L, 1);
  const int unit = luaL_checkoption(L, 2, "chars", kUnitNames);
  return MeasureAndPush(L, "text.length", text, kUnits[unit]);
}

int Chars(lua_State* L) {
  return MeasureAndPush(L, "text.chars", CheckText(L, 1), LengthUnit::kCodePoints);
}
int Graphemes(lua_State* L) {
  return MeasureAndPush(L, "text.graphemes", CheckText(L, 1), LengthUnit::kGraphemes);
}
int Words(lua_State* L) { return MeasureAndPush(L, "text.words", CheckText(L, 1), LengthUnit::kWords); }
int Tokens(lua_State* L) {
  return MeasureAndPush(L, "text.tokens", CheckText(L, 1), LengthUnit::kApproxTokens);
}

// --- Penalties -------------------------------------------------------------------------------

struct Band {
  LengthPenalty penalty;
  LengthUnit unit;
};

int BandScore(lua_State* L) {
  const Band& band = CheckObject<Band>(L, 1, kPenaltyType);
  const std::string_view text = CheckText(L, 2);
  return CallCore(
      L, "penalty:score", [&] { return MeasureLength(text, band.unit); },
      [&](std::size_t n) {
        lua_pushnumber(L, band.penalty.Score(static_cast<double>(n)));
        lua_pushinteger(L, static_cast<lua_Integer>(n));
        return 2;
      });
}

int BandScoreLength(lua_State* L) {
  const Band& band = CheckObject<Band>(L, 1, kPenaltyType);
  const double n = luaL_checknumber(L, 2);
  lua_pushnumber(L, band.penalty.Score(n));
  return 1;
}

const luaL_Reg kBandMethods[] = {
    {"score", BandScore},
    {"score_length", BandScoreLength},
    {nullptr, nullptr},
};

int Penalty(lua_State* L) {
  constexpr const char* fn = "text.penalty";
  RequireRubricLoad(L, fn);
  luaL_checktype(L, 1, LUA_TTABLE);
  CheckOptions(L, 1, fn, {"unit", "min", "max", "shape", "margin", "scale", "below", "above"});
  const int unit = OptChoice(L, 1, fn, "unit", kUnitNames);
  static const char* const kShapes[] = {"hard", "linear", "gaussian", nullptr};
  int shape = OptChoice(L, 1, fn, "shape", kShapes);
  if (shape < 0) shape = 1;
  const std::optional<double> min = OptNumber(L, 1, fn, "min");
  const std::optional<double> max = OptNumber(L, 1, fn, "max");
  const std::optional<double> margin = OptNumber(L, 1, fn, "margin");
  const std::optional<double> scale = OptNumber(L, 1, fn, "scale");
  const std::optional<double> below = OptNumber(L, 1, fn, "below");
  const std::optional<double> above = OptNumber(L, 1, fn, "above");
  if (!min && !max) luaL_error(L, "%s: give 'min', 'max' or both", fn);
  if (margin && shape != 1) luaL_error(L, "%s: option 'margin' needs shape \"linear\" (gaussian bands take 'scale')", fn);
  if (scale && shape != 2) luaL_error(L, "%s: option 'scale' needs shape \"gaussian\" (linear bands take 'margin')", fn);
  if ((below || above) && shape == 0) luaL_error(L, "%s: options 'below' and 'above' need shape \"linear\" or \"gaussian\"", fn);
  const double lo = min.value_or(0);
  const double hi = max.value_or(std::numeric_limits<double>::infinity());
  const double both = margin ? *margin : scale.value_or(0);
  const double width_below = below.value_or(both);
  const double width_above = above.value_or(both);
  const LengthUnit length_unit = unit >= 0 ? kUnits[unit] : LengthUnit::kCodePoints;
  return CallCore(
      L, fn,
      [&] {
        switch (shape) {
          case 0: return LengthPenalty::Hard(lo, hi);
          case 2: return LengthPenalty::Gaussian(lo, hi, width_below, width_above);
          default: return LengthPenalty::Linear(lo, hi, width_below, width_above);
        }
      },
      [&](const LengthPenalty& penalty) {
        PushObject<Band>(L, std::make_shared<const Band>(Band{penalty, length_unit}), kPenaltyType, kBandMethods);
        return 1;
      });
}

// --- Matching --------------------------------------------------------------------------------

const char* const kKindNames[] = {"exact", "contains", "starts_with", "ends_with", "regex", nullptr};
constexpr MatchKind kKinds[] = {MatchKind::kExact, MatchKind::kContains, MatchKind::kStartsWith,
                                MatchKind::kEndsWith, MatchKind::kRegex};

int MatcherMatches(lua_State* L) {
  const Matcher& m = CheckObject<Matcher>(L, 1, kMatcherType);
  const std::string_view text = CheckText(L, 2);
  return CallCore(
      L, "matcher:matches", [&] { return m.Matches(text); },
      [&](bool hit) {
        lua_pushboolean(L, hit ? 1 : 0);
        return 1;
      });
}

const luaL_Reg kMatcherMethods[] = {
    {"matches", MatcherMatches},
    {nullptr, nullptr},
};

int MakeMatcher(lua_State* L) {
  constexpr const char* fn = "text.matcher";
  RequireRubricLoad(L, fn);
  luaL_checktype(L, 1, LUA_TTABLE);
  const FoldOptions fold = ReadFold(L, 1, fn, {"kind", "pattern", "case_fold", "whitespace", "normalize"});
  const int kind = OptChoice(L, 1, fn, "kind", kKindNames);
  if (kind < 0) luaL_error(L, "%s: option 'kind' is required (\"exact\", \"contains\", \"starts_with\", \"ends_with\" or \"regex\")", fn);
  if (!OptField(L, 1, fn, "pattern", LUA_TSTRING, "a string")) luaL_error(L, "%s: option 'pattern' is required", fn);
  std::size_t len = 0;
  const char* p = lua_tolstring(L, -1, &len);  // stays on the stack, so the view stays valid
  const std::string_view pattern(p, len);
  char flags[16];
  std::snprintf(flags, sizeof flags, "%d%d%d%d", kind, fold.case_fold ? 1 : 0, fold.whitespace ? 1 : 0,
                static_cast<int>(fold.normalization));
  return CallCore(
      L, fn,
      [&] {
        std::string key = "gavel.text.matcher:";
        key.append(flags).append(":").append(pattern);
        return HostOf(L).resources().GetOrCreate<Matcher>(
            key, [&]() -> Result<std::shared_ptr<const Matcher>> {
              Result<Matcher> m = Matcher::Compile(kKinds[kind], pattern, fold);
              if (!m) return m.error();
              return std::make_shared<const Matcher>(std::move(*m));
            });
      },
      [&](const std::shared_ptr<const Matcher>& m) {
        PushObject<Matcher>(L, m, kMatcherType, kMatcherMethods);
        return 1;
      });
}

int Literal(lua_State* L, const char* fn, MatchKind kind) {
  const std::string_view text = CheckText(L, 1);
  const std::string_view pattern = CheckText(L, 2);
  const FoldOptions fold = ReadFold(L, 3, fn, {"case_fold", "whitespace", "normalize"});
  return CallCore(
      L, fn,
      [&]() -> Result<bool> {
        Result<Matcher> m = Matcher::Compile(kind, pattern, fold);
        if (!m) return m.error();
        return m->Matches(text);
      },
      [&](bool hit) {
        lua_pushboolean(L, hit ? 1 : 0);
        return 1;
      });
}

int Exact(lua_State* L) { return Literal(L, "text.exact", MatchKind::kExact); }
int Contains(lua_State* L) { return Literal(L, "text.contains", MatchKind::kContains); }
int StartsWith(lua_State* L) { return Literal(L, "text.starts_with", MatchKind::kStartsWith); }
int EndsWith(lua_State* L) { return Literal(L, "text.ends_with", MatchKind::kEndsWith); }

int Fold(lua_State* L) {
  const std::string_view text = CheckText(L, 1);
  const FoldOptions fold = ReadFold(L, 2, "text.fold", {"case_fold", "whitespace", "normalize"});
  return CallCore(
      L, "text.fold", [&] { return FoldText(text, fold); },
      [&](const std::string& folded) {
        PushString(L, folded);
        return 1;
      });
}

// --- Final answers ---------------------------------------------------------------------------

// The answer text at arg: a string, or a finite number written the shortest way that reads back
// as the same value ("0.1", "3", "1e+20"). Replaces a number by its text on the stack.
std::string_view CheckAnswerText(lua_State* L, int arg, const char* fn, const char* what) {
  if (lua_type(L, arg) == LUA_TNUMBER) {
    char buf[64];
    std::size_t n = 0;
    if (lua_isinteger(L, arg)) {
      n = static_cast<std::size_t>(std::snprintf(buf, sizeof buf, LUA_INTEGER_FMT, lua_tointeger(L, arg)));
    } else {
      const double d = lua_tonumber(L, arg);
      if (!std::isfinite(d)) luaL_error(L, "%s: the %s is not a finite number", fn, what);
      n = static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, d).ptr - buf);
    }
    lua_pushlstring(L, buf, n);
    lua_replace(L, arg);
  } else if (lua_type(L, arg) != LUA_TSTRING) {
    luaL_error(L, "%s: the %s must be a string or a number (got %s)", fn, what, luaL_typename(L, arg));
  }
  return CheckText(L, arg);
}

AnswerCompareOptions ReadCompareOptions(lua_State* L, int idx, const char* fn) {
  AnswerCompareOptions options;
  if (!CheckOptions(L, idx, fn, {"abs_tol", "rel_tol", "percent"})) return options;
  idx = lua_absindex(L, idx);
  if (auto v = OptNumber(L, idx, fn, "abs_tol")) options.abs_tol = *v;
  if (auto v = OptNumber(L, idx, fn, "rel_tol")) options.rel_tol = *v;
  static const char* const kPercent[] = {"either", "ignore", "fraction", nullptr};
  static constexpr PercentMode kModes[] = {PercentMode::kEither, PercentMode::kIgnoreSign, PercentMode::kFraction};
  const int p = OptChoice(L, idx, fn, "percent", kPercent);
  if (p >= 0) options.percent = kModes[p];
  return options;
}

// numeric, got_value/want_value (numbers) or got/want (normalised texts), into the table on top.
void SetComparison(lua_State* L, const AnswerComparison& c) {
  SetBool(L, "numeric", c.numeric);
  if (c.numeric) {
    if (c.got_value) SetNumber(L, "got_value", *c.got_value);
    if (c.want_value) SetNumber(L, "want_value", *c.want_value);
  } else {
    SetString(L, "got", c.got_text);
    SetString(L, "want", c.want_text);
  }
}

int FinalAnswer(lua_State* L) {
  const std::string_view response = CheckText(L, 1);
  return CallCore(
      L, "text.final_answer", [&] { return Result<std::optional<ExtractedAnswer>>(ExtractFinalAnswer(response)); },
      [&](const std::optional<ExtractedAnswer>& found) {
        if (!found) {
          lua_pushnil(L);
          return 1;
        }
        PushString(L, found->text);
        PushString(L, AnswerFormName(found->form));
        return 2;
      });
}

int ParseNumberFn(lua_State* L) {
  const std::string_view text = CheckText(L, 1);
  return CallCore(
      L, "text.parse_number", [&] { return Result<std::optional<ParsedNumber>>(ParseNumber(text)); },
      [&](const std::optional<ParsedNumber>& n) {
        if (!n) {
          lua_pushnil(L);
          return 1;
        }
        lua_pushnumber(L, n->value);
        lua_pushboolean(L, n->percent ? 1 : 0);
        return 2;
      });
}

int CompareAnswersFn(lua_State* L) {
  constexpr const char* fn = "text.compare_answers";
  const std::string_view got = CheckAnswerText(L, 1, fn, "answer");
  const std::string_view want = CheckAnswerText(L, 2, fn, "reference");
  const AnswerCompareOptions options = ReadCompareOptions(L, 3, fn);
  return CallCore(
      L, fn, [&] { return CompareAnswers(got, want, options); },
      [&](const AnswerComparison& c) {
        lua_pushboolean(L, c.match ? 1 : 0);
        lua_createtable(L, 0, 5);
        SetComparison(L, c);
        return 2;
      });
}

int CheckAnswerFn(lua_State* L) {
  constexpr const char* fn = "text.check_answer";
  const std::string_view response = CheckText(L, 1);
  const std::string_view reference = CheckAnswerText(L, 2, fn, "reference");
  const AnswerCompareOptions options = ReadCompareOptions(L, 3, fn);
  return CallCore(
      L, fn, [&] { return CheckFinalAnswer(response, reference, options); },
      [&](const FinalAnswerCheck& c) {
        lua_pushboolean(L, c.correct ? 1 : 0);
        lua_createtable(L, 0, 7);
        SetBool(L, "found", c.extracted.has_value());
        if (c.extracted) {
          SetString(L, "answer", c.extracted->text);
          SetString(L, "form", AnswerFormName(c.extracted->form));
          SetComparison(L, c.comparison);
        } else {
          SetBool(L, "numeric", false);
        }
        return 2;
      });
}

// --- Similarity ------------------------------------------------------------------------------

int EditSimilarity(lua_State* L) {
  const std::string_view a = CheckText(L, 1);
  const std::string_view b = CheckText(L, 2);
  return CallCore(
      L, "text.edit_similarity", [&] { return EditDistance(a, b); },
      [&](const EditDistanceResult& r) {
        lua_pushnumber(L, r.similarity);
        lua_createtable(L, 0, 4);
        SetInteger(L, "distance", r.distance);
        SetNumber(L, "normalized", r.normalized);
        SetInteger(L, "length_a", r.length_a);
        SetInteger(L, "length_b", r.length_b);
        return 2;
      });
}

int TokenF1Fn(lua_State* L) {
  const std::string_view a = CheckText(L, 1);
  const std::string_view b = CheckText(L, 2);
  return CallCore(
      L, "text.token_f1", [&] { return Result<F1Result>(TokenF1(a, b)); },
      [&](const F1Result& r) {
        lua_pushnumber(L, r.f1);
        lua_createtable(L, 0, 5);
        SetNumber(L, "precision", r.precision);
        SetNumber(L, "recall", r.recall);
        SetInteger(L, "common", r.common);
        SetInteger(L, "prediction_tokens", r.prediction_tokens);
        SetInteger(L, "reference_tokens", r.reference_tokens);
        return 2;
      });
}

int Bleu(lua_State* L) {
  constexpr const char* fn = "text.bleu";
  const std::string_view hyp = CheckText(L, 1);
  const std::string_view ref = CheckText(L, 2);
  BleuOptions options;
  if (CheckOptions(L, 3, fn, {"lowercase"})) options.lowercase = OptBool(L, 3, fn, "lowercase").value_or(false);
  return CallCore(
      L, fn, [&] { return Result<BleuResult>(SentenceBleu(hyp, ref, options)); },
      [&](const BleuResult& r) {
        lua_pushnumber(L, r.bleu);
        lua_createtable(L, 0, 5);
        SetNumber(L, "brevity_penalty", r.brevity_penalty);
        lua_createtable(L, 4, 0);
        for (int i = 0; i < 4; ++i) {
          lua_pushnumber(L, r.precisions[static_cast<std::size_t>(i)]);
          lua_rawseti(L, -2, i + 1);
        }
        lua_setfield(L, -2, "precisions");
        SetInteger(L, "hypothesis_length", r.hypothesis_length);
        SetInteger(L, "reference_length", r.reference_length);
        SetInteger(L, "order", r.order);
        return 2;
      });
}

int RougeLFn(lua_State* L) {
  constexpr const char* fn = "text.rouge_l";
  const std::string_view cand = CheckText(L, 1);
  const std::string_view ref = CheckText(L, 2);
  RougeOptions options;
  if (CheckOptions(L, 3, fn, {"beta"})) {
    if (auto beta = OptNumber(L, 3, fn, "beta")) options.beta = *beta;
  }
  return CallCore(
      L, fn, [&] { return RougeL(cand, ref, options); },
      [&](const RougeResult& r) {
        lua_pushnumber(L, r.f_measure);
        lua_createtable(L, 0, 5);
        SetNumber(L, "precision", r.precision);
        SetNumber(L, "recall", r.recall);
        SetInteger(L, "lcs", r.lcs);
        SetInteger(L, "candidate_tokens", r.candidate_tokens);
        SetInteger(L, "reference_tokens", r.reference_tokens);
        return 2;
      });
}

const luaL_Reg kFunctions[] = {
    {"length", Length},
    {"chars", Chars},
    {"graphemes", Graphemes},
    {"words", Words},
    {"tokens", Tokens},
    {"penalty", Penalty},
    {"matcher", MakeMatcher},
    {"exact", Exact},
    {"contains", Contains},
    {"starts_with", StartsWith},
    {"ends_with", EndsWith},
    {"fold", Fold},
    {"final_answer", FinalAnswer},
    {"parse_number", ParseNumberFn},
    {"compare_answers", CompareAnswersFn},
    {"check_answer", CheckAnswerFn},
    {"edit_similarity", EditSimilarity},
    {"token_f1", TokenF1Fn},
    {"bleu", Bleu},
    {"rouge_l", RougeLFn},
    {nullptr, nullptr},
};

class TextModule final : public Plugin {
 public:
  std::string_view name() const override { return "gavel.text"; }
  void Open(lua_State* L) const override { luaL_newlib(L, kFunctions); }
};

}  // namespace

std::unique_ptr<gavel::Plugin> MakeModule() { return std::make_unique<TextModule>(); }

}  // namespace gavel::text
