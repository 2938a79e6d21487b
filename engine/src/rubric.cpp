#include "gavel/rubric.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>

#include "lua_convert.h"
#include "rubric_loader.h"

namespace gavel {
namespace detail {

extern const std::string_view kPreludeLua;

namespace {

// The names of the steps in the rubric's list `field`; adds each step's `measures` to `measures`.
std::vector<std::string> StepNames(lua_State* L, int rubric, const char* field,
                                   std::map<std::string, std::string>& measures) {
  std::vector<std::string> names;
  lua_getfield(L, rubric, field);
  const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, -1));
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_rawgeti(L, -1, i);
    lua_getfield(L, -1, "name");
    names.emplace_back(lua_tostring(L, -1));
    lua_getfield(L, -2, "measures");
    if (const char* what = lua_tostring(L, -1)) measures[names.back()] = what;
    lua_pop(L, 3);
  }
  lua_pop(L, 1);
  return names;
}

double NumberField(lua_State* L, int table, const char* field, double fallback) {
  lua_getfield(L, table, field);
  const double v = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : fallback;
  lua_pop(L, 1);
  return v;
}

// A limit of the rubric, or nullopt when it is not a number > 0. The prelude checked it when
// `rubric { ... }` ran, but the file may change the returned table (or its limits table) before
// returning it, so it is checked again where it is converted. Values above `max` saturate: a
// conversion of an out-of-range double to an integer would be undefined.
std::optional<double> LimitField(lua_State* L, int table, const char* field, double fallback, double max) {
  const double v = NumberField(L, table, field, fallback);
  if (!std::isfinite(v) || !(v > 0)) return std::nullopt;
  return std::min(v, max);
}

// The line of the file's `return rubric {`: Lua loses the caller's line for errors raised in
// a tail call, and `return rubric { ... }` is one, so the loader finds it in the source.
int ReturnRubricLine(const std::string& source) {
  int line = 1, found = 0;
  std::size_t start = 0;
  while (start <= source.size()) {
    std::size_t end = source.find('\n', start);
    if (end == std::string::npos) end = source.size();
    const std::string_view text(source.data() + start, end - start);
    const std::size_t ret = text.find("return");
    if (ret != std::string_view::npos && text.find_first_not_of(" \t") == ret) {
      const std::size_t word = text.find_first_not_of(" \t", ret + 6);
      if (word != std::string_view::npos && text.substr(word, 6) == "rubric") found = line;
    }
    start = end + 1;
    ++line;
  }
  return found;
}

// The file a message starts with ("<file>:<line>: ..."), or "" when it names no .lua file.
std::string LeadingFile(const std::string& message) {
  const std::size_t colon = message.find(".lua:");
  if (colon == std::string::npos) return {};
  const std::size_t digits = colon + 5;
  std::size_t end = digits;
  while (end < message.size() && message[end] >= '0' && message[end] <= '9') ++end;
  if (end == digits || end >= message.size() || message[end] != ':') return {};
  return message.substr(0, colon + 4);
}

// Gives a message from loading the rubric its files named whole, once: the rubric's chunk name
// becomes `display_name`, a helper's root-relative one its path under the root, and a message
// that names no file gets the rubric's file and the line of its `return rubric {`.
std::string Locate(const std::string& display_name, const std::string& chunk, const std::filesystem::path& root,
                   const std::string& source, std::string message) {
  if (message.rfind(display_name + ":", 0) == 0) return message;
  if (const std::string file = LeadingFile(message); !file.empty()) {
    if (file == chunk) return display_name + message.substr(file.size());
    std::error_code ec;
    const std::filesystem::path named(file);
    if (named.is_relative() && std::filesystem::is_regular_file(root / named, ec)) {
      return (root / named).string() + message.substr(file.size());
    }
    if (std::filesystem::is_regular_file(named, ec)) return message;
  }
  const int line = ReturnRubricLine(source);
  if (line == 0) return display_name + ": " + message;
  return display_name + ":" + std::to_string(line) + ": " + message;
}

}  // namespace

std::string ChunkName(const std::filesystem::path& file, const std::filesystem::path& root) {
  constexpr std::size_t kWhole = LUA_IDSIZE - 1;  // Lua keeps chunk names up to this length whole
  std::string name = file.string();
  if (name.size() <= kWhole) return name;
  std::error_code ec;
  const std::filesystem::path canonical_root = std::filesystem::weakly_canonical(root, ec);
  const std::filesystem::path canonical_file = std::filesystem::weakly_canonical(file, ec);
  const std::filesystem::path rel = canonical_file.lexically_relative(canonical_root);
  if (!ec && !rel.empty() && *rel.begin() != ".." && rel.string().size() <= kWhole) return rel.string();
  return name;
}

Result<RubricInfo> LoadRubricInto(LuaSandbox& sandbox, const std::string& display_name,
                                  const std::string& source, const RubricLimits& load_limits) {
  Budget budget;
  budget.limits = load_limits;
  budget.deadline = Clock::now() + load_limits.time;
  StateContext& ctx = sandbox.context();
  const std::string chunk = ChunkName(display_name, ctx.root);
  sandbox.Activate(&budget);
  RubricInfo info;
  std::string failure;
  Status st = sandbox.Protected(
      [&](lua_State* L) {
        if (luaL_loadbufferx(L, kPreludeLua.data(), kPreludeLua.size(), "=gavel", "t") != LUA_OK) {
          lua_error(L);
        }
        lua_call(L, PushPreludeFunctions(L), 1);
        const int prelude = lua_gettop(L);

        // Built with append: GCC 12 at -O3 warns falsely (-Wrestrict) on "@" + string.
        std::string at = "@";
        at += chunk;
        if (luaL_loadbufferx(L, source.data(), source.size(), at.c_str(), "t") != LUA_OK) {
          lua_error(L);
        }
        lua_call(L, 0, 1);
        lua_getfield(L, prelude, "accept");
        lua_insert(L, -2);
        lua_call(L, 1, 2);
        if (lua_isnil(L, -2)) {
          failure = display_name + ": " + ErrorMessage(L, -1);
          return;
        }
        lua_pop(L, 1);
        const int rubric = lua_gettop(L);

        const char* name = (lua_getfield(L, rubric, "name"), lua_tostring(L, -1));
        info.name = name != nullptr ? name : "";
        lua_pop(L, 1);
        info.neutral = NumberField(L, rubric, "neutral", 0.5);
        if (!std::isfinite(info.neutral)) {
          failure = display_name + ": rubric: 'neutral' must be a finite number";
          return;
        }
        lua_getfield(L, rubric, "limits");
        const int limits = lua_gettop(L);
        RubricLimits defaults;
        // Maxima far beyond any real budget that keep the conversions below, and a deadline of
        // now + time, inside their integer types: 2^42 MiB, 2^63 instructions, about 31 years.
        const std::optional<double> memory_mb = LimitField(
            L, limits, "memory_mb", static_cast<double>(defaults.memory_bytes >> 20), 4398046511104.0);
        const std::optional<double> instructions = LimitField(
            L, limits, "instructions", static_cast<double>(defaults.instructions), 9223372036854775808.0);
        const std::optional<double> time_ms =
            LimitField(L, limits, "time_ms", static_cast<double>(defaults.time.count()), 1e12);
        if (!memory_mb || !instructions || !time_ms) {
          failure = display_name + ": rubric: limit '" +
                    (!memory_mb ? "memory_mb" : !instructions ? "instructions" : "time_ms") +
                    "' must be a number > 0";
          return;
        }
        info.limits.memory_bytes = static_cast<std::size_t>(*memory_mb * 1048576.0);
        info.limits.instructions = static_cast<std::uint64_t>(*instructions);
        info.limits.time = std::chrono::milliseconds(static_cast<std::int64_t>(*time_ms));
        lua_pop(L, 1);
        info.gates = StepNames(L, rubric, "gates", info.measures);
        info.checks = StepNames(L, rubric, "checks", info.measures);
        info.judges = StepNames(L, rubric, "judges", info.measures);

        lua_getfield(L, prelude, "run");
        ctx.runner_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_pushvalue(L, rubric);
        ctx.rubric_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_settop(L, prelude - 1);
      },
      ErrorKind::kBadRubric, &budget);
  sandbox.Activate(nullptr);
  if (!st) {
    if (st.error().kind() == ErrorKind::kLimit) {
      return Error(ErrorKind::kBadRubric, display_name + ": loading the rubric hit a limit: " + st.error().message());
    }
    return Error(ErrorKind::kBadRubric, Locate(display_name, chunk, ctx.root, source, st.error().message()));
  }
  if (!failure.empty()) return Error(ErrorKind::kBadRubric, failure);
  if (Status locked = sandbox.LockGlobals(); !locked) return locked.error();
  return info;
}

}  // namespace detail

struct RubricBuilder {
  static Result<std::shared_ptr<const Rubric>> Load(const std::filesystem::path& file,
                                                    const PluginRegistry& plugins,
                                                    const RubricLoadOptions& options) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Error(ErrorKind::kBadRubric, "cannot read rubric file " + file.string());
    std::stringstream text;
    text << in.rdbuf();
    if (in.bad()) return Error(ErrorKind::kBadRubric, "cannot read rubric file " + file.string());

    std::shared_ptr<Rubric> r(new Rubric());
    r->file_ = file;
    r->dir_ = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
    r->root_ = options.root.empty() ? r->dir_ : options.root;
    if (!options.data_root.empty()) {
      r->data_root_ = options.data_root;
    } else {
      std::error_code ec;
      const auto canonical_root = std::filesystem::weakly_canonical(r->root_, ec);
      r->data_root_ = canonical_root.has_parent_path() ? canonical_root.parent_path() : canonical_root;
    }
    r->source_ = text.str();
    r->load_options_ = options;
    r->resources_ = std::make_shared<ResourceCache>();

    detail::SandboxOptions so;
    so.plugins = &plugins;
    so.dir = r->dir_;
    so.root = r->root_;
    so.data_root = r->data_root_;
    so.cache = r->resources_.get();
    Result<std::unique_ptr<detail::LuaSandbox>> sandbox = detail::LuaSandbox::Create(so);
    if (!sandbox) return sandbox.error();
    Result<detail::RubricInfo> info =
        detail::LoadRubricInto(**sandbox, file.string(), r->source_, options.load_limits);
    if (!info) return info.error();
    r->name_ = info->name.empty() ? file.stem().string() : info->name;
    r->neutral_ = info->neutral;
    r->limits_ = info->limits;
    r->gates_ = std::move(info->gates);
    r->checks_ = std::move(info->checks);
    r->judges_ = std::move(info->judges);
    r->measures_ = std::move(info->measures);
    return std::shared_ptr<const Rubric>(std::move(r));
  }
};

Result<std::shared_ptr<const Rubric>> Rubric::Load(const std::filesystem::path& file,
                                                   const PluginRegistry& plugins,
                                                   const RubricLoadOptions& options) {
  return RubricBuilder::Load(file, plugins, options);
}

}  // namespace gavel
