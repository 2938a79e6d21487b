// Command-line options shared by the gavel commands: "--key value" pairs and bare "--flag"s.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gavel::cli {

struct Options {
  std::map<std::string, std::string> values;
  std::vector<std::string> flags;
  std::vector<std::pair<std::string, std::string>> all;  // every "--key value", in order
  // Every value of an option that may be given more than once.
  std::vector<std::string> GetAll(const std::string& key) const;
  bool Has(const std::string& flag) const;
  std::optional<std::string> Get(const std::string& key) const;
};

// Parses "--key value" pairs (keys in `with_value`) and bare "--flag"s (in `bare`); returns an
// error message ("unknown option '--x'", "--key needs a value"), or "" when all were read.
std::string ParseOptions(const std::vector<std::string>& args, const std::vector<std::string>& with_value,
                         const std::vector<std::string>& bare, Options& out);

// A whole number > 0 from an option's text; true (and `out` untouched) when the option is absent.
bool ParseCount(const std::optional<std::string>& text, std::size_t& out);

// A finite number from an option's text; true (and `out` untouched) when the option is absent.
bool ParseNumber(const std::optional<std::string>& text, std::optional<double>& out);

// Prints "gavel: <message> (see gavel --help)" and returns the usage exit code, 2.
int Usage(const std::string& message);

}  // namespace gavel::cli
