// A rubric: a Lua file that says how to score a sample (gates, weighted checks, judge steps and
// an optional `score` function). See docs/rubrics.md for the language.
//
//   auto rubric = gavel::Rubric::Load("rubrics/math_answer.lua", registry);
//   if (!rubric) { std::cerr << rubric.error().message() << "\n"; }   // "file:line: reason"
//
// Load runs the file once in a throwaway sandboxed Lua state, so every error surfaces here, with
// file, line and a plain message, before any sample is scored. The loaded Rubric is immutable and
// shared by the engine's workers, each of which runs the same source in its own Lua state.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gavel/plugin_registry.h"
#include "gavel/status.h"

namespace gavel {

class ResourceCache;  // gavel/plugin.h

// Per-sample sandbox limits. A rubric sets them in its `limits` table.
struct RubricLimits {
  std::size_t memory_bytes = 64u << 20;            // net Lua heap growth while scoring one sample
  std::uint64_t instructions = 100'000'000;        // Lua VM instructions for one sample
  std::chrono::milliseconds time{60'000};          // wall clock for one sample, judge waits included
};

struct RubricLoadOptions {
  // Folder that `require` of Lua helpers and file references may not leave. Empty: the folder
  // of the rubric file.
  std::filesystem::path root;
  // Folder that data files a rubric names (schemas, rule packs, prompts) may not leave. Empty:
  // the folder above the rubrics folder, so rubrics/x.lua may name ../schemas/y.json.
  std::filesystem::path data_root;
  // Limits for running the rubric file itself at load.
  RubricLimits load_limits{256u << 20, 1'000'000'000, std::chrono::milliseconds(10'000)};
};

class Rubric {
 public:
  // Uses `plugins` only while it runs (to load the rubric once in a throwaway state).
  static Result<std::shared_ptr<const Rubric>> Load(const std::filesystem::path& file,
                                                    const PluginRegistry& plugins,
                                                    const RubricLoadOptions& options = {});

  const std::string& name() const { return name_; }
  double neutral() const { return neutral_; }
  const RubricLimits& limits() const { return limits_; }
  const std::vector<std::string>& gates() const { return gates_; }
  const std::vector<std::string>& checks() const { return checks_; }
  const std::vector<std::string>& judges() const { return judges_; }
  // Steps that said what they measure (`measures = "schema" | "safety" | "language"`): step name
  // to that word. Reports over many samples use it for the schema-validity, safety-violation
  // and language-match rates.
  const std::map<std::string, std::string>& measures() const { return measures_; }

  // Where the rubric came from, as given to Load (used as the chunk name in error messages).
  const std::filesystem::path& file() const { return file_; }
  const std::filesystem::path& dir() const { return dir_; }
  const std::filesystem::path& root() const { return root_; }
  const std::filesystem::path& data_root() const { return data_root_; }
  const std::string& source() const { return source_; }
  const RubricLoadOptions& load_options() const { return load_options_; }
  // Resources compiled once for this rubric and shared by every worker (see plugin.h).
  ResourceCache& resources() const { return *resources_; }

 private:
  Rubric() = default;
  friend struct RubricBuilder;

  std::string name_;
  double neutral_ = 0.5;
  RubricLimits limits_;
  std::vector<std::string> gates_, checks_, judges_;
  std::map<std::string, std::string> measures_;
  std::filesystem::path file_, dir_, root_, data_root_;
  std::string source_;
  RubricLoadOptions load_options_;
  std::shared_ptr<ResourceCache> resources_;
};

}  // namespace gavel
