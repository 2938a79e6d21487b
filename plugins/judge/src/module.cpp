// The Lua module `gavel.judge`: judge.new compiles a grader once per rubric (prompt templates,
// verdict schema, judge URL); grader:ask, grader:ask_each and grader:compare fill the templates
// on the worker thread, suspend the sample, and send the calls through the module's one
// HttpClient. Each reply is read, its JSON extracted and validated on the client thread (with
// one new call for an unusable verdict); the Lua results are built on the worker thread when
// the last call of the step ends.
#include "gavel/judge/module.h"

#include <algorithm>
#include <cctype>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <sstream>
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
#include "gavel/judge/verdict_generator.h"
#include "gavel/lua_support.h"
#include "gavel/plugin.h"
#include "gavel/schema/extract.h"
#include "gavel/schema/schema.h"
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
// Seeds tried for a canned verdict that fits the schema (the generator skips `pattern` and the like).
constexpr std::uint64_t kCannedSeeds = 16;
// Verdicts deeper than this are unusable: the engine converts JSON to Lua only down to 64 levels.
constexpr std::size_t kMaxVerdictDepth = 64;
constexpr std::uintmax_t kMaxTemplateBytes = std::uintmax_t{1} << 20;
constexpr std::uintmax_t kMaxSchemaBytes = std::uintmax_t{8} << 20;
constexpr lua_Integer kMaxItems = 10000;
// The request bodies of one step together: C++ memory the sandbox's allocator does not count.
constexpr std::size_t kMaxStepBytes = std::size_t{64} << 20;
constexpr lua_Integer kMaxTokensLimit = 1000000;
constexpr lua_Integer kMaxTimeoutMs = 86400000;
// How close to the sample's deadline a call that ran out of time is left for the engine to end.
constexpr std::chrono::milliseconds kDeadlineSlack{100};

class JudgeModule;

// A compiled grader, shared (immutable) by every Lua state of one rubric and by the calls in
// flight. It does not reach the HTTP client (the state's module does), so the last reference
// may go on any thread.
// One dimension of a verdict, read off the verdict schema: a bounded number is a scale, a
// boolean or a "pass"/"fail" enum is pass/fail, any other enum of strings is a category.
struct Dimension {
  enum class Kind { kScale, kBinary, kCategory };
  std::string name;
  Kind kind = Kind::kScale;
  double min = 0, max = 0;  // kScale
};

struct Grader {
  ProviderConfig config;  // holds credentials: never printed
  std::string name;       // in judgements: the option `name`, else the prompt file's stem
  std::vector<Dimension> dimensions;
  std::string rationale_field;  // the verdict's free-text property, if it has one
  std::string description;
  Template prompt;
  std::optional<Template> system;
  Json schema_document;  // sent as the structured-output schema
  std::shared_ptr<const schema::Schema> schema;
  std::string schema_name;  // the file, relative to the data root
  double temperature = 0;
  int max_tokens = 1024;
  std::chrono::milliseconds timeout{60000};
  std::chrono::milliseconds attempt_timeout{0};  // 0: the client's
  std::optional<Prices> prices;
  std::function<Status(HttpRequest&)> prepare;
  std::string compare_problem;  // why compare cannot use the schema; empty when it can
};

class JudgeModule final : public Plugin {
 public:
  explicit JudgeModule(Options options) : options_(std::move(options)) {}
  std::string_view name() const override { return "gavel.judge"; }
  void Open(lua_State* L) const override;
  // The module's client, created on first use; every grader of every rubric shares it.
  Result<HttpClient*> Client() const;
  // The reply cache, opened on first use; null when the module has none.
  Result<ReplyCache*> Cache() const;
  const Options& options() const { return options_; }

 private:
  Options options_;
  mutable std::mutex mutex_;
  mutable std::unique_ptr<HttpClient> client_;
  mutable std::unique_ptr<ReplyCache> cache_;
};

// --- Small helpers ----------------------------------------------------------------------------

// The module object that opened gavel.judge in L's state, or null.
const JudgeModule* ModuleOf(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kModuleKey);
  const auto* module = static_cast<const JudgeModule*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return module;
}

// "http://user:secret@host/v1 ..." without "user:secret@": a description never shows a password.
bool ValidGraderName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
  });
}

std::string WithoutUserInfo(std::string text) {
  const std::size_t scheme = text.find("://");
  if (scheme == std::string::npos) return text;
  const std::size_t host = scheme + 3;
  const std::size_t end = text.find_first_of("/ ", host);
  const std::size_t at = text.rfind('@', end == std::string::npos ? std::string::npos : end);
  if (at != std::string::npos && at >= host) text.erase(host, at + 1 - host);
  return text;
}

Result<std::string> ReadFile(const fs::path& file, const std::string& name, std::uintmax_t max_bytes) {
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec) return Error(ErrorKind::kBadRubric, name + ": cannot read: " + ec.message());
  if (size > max_bytes) {
    return Error(ErrorKind::kBadRubric, name + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return Error(ErrorKind::kBadRubric, name + ": cannot read");
  return text;
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

// A "$ref" to another document cannot be sent to the judge: the schema must stand alone.
std::string ExternalRef(const Json& value, int depth = 0) {
  if (depth > 256) return {};
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (it.key() == "$ref" && it.value().is_string()) {
        const auto& ref = it.value().get_ref<const std::string&>();
        if (!ref.starts_with("#")) return ref;
      }
      std::string found = ExternalRef(it.value(), depth + 1);
      if (!found.empty()) return found;
    }
  } else if (value.is_array()) {
    for (const Json& item : value) {
      std::string found = ExternalRef(item, depth + 1);
      if (!found.empty()) return found;
    }
  }
  return {};
}

// Why grader:compare cannot use this verdict schema, or "" when it can. What cannot be seen
// here (a "winner" behind a $ref, a schema without an enum) is checked on every verdict.
std::string CompareProblem(const Json& doc) {
  const auto allowed = [](const Json& v) { return v == "A" || v == "B" || v == "tie"; };
  if (!doc.is_object()) return "the schema is not an object";
  const auto props = doc.find("properties");
  if (props == doc.end() || !props->is_object() || !props->contains("winner")) {
    return "it has no property \"winner\"";
  }
  const auto required = doc.find("required");
  if (required == doc.end() || !required->is_array() ||
      std::find(required->begin(), required->end(), Json("winner")) == required->end()) {
    return "it does not require \"winner\"";
  }
  const Json& winner = (*props)["winner"];
  if (!winner.is_object()) return {};
  if (const auto e = winner.find("enum"); e != winner.end() && e->is_array()) {
    for (const Json& v : *e) {
      if (!allowed(v)) return "\"winner\" may be " + v.dump() + ", not only \"A\", \"B\" or \"tie\"";
    }
  }
  if (const auto c = winner.find("const"); c != winner.end() && !allowed(*c)) {
    return "\"winner\" must be " + c->dump() + ", not \"A\", \"B\" or \"tie\"";
  }
  if (const auto t = winner.find("type"); t != winner.end() && t->is_string() && *t != "string") {
    return "\"winner\" is not a string";
  }
  return {};
}

// The dimensions of a verdict schema's top-level properties, in the schema's order of
// "required" first, then the others by name.
std::vector<Dimension> Dimensions(const Json& doc) {
  std::vector<Dimension> out;
  if (!doc.is_object()) return out;
  const auto props = doc.find("properties");
  if (props == doc.end() || !props->is_object()) return out;
  std::vector<std::string> names;
  if (const auto req = doc.find("required"); req != doc.end() && req->is_array()) {
    for (const Json& n : *req) {
      if (n.is_string() && props->contains(n.get<std::string>())) names.push_back(n.get<std::string>());
    }
  }
  for (const auto& [name, unused] : props->items()) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  for (const std::string& name : names) {
    const Json& p = (*props)[name];
    if (!p.is_object()) continue;
    const auto type = p.find("type");
    const std::string t = type != p.end() && type->is_string() ? type->get<std::string>() : "";
    Dimension d;
    d.name = name;
    if (const auto e = p.find("enum"); e != p.end() && e->is_array() && !e->empty()) {
      bool strings = true;
      for (const Json& v : *e) strings = strings && v.is_string();
      if (!strings) continue;
      const bool pass_fail = std::find(e->begin(), e->end(), Json("pass")) != e->end() &&
                             std::find(e->begin(), e->end(), Json("fail")) != e->end();
      d.kind = pass_fail ? Dimension::Kind::kBinary : Dimension::Kind::kCategory;
    } else if (t == "boolean") {
      d.kind = Dimension::Kind::kBinary;
    } else if ((t == "integer" || t == "number") && p.contains("minimum") && p.contains("maximum") &&
               p["minimum"].is_number() && p["maximum"].is_number()) {
      d.kind = Dimension::Kind::kScale;
      d.min = p["minimum"].get<double>();
      d.max = p["maximum"].get<double>();
    } else {
      continue;
    }
    out.push_back(std::move(d));
  }
  return out;
}

// The verdict's free-text property: "rationale", "reason" or "explanation", if it has one.
std::string RationaleField(const Json& doc) {
  const auto props = doc.is_object() ? doc.find("properties") : doc.end();
  if (props == doc.end() || !props->is_object()) return {};
  for (const char* name : {"rationale", "reason", "reasoning", "explanation"}) {
    if (props->contains(name)) return name;
  }
  return {};
}

struct NewOptions {
  std::string name;
  std::string url;
  fs::path prompt, system, verdict;  // canonical; system may be empty
  double temperature = 0;
  int max_tokens = 1024;
  std::chrono::milliseconds timeout{60000};
  std::chrono::milliseconds attempt_timeout{0};
  std::optional<Prices> prices;
};

std::string RelativeName(const fs::path& file, const fs::path& root) {
  return file.lexically_relative(root).generic_string();
}

Result<std::shared_ptr<const Grader>> MakeGrader(const NewOptions& o, const fs::path& root) {
  auto grader = std::make_shared<Grader>();
  Result<ProviderConfig> config = ParseJudgeUrl(o.url);
  if (!config) return config.error();
  grader->config = std::move(*config);
  grader->name = o.name.empty() ? o.prompt.stem().string() : o.name;
  grader->description = WithoutUserInfo(Describe(grader->config));
  grader->prepare = Prepare(grader->config);
  grader->temperature = o.temperature;
  grader->max_tokens = o.max_tokens;
  grader->timeout = o.timeout;
  grader->attempt_timeout = o.attempt_timeout;
  grader->prices = o.prices;

  auto load_template = [&](const fs::path& file) -> Result<Template> {
    const std::string name = RelativeName(file, root);
    Result<std::string> text = ReadFile(file, name, kMaxTemplateBytes);
    if (!text) return text.error();
    return Template::Parse(*text, name);
  };
  Result<Template> prompt = load_template(o.prompt);
  if (!prompt) return prompt.error();
  grader->prompt = std::move(*prompt);
  if (!o.system.empty()) {
    Result<Template> system = load_template(o.system);
    if (!system) return system.error();
    grader->system = std::move(*system);
  }

  std::string prefix = root.string();
  if (prefix.empty() || prefix.back() != '/') prefix += '/';
  grader->schema_name = RelativeName(o.verdict, root);
  Result<std::shared_ptr<const schema::Schema>> compiled = schema::Schema::LoadFile(o.verdict, root);
  if (!compiled) {
    std::string message = compiled.error().message();
    for (std::size_t at = message.find(prefix); at != std::string::npos; at = message.find(prefix, at)) {
      message.erase(at, prefix.size());
    }
    return Error(ErrorKind::kBadRubric, std::move(message));
  }
  grader->schema = std::move(*compiled);
  Result<std::string> text = ReadFile(o.verdict, grader->schema_name, kMaxSchemaBytes);
  if (!text) return text.error();
  grader->schema_document = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (grader->schema_document.is_discarded()) {
    return Error(ErrorKind::kBadRubric, grader->schema_name + ": not valid JSON");
  }
  if (std::string ref = ExternalRef(grader->schema_document); !ref.empty()) {
    return Error(ErrorKind::kBadRubric,
                 grader->schema_name + ": \"$ref\": \"" + Printable(ref, 80) +
                     "\" names another file; the verdict schema is sent to the judge and must stand alone");
  }
  grader->compare_problem = CompareProblem(grader->schema_document);
  grader->dimensions = Dimensions(grader->schema_document);
  grader->rationale_field = RationaleField(grader->schema_document);
  return std::shared_ptr<const Grader>(std::move(grader));
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
    NewOptions o;
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

// --- Filling in templates ---------------------------------------------------------------------

// Values that stand before vars for one call: item and index (ask_each), a and b (compare).
struct Overlay {
  std::vector<std::pair<std::string_view, std::string>> values;
  const std::string* Find(std::string_view key) const {
    for (const auto& [k, v] : values) {
      if (k == key) return &v;
    }
    return nullptr;
  }
};

const char* FieldName(Field field) {
  switch (field) {
    case Field::kPrompt: return "prompt";
    case Field::kAnswer: return "answer";
    case Field::kSystem: return "system";
    case Field::kReference: return "reference";
    case Field::kId: return "id";
    default: return "";
  }
}

// Appends the Lua value at idx: a string verbatim, anything else as JSON. False with `error`
// set when it cannot be written as JSON.
bool AppendValue(lua_State* L, int idx, std::string& out, std::string& error) {
  if (lua_type(L, idx) == LUA_TSTRING) {
    std::size_t len = 0;
    const char* s = lua_tolstring(L, idx, &len);
    out.append(s, len);
    return true;
  }
  Result<Json> value = LuaToJson(L, idx);
  if (!value) {
    error = value.error().message();
    return false;
  }
  out += value->dump(-1, ' ', false, Json::error_handler_t::replace);
  return true;
}

// Renders `t` for the sample table at s_idx and the vars table at vars_idx (0: none). On
// failure returns false with `error` set (the message, without the function name).
bool Render(lua_State* L, const Template& t, int s_idx, int vars_idx, const Overlay& overlay, std::string& out,
            std::string& error) {
  out.reserve(t.literal_size() + 256);
  for (const Segment& seg : t.segments()) {
    if (seg.field == Field::kLiteral) {
      out += seg.text;
      continue;
    }
    std::string missing;
    if (seg.field == Field::kVars) {
      if (const std::string* v = overlay.Find(seg.text)) {
        out += *v;
        continue;
      }
      if (vars_idx == 0) {
        lua_pushnil(L);
        missing = "no vars were given";
      } else {
        lua_getfield(L, vars_idx, seg.text.c_str());
        missing = "vars has no '" + seg.text + "'";
      }
    } else if (seg.field == Field::kMetadata) {
      lua_getfield(L, s_idx, "metadata");
      if (lua_istable(L, -1)) {
        lua_getfield(L, -1, seg.text.c_str());
        lua_remove(L, -2);
      } else {
        lua_pop(L, 1);
        lua_pushnil(L);
      }
      missing = "the sample's metadata has no '" + seg.text + "'";
    } else {
      lua_getfield(L, s_idx, FieldName(seg.field));
      missing = std::string("the sample has no ") + FieldName(seg.field);
    }
    std::string problem;
    if (lua_isnil(L, -1)) {
      problem = "has no value: " + missing;
    } else if (!AppendValue(L, -1, out, problem)) {
      problem = "cannot be written as text: " + problem;
    }
    lua_pop(L, 1);
    if (!problem.empty()) {
      error = seg.placeholder + " (" + t.name() + ":" + std::to_string(seg.line) + ") " + problem;
      return false;
    }
  }
  return true;
}

// --- Calls in flight --------------------------------------------------------------------------

enum class JobKind { kAsk, kEach, kCompare };

// One judge call of a step, and what came of it.
struct Slot {
  HttpRequest request;  // not yet signed; kept for the verdict retry
  std::size_t estimated_tokens = 0;
  Json verdict;
  schema::JsonForm form = schema::JsonForm::kBare;
  std::string winner;  // compare: "A", "B" or "tie"
  std::string cache_key;  // empty: not cached
  bool sample_deadline = false;  // the call in flight ends at the sample's deadline, not its own
  int attempts = 0;
  int calls = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
};

// One step: its calls in flight at once. Slots are written on the client thread only, and read
// by the push function after the last call ended (the completer's queue orders the two).
struct Job {
  JobKind kind = JobKind::kAsk;
  const char* fn = "grader:ask";
  std::shared_ptr<const Grader> grader;
  HttpClient* client = nullptr;
  ReplyCache* cache = nullptr;  // null: no cache
  bool canned = false;          // answered here (ModuleOptions::canned_verdicts), never sent
  std::vector<Slot> slots;
  std::optional<AsyncCompleter> completer;  // set before the first call is submitted
  std::atomic<std::size_t> remaining{0};
  std::atomic<bool> failed{false};
  Clock::time_point started;
};

// What the Lua results are built from. It holds no completer, so a result left undelivered in a
// stopped worker's queue frees everything.
struct Outcome {
  JobKind kind = JobKind::kAsk;
  std::vector<Json> verdicts;
  std::vector<schema::JsonForm> forms;
  std::int64_t attempts = 0, input_tokens = 0, output_tokens = 0, verdict_retries = 0, ms = 0;
  std::string winner;  // compare: "a", "b" or "tie"
  bool consistent = false;
};

void SubmitCall(const std::shared_ptr<Job>& job, std::size_t i);

// Why a reply gives no usable verdict, or "" with the slot's verdict filled in.
// `usage` gets the reply's token counts (zero when it cannot be read).
std::string VerdictFromText(const Grader& g, JobKind kind, std::string_view text, Slot& slot);

std::string ReadVerdict(const Grader& g, JobKind kind, std::string_view body, Slot& slot, JudgeReply& usage) {
  Result<JudgeReply> reply = ParseReply(g.config.kind, body);
  if (!reply) return "the judge's reply could not be read: " + reply.error().message();
  usage.input_tokens = reply->input_tokens;
  usage.output_tokens = reply->output_tokens;
  return VerdictFromText(g, kind, reply->text, slot);
}

// The verdict in a reply's text, checked against the grader's schema (and "winner" for compare).
std::string VerdictFromText(const Grader& g, JobKind kind, std::string_view text, Slot& slot) {
  schema::Extracted e = schema::ExtractJson(text, schema::ExtractOptions{.max_depth = kMaxVerdictDepth});
  if (!e.ok()) {
    return "the verdict is not JSON (" + std::string(schema::ExtractStatusName(e.status)) + "): " + e.error;
  }
  if (!g.schema->IsValid(e.value)) {
    schema::ValidationResult r = g.schema->Validate(e.value, 1);
    std::string first = r.violations.empty() ? std::string("invalid") : r.violations.front().ToString();
    return "the verdict does not match " + g.schema_name + ": " + first;
  }
  if (kind == JobKind::kCompare) {
    const auto w = e.value.is_object() ? e.value.find("winner") : e.value.end();
    if (w == e.value.end() || !(*w == "A" || *w == "B" || *w == "tie")) {
      return "the verdict has no \"winner\" of \"A\", \"B\" or \"tie\"";
    }
    slot.winner = w->get<std::string>();
  }
  slot.verdict = std::move(e.value);
  slot.form = e.form;
  return {};
}

std::string CallName(const Job& job, std::size_t i) {
  switch (job.kind) {
    case JobKind::kAsk: return "";
    case JobKind::kEach: return "item " + std::to_string(i + 1) + ": ";
    case JobKind::kCompare: return i == 0 ? "the first order (a, b): " : "the second order (b, a): ";
  }
  return "";
}

int PushResults(lua_State* L, const Outcome& out);

// The end of one call: the step fails with the first error, and completes with the last call.
// One verdict as a judgement (Score::judgements): its dimensions' values and its rationale.
Json JudgementOf(const Grader& grader, std::size_t item, const Json& verdict) {
  Json j = {{"judge", grader.name}, {"item", item}};
  Json dims = Json::object();
  for (const Dimension& d : grader.dimensions) {
    const auto v = verdict.is_object() ? verdict.find(d.name) : verdict.end();
    if (v == verdict.end()) continue;
    switch (d.kind) {
      case Dimension::Kind::kScale:
        if (v->is_number()) dims[d.name] = {{"value", *v}, {"min", d.min}, {"max", d.max}};
        break;
      case Dimension::Kind::kBinary:
        if (v->is_boolean()) dims[d.name] = {{"value", v->get<bool>() ? 1 : 0}, {"binary", true}};
        if (v->is_string()) dims[d.name] = {{"value", *v == "pass" ? 1 : 0}, {"binary", true}};
        break;
      case Dimension::Kind::kCategory:
        if (v->is_string()) dims[d.name] = {{"category", *v}};
        break;
    }
  }
  j["dimensions"] = std::move(dims);
  if (!grader.rationale_field.empty() && verdict.is_object()) {
    if (const auto r = verdict.find(grader.rationale_field); r != verdict.end() && r->is_string()) j["rationale"] = *r;
  }
  return j;
}

void EndSlot(const std::shared_ptr<Job>& job, std::size_t i, const std::string& error) {
  if (!error.empty() && !job->failed.exchange(true)) {
    std::string message = job->fn;
    message += ": ";
    message += CallName(*job, i);
    message += error;
    job->completer->Fail(std::move(message), ErrorKind::kJudgeUnavailable);
  }
  if (job->remaining.fetch_sub(1, std::memory_order_acq_rel) != 1 || job->failed.load()) return;
  auto out = std::make_shared<Outcome>();
  out->kind = job->kind;
  out->ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - job->started).count();
  for (Slot& s : job->slots) {
    out->verdicts.push_back(std::move(s.verdict));
    out->forms.push_back(s.form);
    out->attempts += s.attempts;
    out->input_tokens += s.input_tokens;
    out->output_tokens += s.output_tokens;
    out->verdict_retries += std::max(0, s.calls - 1);
  }
  if (job->kind != JobKind::kCompare) {
    for (std::size_t k = 0; k < out->verdicts.size(); ++k) {
      job->completer->AddJudgement(JudgementOf(*job->grader, k + 1, out->verdicts[k]));
    }
  } else {
    // The second call saw b in the A position: its "A" is a vote for b.
    const std::string& w1 = job->slots[0].winner;
    const std::string& w2 = job->slots[1].winner;
    const std::string first = w1 == "A" ? "a" : w1 == "B" ? "b" : "tie";
    const std::string second = w2 == "A" ? "b" : w2 == "B" ? "a" : "tie";
    out->consistent = first == second;
    out->winner = out->consistent ? first : "tie";
    Json judgement = {{"judge", job->grader->name}, {"item", 1}};
    judgement["dimensions"]["preference"] = {{"category", out->winner}};
    judgement["dimensions"]["position_consistent"] = {{"value", out->consistent ? 1 : 0}, {"binary", true}};
    job->completer->AddJudgement(std::move(judgement));
  }
  job->completer->Complete([out](lua_State* L) { return PushResults(L, *out); });
}

// Adds one call's figures to the sample's usage (Score::usage) and to the slot.
void CountCall(const Job& job, Slot& slot, const HttpResponse* response, const JudgeReply& reply) {
  const AsyncCompleter& done = *job.completer;
  if (response == nullptr) {
    done.AddUsage("judge.cache_hits", 1);
    return;
  }
  slot.attempts += response->attempts;
  slot.input_tokens += reply.input_tokens;
  slot.output_tokens += reply.output_tokens;
  done.AddUsage("judge.attempts", response->attempts);
  done.AddUsage("judge.retries", std::max(0, response->attempts - 1));
  if (response->throttled > 0) done.AddUsage("judge.throttled", response->throttled);
  done.AddUsage("judge.input_tokens", static_cast<double>(reply.input_tokens));
  done.AddUsage("judge.output_tokens", static_cast<double>(reply.output_tokens));
  if (const std::optional<Prices>& p = job.grader->prices) {
    done.AddUsage("judge.cost_usd", (static_cast<double>(reply.input_tokens) * p->input +
                                     static_cast<double>(reply.output_tokens) * p->output) / 1e6);
  }
}

// A reply body, from the judge (`response` set) or from the cache (`response` null).
void OnReply(const std::shared_ptr<Job>& job, std::size_t i, const HttpResponse* response, std::string_view body) {
  Slot& slot = job->slots[i];
  JudgeReply tokens;
  std::string problem = ReadVerdict(*job->grader, job->kind, body, slot, tokens);
  CountCall(*job, slot, response, tokens);
  if (problem.empty()) {
    if (response != nullptr && job->cache != nullptr && !slot.cache_key.empty()) {
      job->cache->Put(slot.cache_key, ProviderKindName(job->grader->config.kind), job->grader->config.model, body);
    }
    EndSlot(job, i, "");
  } else if (response == nullptr && !job->failed.load() && !job->completer->cancelled()) {
    // A stored reply that no longer gives a verdict (it cannot, unless the file was edited):
    // ask the judge instead.
    slot.cache_key.clear();
    SubmitCall(job, i);
  } else if (slot.calls < 2 && !job->failed.load() && !job->completer->cancelled()) {
    job->completer->AddUsage("judge.verdict_retries", 1);
    SubmitCall(job, i);  // one new call for an unusable verdict
  } else {
    EndSlot(job, i, "no usable verdict in " + std::to_string(slot.calls) + " calls: " + problem);
  }
}

void OnCallDone(const std::shared_ptr<Job>& job, std::size_t i, HttpResponse response) {
  try {
    if (!response.ok()) {
      CountCall(*job, job->slots[i], &response, JudgeReply{});
      // The sample's own deadline cut the call short and is here (the client gives up on an
      // attempt a little early, in whole milliseconds and with room for the next step): the
      // engine ends the sample within moments and says which deadline it was (error.deadline or
      // error.limit). Earlier, a retry that cannot fit fails the step at once, with its cause.
      if (response.failure == CallFailure::kDeadline && job->slots[i].sample_deadline &&
          Clock::now() + kDeadlineSlack >= job->completer->deadline()) {
        return;
      }
      EndSlot(job, i, "the judge call failed: " + response.error);
      return;
    }
    OnReply(job, i, &response, response.body);
  } catch (const std::exception& e) {
    // Out of memory on the client thread: the step fails, whatever it was.
    if (!job->failed.exchange(true)) {
      job->completer->Fail(std::string(job->fn) + ": " + e.what(), ErrorKind::kJudgeUnavailable);
    }
    job->remaining.fetch_sub(1);
  }
}

// A canned call: a verdict generated from the schema, seeded by the request, so the same
// request gets the same verdict; counted as judge.canned, not as a call.
void AnswerCanned(const std::shared_ptr<Job>& job, std::size_t i) {
  Slot& slot = job->slots[i];
  const Grader& g = *job->grader;
  job->completer->AddUsage("judge.canned", 1);
  std::string problem;
  try {
    const std::uint64_t seed = Fnv1a(slot.request.body);
    for (std::uint64_t attempt = 0; attempt < kCannedSeeds; ++attempt) {
      problem = VerdictFromText(g, job->kind, GenerateVerdict(g.schema_document, Mix(seed, attempt)).dump(), slot);
      if (problem.empty()) break;
    }
  } catch (const std::exception& e) {
    problem = e.what();
  }
  EndSlot(job, i, problem.empty() ? "" : "no canned verdict fits " + g.schema_name + ": " + problem);
}

void SubmitCall(const std::shared_ptr<Job>& job, std::size_t i) {
  if (job->canned) {
    AnswerCanned(job, i);
    return;
  }
  Slot& slot = job->slots[i];
  if (slot.calls == 0 && !slot.cache_key.empty()) {
    if (std::optional<std::string> body = job->cache->Find(slot.cache_key)) {
      OnReply(job, i, nullptr, *body);
      return;
    }
  }
  ++slot.calls;
  // Counted when sent, not when answered: a call that is still waiting when the sample's
  // deadline ends it is counted all the same (the first calls are sent before the sample waits).
  job->completer->AddUsage("judge.calls", 1);
  Call call;
  call.request = slot.request;
  // Retries end before the sample stops waiting.
  const Clock::time_point own = Clock::now() + job->grader->timeout;
  slot.sample_deadline = job->completer->deadline() < own;
  call.deadline = std::min(own, job->completer->deadline());
  call.attempt_timeout = job->grader->attempt_timeout;
  call.estimated_tokens = slot.estimated_tokens;
  call.prepare = job->grader->prepare;
  call.cancelled = [job] { return job->failed.load() || job->completer->cancelled(); };
  call.done = [job, i](HttpResponse r) { OnCallDone(job, i, std::move(r)); };
  job->client->Submit(std::move(call));
}

// --- Results ----------------------------------------------------------------------------------

void SetInteger(lua_State* L, const char* key, std::int64_t value) {
  lua_pushinteger(L, static_cast<lua_Integer>(value));
  lua_setfield(L, -2, key);
}

void SetString(lua_State* L, const char* key, std::string_view value) {
  lua_pushlstring(L, value.data(), value.size());
  lua_setfield(L, -2, key);
}

// attempts, input_tokens, output_tokens, ms and verdict_retries, summed over the calls.
void SetFigures(lua_State* L, const Outcome& out) {
  SetInteger(L, "attempts", out.attempts);
  SetInteger(L, "input_tokens", out.input_tokens);
  SetInteger(L, "output_tokens", out.output_tokens);
  SetInteger(L, "ms", out.ms);
  SetInteger(L, "verdict_retries", out.verdict_retries);
}

int PushResults(lua_State* L, const Outcome& out) {
  switch (out.kind) {
    case JobKind::kAsk: {
      PushJsonValue(L, out.verdicts.front());
      lua_createtable(L, 0, 6);
      SetFigures(L, out);
      SetString(L, "form", schema::JsonFormName(out.forms.front()));
      return 2;
    }
    case JobKind::kEach: {
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
    case JobKind::kCompare: {
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

// Builds a job of one call per overlay, with the requests ready. Returns null with the message
// (a rubric error) pushed when a template cannot be filled in.
std::shared_ptr<Job> BuildJob(lua_State* L, JobKind kind, const char* fn, std::shared_ptr<const Grader> grader,
                              int vars_idx, const std::vector<Overlay>& overlays, std::string& error) {
  auto job = std::make_shared<Job>();
  job->kind = kind;
  job->fn = fn;
  job->grader = std::move(grader);
  const Grader& g = *job->grader;
  job->slots.resize(overlays.size());
  std::size_t total = 0;
  for (std::size_t i = 0; i < overlays.size(); ++i) {
    JudgeRequest request;
    if (g.system && !Render(L, *g.system, 2, vars_idx, overlays[i], request.system, error)) return nullptr;
    if (!Render(L, g.prompt, 2, vars_idx, overlays[i], request.user, error)) return nullptr;
    request.schema = g.schema_document;
    request.temperature = g.temperature;
    request.max_tokens = g.max_tokens;
    Result<HttpRequest> http = BuildRequest(g.config, request);
    if (!http) {
      error = http.error().message();
      return nullptr;
    }
    total += http->body.size();
    if (total > kMaxStepBytes) {
      error = "the requests of this step would take more than " + std::to_string(kMaxStepBytes >> 20) + " MiB";
      return nullptr;
    }
    job->slots[i].estimated_tokens = (request.system.size() + request.user.size()) / 4 + static_cast<std::size_t>(g.max_tokens);
    job->slots[i].request = std::move(*http);
  }
  return job;
}

// Shared tail of ask, ask_each and compare: raises on a build error, else starts the calls.
int Run(lua_State* L, const char* fn, JobKind kind, int vars_idx, std::vector<Overlay>& overlays) {
  if (!ScoringSample(L)) luaL_error(L, "%s: judge calls run only inside a step, while a sample is scored", fn);
  const JudgeModule* module = ModuleOf(L);
  if (module == nullptr) luaL_error(L, "%s: the gavel.judge module is not open in this state", fn);
  std::shared_ptr<Job> job;
  ErrorKind kind_of_error = ErrorKind::kBadRubric;
  {
    std::string error;
    try {
      job = BuildJob(L, kind, fn, CheckGrader(L), vars_idx, overlays, error);
      if (job && module->options().canned_verdicts) {
        job->canned = true;
      } else if (job) {
        Result<HttpClient*> client = module->Client();
        Result<ReplyCache*> cache = module->Cache();
        if (client && cache) {
          job->client = *client;
          job->cache = *cache;
          if (job->cache != nullptr) {
            const Grader& g = *job->grader;
            for (Slot& slot : job->slots) {
              slot.cache_key = job->cache->KeyFor(ProviderKindName(g.config.kind), g.config.model, slot.request);
            }
          }
        } else if (!cache) {
          error = cache.error().message();
          kind_of_error = ErrorKind::kJudgeUnavailable;
          job.reset();
        } else {
          error = "the judge client could not start: " + client.error().message();
          kind_of_error = ErrorKind::kJudgeUnavailable;
          job.reset();
        }
      }
    } catch (const std::bad_alloc&) {
      error = "out of memory";
      kind_of_error = ErrorKind::kPlugin;
      job.reset();
    } catch (const std::exception& e) {
      error = e.what();
      kind_of_error = ErrorKind::kPlugin;
      job.reset();
    }
    overlays.clear();
    if (!job) PushMessage(L, fn, error);
  }
  if (!job) {
    if (kind_of_error == ErrorKind::kBadRubric) return lua_error(L);
    RaiseError(L, kind_of_error, lua_tostring(L, -1));
  }
  job->remaining.store(job->slots.size());
  return SuspendForAsync(L, [job](AsyncCompleter done) {
    job->completer.emplace(done);
    job->started = Clock::now();
    for (std::size_t i = 0; i < job->slots.size(); ++i) SubmitCall(job, i);
  });
}

int GraderAsk(lua_State* L) {
  CheckGrader(L);
  const int vars_idx = CheckSampleAndVars(L, 3);
  std::vector<Overlay> overlays(1);
  return Run(L, "grader:ask", JobKind::kAsk, vars_idx, overlays);
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
  return Run(L, "grader:ask_each", JobKind::kEach, vars_idx, overlays);
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
  return Run(L, "grader:compare", JobKind::kCompare, vars_idx, overlays);
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

Result<HttpClient*> JudgeModule::Client() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (client_) return client_.get();
  ClientOptions client_options;
  if (options_.window != 0) client_options.concurrency.max_in_flight = options_.window;
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Create(client_options);
  if (!client) return client.error();
  client_ = std::move(*client);
  return client_.get();
}

}  // namespace

std::unique_ptr<gavel::Plugin> MakeModule(Options options) {
  return std::make_unique<JudgeModule>(std::move(options));
}

}  // namespace gavel::judge
