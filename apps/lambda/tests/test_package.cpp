// SPDX-License-Identifier: Apache-2.0
// Copyright The gavel authors
//
// gavel-lambda.zip: its listing, the licences it carries, and the unzipped bootstrap answering
// the stand-in Runtime API with the libraries from its own lib/ folder.
#include <catch2/catch.hpp>

#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "child_process.h"
#include "gavel/lambda/standin_runtime_api.h"
#include "gavel/sample.h"
#include "test_support.h"

namespace {

using gavel::lambda::testing::ChildProcess;
using gavel::lambda::testing::Lines;
using gavel::lambda::testing::ReadFile;
constexpr auto kPatience = std::chrono::seconds(120);

// Runs a tool to the end; returns its standard output.
std::string Run(const std::string& program, const std::vector<std::string>& args, const gavel::testing::TempDir& dir) {
  ChildProcess tool(program, args, {}, (dir.path() / "tool.out").string(), (dir.path() / "tool.err").string());
  REQUIRE(tool.started());
  REQUIRE(tool.Wait(kPatience));
  INFO(tool.err());
  REQUIRE(tool.exit_code() == 0);
  return tool.out();
}

// The zip's entries and their modes, from zipinfo lines:
// "-rwxr-xr-x  3.0 unx  1234 bx defN 24-Jan-01 00:00 bootstrap".
std::map<std::string, std::string> ZipEntries(const gavel::testing::TempDir& dir) {
  std::map<std::string, std::string> mode_of;
  for (const std::string& line : Lines(Run("/usr/bin/unzip", {"-Z", GAVEL_LAMBDA_ZIP}, dir))) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;) f.push_back(w);
    if (f.size() == 9 && f[0].size() == 10 && (f[0][0] == '-' || f[0][0] == 'd')) mode_of[f[8]] = f[0];
  }
  return mode_of;
}

std::string ZipFile(const std::string& name, const gavel::testing::TempDir& dir) {
  return Run("/usr/bin/unzip", {"-p", GAVEL_LAMBDA_ZIP, name}, dir);
}

}  // namespace

TEST_CASE("package: the zip holds an executable bootstrap, its libraries and the rubrics", "[package]") {
  gavel::testing::TempDir dir;
  std::map<std::string, std::string> mode_of = ZipEntries(dir);
  REQUIRE(mode_of.count("bootstrap") == 1);
  CHECK(mode_of["bootstrap"] == "-rwxr-xr-x");
  REQUIRE(mode_of.count("bin/gavel-bootstrap") == 1);
  CHECK(mode_of["bin/gavel-bootstrap"] == "-rwxr-xr-x");
  CHECK(mode_of["lib/ld-linux-x86-64.so.2"] == "-rwxr-xr-x");
  for (const char* lib : {"liblua5.4-c++.so.0", "libre2.so.9", "libcld2_full.so.0", "libicuuc.so.72", "libicudata.so.72",
                          "libstdc++.so.6", "libcurl.so.4", "libssl.so.3"}) {
    INFO(lib);
    CHECK(mode_of.count(std::string("lib/") + lib) == 1);
  }
  // glibc ships too: the image's may be older than the one the program was built against.
  for (const char* lib : {"libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2"}) {
    INFO(lib);
    CHECK(mode_of.count(std::string("lib/") + lib) == 1);
  }
  for (const char* file : {"rubrics/contract_review.lua", "rubrics/math_answer.lua", "rubrics/support_reply.lua",
                           "rubrics/lib/maths.lua", "rubrics/prompts/contract_review.txt",
                           "rubrics/rules/injection.json", "rubrics/rules/secrets.json", "schemas/contract_verdict.json",
                           "schemas/contract_comments.json", "schemas/support_reply.json"}) {
    INFO(file);
    CHECK(mode_of.count(file) == 1);
  }
  // Nothing else at the top level.
  for (const auto& [name, mode] : mode_of) {
    INFO(name);
    CHECK((name == "bootstrap" || name == "LICENSE" || name == "THIRD_PARTY_NOTICES.md" ||
           name.rfind("bin/", 0) == 0 || name.rfind("lib/", 0) == 0 || name.rfind("licenses/", 0) == 0 ||
           name.rfind("rubrics/", 0) == 0 || name.rfind("schemas/", 0) == 0));
  }
  std::string report_file = GAVEL_LAMBDA_ZIP;
  report_file.replace(report_file.size() - 4, 4, ".txt");
  const std::string report = ReadFile(report_file);
  CHECK_THAT(report, Catch::Contains("highest GLIBC symbol version required: GLIBC_2."));
  CHECK_THAT(report, Catch::Contains("met by the glibc shipped in lib/ (version 2."));
}

TEST_CASE("package: the zip carries gavel's licence, the notices, and a licence text for every library",
          "[package][licence]") {
  gavel::testing::TempDir dir;
  const std::map<std::string, std::string> mode_of = ZipEntries(dir);
  const std::string notices = ReadFile(GAVEL_SOURCE_DIR "/THIRD_PARTY_NOTICES.md");
  REQUIRE(!notices.empty());
  CHECK(ZipFile("LICENSE", dir) == ReadFile(GAVEL_SOURCE_DIR "/LICENSE"));
  CHECK(ZipFile("THIRD_PARTY_NOTICES.md", dir) == notices);

  // licenses/PACKAGES.txt: shipped file, Debian package, version, source package, licence text.
  std::map<std::string, std::string> license_of;
  std::set<std::string> copyright_files;
  for (const std::string& line : Lines(ZipFile("licenses/PACKAGES.txt", dir))) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string field; std::getline(fields, field, '\t');) f.push_back(field);
    INFO(line);
    REQUIRE(f.size() == 5);
    CHECK(mode_of.count(f[4]) == 1);
    copyright_files.insert(f[4]);
    if (f[0].rfind("lib/", 0) == 0) {
      license_of[f[0]] = f[4];
    } else {
      // What the program compiles in: nlohmann-json (header-only) and the JSON Schema
      // meta-schemas gavel.schema embeds (from python3-jsonschema).
      CHECK(f[0] == "bin/gavel-bootstrap");
      CHECK((f[1] == "nlohmann-json3-dev" || f[1] == "python3-jsonschema"));
    }
  }
  CHECK(copyright_files.count("licenses/nlohmann-json3-dev/copyright") == 1);
  if (std::filesystem::exists("/usr/lib/python3/dist-packages/jsonschema/schemas/draft2020-12.json")) {
    CHECK(copyright_files.count("licenses/python3-jsonschema/copyright") == 1);
  }

  std::size_t libraries = 0;
  for (const auto& [path, mode] : mode_of) {
    if (path.rfind("lib/", 0) != 0 || mode[0] != '-') continue;
    ++libraries;
    INFO(path);
    // A library added to the zip needs its entry in THIRD_PARTY_NOTICES.md, named in backticks.
    CHECK(notices.find("`" + path.substr(4) + "`") != std::string::npos);
    // And a line in licenses/PACKAGES.txt, whose copyright file is in the zip (checked above).
    CHECK(license_of.count(path) == 1);
  }
  CHECK(libraries >= 30);
  CHECK(libraries == license_of.size());

  // The common licence texts the copyright files refer to (Debian's files name them instead of
  // repeating them) are in the zip too.
  std::set<std::string> texts;
  const std::string prefix = "common-licenses/";
  for (const std::string& file : copyright_files) {
    const std::string text = ZipFile(file, dir);
    for (std::size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
      std::size_t end = at + prefix.size();
      while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '.' ||
                                   text[end] == '+' || text[end] == '-')) {
        ++end;
      }
      // A name at the end of a sentence ("common-licenses/GPL-2.") loses its full stop.
      while (end > at + prefix.size() && text[end - 1] == '.') --end;
      if (end > at + prefix.size()) texts.insert(text.substr(at + prefix.size(), end - at - prefix.size()));
    }
  }
  CHECK(texts.count("LGPL-2.1") == 1);  // glibc's
  for (const std::string& text : texts) {
    INFO(text);
    CHECK(mode_of.count("licenses/common-licenses/" + text) == 1);
  }
}

TEST_CASE("package: the unzipped bootstrap runs from its folder with its own libraries", "[package]") {
  gavel::testing::TempDir dir;
  const auto root = dir.path() / "task";
  Run("/usr/bin/unzip", {"-q", GAVEL_LAMBDA_ZIP, "-d", root.string()}, dir);
  auto api = gavel::lambda::StandinRuntimeApi::Start({});
  REQUIRE(api);
  const std::string id = (*api)->Enqueue(
      R"([{"id": "q", "messages": [{"role": "user", "content": "1+1?"}, {"role": "assistant", "content": "#### 2"}], "reference_answer": 2}])");
  ChildProcess fn((root / "bootstrap").string(), {},
                  {{"AWS_LAMBDA_RUNTIME_API", (*api)->address()},
                   {"LAMBDA_TASK_ROOT", root.string()},
                   {"_HANDLER", "math_answer"},
                   {"GAVEL_THREADS", "1"},
                   {"LD_LIBRARY_PATH", std::nullopt}},
                  (dir.path() / "out.txt").string(), (dir.path() / "err.txt").string());
  REQUIRE(fn.started());
  std::vector<gavel::lambda::StandinPost> posts = (*api)->WaitForPosts(1, kPatience);
  INFO(fn.out() << fn.err());
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].request_id == id);
  const gavel::Json response = gavel::Json::parse(posts[0].body);
  CHECK(response[0]["id"] == "q");
  CHECK(response[0]["aggregate_reward_score"] == 1.0);
  // While it waits for the next event: its libraries were loaded from the zip's lib/.
  REQUIRE((*api)->WaitForNextRequests(2, kPatience) == 2);
  const std::string maps = ReadFile("/proc/" + std::to_string(fn.pid()) + "/maps");
  for (const char* lib : {"/lib/libre2.so.9", "/lib/liblua5.4-c++.so.0", "/lib/libstdc++.so.6", "/lib/libssl.so.3",
                          "/lib/libc.so.6", "/lib/ld-linux-x86-64.so.2", "/bin/gavel-bootstrap"}) {
    INFO(lib);
    CHECK_THAT(maps, Catch::Contains(root.string() + lib));
  }
  (*api)->Stop();
  REQUIRE(fn.Wait(kPatience));
  CHECK(fn.exit_code() == 2);
}
