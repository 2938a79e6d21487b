// Reading results files (run.h) back, one line at a time, and the facts the summaries take
// from a result line.
#pragma once

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "gavel/sample.h"
#include "gavel/status.h"

namespace gavel::offline::detail {

// Calls `fn` with each line of a results file; an unreadable file or line is an error naming it.
inline Status ForEachResult(const std::filesystem::path& file, const std::function<void(const Json&)>& fn) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error(ErrorKind::kIo, "cannot read " + file.string());
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    Json j = Json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("score")) {
      return Error(ErrorKind::kIo, file.string() + ":" + std::to_string(number) + ": not a result line");
    }
    fn(j);
  }
  return Status();
}

inline const Json& Details(const Json& r) {
  static const Json empty = Json::object();
  const Json& s = r["score"];
  auto it = s.find("details");
  return it != s.end() && it->is_object() ? *it : empty;
}

inline double Reward(const Json& r) {
  const Json& v = r["score"].value("aggregate_reward_score", Json());
  return v.is_number() ? v.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

// The failure of a sample that got the neutral reward ("judge", "rubric", ...), or "".
inline std::string FailureKind(const Json& r) {
  for (const Json& m : r["score"].value("metrics_list", Json::array())) {
    const std::string name = m.value("name", "");
    if (name.rfind("error.", 0) == 0) return name.substr(6);
  }
  return {};
}

inline std::string IdText(const Json& id) { return id.is_string() ? id.get<std::string>() : id.dump(); }

// A number for the summary: null when it is not finite (an interval from one value, say).
inline Json Num(double v) { return std::isfinite(v) ? Json(v) : Json(); }

// A number as people write it in a message: "0.25", "1e+06".
inline std::string Short(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

}  // namespace gavel::offline::detail
