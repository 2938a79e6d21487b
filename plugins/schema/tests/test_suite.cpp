// Compliance with the official JSON-Schema-Test-Suite, every dialect gavel implements: each
// required case must pass unless it is listed below with its reason (a listed case that starts
// passing fails the test too, so the list stays honest); optional cases are run and counted
// but never fail the test. Every figure and every failing case is printed in a stable form
// that scripts/schema-compliance.py turns into docs/schema-compliance.md.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "gavel/schema/schema.h"

namespace {

namespace fs = std::filesystem;
using gavel::Json;
using gavel::schema::Dialect;
using gavel::schema::LoadOptions;
using gavel::schema::Schema;

struct Listed {
  const char* id;  // "<dialect folder>/<file> | <group description> | <case description>"
  const char* reason;
};

// Required cases known to fail, with the reason.
const Listed kKnownFailures[] = {
    {nullptr, nullptr},
};

struct DialectFolder {
  const char* folder;
  Dialect dialect;
};

constexpr DialectFolder kDialects[] = {
    {"draft4", Dialect::kDraft4},
    {"draft6", Dialect::kDraft6},
    {"draft7", Dialect::kDraft7},
    {"draft2019-09", Dialect::kDraft2019_09},
    {"draft2020-12", Dialect::kDraft2020_12},
};

Json ReadJson(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return Json::parse(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
}

// The configured copy of the current suite, else Debian's json-schema-test-suite package
// (which stops at draft-07).
fs::path SuiteFolder() {
  for (const fs::path& candidate : {fs::path(GAVEL_JSON_SCHEMA_TEST_SUITE), fs::path("/usr/share/json-schema-test-suite")}) {
    if (fs::is_directory(candidate / "tests")) return candidate;
  }
  return {};
}

std::string OneLine(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\t', ' ');
  return text.size() > 300 ? text.substr(0, 300) + "..." : text;
}

struct Tally {
  std::size_t passed = 0, total = 0;
};

}  // namespace

TEST_CASE("JSON-Schema-Test-Suite: every required case of every dialect passes; optional ones are counted", "[suite]") {
  const fs::path suite = SuiteFolder();
  if (suite.empty()) {
    WARN("JSON-Schema-Test-Suite not found at " << GAVEL_JSON_SCHEMA_TEST_SUITE
                                                << " nor /usr/share/json-schema-test-suite; the compliance test is skipped");
    return;
  }
  std::string commit = "unknown commit";
  if (std::ifstream in(suite / "COMMIT"); in) std::getline(in, commit);
  std::cout << "suite\t" << suite.string() << "\t" << commit << "\n";

  std::map<std::string, std::string> known;
  for (const Listed& failure : kKnownFailures) {
    if (failure.id != nullptr) known.emplace(failure.id, failure.reason);
  }
  std::set<std::string> seen;
  std::vector<std::string> unexpected_failures, unexpected_passes;
  for (const DialectFolder& dialect : kDialects) {
    const fs::path folder = suite / "tests" / dialect.folder;
    if (!fs::is_directory(folder)) {
      WARN("no " << folder.string() << " in this copy of the suite; " << dialect.folder << " is not measured");
      continue;
    }
    LoadOptions options;
    options.default_dialect = dialect.dialect;
    // The suite's remote references point at http://localhost:1234/, which is its remotes folder.
    options.uri_folders.emplace_back("http://localhost:1234/", suite / "remotes");

    std::vector<std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") {
        files.push_back(entry.path().lexically_relative(folder).generic_string());
      }
    }
    std::sort(files.begin(), files.end());
    Tally required, optional;
    for (const std::string& relative : files) {
      const bool is_optional = relative.rfind("optional/", 0) == 0;
      Tally& tally = is_optional ? optional : required;
      for (const Json& group : ReadJson(folder / relative)) {
        const std::string group_name = group.at("description").get<std::string>();
        const std::string group_id = std::string(dialect.folder) + "/" + relative + " | " + group_name;
        const auto schema = Schema::FromJson(group.at("schema"), group_id, options);
        for (const Json& test : group.at("tests")) {
          const std::string case_name = test.at("description").get<std::string>();
          const std::string id = group_id + " | " + case_name;
          const bool expected = test.at("valid").get<bool>();
          ++tally.total;
          std::string detail;
          bool ok = false;
          if (!schema) {
            detail = "load error: " + schema.error().message();
          } else {
            const auto result = (*schema)->Validate(test.at("data"));
            const bool quick = (*schema)->IsValid(test.at("data"));
            ok = result.valid == expected;
            // The collecting and checking walks must agree, and a verdict must match its list.
            if (quick != result.valid || result.valid != result.violations.empty()) {
              ok = false;
              detail = "Validate/IsValid disagree; ";
            }
            detail += "expected " + std::string(expected ? "valid" : "invalid") + ", got " +
                      (result.valid ? "valid" : "invalid");
            if (!result.violations.empty()) detail += ": " + result.violations.front().ToString();
          }
          if (ok) ++tally.passed;
          if (is_optional) {
            if (!ok) {
              std::cout << "suite-failure\t" << dialect.folder << "\toptional\t" << relative << "\t" << OneLine(group_name)
                        << "\t" << OneLine(case_name) << "\t" << OneLine(detail) << "\n";
            }
            continue;
          }
          seen.insert(id);
          const auto listed = known.find(id);
          if (ok && listed != known.end()) unexpected_passes.push_back(id);
          if (!ok && listed == known.end()) unexpected_failures.push_back(id + ": " + detail);
          if (!ok) {
            std::cout << "suite-failure\t" << dialect.folder << "\trequired\t" << relative << "\t" << OneLine(group_name)
                      << "\t" << OneLine(case_name) << "\t"
                      << OneLine(listed != known.end() ? listed->second : detail) << "\n";
          }
        }
      }
    }
    std::cout << "suite-figures\t" << dialect.folder << "\trequired\t" << required.passed << "\t" << required.total
              << "\n"
              << "suite-figures\t" << dialect.folder << "\toptional\t" << optional.passed << "\t" << optional.total
              << "\n";
    std::cout << "JSON-Schema-Test-Suite " << dialect.folder << ": required " << required.passed << " of "
              << required.total << " pass; optional " << optional.passed << " of " << optional.total << "\n";
    CHECK(required.total > 0);
  }
  std::vector<std::string> stale;
  for (const auto& [id, reason] : known) {
    if (seen.count(id) == 0) stale.push_back(id);
  }
  for (const std::string& id : unexpected_failures) UNSCOPED_INFO("unexpected failure: " << id);
  for (const std::string& id : unexpected_passes) UNSCOPED_INFO("known failure now passes, unlist it: " << id);
  for (const std::string& id : stale) UNSCOPED_INFO("known failure not in the suite: " << id);
  CHECK(unexpected_failures.empty());
  CHECK(unexpected_passes.empty());
  CHECK(stale.empty());
}
