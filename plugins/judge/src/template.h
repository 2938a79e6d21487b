// Prompt templates of `gavel.judge`: plain text with {{placeholders}}, parsed once at rubric
// load into literal and placeholder segments, filled in per judge call. Values are inserted
// verbatim and never scanned again, so an answer that contains "{{" stays as it is.
//
//   {{prompt}} {{answer}} {{system}} {{reference}} {{id}}   fields of the sample
//   {{metadata.KEY}}                                       s.metadata[KEY]
//   {{vars.KEY}}                                           the call's vars[KEY]
//   {{item}} {{index}} {{a}} {{b}}                         the same as {{vars.item}}, ...
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "gavel/status.h"

namespace gavel::judge {

enum class Field { kLiteral, kPrompt, kAnswer, kSystem, kReference, kId, kMetadata, kVars };

struct Segment {
  Field field = Field::kLiteral;
  std::string text;         // kLiteral: the text; kMetadata, kVars: the key
  std::string placeholder;  // as written, trimmed: "{{vars.rubric}}", for messages
  std::size_t line = 0;     // where it starts in the file, 1-based
};

class Template {
 public:
  // Parses `text`; `name` (the file, relative to the data root) is used in messages. Errors
  // (kBadRubric) name the file and line: "prompts/r.txt:3: unknown placeholder {{answr}} ...".
  static Result<Template> Parse(std::string_view text, std::string name);

  const std::vector<Segment>& segments() const { return segments_; }
  const std::string& name() const { return name_; }
  // The sum of the literal segments' sizes, to reserve the rendered text.
  std::size_t literal_size() const { return literal_size_; }

 private:
  std::vector<Segment> segments_;
  std::string name_;
  std::size_t literal_size_ = 0;
};

}  // namespace gavel::judge
