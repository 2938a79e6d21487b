#include "grader.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "printable.h"

namespace gavel::judge {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxTemplateBytes = std::uintmax_t{1} << 20;
constexpr std::uintmax_t kMaxSchemaBytes = std::uintmax_t{8} << 20;

// "http://user:secret@host/v1 ..." without "user:secret@": a description never shows a password.
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

std::string RelativeName(const fs::path& file, const fs::path& root) {
  return file.lexically_relative(root).generic_string();
}

}  // namespace

Result<std::shared_ptr<const Grader>> MakeGrader(const GraderSpec& o, const fs::path& root) {
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

bool ValidGraderName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
  });
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

}  // namespace gavel::judge
