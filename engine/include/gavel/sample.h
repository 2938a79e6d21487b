// The data model of one input: a conversation whose last assistant turn is the answer to score.
//
// Samples come from the Amazon Nova RFT reward-Lambda event (a JSON array of objects) or from
// JSONL files of the same objects; see sample_io.h for the readers. Turns may carry tool calls
// and non-text content parts, in the OpenAI Chat Completions or the Bedrock Converse form:
//
//   const Sample& s = ...;
//   s.answer();                        // the answer's text ("" for a turn that only calls tools)
//   for (const ToolCall& call : s.tool_calls()) use(call.name, call.input);
//   s.messages[i].parts;               // images, documents, tool results: as sent, with a "type"
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace gavel {

using Json = nlohmann::json;

// One tool call the model made: an entry of an OpenAI assistant turn's `tool_calls`
// ({id, type: "function", function: {name, arguments}}) or a Converse `toolUse` content block
// ({toolUseId, name, input}).
struct ToolCall {
  std::string id;         // `id` / `toolUseId`; empty when the call has none
  std::string name;       // the function's name
  std::string arguments;  // JSON text: OpenAI's `arguments` string as sent, or the input dumped
  std::optional<Json> input;  // the arguments decoded; empty when they are not valid JSON
};

struct Message {
  std::string role;     // "system", "user", "assistant", "nova_assistant", "tool", ...
  std::string content;  // text; the text parts of a list of content parts, joined
  // The other content parts (images, documents, Converse toolUse and toolResult blocks, ...),
  // each an object with a "type": OpenAI parts as sent; a Converse block {key: value} becomes
  // {"type": key, key: value}.
  std::vector<Json> parts = {};
  std::vector<ToolCall> tool_calls = {};  // OpenAI `tool_calls` then Converse toolUse parts
  std::string tool_call_id = {};          // a "tool" turn's `tool_call_id`; empty if none
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
  // The tool calls of the answer's turn (empty when the answer is only text).
  const std::vector<ToolCall>& tool_calls() const { return messages[answer_index].tool_calls; }
  // The last "user" message before the answer, or empty. A Converse user turn that only returns
  // tool results is skipped: it is the tools speaking, not the user.
  std::string_view prompt() const;
  // The first "system" message, or empty.
  std::string_view system() const;
};

}  // namespace gavel
