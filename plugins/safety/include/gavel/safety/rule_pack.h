// Rule packs: named RE2 rules (PII, secrets, prompt injection, unsafe content) compiled once
// into one RE2::Set and scanned concurrently from many threads:
//   auto pack = RulePack::LoadFiles({"rubrics/rules/pii.json"}, {});  // then pack.value()->Scan(text)
#pragma once

// ---------------------------------------------------------------------------------------------
// Pack file format (JSON, UTF-8). One file is one pack:
//
//   {
//     "pack": "pii",                                  // required: pack name, [A-Za-z0-9_.-]+
//     "description": "Personal data ...",             // optional: free text for people
//     "defaults": { "category": "pii",                // optional: used by rules that do not
//                   "severity": "high" },             //   set their own category / severity
//     "rules": [                                      // required: at least one rule
//       {
//         "name": "credit_card",                      // required, unique across ALL loaded packs
//         "pattern": "\\b4\\d{3}(?:[ -]?\\d{4}){3}\\b", // required: RE2 syntax; a string, or an
//                                                     //   array of strings that are concatenated
//         "ignore_case": false,                       // optional, default false
//         "category": "pii",                          // required unless in "defaults"
//         "severity": "high",                         // required unless in "defaults": one of
//                                                     //   info, low, medium, high, critical
//         "message": "Payment card number",           // optional: shown with each hit
//         "validator": "luhn",                        // optional: luhn, iban, us_ssn
//         "description": "Why the rule exists",       // optional: free text for people
//         "examples": {                               // optional here, required by the tests of
//           "match":    ["card 4111 1111 1111 1111"], //   shipped packs: texts the rule must hit
//           "no_match": ["card 4111 1111 1111 1112"]  //   and texts it must not hit
//         }
//       }
//     ]
//   }
//
// Unknown keys are errors (a misspelt "severty" must not be silently ignored). A pattern that
// RE2 rejects, or that matches the empty string, fails the whole load with the file, the rule
// name and RE2's message. Rules match the normalised text (see normalize.h); RE2 has no
// look-around and no back-references, and \b, \d, \w are ASCII-only.
// ---------------------------------------------------------------------------------------------

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gavel/safety/normalize.h"
#include "gavel/safety/validators.h"
#include "gavel/status.h"

namespace gavel::safety {

// Ordered from least to most severe; what a severity does to a reward is the rubric's choice.
enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };

// "info", "low", "medium", "high", "critical".
std::string_view SeverityName(Severity severity);
// The severity spelt `name` (lower case, as in SeverityName), or nullopt.
std::optional<Severity> ParseSeverity(std::string_view name);

// One rule, as written in a pack file (or built by code and passed to RulePack::Compile).
struct Rule {
  std::string name;      // unique across every pack compiled together
  std::string pack;      // the pack the rule came from
  std::string category;  // free-form label such as "pii", "secret", "injection"
  Severity severity = Severity::kMedium;
  std::string message;    // optional, reported with each hit
  std::string pattern;    // RE2 syntax, as written (without the (?i) that ignore_case adds)
  bool ignore_case = false;
  std::string validator;  // "" for none, else a name accepted by FindValidator
  std::string description;
  std::vector<std::string> match_examples;     // texts the rule is expected to hit
  std::vector<std::string> no_match_examples;  // texts the rule is expected not to hit
  std::string source;  // file (or source name) the rule was read from, for error messages
};

// One match. Offsets are BYTE offsets into the NORMALISED text (NormalizeForScan), which
// differs from the input when the input had invalid UTF-8, invisible format characters or
// non-NFC sequences.
struct Span {
  std::size_t offset = 0;
  std::size_t length = 0;
  std::string text;        // the matched text, cut at a UTF-8 boundary to max_span_text bytes
  bool truncated = false;  // true if `text` was cut
};

// One rule that matched at least once (after its validator, if any).
struct Hit {
  std::string rule;
  std::string pack;
  std::string category;
  Severity severity = Severity::kMedium;
  std::string message;
  std::size_t count = 0;    // every match found, even past max_spans_per_hit
  std::vector<Span> spans;  // the first max_spans_per_hit matches, in text order
};

struct ScanResult {
  std::vector<Hit> hits;  // in the order the rules were loaded; empty if the text is clean
  // Per category: how many rules hit, and how many matches they had in total.
  std::map<std::string, std::size_t> category_hits;
  std::map<std::string, std::size_t> category_matches;
  std::size_t normalized_size = 0;  // bytes of the normalised text the spans refer to

  bool clean() const { return hits.empty(); }
  // The highest severity among the hits (optionally only those of `category`), or nullopt.
  std::optional<Severity> MaxSeverity(std::string_view category = {}) const;
  // The hit of rule `rule`, or nullptr.
  const Hit* Find(std::string_view rule) const;
};

struct PackOptions {
  // Memory budget of the combined RE2::Set (program and DFA cache). A set that does not fit is
  // a load error; a DFA that runs out of it during a scan is a scan error, never "no match".
  std::int64_t max_mem = std::int64_t{64} << 20;
  // Budget of each per-rule RE2 object (used only to locate matches of rules the set reported).
  std::int64_t rule_max_mem = std::int64_t{8} << 20;
  std::size_t max_spans_per_hit = 16;
  std::size_t max_span_text = 64;  // bytes of matched text kept in Span::text
  // Texts longer than this (in bytes, before normalisation) fail the scan with kLimit.
  std::size_t max_text_bytes = std::size_t{16} << 20;
  Normalization normalization = Normalization::kNFC;
};

// An immutable, compiled set of rules. All const members are safe to call from many threads
// at once; share it as std::shared_ptr<const RulePack>.
class RulePack {
 public:
  // Reads, parses and compiles pack files together (rule names must be unique across them).
  // Errors: kIo (file unreadable), kBadRubric (invalid JSON, bad field, bad pattern, duplicate
  // name), kLimit (the set does not fit in max_mem), kUsage (no files, bad options).
  static Result<std::shared_ptr<const RulePack>> LoadFiles(
      const std::vector<std::filesystem::path>& files, const PackOptions& options = {});

  // Parses and compiles one pack given as JSON text; `source` names it in error messages.
  static Result<std::shared_ptr<const RulePack>> FromJson(std::string_view json_text,
                                                          std::string_view source,
                                                          const PackOptions& options = {});

  // Parses one pack file's text into rules without compiling them.
  static Result<std::vector<Rule>> ParsePack(std::string_view json_text, std::string_view source);

  // Compiles rules built by code or by ParsePack (possibly from several packs).
  static Result<std::shared_ptr<const RulePack>> Compile(std::vector<Rule> rules,
                                                         const PackOptions& options = {});

  // Normalises `text` (see normalize.h) and reports every rule that matches it. Errors:
  // kLimit (text over max_text_bytes, RE2 DFA out of memory), kInternal (ICU or RE2 failure).
  Result<ScanResult> Scan(std::string_view text) const;

  std::size_t size() const { return rules_.size(); }
  const std::vector<Rule>& rules() const { return rules_; }
  const PackOptions& options() const { return options_; }

  ~RulePack();
  RulePack(const RulePack&) = delete;
  RulePack& operator=(const RulePack&) = delete;

 private:
  struct Compiled;  // the RE2::Set and per-rule RE2 objects
  RulePack(std::vector<Rule> rules, PackOptions options, std::unique_ptr<Compiled> compiled);

  std::vector<Rule> rules_;
  PackOptions options_;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace gavel::safety
