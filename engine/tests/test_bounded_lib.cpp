// The library functions that loop in C (patterns, string.rep, table.sort/insert/remove/move):
// they give the same results as Lua's own, and a limit or the deadline stops them.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include <lua.hpp>

#include "test_support.h"

using gavel::ErrorKind;
using gavel::testing::Scorer;

namespace {

// Runs a probe over a corpus and serialises every result (or the fact of an error) into one
// string, so the sandbox's functions and stock Lua's can be compared exactly.
const char kProbe[] = R"lua(
local out = {}
local function put(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do
    local v = select(i, ...)
    parts[i] = type(v) .. ":" .. (type(v) == "table" and "" or tostring(v))
  end
  out[#out + 1] = table.concat(parts, ",")
end
local function try(f, ...)
  local r = table.pack(pcall(f, ...))
  if r[1] then put(table.unpack(r, 2, r.n)) else put("error") end
end
local subjects = {
  "", "a", "hello world", "  padded  ", "key = value; other=2", "THE (quick) [brown] {fox}",
  "aaa", "abcabcabc", "x=1, y=22, z=333", "f(a(b)c)d", "THE (quick) fox", "line1\nline2\n",
  "caf\195\169 na\195\175ve", "%d%%", "a.b.c", "[[nested]]", "^start$", "tab\there", "\0zero\0",
  "12.5e-3 and -7", "hello hello hello", "aXbXc", "--x--", "0x1F 0XAB",
}
local patterns = {
  "", "a", "l+", "l*", "l-", "l?", "^h", "d$", "^$", "%a+", "%A+", "%d+", "%D", "%s*", "%S+", "%w+",
  "%W", "%x+", "%p", "%l%u", "%c", "%g+", ".", ".-", ".*", "(%w+)=(%w+)", "(%w+) = (%w+)", "()a()",
  "%b()", "%b[]", "%b{}", "%f[%w]%w+", "%f[%W]", "%f[%a]%a+%f[%A]", "(h)(e)(l)(l)(o)", "(a)%1",
  "(l)%1", "(%w+) %1", "[aeiou]", "[^aeiou ]+", "[a-c]+", "[%d.]+", "[]]", "[^]]", "[%]]", "[a-]",
  "[-a]", "x?y?z?", "^(%s*)(.-)(%s*)$", "%.", "%%", "%-%-", "[%a_][%w_]*", "0[xX](%x+)",
  "([%d.]+)e?(-?%d*)", "\0", "%z", "a.-c", "(a*(.)%w(%s*))", "^[+-]?%d+$", "$", "^", "(())", "[^%s]",
  "(", ")", "%", "[a", "%b", "%f", "%fx", "(%1)", "%9", "((a)", "a)", "[%", "%g",
}
local inits = { nil, 1, 2, -1, -3, 0, 100 }
for _, s in ipairs(subjects) do
  for _, p in ipairs(patterns) do
    for _, i in pairs(inits) do
      try(string.find, s, p, i)
      try(string.match, s, p, i)
    end
    try(string.find, s, p, 1, true)
    try(function()
      local got = {}
      for a, b in string.gmatch(s, p) do got[#got + 1] = tostring(a) .. "|" .. tostring(b) end
      return table.concat(got, ";")
    end)
    try(function()
      local got = {}
      for a in string.gmatch(s, p, 3) do got[#got + 1] = tostring(a) end
      return table.concat(got, ";")
    end)
    try(string.gsub, s, p, "<%0>")
    try(string.gsub, s, p, "[%1]")
    try(string.gsub, s, p, "%%", 2)
    try(string.gsub, s, p, "%x")
    try(string.gsub, s, p, { a = "A", l = false, hello = 7 })
    try(string.gsub, s, p, function(a, b) if a == "a" then return nil end return "(" .. tostring(a) .. tostring(b) .. ")" end)
    try(string.gsub, s, p, function() return {} end)
    try(string.gsub, s, p, "", 0)
    try(function() return (s):gsub(p, "x", -1) end)
  end
end
try(string.rep, "ab", 3, ",")
try(string.rep, "", 5, "")
try(string.rep, "x", 0)
try(string.rep, "x", -4, "y")
try(string.rep, "", 3, "-")
-- Tables: sort (distinct keys, so an unstable sort has one answer), insert, remove, move.
local function dump(t, n)
  local parts = {}
  for i = 1, n do parts[i] = tostring(t[i]) end
  return table.concat(parts, " ")
end
local seed = 12345
local function rnd(m) seed = (seed * 1103515245 + 12345) % 2147483648 return seed % m end
for n = 0, 40 do
  local t, u = {}, {}
  local used = {}
  for i = 1, n do
    local v repeat v = rnd(1000) until not used[v]
    used[v] = true
    t[i] = v
    u[i] = "k" .. v
  end
  table.sort(t)
  table.sort(u, function(a, b) return a > b end)
  put(dump(t, n), dump(u, n))
end
try(table.sort, { 3, "x", 1 })
try(table.sort, { 3, 2, 1 }, 5)
local t = { 1, 2, 3 }
try(table.insert, t, 9)
try(table.insert, t, 1, 0)
try(table.insert, t, 6, 0)
try(table.insert, t, 0, 0)
try(table.insert, t, 2, 5, 6)
put(dump(t, 6))
try(table.remove, t)
try(table.remove, t, 1)
try(table.remove, t, 7)
try(table.remove, {}, 0)
try(table.remove, {})
put(dump(t, 6))
local m = { 1, 2, 3, 4, 5, 6 }
try(table.move, m, 1, 3, 2)
put(dump(m, 7))
try(table.move, m, 2, 5, 1)
put(dump(m, 7))
local dst = {}
try(table.move, m, 1, 4, 3, dst)
put(dump(dst, 7))
try(table.move, m, 3, 1, 1)
try(table.move, m, math.mininteger, -1, 1)
try(table.move, m, 1, 2, math.maxinteger)
try(table.insert, 5, 1)
local proxy = setmetatable({}, { __index = m, __newindex = function(_, k, v) rawset(m, k, v) end, __len = function() return #m end })
try(table.insert, proxy, 1, "p")
put(dump(m, 8))
return table.concat(out, "\n")
)lua";

std::string StockLuaProbe() {
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  std::string result;
  if (luaL_loadstring(L, kProbe) == LUA_OK && lua_pcall(L, 0, 1, 0) == LUA_OK) {
    std::size_t len = 0;
    const char* text = lua_tolstring(L, -1, &len);
    result.assign(text, len);
  } else {
    result = std::string("probe failed: ") + lua_tostring(L, -1);
  }
  lua_close(L);
  return result;
}

std::string Rubric(const std::string& body, const std::string& limits) {
  return "return rubric {\n  limits = { " + limits +
         " },\n  checks = { check { name = \"probe\", fn = function(s)\n" + body + "\n  end } },\n}\n";
}

}  // namespace

TEST_CASE("bounded library functions give the results of Lua's own", "[sandbox][bounded]") {
  const std::string want = StockLuaProbe();
  REQUIRE(want.rfind("probe failed", 0) == std::string::npos);
  // The probe runs as a check and hands its text out through the check's details. rawset is
  // not available in rubrics; the probe's proxy uses it only on a table of its own.
  std::string probe = kProbe;
  const std::string rawset = "rawset(m, k, v)";
  probe.replace(probe.find(rawset), rawset.size(), "m[k] = v");
  std::string body = "local text = (function()\n" + probe + "\nend)()\nreturn 1, text";
  Scorer s(Rubric(body, "memory_mb = 64, instructions = 1e9"));
  REQUIRE(s.ok());
  gavel::Score score = s.Answer("answer");
  INFO((score.errors.empty() ? std::string() : score.errors[0].message));
  REQUIRE_FALSE(score.neutral);
  const std::string got = score.details["probe"].get<std::string>();
  // Line by line, so a difference names its case.
  std::size_t a = 0, b = 0, line = 1;
  while (a < want.size() || b < got.size()) {
    const std::size_t ea = std::min(want.find('\n', a), want.size());
    const std::size_t eb = std::min(got.find('\n', b), got.size());
    INFO("line " << line);
    REQUIRE(got.substr(b, eb - b) == want.substr(a, ea - a));
    a = ea + 1;
    b = eb + 1;
    ++line;
  }
  CHECK(line > 20000);
}

namespace {

struct Stopped {
  ErrorKind kind;
  std::string message;
  double seconds;
};

Stopped RunToLimit(const std::string& body, const std::string& limits) {
  Scorer s(Rubric(body, limits));
  REQUIRE(s.ok());
  const auto start = std::chrono::steady_clock::now();
  gavel::Score score = s.Answer(std::string(200, 'a'));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(score.neutral);
  REQUIRE(score.errors.size() == 1);
  return {score.errors[0].kind, score.errors[0].message, seconds};
}

}  // namespace

TEST_CASE("a backtracking pattern stops at the instruction limit", "[sandbox][bounded][limits]") {
  // The reproduction: Lua's own find ran for seconds in C, past every limit.
  for (const char* call : {"find('.-.-.-b', 1)", "match('.-.-.-b')", "gsub('.-.-.-b', '')"}) {
    const std::string body = std::string("return s.answer:rep(450):") + call;
    Stopped st = RunToLimit(body, "instructions = 1e7, time_ms = 60000");
    INFO(call << ": " << st.message);
    CHECK(st.kind == ErrorKind::kLimit);
    CHECK(st.message.find("instruction limit of 10000000 exceeded") != std::string::npos);
  }
  Stopped st = RunToLimit("for a in s.answer:rep(450):gmatch('.-.-.-b') do end return 1",
                          "instructions = 1e7, time_ms = 60000");
  CHECK(st.message.find("instruction limit") != std::string::npos);
}

TEST_CASE("a backtracking pattern stops at the time limit", "[sandbox][bounded][limits]") {
  Stopped st = RunToLimit("return s.answer:rep(450):find('.-.-.-.-b')", "instructions = 1e15, time_ms = 200");
  INFO(st.message);
  CHECK(st.kind == ErrorKind::kLimit);
  CHECK(st.message.find("time limit of 200 ms exceeded") != std::string::npos);
  // Lua's own matcher needed minutes here; the bounded one stops within a hook block of the limit.
  CHECK(st.seconds < 5.0);
}

TEST_CASE("deep pattern recursion is an error, not a crash", "[sandbox][bounded]") {
  Stopped st = RunToLimit("return s.answer:find(string.rep('a?', 300) .. 'b')", "instructions = 1e9");
  CHECK(st.kind == ErrorKind::kBadRubric);
  CHECK(st.message.find("pattern too complex") != std::string::npos);
}

TEST_CASE("string.rep of nothing returns at once", "[sandbox][bounded]") {
  Scorer s(Rubric("return #string.rep('', 2^62) + #('').rep('', math.maxinteger, '')", "instructions = 1e6"));
  REQUIRE(s.ok());
  gavel::Score score = s.Answer("x");
  REQUIRE_FALSE(score.neutral);
  CHECK(score.reward == 0.0);
}

TEST_CASE("table functions over invented indices stop at the instruction limit", "[sandbox][bounded][limits]") {
  // Each metatable below answers from C functions only, so no Lua instruction runs while the
  // table function loops: Lua's own versions ran for hours.
  const std::string endless =
      "local t = setmetatable({}, { __len = function() return 2^31 - 2 end, __index = tostring, __newindex = rawequal })\n";
  for (const std::string call : {"table.move({}, 1, 1e15, 1)", "table.move(t, 1, 2^50, 2)",
                                 "table.sort(t)", "table.insert(t, 1, 'x')", "table.remove(t, 1)"}) {
    Stopped st = RunToLimit(endless + call + "\nreturn 1", "instructions = 1e6, time_ms = 60000");
    INFO(call << ": " << st.message);
    CHECK(st.kind == ErrorKind::kLimit);
    CHECK(st.message.find("instruction limit of 1000000 exceeded") != std::string::npos);
  }
}
