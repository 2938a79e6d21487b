// Reading one conversation turn of a sample into a Message. Internal to the engine:
//
//   Result<Message> message = ReadMessage(messages[i], i, limits.max_depth);
//
// The forms read, as their owners define them:
// - Amazon Nova RFT reward-Lambda samples: {role, content} with content a string or a list of
//   {type: "text", text} parts; the answer's role may be "nova_assistant".
// - OpenAI Chat Completions messages: an assistant turn's `tool_calls` ([{id, type: "function",
//   function: {name, arguments}}], `arguments` a JSON *string*), whose `content` may then be
//   null or absent; `role: "tool"` turns answering a call by `tool_call_id`; typed content parts
//   ({type: "text"|"image_url"|"input_audio"|"file"|"refusal", ...}).
// - Bedrock Converse messages: `content` a list of ContentBlock unions, each an object with
//   exactly one member: {text}, {image: {format, source: {bytes}}}, {document}, {video},
//   {toolUse: {toolUseId, name, input}}, {toolResult: {toolUseId, content, status}}, and others.
// The content's text parts are joined into Message::content; every other part is kept, with a
// "type", in Message::parts; tool calls of both forms go to Message::tool_calls.
#pragma once

#include <cstddef>

#include "gavel/sample.h"
#include "gavel/status.h"

namespace gavel::detail {

// Reads messages[i] (moving strings out of it). Tool-call arguments nested deeper than
// `max_depth` are kept as text and not decoded.
Result<Message> ReadMessage(Json& value, std::size_t i, std::size_t max_depth);

}  // namespace gavel::detail
