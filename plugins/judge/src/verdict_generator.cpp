#include "gavel/judge/verdict_generator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "gavel/text_codec.h"

namespace gavel::judge {
namespace {

// Deeper than this, objects get only their required properties and arrays their minItems.
constexpr int kShallowDepth = 6;
// Deeper than this the generator gives up (a recursive schema that always requires itself).
constexpr int kMaxDepth = 40;
constexpr int kMaxRefHops = 32;
constexpr std::size_t kMaxItems = 1000;
// Integer fields without bounds get values in [0, kDefaultIntegerSpan].
constexpr std::int64_t kDefaultIntegerSpan = 10;
constexpr double kIntegerLimit = 9007199254740991.0;  // 2^53 - 1

const char* const kPhrases[] = {
    "the answer addresses the question and matches the reference in substance",
    "the answer is partly supported by the reference; some details are missing",
    "the reasoning is plausible but not fully verified against the reference",
    "the answer misses part of the expected content",
    "the answer is clear, but one claim could not be checked",
    "the answer follows the requested format and stays on topic",
};

std::string Hex8(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(v & 0xffffffffULL));
  return buf;
}

// JSON pointer lookup inside `root` for a local reference "#/a/b" or "#"; nullptr if the
// reference is not local or leads nowhere.
const Json* ResolveLocal(const Json& root, const std::string& ref) {
  if (ref.empty() || ref[0] != '#') return nullptr;
  // The fragment may be percent-encoded ("#/$defs/a%20b").
  const std::string pointer = PercentDecode(std::string_view(ref).substr(1));
  if (pointer.empty()) return &root;
  if (pointer[0] != '/') return nullptr;
  const Json* node = &root;
  std::size_t pos = 1;
  while (true) {
    std::size_t end = pointer.find('/', pos);
    if (end == std::string::npos) end = pointer.size();
    std::string token;
    for (std::size_t i = pos; i < end; ++i) {
      if (pointer[i] == '~' && i + 1 < end && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
        token += pointer[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        token += pointer[i];
      }
    }
    if (node->is_object()) {
      const auto it = node->find(token);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      const bool digits =
          !token.empty() && token.size() < 10 &&
          std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) return nullptr;
      const std::size_t index = std::stoul(token);
      if (index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
    if (end == pointer.size()) return node;
    pos = end + 1;
  }
}

std::optional<double> NumberAt(const Json& s, const char* key) {
  const auto it = s.find(key);
  if (it == s.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

// Combines two schemas that must both hold (allOf): properties merge, required lists join,
// bounds tighten, type lists intersect. Good enough for generation, not a general algebra.
Json Merge(Json a, const Json& b) {
  if (!b.is_object()) return a;
  if (!a.is_object()) return b;
  for (const auto& [key, value] : b.items()) {
    const auto it = a.find(key);
    if (it == a.end()) {
      a[key] = value;
      continue;
    }
    if (key == "properties" && it->is_object() && value.is_object()) {
      for (const auto& [name, sub] : value.items()) {
        if (it->contains(name)) {
          (*it)[name] = Json{{"allOf", Json::array({(*it)[name], sub})}};
        } else {
          (*it)[name] = sub;
        }
      }
    } else if (key == "required" && it->is_array() && value.is_array()) {
      for (const auto& name : value) {
        if (std::find(it->begin(), it->end(), name) == it->end()) it->push_back(name);
      }
    } else if ((key == "minimum" || key == "minLength" || key == "minItems" ||
                key == "minProperties") &&
               it->is_number() && value.is_number()) {
      if (value.get<double>() > it->get<double>()) *it = value;
    } else if ((key == "maximum" || key == "maxLength" || key == "maxItems" ||
                key == "maxProperties") &&
               it->is_number() && value.is_number()) {
      if (value.get<double>() < it->get<double>()) *it = value;
    } else if (key == "type") {
      const auto as_list = [](const Json& t) { return t.is_array() ? t : Json::array({t}); };
      Json both = Json::array();
      for (const auto& t : as_list(*it)) {
        const Json other = as_list(value);
        const bool in_other =
            std::find(other.begin(), other.end(), t) != other.end() ||
            (t == "integer" && std::find(other.begin(), other.end(), "number") != other.end());
        if (in_other) both.push_back(t);
      }
      for (const auto& t : as_list(value)) {
        const Json mine = as_list(*it);
        if (t == "integer" && std::find(mine.begin(), mine.end(), "number") != mine.end() &&
            std::find(both.begin(), both.end(), t) == both.end()) {
          both.push_back(t);
        }
      }
      if (!both.empty()) *it = both.size() == 1 ? both[0] : both;
    } else if (key == "enum" && it->is_array() && value.is_array()) {
      Json both = Json::array();
      for (const auto& v : *it) {
        if (std::find(value.begin(), value.end(), v) != value.end()) both.push_back(v);
      }
      if (!both.empty()) *it = both;
    }
  }
  return a;
}

class Generator {
 public:
  explicit Generator(const Json& root) : root_(root) {}

  // Resolves $ref, allOf and anyOf/oneOf (one branch, chosen by seed) into one schema object.
  Json Flatten(const Json& schema, std::uint64_t seed, int hops) const {
    if (!schema.is_object()) return schema;
    if (hops > kMaxRefHops) return Json::object();
    Json out = schema;
    if (const auto ref = out.find("$ref"); ref != out.end() && ref->is_string()) {
      const Json* target = ResolveLocal(root_, ref->get<std::string>());
      out.erase("$ref");
      if (target != nullptr) out = Merge(Flatten(*target, seed, hops + 1), out);
    }
    if (const auto all = out.find("allOf"); all != out.end() && all->is_array()) {
      const Json parts = *all;
      out.erase("allOf");
      for (const auto& part : parts) out = Merge(out, Flatten(part, seed, hops + 1));
    }
    for (const char* key : {"anyOf", "oneOf"}) {
      if (const auto any = out.find(key); any != out.end() && any->is_array() && !any->empty()) {
        const Json branch = (*any)[Mix(seed, 0xa11) % any->size()];
        out.erase(key);
        out = Merge(out, Flatten(branch, seed, hops + 1));
      }
    }
    return out;
  }

  Json Generate(const Json& schema, std::uint64_t seed, std::string_view name, int depth) const {
    if (depth > kMaxDepth) return nullptr;
    if (schema.is_boolean()) return schema.get<bool>() ? Text(Json::object(), seed, name) : nullptr;
    if (!schema.is_object()) return Text(Json::object(), seed, name);
    // Most schema nodes have nothing to resolve: use them in place rather than copy them.
    Json flattened;
    const bool composite = schema.contains("$ref") || schema.contains("allOf") ||
                           schema.contains("anyOf") || schema.contains("oneOf");
    if (composite) flattened = Flatten(schema, seed, 0);
    const Json& s = composite ? flattened : schema;
    if (const auto c = s.find("const"); c != s.end()) return *c;
    if (const auto e = s.find("enum"); e != s.end() && e->is_array() && !e->empty()) {
      return (*e)[Mix(seed, 0xe) % e->size()];
    }
    const std::string type = PickType(s);
    if (type == "object") return Object(s, seed, depth);
    if (type == "array") return Array(s, seed, name, depth);
    if (type == "integer") return Integer(s, seed);
    if (type == "number") return Number(s, seed);
    if (type == "boolean") return (Mix(seed, 0xb) & 1) == 0;
    if (type == "null") return nullptr;
    return Text(s, seed, name);
  }

  static std::string PickType(const Json& s) {
    if (const auto t = s.find("type"); t != s.end()) {
      if (t->is_string()) return t->get<std::string>();
      if (t->is_array()) {
        for (const auto& one : *t) {
          if (one.is_string() && one != "null") return one.get<std::string>();
        }
        if (!t->empty()) return "null";
      }
    }
    for (const char* k : {"properties", "required", "additionalProperties", "minProperties",
                          "maxProperties", "patternProperties"}) {
      if (s.contains(k)) return "object";
    }
    for (const char* k : {"items", "prefixItems", "minItems", "maxItems", "uniqueItems"}) {
      if (s.contains(k)) return "array";
    }
    for (const char* k :
         {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}) {
      if (s.contains(k)) return "number";
    }
    return "string";
  }

  struct Bounds {
    std::optional<double> lo, hi;
    bool lo_exclusive = false, hi_exclusive = false;
  };

  static Bounds NumericBounds(const Json& s) {
    Bounds b;
    b.lo = NumberAt(s, "minimum");
    b.hi = NumberAt(s, "maximum");
    // draft-04: booleans beside minimum/maximum.
    if (const auto e = s.find("exclusiveMinimum"); e != s.end() && e->is_boolean()) {
      b.lo_exclusive = b.lo && e->get<bool>();
    } else if (const auto x = NumberAt(s, "exclusiveMinimum"); x && (!b.lo || *x >= *b.lo)) {
      b.lo = x;
      b.lo_exclusive = true;
    }
    if (const auto e = s.find("exclusiveMaximum"); e != s.end() && e->is_boolean()) {
      b.hi_exclusive = b.hi && e->get<bool>();
    } else if (const auto x = NumberAt(s, "exclusiveMaximum"); x && (!b.hi || *x <= *b.hi)) {
      b.hi = x;
      b.hi_exclusive = true;
    }
    return b;
  }

 private:
  Json Object(const Json& s, std::uint64_t seed, int depth) const {
    Json out = Json::object();
    std::set<std::string> required;
    if (const auto r = s.find("required"); r != s.end() && r->is_array()) {
      for (const auto& name : *r) {
        if (name.is_string()) required.insert(name.get<std::string>());
      }
    }
    const bool shallow = depth >= kShallowDepth;
    const Json additional = s.value("additionalProperties", Json(true));
    const Json extra_schema = additional.is_object() ? additional : Json::object();
    if (const auto p = s.find("properties"); p != s.end() && p->is_object()) {
      for (const auto& [name, sub] : p->items()) {
        if (shallow && required.count(name) == 0) continue;
        out[name] = Generate(sub, Mix(seed, Fnv1a(name)), name, depth + 1);
      }
    }
    for (const auto& name : required) {
      if (!out.contains(name)) {
        out[name] = Generate(extra_schema, Mix(seed, Fnv1a(name)), name, depth + 1);
      }
    }
    if (additional != Json(false)) {
      const std::size_t min = static_cast<std::size_t>(
          std::clamp(s.value("minProperties", 0.0), 0.0, static_cast<double>(kMaxItems)));
      for (std::size_t i = 0; out.size() < min; ++i) {
        const std::string name = "extra_" + std::to_string(i);
        if (!out.contains(name)) {
          out[name] = Generate(extra_schema, Mix(seed, Fnv1a(name)), name, depth + 1);
        }
      }
    }
    if (const auto max = NumberAt(s, "maxProperties")) {
      for (auto it = out.begin(); it != out.end() && static_cast<double>(out.size()) > *max;) {
        if (required.count(it.key()) == 0) {
          it = out.erase(it);
        } else {
          ++it;
        }
      }
    }
    return out;
  }

  Json Array(const Json& s, std::uint64_t seed, std::string_view name, int depth) const {
    Json tuple = Json::array();
    Json rest = Json::object();
    bool rest_allowed = true;
    if (const auto p = s.find("prefixItems"); p != s.end() && p->is_array()) {
      tuple = *p;
      if (const auto i = s.find("items"); i != s.end()) rest = *i;
    } else if (const auto i = s.find("items"); i != s.end()) {
      if (i->is_array()) {
        tuple = *i;
        if (const auto a = s.find("additionalItems"); a != s.end()) rest = *a;
      } else {
        rest = *i;
      }
    }
    if (rest == Json(false)) rest_allowed = false;

    const auto count_at = [&](const char* key, double fallback) {
      return static_cast<std::size_t>(
          std::clamp(s.value(key, fallback), 0.0, static_cast<double>(kMaxItems)));
    };
    const std::size_t lo = count_at("minItems", tuple.empty() ? 1.0 : 0.0);
    std::size_t hi = count_at("maxItems", static_cast<double>(std::max(lo, tuple.size()) + 2));
    if (!rest_allowed) hi = std::min(hi, tuple.size());
    const std::size_t min_n = std::max(lo, std::min(tuple.size(), hi));
    if (hi < min_n) hi = min_n;
    const std::size_t n =
        depth >= kShallowDepth ? min_n : min_n + Mix(seed, 0xa) % (hi - min_n + 1);
    const bool unique = s.value("uniqueItems", false);

    Json out = Json::array();
    for (std::size_t i = 0; i < n; ++i) {
      const Json& item_schema = i < tuple.size() ? tuple[i] : rest;
      Json item = Generate(item_schema, Mix(seed, i + 1), name, depth + 1);
      for (std::uint64_t attempt = 1;
           unique && attempt < 16 && std::find(out.begin(), out.end(), item) != out.end();
           ++attempt) {
        item = Generate(item_schema, Mix(Mix(seed, i + 1), attempt), name, depth + 1);
      }
      out.push_back(std::move(item));
    }
    return out;
  }

  static Json Integer(const Json& s, std::uint64_t seed) {
    const Bounds b = NumericBounds(s);
    std::optional<double> lo, hi;
    if (b.lo) lo = b.lo_exclusive ? std::floor(*b.lo) + 1 : std::ceil(*b.lo);
    if (b.hi) hi = b.hi_exclusive ? std::ceil(*b.hi) - 1 : std::floor(*b.hi);
    if (!lo && !hi) lo = 0;
    if (!lo) lo = *hi - kDefaultIntegerSpan;
    if (!hi) hi = *lo + kDefaultIntegerSpan;
    double l = std::clamp(*lo, -kIntegerLimit, kIntegerLimit);
    double h = std::clamp(*hi, -kIntegerLimit, kIntegerLimit);
    if (const auto m = NumberAt(s, "multipleOf"); m && *m > 0 && std::floor(*m) == *m) {
      const double kl = std::ceil(l / *m);
      const double kh = std::floor(h / *m);
      if (kl <= kh) {
        const auto span = static_cast<std::uint64_t>(kh - kl) + 1;
        return static_cast<std::int64_t>((kl + static_cast<double>(Mix(seed, 0x1) % span)) * *m);
      }
    }
    if (h < l) return static_cast<std::int64_t>(l);
    const auto span = static_cast<std::uint64_t>(h - l) + 1;
    return static_cast<std::int64_t>(l) + static_cast<std::int64_t>(Mix(seed, 0x1) % span);
  }

  static Json Number(const Json& s, std::uint64_t seed) {
    const Bounds b = NumericBounds(s);
    double lo = 0, hi = 1;
    if (b.lo && b.hi) {
      lo = *b.lo;
      hi = *b.hi;
    } else if (b.lo) {
      lo = *b.lo;
      hi = lo + 10;
    } else if (b.hi) {
      hi = *b.hi;
      lo = hi - 10;
    }
    if (const auto m = NumberAt(s, "multipleOf"); m && *m > 0) {
      double kl = std::ceil(lo / *m);
      double kh = std::floor(hi / *m);
      if (b.lo_exclusive && kl * *m <= lo) kl += 1;
      if (b.hi_exclusive && kh * *m >= hi) kh -= 1;
      if (kl <= kh && kh - kl < 1e15) {
        const auto span = static_cast<std::uint64_t>(kh - kl) + 1;
        const double k = kl + static_cast<double>(Mix(seed, 0x2) % span);
        return k * *m;
      }
    }
    if (hi < lo) return lo;
    // k hundredths of the way from lo to hi, as (lo*(100-k) + hi*k)/100 so that integer
    // bounds give short decimals.
    const bool exclusive = b.lo_exclusive || b.hi_exclusive;
    const std::uint64_t k = exclusive ? 1 + Mix(seed, 0x2) % 99 : Mix(seed, 0x2) % 101;
    const double kd = static_cast<double>(k);
    double v = (lo * (100 - kd) + hi * kd) / 100;
    v = std::clamp(v, lo, hi);
    if ((b.lo_exclusive && v <= lo) || (b.hi_exclusive && v >= hi)) v = lo + (hi - lo) / 2;
    return v;
  }

  static Json Text(const Json& s, std::uint64_t seed, std::string_view name) {
    std::string text;
    const std::string format = s.is_object() ? s.value("format", std::string()) : std::string();
    const std::uint64_t r = Mix(seed, 0x5);
    if (format == "date-time") {
      text = "2024-0" + std::to_string(1 + r % 9) + "-1" + std::to_string(r % 10) + "T12:00:00Z";
    } else if (format == "date") {
      text = "2024-0" + std::to_string(1 + r % 9) + "-1" + std::to_string(r % 10);
    } else if (format == "time") {
      text = "12:0" + std::to_string(r % 10) + ":00Z";
    } else if (format == "email" || format == "idn-email") {
      text = "standin-" + Hex8(r) + "@example.com";
    } else if (format == "uri" || format == "iri" || format == "uri-reference" ||
               format == "iri-reference") {
      text = "https://example.com/standin/" + Hex8(r);
    } else if (format == "uuid") {
      const std::string a = Hex8(r), b = Hex8(r >> 32), c = Hex8(Mix(r, 1));
      text = a + "-" + b.substr(0, 4) + "-4" + b.substr(5, 3) + "-8" + c.substr(0, 3) + "-" + c +
             b.substr(0, 4);
    } else if (format == "hostname" || format == "idn-hostname") {
      text = "standin-" + Hex8(r) + ".example.com";
    } else if (format == "ipv4") {
      text = "192.0.2." + std::to_string(1 + r % 254);
    } else if (format == "ipv6") {
      text = "2001:db8::" + std::to_string(1 + r % 9999);
    } else {
      std::string field(name.substr(0, 40));
      text = "Stand-in judge";
      if (!field.empty()) text += " on '" + field + "'";
      text += ": ";
      text += kPhrases[r % (sizeof kPhrases / sizeof kPhrases[0])];
      text += " [" + Hex8(Mix(seed, 0x6)) + "]";
    }
    if (!s.is_object()) return text;
    // Verdict text is ASCII, so bytes are code points.
    if (const auto min = NumberAt(s, "minLength"); min && *min > 0) {
      const auto want = static_cast<std::size_t>(std::min(*min, 1e6));
      while (text.size() < want) text += " (stand-in judge)";
    }
    if (const auto max = NumberAt(s, "maxLength"); max && *max >= 0 && text.size() > *max) {
      text.resize(static_cast<std::size_t>(*max));
    }
    return text;
  }

  const Json& root_;
};

// A value of a type `s` does not allow.
Json WrongType(const Json& s) {
  const std::string type = Generator::PickType(s);
  if (type == "string") return 12345;
  if (type == "object" || type == "array" || type == "boolean" || type == "null") {
    return "stand-in judge: a value of the wrong type";
  }
  return "not a number";
}

}  // namespace

const Json& DefaultVerdictSchema() {
  static const Json schema = Json::parse(R"({
    "type": "object",
    "properties": {
      "verdict": {"type": "string", "enum": ["pass", "fail"]},
      "rationale": {"type": "string", "minLength": 1}
    },
    "required": ["verdict", "rationale"],
    "additionalProperties": false
  })");
  return schema;
}

Json GenerateVerdict(const Json& schema, std::uint64_t seed) {
  return Generator(schema).Generate(schema, seed, "", 0);
}

std::vector<Json> OffSchemaCandidates(const Json& schema, const Json& valid, std::uint64_t seed) {
  std::vector<Json> out;
  const Generator gen(schema);
  const Json root = gen.Flatten(schema, seed, 0);
  if (valid.is_object() && root.is_object()) {
    if (const auto r = root.find("required"); r != root.end() && r->is_array()) {
      for (const auto& name : *r) {
        if (name.is_string() && valid.contains(name.get<std::string>())) {
          Json c = valid;
          c.erase(name.get<std::string>());
          out.push_back(std::move(c));
        }
      }
    }
    if (const auto p = root.find("properties"); p != root.end() && p->is_object()) {
      for (const auto& [name, sub] : p->items()) {
        if (!valid.contains(name)) continue;
        const Json fs = gen.Flatten(sub, Mix(seed, Fnv1a(name)), 0);
        if (!fs.is_object()) continue;
        const std::string type = Generator::PickType(fs);
        const Generator::Bounds b = Generator::NumericBounds(fs);
        const bool integral = type == "integer";
        if (b.hi && (type == "integer" || type == "number")) {
          Json c = valid;
          c[name] = integral ? Json(static_cast<std::int64_t>(std::floor(*b.hi)) + 1000)
                             : Json(*b.hi + 1000);
          out.push_back(std::move(c));
        }
        if (b.lo && (type == "integer" || type == "number")) {
          Json c = valid;
          c[name] = integral ? Json(static_cast<std::int64_t>(std::ceil(*b.lo)) - 1000)
                             : Json(*b.lo - 1000);
          out.push_back(std::move(c));
        }
        if (fs.contains("enum") || fs.contains("const")) {
          Json c = valid;
          c[name] = "stand-in judge: not one of the allowed values";
          out.push_back(std::move(c));
        }
        Json c = valid;
        c[name] = WrongType(fs);
        out.push_back(std::move(c));
      }
    }
    Json c = valid;
    c["standin_unexpected_field"] = true;
    out.push_back(std::move(c));
  }
  if (root.is_object()) out.push_back(WrongType(root));
  out.push_back("stand-in judge: an off-schema verdict");
  out.push_back(12345);
  out.push_back(Json::array());
  out.push_back(Json::object());
  out.push_back(nullptr);
  return out;
}

std::uint64_t Fnv1a(std::string_view data, std::uint64_t h) {
  for (const char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t Mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t z = a ^ ((b << 17) | (b >> 47)) ^ (b * 0x9e3779b97f4a7c15ULL);
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace gavel::judge
