#include "gavel/safety/rule_pack.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

#include "set_match.h"

namespace gavel::safety {

using nlohmann::json;

// ---- severities and results ------------------------------------------------------------------

namespace {

constexpr std::pair<Severity, std::string_view> kSeverityNames[] = {
    {Severity::kInfo, "info"},
    {Severity::kLow, "low"},
    {Severity::kMedium, "medium"},
    {Severity::kHigh, "high"},
    {Severity::kCritical, "critical"},
};

}  // namespace

std::string_view SeverityName(Severity severity) {
  for (const auto& [s, name] : kSeverityNames) {
    if (s == severity) return name;
  }
  return "medium";
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  for (const auto& [s, n] : kSeverityNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

std::optional<Severity> ScanResult::MaxSeverity(std::string_view category) const {
  std::optional<Severity> max;
  for (const Hit& hit : hits) {
    if (!category.empty() && hit.category != category) continue;
    if (!max || hit.severity > *max) max = hit.severity;
  }
  return max;
}

const Hit* ScanResult::Find(std::string_view rule) const {
  for (const Hit& hit : hits) {
    if (hit.rule == rule) return &hit;
  }
  return nullptr;
}

// ---- the Set::Match outcome ------------------------------------------------------------------

namespace detail {

Status CheckSetMatch(bool matched, re2::RE2::Set::ErrorKind kind, std::int64_t max_mem) {
  if (matched) return Status::Ok();
  switch (kind) {
    case re2::RE2::Set::kNoError:
      return Status::Ok();
    case re2::RE2::Set::kOutOfMemory:
      return Error(ErrorKind::kLimit,
                   "the rule set's RE2 DFA ran out of memory during the scan (max_mem " +
                       std::to_string(max_mem) +
                       " bytes); the text was NOT checked; raise PackOptions::max_mem");
    case re2::RE2::Set::kNotCompiled:
      return Error(ErrorKind::kInternal, "RE2::Set::Match called on a set that is not compiled");
    case re2::RE2::Set::kInconsistent:
      return Error(ErrorKind::kInternal, "RE2::Set::Match reported an inconsistent result");
  }
  return Error(ErrorKind::kInternal, "RE2::Set::Match reported an unknown error kind " +
                                         std::to_string(static_cast<int>(kind)));
}

}  // namespace detail

// ---- parsing pack files ----------------------------------------------------------------------

namespace {

bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
  });
}

// Built by appending: GCC 12 at -O3 gives a false -Wrestrict on "'" + std::string.
std::string Quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  out += s;
  out += '\'';
  return out;
}

Error BadPack(std::string_view source, const std::string& what) {
  return Error(ErrorKind::kBadRubric, std::string(source) + ": " + what);
}

// Fails if `object` has a key outside `allowed`.
Status CheckKeys(const json& object, std::initializer_list<std::string_view> allowed,
                 std::string_view source, const std::string& where) {
  for (const auto& item : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return BadPack(source, where + ": unknown field " + Quote(item.key()) + " (allowed: " +
                                 list + ")");
    }
  }
  return Status::Ok();
}

// Reads an optional string field; an absent field leaves `out` unchanged.
Status ReadString(const json& object, const char* key, std::string& out, std::string_view source,
                  const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) return Status::Ok();
  if (!it->is_string()) {
    return BadPack(source, where + ": field " + Quote(key) + " must be a string, not " +
                               it->type_name());
  }
  out = it->get<std::string>();
  return Status::Ok();
}

Status ReadStringList(const json& value, std::vector<std::string>& out, std::string_view source,
                      const std::string& where) {
  if (!value.is_array()) {
    return BadPack(source, where + " must be an array of strings, not " + value.type_name());
  }
  for (const json& item : value) {
    if (!item.is_string()) {
      return BadPack(source, where + " must contain only strings, found " + item.type_name());
    }
    out.push_back(item.get<std::string>());
  }
  return Status::Ok();
}

Status ReadSeverity(const json& object, std::optional<Severity>& out, std::string_view source,
                    const std::string& where) {
  std::string name;
  if (Status s = ReadString(object, "severity", name, source, where); !s) return s;
  if (!object.contains("severity")) return Status::Ok();
  out = ParseSeverity(name);
  if (!out) {
    return BadPack(source, where + ": unknown severity " + Quote(name) +
                               " (use info, low, medium, high or critical)");
  }
  return Status::Ok();
}

Status ParseRule(const json& r, std::size_t index, const std::string& pack,
                 const std::optional<std::string>& default_category,
                 std::optional<Severity> default_severity, std::string_view source,
                 Rule& rule) {
  std::string where = "rule #" + std::to_string(index + 1);
  if (!r.is_object()) return BadPack(source, where + " must be an object, not " + r.type_name());

  if (!r.contains("name")) return BadPack(source, where + ": missing field 'name'");
  if (Status s = ReadString(r, "name", rule.name, source, where); !s) return s;
  if (!IsIdentifier(rule.name)) {
    return BadPack(source, where + ": name " + Quote(rule.name) +
                               " must be made of letters, digits, '_', '.' and '-'");
  }
  where = "rule " + Quote(rule.name);

  if (Status s = CheckKeys(r,
                           {"name", "pattern", "ignore_case", "category", "severity", "message",
                            "validator", "description", "examples"},
                           source, where);
      !s) {
    return s;
  }

  const auto pattern = r.find("pattern");
  if (pattern == r.end()) return BadPack(source, where + ": missing field 'pattern'");
  if (pattern->is_string()) {
    rule.pattern = pattern->get<std::string>();
  } else if (pattern->is_array()) {
    std::vector<std::string> parts;
    if (Status s = ReadStringList(*pattern, parts, source, where + ": field 'pattern'"); !s) {
      return s;
    }
    for (const std::string& part : parts) rule.pattern += part;
  } else {
    return BadPack(source, where + ": field 'pattern' must be a string or an array of strings, "
                                   "not " + std::string(pattern->type_name()));
  }
  if (rule.pattern.empty()) return BadPack(source, where + ": field 'pattern' is empty");

  if (const auto ic = r.find("ignore_case"); ic != r.end()) {
    if (!ic->is_boolean()) {
      return BadPack(source, where + ": field 'ignore_case' must be true or false, not " +
                                 ic->type_name());
    }
    rule.ignore_case = ic->get<bool>();
  }

  if (r.contains("category")) {
    if (Status s = ReadString(r, "category", rule.category, source, where); !s) return s;
  } else if (default_category) {
    rule.category = *default_category;
  } else {
    return BadPack(source, where + ": missing field 'category' (and the pack has no default)");
  }
  if (!IsIdentifier(rule.category)) {
    return BadPack(source, where + ": category " + Quote(rule.category) +
                               " must be made of letters, digits, '_', '.' and '-'");
  }

  std::optional<Severity> severity;
  if (Status s = ReadSeverity(r, severity, source, where); !s) return s;
  if (!severity) severity = default_severity;
  if (!severity) {
    return BadPack(source, where + ": missing field 'severity' (and the pack has no default)");
  }
  rule.severity = *severity;

  if (Status s = ReadString(r, "message", rule.message, source, where); !s) return s;
  if (Status s = ReadString(r, "description", rule.description, source, where); !s) return s;
  if (Status s = ReadString(r, "validator", rule.validator, source, where); !s) return s;

  if (const auto ex = r.find("examples"); ex != r.end()) {
    if (!ex->is_object()) {
      return BadPack(source, where + ": field 'examples' must be an object, not " +
                                 ex->type_name());
    }
    if (Status s = CheckKeys(*ex, {"match", "no_match"}, source, where + ": examples"); !s) {
      return s;
    }
    if (const auto m = ex->find("match"); m != ex->end()) {
      if (Status s = ReadStringList(*m, rule.match_examples, source, where + ": examples.match");
          !s) {
        return s;
      }
    }
    if (const auto m = ex->find("no_match"); m != ex->end()) {
      if (Status s =
              ReadStringList(*m, rule.no_match_examples, source, where + ": examples.no_match");
          !s) {
        return s;
      }
    }
  }

  rule.pack = pack;
  rule.source = std::string(source);
  return Status::Ok();
}

}  // namespace

Result<std::vector<Rule>> RulePack::ParsePack(std::string_view json_text, std::string_view source) {
  json doc;
  try {
    doc = json::parse(json_text.begin(), json_text.end());
  } catch (const json::parse_error& e) {
    return BadPack(source, std::string("invalid JSON: ") + e.what());
  }
  if (!doc.is_object()) {
    return BadPack(source, std::string("a rule pack must be a JSON object, not ") +
                               doc.type_name());
  }
  if (Status s = CheckKeys(doc, {"pack", "description", "defaults", "rules"}, source, "pack");
      !s) {
    return s.error();
  }

  std::string pack;
  if (!doc.contains("pack")) return BadPack(source, "missing field 'pack'");
  if (Status s = ReadString(doc, "pack", pack, source, "pack"); !s) return s.error();
  if (!IsIdentifier(pack)) {
    return BadPack(source, "pack name " + Quote(pack) +
                               " must be made of letters, digits, '_', '.' and '-'");
  }
  std::string description;
  if (Status s = ReadString(doc, "description", description, source, "pack"); !s) {
    return s.error();
  }

  std::optional<std::string> default_category;
  std::optional<Severity> default_severity;
  if (const auto d = doc.find("defaults"); d != doc.end()) {
    if (!d->is_object()) {
      return BadPack(source, std::string("field 'defaults' must be an object, not ") +
                                 d->type_name());
    }
    if (Status s = CheckKeys(*d, {"category", "severity"}, source, "defaults"); !s) {
      return s.error();
    }
    if (d->contains("category")) {
      std::string category;
      if (Status s = ReadString(*d, "category", category, source, "defaults"); !s) {
        return s.error();
      }
      default_category = category;
    }
    if (Status s = ReadSeverity(*d, default_severity, source, "defaults"); !s) return s.error();
  }

  const auto rules = doc.find("rules");
  if (rules == doc.end()) return BadPack(source, "missing field 'rules'");
  if (!rules->is_array()) {
    return BadPack(source, std::string("field 'rules' must be an array, not ") +
                               rules->type_name());
  }
  if (rules->empty()) return BadPack(source, "field 'rules' is empty");

  std::vector<Rule> out;
  out.reserve(rules->size());
  for (std::size_t i = 0; i < rules->size(); ++i) {
    Rule rule;
    if (Status s = ParseRule((*rules)[i], i, pack, default_category, default_severity, source,
                             rule);
        !s) {
      return s.error();
    }
    out.push_back(std::move(rule));
  }
  return out;
}

// ---- compiling -------------------------------------------------------------------------------

struct RulePack::Compiled {
  explicit Compiled(const re2::RE2::Options& set_options)
      : set(set_options, re2::RE2::UNANCHORED) {}
  re2::RE2::Set set;
  std::vector<std::unique_ptr<re2::RE2>> regexes;  // one per rule, same index as rules_
  std::vector<ValidatorFn> validators;             // nullptr when the rule has none
};

RulePack::RulePack(std::vector<Rule> rules, PackOptions options,
                   std::unique_ptr<Compiled> compiled)
    : rules_(std::move(rules)), options_(options), compiled_(std::move(compiled)) {}

RulePack::~RulePack() = default;

namespace {

Error BadRule(const Rule& rule, const std::string& what, ErrorKind kind = ErrorKind::kBadRubric) {
  const std::string source = rule.source.empty() ? "<rules>" : rule.source;
  return Error(kind, source + ": rule " + Quote(rule.name) + ": " + what);
}

std::string EffectivePattern(const Rule& rule) {
  return rule.ignore_case ? "(?i)" + rule.pattern : rule.pattern;
}

}  // namespace

Result<std::shared_ptr<const RulePack>> RulePack::Compile(std::vector<Rule> rules,
                                                          const PackOptions& options) {
  if (options.max_mem <= 0 || options.rule_max_mem <= 0) {
    return Error(ErrorKind::kUsage, "PackOptions::max_mem and rule_max_mem must be positive");
  }
  if (options.max_text_bytes == 0) {
    return Error(ErrorKind::kUsage, "PackOptions::max_text_bytes must be positive");
  }
  if (rules.empty()) return Error(ErrorKind::kUsage, "no rules to compile");

  re2::RE2::Options set_options;
  set_options.set_encoding(re2::RE2::Options::EncodingUTF8);
  set_options.set_log_errors(false);  // errors are returned, not printed
  set_options.set_max_mem(options.max_mem);
  re2::RE2::Options rule_options = set_options;
  rule_options.set_max_mem(options.rule_max_mem);

  auto compiled = std::make_unique<Compiled>(set_options);
  std::map<std::string, const Rule*, std::less<>> by_name;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const Rule& rule = rules[i];
    if (!IsIdentifier(rule.name)) {
      return BadRule(rule, "the name must be made of letters, digits, '_', '.' and '-'");
    }
    if (auto [it, inserted] = by_name.emplace(rule.name, &rule); !inserted) {
      const Rule& first = *it->second;
      return BadRule(rule, "duplicate rule name, first defined in " +
                               (first.source.empty() ? std::string("<rules>") : first.source) +
                               " (pack " + Quote(first.pack) + ")");
    }
    if (rule.pattern.empty()) return BadRule(rule, "the pattern is empty");
    if (!IsIdentifier(rule.category)) {
      return BadRule(rule, "the category " + Quote(rule.category) +
                               " must be made of letters, digits, '_', '.' and '-'");
    }
    ValidatorFn validator = nullptr;
    if (!rule.validator.empty()) {
      validator = FindValidator(rule.validator);
      if (validator == nullptr) {
        std::string known;
        for (const std::string& n : ValidatorNames()) known += (known.empty() ? "" : ", ") + n;
        return BadRule(rule, "unknown validator " + Quote(rule.validator) + " (known: " + known +
                                 ")");
      }
    }

    const std::string pattern = EffectivePattern(rule);
    auto re = std::make_unique<re2::RE2>(pattern, rule_options);
    if (!re->ok()) {
      if (re->error_code() == re2::RE2::ErrorPatternTooLarge) {
        return BadRule(rule,
                       "the pattern does not fit in rule_max_mem (" +
                           std::to_string(options.rule_max_mem) + " bytes): " + re->error(),
                       ErrorKind::kLimit);
      }
      return BadRule(rule, "RE2 rejected the pattern: " + re->error() + " (at " +
                               Quote(re->error_arg()) + ")");
    }
    if (re2::RE2::FullMatch("", *re)) {
      return BadRule(rule, "the pattern matches the empty string, so it would hit every text");
    }
    std::string set_error;
    if (compiled->set.Add(pattern, &set_error) != static_cast<int>(i)) {
      return BadRule(rule, "RE2::Set rejected the pattern: " + set_error);
    }
    compiled->regexes.push_back(std::move(re));
    compiled->validators.push_back(validator);
  }
  if (!compiled->set.Compile()) {
    return Error(ErrorKind::kLimit,
                 "the " + std::to_string(rules.size()) + " rules do not fit in max_mem (" +
                     std::to_string(options.max_mem) +
                     " bytes) as one RE2::Set; raise PackOptions::max_mem");
  }
  return std::shared_ptr<const RulePack>(
      new RulePack(std::move(rules), options, std::move(compiled)));
}

Result<std::shared_ptr<const RulePack>> RulePack::FromJson(std::string_view json_text,
                                                           std::string_view source,
                                                           const PackOptions& options) {
  Result<std::vector<Rule>> rules = ParsePack(json_text, source);
  if (!rules) return rules.error();
  return Compile(std::move(rules).value(), options);
}

namespace {

Status ReadWholeFile(const std::filesystem::path& file, std::string& out) {
  const std::string name = file.string();
  std::FILE* f = std::fopen(name.c_str(), "rb");
  if (f == nullptr) {
    return Error(ErrorKind::kIo,
                 name + ": cannot open the rule pack file: " + std::strerror(errno));
  }
  char buffer[64 * 1024];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) out.append(buffer, n);
  const bool failed = std::ferror(f) != 0;
  const int read_errno = errno;
  std::fclose(f);
  if (failed) {
    return Error(ErrorKind::kIo, name + ": error while reading the rule pack file: " +
                                     std::strerror(read_errno));
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const RulePack>> RulePack::LoadFiles(
    const std::vector<std::filesystem::path>& files, const PackOptions& options) {
  if (files.empty()) return Error(ErrorKind::kUsage, "no rule pack files given");
  std::vector<Rule> all;
  for (const std::filesystem::path& file : files) {
    const std::string name = file.string();
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
      return Error(ErrorKind::kIo, name + ": is a directory, not a rule pack file");
    }
    std::string text;
    if (Status s = ReadWholeFile(file, text); !s) return s.error();
    Result<std::vector<Rule>> rules = ParsePack(text, name);
    if (!rules) return rules.error();
    std::move(rules->begin(), rules->end(), std::back_inserter(all));
  }
  return Compile(std::move(all), options);
}

// ---- scanning --------------------------------------------------------------------------------

namespace {

// The index just past the UTF-8 character that starts at `i` (text is valid UTF-8).
std::size_t NextChar(std::string_view text, std::size_t i) {
  ++i;
  while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
  return i;
}

Span MakeSpan(std::string_view text, std::size_t offset, std::size_t length,
              std::size_t max_text) {
  Span span;
  span.offset = offset;
  span.length = length;
  std::size_t keep = std::min(length, max_text);
  // Do not cut a UTF-8 character in two.
  while (keep > 0 && keep < length &&
         (static_cast<unsigned char>(text[offset + keep]) & 0xC0) == 0x80) {
    --keep;
  }
  span.text = std::string(text.substr(offset, keep));
  span.truncated = keep < length;
  return span;
}

}  // namespace

Result<ScanResult> RulePack::Scan(std::string_view text) const {
  if (text.size() > options_.max_text_bytes) {
    return Error(ErrorKind::kLimit, "text of " + std::to_string(text.size()) +
                                        " bytes is over the scan limit of " +
                                        std::to_string(options_.max_text_bytes) + " bytes");
  }
  Result<std::string> normalized = NormalizeForScan(text, options_.normalization);
  if (!normalized) return normalized.error();
  const std::string_view norm = *normalized;

  ScanResult result;
  result.normalized_size = norm.size();

  std::vector<int> matched_ids;
  re2::RE2::Set::ErrorInfo info{re2::RE2::Set::kNoError};
  const bool matched =
      compiled_->set.Match(re2::StringPiece(norm.data(), norm.size()), &matched_ids, &info);
  if (Status s = detail::CheckSetMatch(matched, info.kind, options_.max_mem); !s) {
    return s.error();
  }
  if (!matched) return result;
  std::sort(matched_ids.begin(), matched_ids.end());

  const re2::StringPiece whole(norm.data(), norm.size());
  for (int id : matched_ids) {
    const auto index = static_cast<std::size_t>(id);
    if (index >= rules_.size()) {
      return Error(ErrorKind::kInternal, "RE2::Set reported an unknown rule index " +
                                             std::to_string(id));
    }
    const Rule& rule = rules_[index];
    const re2::RE2& re = *compiled_->regexes[index];
    const ValidatorFn validator = compiled_->validators[index];

    Hit hit;
    std::size_t candidates = 0;
    std::size_t pos = 0;
    while (pos <= norm.size()) {
      re2::StringPiece m;
      if (!re.Match(whole, pos, norm.size(), re2::RE2::UNANCHORED, &m, 1)) break;
      ++candidates;
      const auto start = static_cast<std::size_t>(m.data() - norm.data());
      const std::size_t length = m.size();
      if (length == 0 || (validator != nullptr && !validator(std::string_view(m.data(), length)))) {
        // Skip one character only, so a valid match overlapping a rejected one is still found.
        pos = NextChar(norm, start);
        continue;
      }
      ++hit.count;
      if (hit.spans.size() < options_.max_spans_per_hit) {
        hit.spans.push_back(MakeSpan(norm, start, length, options_.max_span_text));
      }
      pos = start + length;
    }
    if (candidates == 0) {
      return Error(ErrorKind::kInternal, "rule " + Quote(rule.name) +
                                             ": the RE2::Set matched but the rule's own RE2 "
                                             "found no match");
    }
    if (hit.count == 0) continue;  // every candidate failed the validator, or was empty

    hit.rule = rule.name;
    hit.pack = rule.pack;
    hit.category = rule.category;
    hit.severity = rule.severity;
    hit.message = rule.message;
    result.category_hits[hit.category] += 1;
    result.category_matches[hit.category] += hit.count;
    result.hits.push_back(std::move(hit));
  }
  return result;
}

}  // namespace gavel::safety
