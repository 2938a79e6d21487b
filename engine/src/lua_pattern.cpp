// string.find, string.match, string.gmatch, string.gsub and string.rep with their work charged
// to the sandbox's budget (see lua_bounded.h). The matcher follows the Lua 5.4 manual, section
// 6.4.1 ("Patterns"): single-character classes, sets, the four repetitions, %b, %f, captures,
// position captures, back-references, ^ and $ anchors, and the same limits (32 captures, 200
// levels of recursion). Every step of the backtracking search is one unit of work.
#include <cctype>
#include <cstddef>
#include <cstring>

#include "lua_bounded.h"

namespace gavel::detail {
namespace {

constexpr int kMaxCaptures = 32;
constexpr int kMaxDepth = 200;
constexpr std::ptrdiff_t kUnfinished = -1;
constexpr std::ptrdiff_t kPosition = -2;
constexpr char kEscape = '%';
constexpr const char* kSpecials = "^$*+?.([%-";

bool ClassMatches(int c, int cl) {
  bool res = false;
  switch (std::tolower(cl)) {
    case 'a': res = std::isalpha(c) != 0; break;
    case 'c': res = std::iscntrl(c) != 0; break;
    case 'd': res = std::isdigit(c) != 0; break;
    case 'g': res = std::isgraph(c) != 0; break;
    case 'l': res = std::islower(c) != 0; break;
    case 'p': res = std::ispunct(c) != 0; break;
    case 's': res = std::isspace(c) != 0; break;
    case 'u': res = std::isupper(c) != 0; break;
    case 'w': res = std::isalnum(c) != 0; break;
    case 'x': res = std::isxdigit(c) != 0; break;
    case 'z': res = c == 0; break;  // gone from the manual, still in Lua 5.4's own matcher
    default: return cl == c;  // %x for a non-alphanumeric x is x itself
  }
  return std::isupper(cl) != 0 ? !res : res;
}

unsigned char U(char c) { return static_cast<unsigned char>(c); }

class Matcher {
 public:
  Matcher(lua_State* L, WorkMeter& meter, const char* s, std::size_t ls, const char* p, std::size_t lp)
      : L_(L), meter_(meter), src_init_(s), src_end_(s + ls), p_end_(p + lp) {}

  void Reset() {
    level_ = 0;
    depth_ = 0;
  }

  // The end of the match of pattern `p` at `s`, or null.
  const char* Match(const char* s, const char* p) {
    if (++depth_ > kMaxDepth) luaL_error(L_, "pattern too complex");
    const char* r = MatchLoop(s, p);
    --depth_;
    return r;
  }

  int level() const { return level_; }

  // Pushes capture `i` of the match s..e (the whole match when there are no captures).
  void PushCapture(int i, const char* s, const char* e) {
    if (i >= level_) {
      if (i != 0) luaL_error(L_, "invalid capture index %%%d", i + 1);
      lua_pushlstring(L_, s, static_cast<std::size_t>(e - s));
      return;
    }
    const std::ptrdiff_t len = captures_[i].len;
    if (len == kUnfinished) luaL_error(L_, "unfinished capture");
    if (len == kPosition) {
      lua_pushinteger(L_, static_cast<lua_Integer>(captures_[i].init - src_init_) + 1);
    } else {
      lua_pushlstring(L_, captures_[i].init, static_cast<std::size_t>(len));
    }
  }

  // Pushes every capture (or the whole match, when `s` is not null and there are none).
  int PushCaptures(const char* s, const char* e) {
    const int n = (level_ == 0 && s != nullptr) ? 1 : level_;
    luaL_checkstack(L_, n, "too many captures");
    for (int i = 0; i < n; ++i) PushCapture(i, s, e);
    return n;
  }

 private:
  struct Capture {
    const char* init;
    std::ptrdiff_t len;
  };

  // Past the single-character class that starts at p.
  const char* ClassEnd(const char* p) {
    const char c = *p++;
    if (c == kEscape) {
      if (p >= p_end_) luaL_error(L_, "malformed pattern (ends with '%%')");
      return p + 1;
    }
    if (c == '[') {
      if (p < p_end_ && *p == '^') ++p;
      // The first character of a set is taken literally, even ']'.
      do {
        if (p >= p_end_) luaL_error(L_, "malformed pattern (missing ']')");
        const char d = *p++;
        if (d == kEscape) {
          if (p >= p_end_) luaL_error(L_, "malformed pattern (missing ']')");
          ++p;
        }
      } while (p >= p_end_ || *p != ']');
      return p + 1;
    }
    return p;
  }

  // Whether c is in the set [ ... ] from p (at '[') to ec (at ']').
  static bool InSet(int c, const char* p, const char* ec) {
    bool member = true;
    ++p;
    if (*p == '^') {
      member = false;
      ++p;
    }
    for (; p < ec; ++p) {
      if (*p == kEscape) {
        ++p;
        if (ClassMatches(c, U(*p))) return member;
      } else if (p + 2 < ec && p[1] == '-') {
        if (U(p[0]) <= c && c <= U(p[2])) return member;
        p += 2;
      } else if (U(*p) == c) {
        return member;
      }
    }
    return !member;
  }

  bool SingleMatch(const char* s, const char* p, const char* ep) const {
    if (s >= src_end_) return false;
    const int c = U(*s);
    switch (*p) {
      case '.': return true;
      case kEscape: return ClassMatches(c, U(p[1]));
      case '[': return InSet(c, p, ep - 1);
      default: return U(*p) == c;
    }
  }

  const char* MatchLoop(const char* s, const char* p) {
    for (;;) {
      meter_.Tick();
      if (p == p_end_) return s;
      switch (*p) {
        case '(':
          if (p + 1 < p_end_ && p[1] == ')') return StartCapture(s, p + 2, kPosition);
          return StartCapture(s, p + 1, kUnfinished);
        case ')':
          return EndCapture(s, p + 1);
        case '$':
          if (p + 1 == p_end_) return s == src_end_ ? s : nullptr;
          break;
        case kEscape:
          if (p + 1 < p_end_) {
            const char next = p[1];
            if (next == 'b') {
              s = MatchBalance(s, p + 2);
              if (s == nullptr) return nullptr;
              p += 4;
              continue;
            }
            if (next == 'f') {
              p += 2;
              if (p >= p_end_ || *p != '[') luaL_error(L_, "missing '[' after '%%f' in pattern");
              const char* ep = ClassEnd(p);
              const int before = s == src_init_ ? 0 : U(s[-1]);
              const int here = s < src_end_ ? U(*s) : 0;
              if (!InSet(before, p, ep - 1) && InSet(here, p, ep - 1)) {
                p = ep;
                continue;
              }
              return nullptr;
            }
            if (next >= '0' && next <= '9') {
              s = MatchBackReference(s, U(next));
              if (s == nullptr) return nullptr;
              p += 2;
              continue;
            }
          }
          break;
        default:
          break;
      }
      // A single-character class, perhaps followed by a repetition.
      const char* ep = ClassEnd(p);
      const char rep = ep < p_end_ ? *ep : '\0';
      if (!SingleMatch(s, p, ep)) {
        if (rep == '*' || rep == '?' || rep == '-') {
          p = ep + 1;
          continue;
        }
        return nullptr;
      }
      switch (rep) {
        case '?': {
          if (const char* r = Match(s + 1, ep + 1)) return r;
          p = ep + 1;
          continue;
        }
        case '+': return MaxExpand(s + 1, p, ep);
        case '*': return MaxExpand(s, p, ep);
        case '-': return MinExpand(s, p, ep);
        default:
          ++s;
          p = ep;
          continue;
      }
    }
  }

  const char* MaxExpand(const char* s, const char* p, const char* ep) {
    std::ptrdiff_t i = 0;
    while (SingleMatch(s + i, p, ep)) {
      meter_.Tick();
      ++i;
    }
    for (; i >= 0; --i) {
      if (const char* r = Match(s + i, ep + 1)) return r;
    }
    return nullptr;
  }

  const char* MinExpand(const char* s, const char* p, const char* ep) {
    for (;;) {
      if (const char* r = Match(s, ep + 1)) return r;
      if (!SingleMatch(s, p, ep)) return nullptr;
      ++s;
    }
  }

  const char* StartCapture(const char* s, const char* p, std::ptrdiff_t what) {
    if (level_ >= kMaxCaptures) luaL_error(L_, "too many captures");
    captures_[level_] = {s, what};
    ++level_;
    const char* r = Match(s, p);
    if (r == nullptr) --level_;
    return r;
  }

  const char* EndCapture(const char* s, const char* p) {
    int open = -1;
    for (int i = level_ - 1; i >= 0; --i) {
      if (captures_[i].len == kUnfinished) {
        open = i;
        break;
      }
    }
    if (open < 0) luaL_error(L_, "invalid pattern capture");
    captures_[open].len = s - captures_[open].init;
    const char* r = Match(s, p);
    if (r == nullptr) captures_[open].len = kUnfinished;
    return r;
  }

  const char* MatchBalance(const char* s, const char* p) {
    if (p + 1 >= p_end_) luaL_error(L_, "malformed pattern (missing arguments to '%%b')");
    if (s >= src_end_ || *s != *p) return nullptr;
    const char open = p[0], close = p[1];
    int depth = 1;
    while (++s < src_end_) {
      meter_.Tick();
      if (*s == close) {
        if (--depth == 0) return s + 1;
      } else if (*s == open) {
        ++depth;
      }
    }
    return nullptr;
  }

  const char* MatchBackReference(const char* s, int digit) {
    const int i = digit - '1';
    if (i < 0 || i >= level_ || captures_[i].len == kUnfinished) {
      luaL_error(L_, "invalid capture index %%%d in pattern", i + 1);
    }
    const std::ptrdiff_t len = captures_[i].len;
    // A position capture has no text, so it matches nothing.
    if (len < 0 || src_end_ - s < len) return nullptr;
    meter_.Tick(static_cast<std::uint64_t>(len) / 16);
    if (std::memcmp(captures_[i].init, s, static_cast<std::size_t>(len)) != 0) return nullptr;
    return s + len;
  }

  lua_State* L_;
  WorkMeter& meter_;
  const char* src_init_;
  const char* src_end_;
  const char* p_end_;
  int level_ = 0;
  int depth_ = 0;
  Capture captures_[kMaxCaptures] = {};
};

// A 1-based position that may count from the end, as string.find reads its init.
std::size_t StartIndex(lua_Integer pos, std::size_t len) {
  if (pos > 0) return static_cast<std::size_t>(pos);
  if (pos == 0) return 1;
  if (pos < -static_cast<lua_Integer>(len)) return 1;
  return static_cast<std::size_t>(static_cast<lua_Integer>(len) + pos) + 1;
}

bool HasSpecials(const char* p, std::size_t lp) {
  for (std::size_t i = 0; i < lp; ++i) {
    if (p[i] != '\0' && std::strchr(kSpecials, p[i]) != nullptr) return true;
  }
  return false;
}

// Plain substring search, charged by the bytes compared.
const char* FindPlain(WorkMeter& meter, const char* s, std::size_t ls, const char* p, std::size_t lp) {
  if (lp == 0) return s;
  if (lp > ls) return nullptr;
  const char* end = s + (ls - lp) + 1;  // candidates start before this
  const char* at = s;
  while (at < end) {
    const void* hit = std::memchr(at, p[0], static_cast<std::size_t>(end - at));
    if (hit == nullptr) {
      meter.Tick(static_cast<std::uint64_t>(end - at) / 64);
      return nullptr;
    }
    const char* c = static_cast<const char*>(hit);
    meter.Tick(static_cast<std::uint64_t>(c - at) / 64 + 1 + lp / 16);
    if (std::memcmp(c + 1, p + 1, lp - 1) == 0) return c;
    at = c + 1;
  }
  return nullptr;
}

int FindOrMatch(lua_State* L, bool find) {
  std::size_t ls = 0, lp = 0;
  const char* s = luaL_checklstring(L, 1, &ls);
  const char* p = luaL_checklstring(L, 2, &lp);
  const std::size_t init = StartIndex(luaL_optinteger(L, 3, 1), ls) - 1;
  if (init > ls) {
    luaL_pushfail(L);
    return 1;
  }
  WorkMeter meter(L);
  if (find && (lua_toboolean(L, 4) || !HasSpecials(p, lp))) {
    const char* hit = FindPlain(meter, s + init, ls - init, p, lp);
    meter.Flush();
    if (hit == nullptr) {
      luaL_pushfail(L);
      return 1;
    }
    lua_pushinteger(L, static_cast<lua_Integer>(hit - s) + 1);
    lua_pushinteger(L, static_cast<lua_Integer>(hit - s + static_cast<std::ptrdiff_t>(lp)));
    return 2;
  }
  const bool anchor = lp > 0 && *p == '^';
  if (anchor) {
    ++p;
    --lp;
  }
  Matcher m(L, meter, s, ls, p, lp);
  const char* at = s + init;
  for (;;) {
    m.Reset();
    if (const char* e = m.Match(at, p)) {
      meter.Flush();
      if (find) {
        lua_pushinteger(L, static_cast<lua_Integer>(at - s) + 1);
        lua_pushinteger(L, static_cast<lua_Integer>(e - s));
        return m.PushCaptures(nullptr, nullptr) + 2;
      }
      return m.PushCaptures(at, e);
    }
    if (anchor || at >= s + ls) break;
    ++at;
  }
  meter.Flush();
  luaL_pushfail(L);
  return 1;
}

int BoundedFind(lua_State* L) { return FindOrMatch(L, true); }
int BoundedMatch(lua_State* L) { return FindOrMatch(L, false); }

// The iterator of gmatch: upvalues are the subject, the pattern and a userdata holding where
// the next search starts and where the last match ended (so an empty match is not repeated).
struct GmatchState {
  std::size_t next = 0;
  std::size_t last_end = static_cast<std::size_t>(-1);
};

int GmatchStep(lua_State* L) {
  std::size_t ls = 0, lp = 0;
  const char* s = lua_tolstring(L, lua_upvalueindex(1), &ls);
  const char* p = lua_tolstring(L, lua_upvalueindex(2), &lp);
  auto* state = static_cast<GmatchState*>(lua_touserdata(L, lua_upvalueindex(3)));
  WorkMeter meter(L);
  Matcher m(L, meter, s, ls, p, lp);
  for (std::size_t at = state->next; at <= ls; ++at) {
    m.Reset();
    const char* e = m.Match(s + at, p);
    if (e != nullptr && static_cast<std::size_t>(e - s) != state->last_end) {
      state->next = state->last_end = static_cast<std::size_t>(e - s);
      meter.Flush();
      return m.PushCaptures(s + at, e);
    }
  }
  state->next = ls + 1;
  meter.Flush();
  return 0;
}

int BoundedGmatch(lua_State* L) {
  std::size_t ls = 0;
  luaL_checklstring(L, 1, &ls);
  luaL_checkstring(L, 2);
  const std::size_t init = StartIndex(luaL_optinteger(L, 3, 1), ls) - 1;
  lua_settop(L, 2);
  auto* state = static_cast<GmatchState*>(lua_newuserdatauv(L, sizeof(GmatchState), 0));
  *state = GmatchState{};
  state->next = init > ls ? ls + 1 : init;
  lua_pushcclosure(L, GmatchStep, 3);
  return 1;
}

// Appends the replacement for the match s..e to the buffer; false when the match is kept.
bool AddReplacement(lua_State* L, Matcher& m, luaL_Buffer& b, const char* s, const char* e, int repl_type) {
  switch (repl_type) {
    case LUA_TFUNCTION: {
      lua_pushvalue(L, 3);
      const int n = m.PushCaptures(s, e);
      lua_call(L, n, 1);
      break;
    }
    case LUA_TTABLE:
      m.PushCapture(0, s, e);
      lua_gettable(L, 3);
      break;
    default: {  // a string or number: %0-%9 name captures, %% is a percent sign
      std::size_t lr = 0;
      const char* r = lua_tolstring(L, 3, &lr);
      const char* end = r + lr;
      while (r < end) {
        const char* pct = static_cast<const char*>(std::memchr(r, kEscape, static_cast<std::size_t>(end - r)));
        if (pct == nullptr) {
          luaL_addlstring(&b, r, static_cast<std::size_t>(end - r));
          break;
        }
        luaL_addlstring(&b, r, static_cast<std::size_t>(pct - r));
        r = pct + 1;
        if (r < end && *r == kEscape) {
          luaL_addchar(&b, kEscape);
        } else if (r < end && std::isdigit(U(*r))) {
          if (*r == '0') {
            luaL_addlstring(&b, s, static_cast<std::size_t>(e - s));
          } else {
            m.PushCapture(*r - '1', s, e);
            luaL_tolstring(L, -1, nullptr);
            lua_remove(L, -2);
            luaL_addvalue(&b);
          }
        } else {
          luaL_error(L, "invalid use of '%%' in replacement string");
        }
        ++r;
      }
      return true;
    }
  }
  if (!lua_toboolean(L, -1)) {  // nil or false: keep the original text
    lua_pop(L, 1);
    luaL_addlstring(&b, s, static_cast<std::size_t>(e - s));
    return false;
  }
  if (!lua_isstring(L, -1)) return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1)) != 0;
  luaL_addvalue(&b);
  return true;
}

int BoundedGsub(lua_State* L) {
  std::size_t ls = 0, lp = 0;
  const char* src = luaL_checklstring(L, 1, &ls);
  const char* p = luaL_checklstring(L, 2, &lp);
  const int repl_type = lua_type(L, 3);
  const lua_Integer max_n = luaL_optinteger(L, 4, static_cast<lua_Integer>(ls) + 1);
  luaL_argexpected(L, repl_type == LUA_TNUMBER || repl_type == LUA_TSTRING || repl_type == LUA_TFUNCTION ||
                          repl_type == LUA_TTABLE,
                   3, "string/function/table");
  const char* const s0 = src;
  const char* const end = src + ls;
  const bool anchor = lp > 0 && *p == '^';
  if (anchor) {
    ++p;
    --lp;
  }
  WorkMeter meter(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  Matcher m(L, meter, s0, ls, p, lp);
  const char* last_end = nullptr;
  lua_Integer n = 0;
  bool changed = false;
  while (n < max_n) {
    m.Reset();
    const char* e = m.Match(src, p);
    if (e != nullptr && e != last_end) {
      ++n;
      meter.Flush();
      changed = AddReplacement(L, m, b, src, e, repl_type) || changed;
      src = last_end = e;
    } else if (src < end) {
      luaL_addchar(&b, *src++);
    } else {
      break;
    }
    if (anchor) break;
  }
  meter.Flush();
  if (!changed) {
    lua_pushvalue(L, 1);
  } else {
    luaL_addlstring(&b, src, static_cast<std::size_t>(end - src));
    luaL_pushresult(&b);
  }
  lua_pushinteger(L, n);
  return 2;
}

// string.rep: an empty string repeated any number of times is empty. Lua's own loop would copy
// nothing 2^62 times.
int BoundedRep(lua_State* L) {
  std::size_t l = 0, lsep = 0;
  luaL_checklstring(L, 1, &l);
  const lua_Integer n = luaL_checkinteger(L, 2);
  luaL_optlstring(L, 3, "", &lsep);
  if (n <= 0 || l + lsep == 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  // Anything else allocates its result first, so the memory limit bounds it.
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

}  // namespace

void InstallBoundedStringFunctions(lua_State* L, int idx) {
  idx = lua_absindex(L, idx);
  static const luaL_Reg kFunctions[] = {
      {"find", BoundedFind},
      {"match", BoundedMatch},
      {"gmatch", BoundedGmatch},
      {"gsub", BoundedGsub},
      {nullptr, nullptr},
  };
  lua_pushvalue(L, idx);
  luaL_setfuncs(L, kFunctions, 0);
  lua_pop(L, 1);
  lua_getfield(L, idx, "rep");
  lua_pushcclosure(L, BoundedRep, 1);
  lua_setfield(L, idx, "rep");
}

}  // namespace gavel::detail
