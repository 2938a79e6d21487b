// The data model of one input: a conversation whose last assistant turn is the answer to score.
//
// Samples come from the Amazon Nova RFT reward-Lambda event (a JSON array of objects) or from
// JSONL files of the same objects; see sample_io.h for the readers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace gavel {

using Json = nlohmann::json;

struct Message {
  std::string role;     // "system", "user", "assistant", "nova_assistant", ...
  std::string content;  // text; a list of {type:"text", text} parts is joined
};

struct Sample {
  Json id;                        // a string or an integer, echoed back unchanged
  std::vector<Message> messages;  // in conversation order
  Json reference;                 // `reference_answer` (top level or under `metadata`); null if absent
  Json metadata;                  // an object: `metadata`'s keys plus every other top-level key

  // Index of the answer: the last message whose role is "assistant" or "nova_assistant".
  // Samples from the readers always have one.
  std::size_t answer_index = 0;

  std::string_view answer() const { return messages[answer_index].content; }
  // The last "user" message before the answer, or empty.
  std::string_view prompt() const;
  // The first "system" message, or empty.
  std::string_view system() const;
};

}  // namespace gavel
