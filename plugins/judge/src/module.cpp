// The Lua module `gavel.judge`, a thin layer over the judge's core (grader.h, judge_call.h):
// judge.new checks its options and compiles a grader once per rubric; grader:ask, ask_each and
// compare fill the templates from the sample on the worker thread (lua_template.h), suspend the
// sample and start the step's calls through the module's one transport (the HttpClient and the
// reply cache); the Lua results are pushed on the worker thread when the step ends.
#include "gavel/judge/module.h"

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <lua.hpp>

#include "gavel/judge/http_client.h"
#include "gavel/judge/options.h"
#include "gavel/judge/provider.h"
#include "gavel/judge/reply_cache.h"
#include "gavel/lua_support.h"
#include "gavel/plugin.h"
#include "gavel/schema/extract.h"
#include "grader.h"
#include "judge_call.h"
#include "lua_template.h"
#include "printable.h"
#include "template.h"

namespace gavel::judge {
namespace {

namespace fs = std::filesystem;

constexpr const char* kGraderType = "gavel.judge.grader";
// Registry field holding the module object of the state (set by Open).
constexpr const char* kModuleKey = "gavel.judge.module";
// The URL every grader gets when verdicts are canned: parsed, never called.
constexpr const char* kCannedUrl = "http://canned.invalid/v1?model=canned";
constexpr lua_Integer kMaxItems = 10000;
constexpr lua_Integer kMaxTokensLimit = 1000000;
constexpr lua_Integer kMaxTimeoutMs = 86400000;

class JudgeModule final : public Plugin {
 public:
  explicit JudgeModule(Options options) : options_(std::move(options)) {}
  std::string_view name() const override { return "gavel.judge"; }
  void Open(lua_State* L) const override;
  // The way to the judge, over the module's client (created on first use; every grader of
  // every rubric shares it) and reply cache.
  Result<Transport*> OpenTransport() const;
  // The reply cache, opened on first use; null when the module has none.
  Result<ReplyCache*> Cache() const;
  const Options& options() const { return options_; }

 private:
  Options options_;
  mutable std::mutex mutex_;
  mutable std::unique_ptr<HttpClient> client_;
  mutable std::unique_ptr<ReplyCache> cache_;
  mutable std::unique_ptr<ClientTransport> transport_;
};

// --- Small helpers ----------------------------------------------------------------------------

// The module object that opened gavel.judge in L's state, or null.
const JudgeModule* ModuleOf(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kModuleKey);
  const auto* module = static_cast<const JudgeModule*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return module;
}

// --- judge.new --------------------------------------------------------------------------------

// The string option `key` of the options table at idx, or nullptr when absent.
const char* OptString(lua_State* L, int idx, const char* key) {
  lua_getfield(L, idx, key);
  const char* value = nullptr;
  if (!lua_isnil(L, -1)) {
    if (lua_type(L, -1) != LUA_TSTRING) {
      luaL_error(L, "judge.new: option '%s' must be a string (got %s)", key, luaL_typename(L, -1));
    }
    value = lua_tostring(L, -1);  // the options table keeps the string alive
  }
  lua_pop(L, 1);
  return value;
}

double OptNumber(lua_State* L, int idx, const char* key, double fallback, double min, double max,
                 bool integer, const char* what) {
  lua_getfield(L, idx, key);
  double value = fallback;
  if (!lua_isnil(L, -1)) {
    if (lua_type(L, -1) != LUA_TNUMBER) {
      luaL_error(L, "judge.new: option '%s' must be %s (got %s)", key, what, luaL_typename(L, -1));
    }
    value = lua_tonumber(L, -1);
    if (!std::isfinite(value) || value < min || value > max || (integer && value != std::floor(value))) {
      luaL_error(L, "judge.new: option '%s' must be %s (got %s)", key, what, lua_tostring(L, -1));
    }
  }
  lua_pop(L, 1);
  return value;
}

// The option `prices` ({input = ..., output = ...}, US dollars per million tokens), if given.
std::optional<Prices> OptPrices(lua_State* L, int idx) {
  lua_getfield(L, idx, "prices");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return std::nullopt;
  }
  if (!lua_istable(L, -1)) {
    luaL_error(L, "judge.new: option 'prices' must be a table {input = ..., output = ...} (got %s)",
               luaL_typename(L, -1));
  }
  CheckOptions(L, lua_gettop(L), "judge.new: prices", {"input", "output"});
  Prices prices;
  const int t = lua_gettop(L);
  prices.input = OptNumber(L, t, "input", 0, 0, 1e9, false, "a price in US dollars per million tokens (>= 0)");
  prices.output = OptNumber(L, t, "output", 0, 0, 1e9, false, "a price in US dollars per million tokens (>= 0)");
  lua_pop(L, 1);
  return prices;
}

int GraderAsk(lua_State* L);
int GraderAskEach(lua_State* L);
int GraderCompare(lua_State* L);
int GraderDescribe(lua_State* L);

const luaL_Reg kGraderMethods[] = {
    {"ask", GraderAsk},
    {"ask_each", GraderAskEach},
    {"compare", GraderCompare},
    {"describe", GraderDescribe},
    {nullptr, nullptr},
};

// Resolves a data file option to its canonical path; raises naming the file.
fs::path DataFile(lua_State* L, const char* name) {
  const fs::path resolved = ResolveDataFile(L, name);  // raises naming the file
  std::error_code ec;
  fs::path file = fs::canonical(resolved, ec);
  if (ec) luaL_error(L, "judge.new: cannot read %s: %s", resolved.string().c_str(), ec.message().c_str());
  return file;
}

int New(lua_State* L) {
  RequireRubricLoad(L, "judge.new");
  if (!lua_istable(L, 1)) luaL_error(L, "judge.new: expects a table of options (got %s)", luaL_typename(L, 1));
  CheckOptions(L, 1, "judge.new",
               {"name", "url", "prompt", "system", "verdict", "temperature", "max_tokens", "timeout_ms",
                "attempt_timeout_ms", "prices"});
  const char* name = OptString(L, 1, "name");
  if (name != nullptr && !ValidGraderName(name)) {
    luaL_error(L, "judge.new: option 'name' must be 1 to 64 letters, digits, '_', '.' or '-' (got \"%s\")",
               Printable(name, 80).c_str());
  }
  const char* url = OptString(L, 1, "url");
  const char* prompt = OptString(L, 1, "prompt");
  const char* system = OptString(L, 1, "system");
  const char* verdict = OptString(L, 1, "verdict");
  if (prompt == nullptr) luaL_error(L, "judge.new: option 'prompt' (the prompt template file) is required");
  if (verdict == nullptr) luaL_error(L, "judge.new: option 'verdict' (the verdict schema file) is required");
  const JudgeModule* module = ModuleOf(L);
  if (module == nullptr) luaL_error(L, "judge.new: the gavel.judge module is not open in this state");
  const Options& options = module->options();
  if (url == nullptr) url = options.default_url.c_str();
  // Canned verdicts need no endpoint and no credentials, whatever the rubric names.
  if (options.canned_verdicts) url = kCannedUrl;
  if (*url == '\0') {
    // The app fills the default URL from GAVEL_JUDGE_URL.
    luaL_error(L, "judge.new: no judge URL: give the option 'url' or set the environment variable GAVEL_JUDGE_URL");
  }
  const double temperature = OptNumber(L, 1, "temperature", 0, 0, 2, false, "a number from 0 to 2");
  const double max_tokens = OptNumber(L, 1, "max_tokens", 1024, 1, static_cast<double>(kMaxTokensLimit), true,
                                      "an integer from 1 to 1000000");
  const double timeout_ms = OptNumber(L, 1, "timeout_ms", 60000, 1, static_cast<double>(kMaxTimeoutMs), true,
                                      "an integer from 1 to 86400000");
  const double attempt_timeout_ms = OptNumber(L, 1, "attempt_timeout_ms", 0, 1, static_cast<double>(kMaxTimeoutMs),
                                              true, "an integer from 1 to 86400000");
  std::optional<Prices> prices = OptPrices(L, 1);
  if (!prices) prices = options.default_prices;
  {
    Result<ReplyCache*> cache = module->Cache();
    if (!cache) {
      PushMessage(L, "judge.new", cache.error().message());
      return lua_error(L);
    }
  }
  {
    GraderSpec o;
    if (name != nullptr) o.name = name;
    o.url = url;
    o.prompt = DataFile(L, prompt);
    if (system != nullptr) o.system = DataFile(L, system);
    o.verdict = DataFile(L, verdict);
    o.temperature = temperature;
    o.max_tokens = static_cast<int>(max_tokens);
    o.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeout_ms));
    o.attempt_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(attempt_timeout_ms));
    o.prices = prices;
    std::error_code ec;
    const fs::path root = fs::weakly_canonical(HostOf(L).data_root(), ec);
    char numbers[192];
    std::snprintf(numbers, sizeof numbers, "%.17g\n%d\n%lld\n%lld\n%.17g\n%.17g", o.temperature, o.max_tokens,
                  static_cast<long long>(o.timeout.count()), static_cast<long long>(o.attempt_timeout.count()),
                  o.prices ? o.prices->input : -1.0, o.prices ? o.prices->output : -1.0);
    std::string key = "gavel.judge:";
    key += o.name;
    key += '\n';
    key += o.url;
    key += '\n';
    key += o.prompt.string();
    key += '\n';
    key += o.system.string();
    key += '\n';
    key += o.verdict.string();
    key += '\n';
    key += numbers;
    auto grader = HostOf(L).resources().GetOrCreate<Grader>(key, [&]() -> Result<std::shared_ptr<const Grader>> {
      try {
        return MakeGrader(o, root);
      } catch (const std::exception& e) {
        return Error(ErrorKind::kInternal, std::string("compiling the grader failed: ") + e.what());
      }
    });
    if (grader) {
      PushObject<Grader>(L, *grader, kGraderType, kGraderMethods);
      return 1;
    }
    PushMessage(L, "judge.new", grader.error().message());
  }
  return lua_error(L);
}

// --- Results ----------------------------------------------------------------------------------

// attempts, input_tokens, output_tokens, ms and verdict_retries, summed over the calls.
void SetFigures(lua_State* L, const StepOutcome& out) {
  SetInteger(L, "attempts", static_cast<lua_Integer>(out.attempts));
  SetInteger(L, "input_tokens", static_cast<lua_Integer>(out.input_tokens));
  SetInteger(L, "output_tokens", static_cast<lua_Integer>(out.output_tokens));
  SetInteger(L, "ms", static_cast<lua_Integer>(out.ms));
  SetInteger(L, "verdict_retries", static_cast<lua_Integer>(out.verdict_retries));
}

int PushResults(lua_State* L, const StepOutcome& out) {
  switch (out.kind) {
    case StepKind::kAsk: {
      PushJsonValue(L, out.verdicts.front());
      lua_createtable(L, 0, 6);
      SetFigures(L, out);
      SetString(L, "form", schema::JsonFormName(out.forms.front()));
      return 2;
    }
    case StepKind::kEach: {
      lua_createtable(L, static_cast<int>(out.verdicts.size()), 0);
      lua_Integer i = 1;
      for (const Json& v : out.verdicts) {
        PushJsonValue(L, v);
        lua_rawseti(L, -2, i++);
      }
      lua_createtable(L, 0, 7);
      SetFigures(L, out);
      SetInteger(L, "calls", static_cast<std::int64_t>(out.verdicts.size()));
      lua_createtable(L, static_cast<int>(out.forms.size()), 0);
      i = 1;
      for (const schema::JsonForm f : out.forms) {
        const std::string_view form = schema::JsonFormName(f);
        lua_pushlstring(L, form.data(), form.size());
        lua_rawseti(L, -2, i++);
      }
      lua_setfield(L, -2, "forms");
      return 2;
    }
    case StepKind::kCompare: {
      lua_pushlstring(L, out.winner.data(), out.winner.size());
      lua_createtable(L, 0, 8);
      PushJsonValue(L, out.verdicts[0]);
      lua_setfield(L, -2, "first");
      PushJsonValue(L, out.verdicts[1]);
      lua_setfield(L, -2, "second");
      lua_pushboolean(L, out.consistent ? 1 : 0);
      lua_setfield(L, -2, "consistent");
      SetFigures(L, out);
      return 2;
    }
  }
  return 0;
}

// --- Methods ----------------------------------------------------------------------------------

std::shared_ptr<const Grader> CheckGrader(lua_State* L) {
  return *static_cast<std::shared_ptr<const Grader>*>(luaL_checkudata(L, 1, kGraderType));
}

int GraderDescribe(lua_State* L) {
  const Grader& g = CheckObject<Grader>(L, 1, kGraderType);
  lua_pushlstring(L, g.description.data(), g.description.size());
  return 1;
}

// Checks the sample (arg 2) and vars (arg vars_arg) arguments; returns vars' index or 0.
int CheckSampleAndVars(lua_State* L, int vars_arg) {
  luaL_checktype(L, 2, LUA_TTABLE);
  if (lua_isnoneornil(L, vars_arg)) return 0;
  luaL_checktype(L, vars_arg, LUA_TTABLE);
  return vars_arg;
}

// The text of an item (or of compare's a and b): a string as it is, anything else as JSON.
bool ItemText(lua_State* L, int idx, std::string& out, std::string& error) {
  if (lua_isnil(L, idx)) {
    error = "is nil";
    return false;
  }
  if (!AppendValue(L, idx, out, error)) {
    error = "cannot be written as text: " + error;
    return false;
  }
  return true;
}

// The sample's AsyncCompleter, as the step's report: the outcome becomes the Lua results.
class CompleterReport final : public StepReport {
 public:
  explicit CompleterReport(AsyncCompleter done) : done_(std::move(done)) {}
  void AddUsage(std::string_view name, double value) override { done_.AddUsage(name, value); }
  void AddJudgement(Json judgement) override { done_.AddJudgement(std::move(judgement)); }
  void Fail(std::string message, ErrorKind kind) override { done_.Fail(std::move(message), kind); }
  void Complete(StepOutcome outcome) override {
    // It holds no completer, so a result left undelivered in a stopped worker's queue frees
    // everything.
    auto out = std::make_shared<const StepOutcome>(std::move(outcome));
    done_.Complete([out](lua_State* L) { return PushResults(L, *out); });
  }
  bool cancelled() const override { return done_.cancelled(); }
  Clock::time_point deadline() const override { return done_.deadline(); }

 private:
  AsyncCompleter done_;
};

// Builds a step of one call per overlay, with the requests ready. Returns null with `error` set
// (a rubric error) when a template cannot be filled in.
std::shared_ptr<Step> BuildStep(lua_State* L, StepKind kind, const char* fn, std::shared_ptr<const Grader> grader,
                                int vars_idx, const std::vector<Overlay>& overlays, std::string& error) {
  const Grader& g = *grader;
  auto step = std::make_shared<Step>(kind, fn, std::move(grader));
  for (const Overlay& overlay : overlays) {
    std::string system, user;
    if (g.system && !Render(L, *g.system, 2, vars_idx, overlay, system, error)) return nullptr;
    if (!Render(L, g.prompt, 2, vars_idx, overlay, user, error)) return nullptr;
    error = step->AddCall(std::move(system), std::move(user));
    if (!error.empty()) return nullptr;
  }
  return step;
}

// Shared tail of ask, ask_each and compare: raises on a build error, else starts the calls.
int Run(lua_State* L, const char* fn, StepKind kind, int vars_idx, std::vector<Overlay>& overlays) {
  if (!ScoringSample(L)) luaL_error(L, "%s: judge calls run only inside a step, while a sample is scored", fn);
  const JudgeModule* module = ModuleOf(L);
  if (module == nullptr) luaL_error(L, "%s: the gavel.judge module is not open in this state", fn);
  std::shared_ptr<Step> step;
  // A template that cannot be filled in is the rubric's mistake; an endpoint that cannot be
  // reached, the judge's; out of memory, a limit (Guard, gavel/lua_support.h).
  ErrorKind kind_of_error = ErrorKind::kBadRubric;
  {
    std::string error;
    const bool built = Guard(L, fn, kind_of_error, [&] {
      step = BuildStep(L, kind, fn, CheckGrader(L), vars_idx, overlays, error);
      if (step && !module->options().canned_verdicts) {
        Result<Transport*> transport = module->OpenTransport();
        if (transport) {
          step->UseTransport(*transport);
        } else {
          error = transport.error().message();
          kind_of_error = ErrorKind::kJudgeUnavailable;
          step.reset();
        }
      }
    });
    if (!built) step.reset();
    overlays.clear();
    if (built && !step) PushMessage(L, fn, error);
  }
  if (!step) RaiseTop(L, kind_of_error);
  return SuspendForAsync(L, [step](AsyncCompleter done) { step->Start(std::make_unique<CompleterReport>(done)); });
}

int GraderAsk(lua_State* L) {
  CheckGrader(L);
  const int vars_idx = CheckSampleAndVars(L, 3);
  std::vector<Overlay> overlays(1);
  return Run(L, "grader:ask", StepKind::kAsk, vars_idx, overlays);
}

int GraderAskEach(lua_State* L) {
  CheckGrader(L);
  luaL_checktype(L, 2, LUA_TTABLE);
  luaL_checktype(L, 3, LUA_TTABLE);
  SeeThrough(L, 3);
  const int vars_idx = lua_isnoneornil(L, 4) ? 0 : (luaL_checktype(L, 4, LUA_TTABLE), 4);
  const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, 3));
  if (n > kMaxItems) {
    luaL_error(L, "grader:ask_each: at most %d items (got %d)", static_cast<int>(kMaxItems), static_cast<int>(n));
  }
  if (n == 0) {
    lua_newtable(L);
    lua_createtable(L, 0, 7);
    for (const char* key : {"calls", "attempts", "input_tokens", "output_tokens", "ms", "verdict_retries"}) {
      lua_pushinteger(L, 0);
      lua_setfield(L, -2, key);
    }
    lua_newtable(L);
    lua_setfield(L, -2, "forms");
    return 2;
  }
  std::vector<Overlay> overlays;
  {
    std::string error;
    lua_Integer bad = 0;
    overlays.resize(static_cast<std::size_t>(n));
    for (lua_Integer i = 1; i <= n && bad == 0; ++i) {
      lua_rawgeti(L, 3, i);
      std::string text;
      if (ItemText(L, -1, text, error)) {
        Overlay& o = overlays[static_cast<std::size_t>(i - 1)];
        o.values.emplace_back("item", std::move(text));
        o.values.emplace_back("index", std::to_string(i));
      } else {
        bad = i;
      }
      lua_pop(L, 1);
    }
    if (bad != 0) {
      PushMessage(L, "grader:ask_each", "items[" + std::to_string(bad) + "] " + error);
      overlays.clear();
    }
  }
  if (overlays.empty()) return lua_error(L);
  return Run(L, "grader:ask_each", StepKind::kEach, vars_idx, overlays);
}

int GraderCompare(lua_State* L) {
  const std::shared_ptr<const Grader> g = CheckGrader(L);
  luaL_checktype(L, 2, LUA_TTABLE);
  luaL_checkany(L, 3);
  luaL_checkany(L, 4);
  const int vars_idx = lua_isnoneornil(L, 5) ? 0 : (luaL_checktype(L, 5, LUA_TTABLE), 5);
  std::vector<Overlay> overlays;
  {
    std::string a, b, error;
    const char* which = nullptr;
    if (!g->compare_problem.empty()) {
      error = "the verdict schema " + g->schema_name + " cannot judge a comparison (it needs a required string "
              "\"winner\" of \"A\", \"B\" or \"tie\"): " + g->compare_problem;
    } else if (!ItemText(L, 3, a, error)) {
      which = "a ";
    } else if (!ItemText(L, 4, b, error)) {
      which = "b ";
    }
    if (error.empty()) {
      overlays.resize(2);
      overlays[0].values.emplace_back("a", a);
      overlays[0].values.emplace_back("b", b);
      overlays[1].values.emplace_back("a", std::move(b));
      overlays[1].values.emplace_back("b", std::move(a));
    } else {
      PushMessage(L, "grader:compare", (which != nullptr ? std::string(which) : std::string()) + error);
    }
  }
  if (overlays.empty()) return lua_error(L);
  return Run(L, "grader:compare", StepKind::kCompare, vars_idx, overlays);
}

const luaL_Reg kFunctions[] = {
    {"new", New},
    {nullptr, nullptr},
};

void JudgeModule::Open(lua_State* L) const {
  lua_pushlightuserdata(L, const_cast<JudgeModule*>(this));
  lua_setfield(L, LUA_REGISTRYINDEX, kModuleKey);
  luaL_newlib(L, kFunctions);
}

Result<ReplyCache*> JudgeModule::Cache() const {
  if (options_.cache_file.empty()) return static_cast<ReplyCache*>(nullptr);
  std::lock_guard<std::mutex> lock(mutex_);
  if (cache_) return cache_.get();
  Result<std::unique_ptr<ReplyCache>> cache = ReplyCache::Open(options_.cache_file);
  if (!cache) return cache.error();
  cache_ = std::move(*cache);
  return cache_.get();
}

Result<Transport*> JudgeModule::OpenTransport() const {
  Status started;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!client_) {
      ClientOptions client_options;
      if (options_.window != 0) client_options.concurrency.max_in_flight = options_.window;
      Result<std::unique_ptr<HttpClient>> client = HttpClient::Create(client_options);
      if (client) {
        client_ = std::move(*client);
      } else {
        started = client.error();
      }
    }
  }
  Result<ReplyCache*> cache = Cache();
  if (!cache) return cache.error();
  if (!started) {
    return Error(ErrorKind::kJudgeUnavailable, "the judge client could not start: " + started.error().message());
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (!transport_) transport_ = std::make_unique<ClientTransport>(*client_, *cache);
  return static_cast<Transport*>(transport_.get());
}

}  // namespace

std::unique_ptr<gavel::Plugin> MakeModule(Options options) {
  return std::make_unique<JudgeModule>(std::move(options));
}

}  // namespace gavel::judge
