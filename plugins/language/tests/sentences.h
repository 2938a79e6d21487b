// The project's own test sentences (tests/data/sentences.tsv): lang<TAB>sentence per line.
#pragma once

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace gavel::language::testing {

struct Sentence {
  std::string lang;
  std::string text;
};

inline std::vector<Sentence> LoadSentences() {
  std::ifstream in(GAVEL_LANGUAGE_SENTENCES);
  if (!in) throw std::runtime_error("cannot open " GAVEL_LANGUAGE_SENTENCES);
  std::vector<Sentence> sentences;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::size_t tab = line.find('\t');
    if (tab == std::string::npos) throw std::runtime_error("no tab in line: " + line);
    sentences.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return sentences;
}

}  // namespace gavel::language::testing
