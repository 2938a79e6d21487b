// Helpers for tests that score with the shipped rubrics end to end: the source folder, a metric's
// value and a step's detail in a score, and the judge URL pointed at a stand-in judge for the
// length of a test.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "test_support.h"

namespace gavel::testing {

inline const std::filesystem::path kSourceDir = GAVEL_SOURCE_DIR;

// The value of a metric the score must have.
inline double MetricValue(const Score& score, const std::string& name) {
  const Metric* m = FindMetric(score, name);
  INFO("metric " << name);
  REQUIRE(m != nullptr);
  return m->value;
}

// A step's detail; for the gate that failed, its reason.
inline std::string Detail(const Score& score, const std::string& name) {
  if (score.details.contains("gate") && score.details["gate"].value("name", "") == name) {
    return score.details["gate"].value("reason", "");
  }
  if (!score.details.contains(name)) return "";
  const Json& d = score.details.at(name);
  return d.is_string() ? d.get<std::string>() : d.dump();
}

}  // namespace gavel::testing
