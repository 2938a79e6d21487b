#include "sample_messages.h"

#include <optional>
#include <string>
#include <utility>

#include "gavel/json_scan.h"
#include "sample_fields.h"

namespace gavel::detail {
namespace {

std::string MessagePath(std::size_t i) { return "\"messages\"[" + std::to_string(i) + "]"; }

std::string PartPath(std::size_t message, std::size_t part) {
  return MessagePath(message) + ".content[" + std::to_string(part) + "]";
}

std::string CallPath(std::size_t message, std::size_t call) {
  return MessagePath(message) + ".tool_calls[" + std::to_string(call) + "]";
}

void AppendMoved(std::string& text, std::string& piece) {
  if (text.empty()) {
    text = std::move(piece);
  } else {
    text += piece;
  }
}

// The arguments decoded, when they are one JSON value within the depth limit. A NUL character
// is refused because nlohmann's lexer would take it for the end of the text and accept a prefix.
std::optional<Json> DecodeArguments(const std::string& text, std::size_t max_depth) {
  if (text.find('\0') != std::string::npos || JsonNestsDeeperThan(text, max_depth)) return std::nullopt;
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return std::nullopt;
  return value;
}

// An OpenAI tool call: {id, type: "function", function: {name, arguments}}. `arguments` is a
// JSON string in the API; an object (as some chat templates write it) is taken as it stands.
// The id is optional because several open formats leave it out.
Result<ToolCall> ReadOpenAiToolCall(Json& call, const std::string& path, std::size_t max_depth) {
  if (!call.is_object()) return BadSample(path + " must be an object, not " + Described(call));
  if (const auto type = call.find("type"); type != call.end() && *type != "function") {
    return BadSample(path + ".type must be \"function\", not " +
                     (type->is_string() ? type->dump(-1, ' ', false, Json::error_handler_t::replace)
                                        : Described(*type)));
  }
  ToolCall out;
  if (const auto id = call.find("id"); id != call.end() && !id->is_null()) {
    if (!id->is_string()) return BadSample(NotAString(path, call, "id"));
    out.id = std::move(id->get_ref<std::string&>());
  }
  const auto function = call.find("function");
  if (function == call.end()) return BadSample(path + " has no \"function\"");
  if (!function->is_object()) return BadSample(path + ".function must be an object, not " + Described(*function));
  std::string* name = StringMember(*function, "name");
  if (name == nullptr) return BadSample(NotAString(path + ".function", *function, "name"));
  out.name = std::move(*name);
  const auto arguments = function->find("arguments");
  if (arguments == function->end()) return BadSample(path + ".function has no \"arguments\"");
  if (arguments->is_string()) {
    out.arguments = std::move(arguments->get_ref<std::string&>());
    out.input = DecodeArguments(out.arguments, max_depth);
  } else if (arguments->is_object()) {
    out.arguments = arguments->dump();
    out.input = std::move(*arguments);
  } else {
    return BadSample(path + ".function.arguments must be a string of JSON or an object, not " +
                     Described(*arguments));
  }
  return out;
}

// A Converse toolUse block: {toolUseId, name, input}, all three required by the API.
Result<ToolCall> ReadConverseToolUse(const Json& block, const std::string& path) {
  if (!block.is_object()) return BadSample(path + " must be an object, not " + Described(block));
  const auto id = block.find("toolUseId");
  const auto name = block.find("name");
  const auto input = block.find("input");
  if (id == block.end() || !id->is_string()) return BadSample(NotAString(path, block, "toolUseId"));
  if (name == block.end() || !name->is_string()) return BadSample(NotAString(path, block, "name"));
  if (input == block.end()) return BadSample(path + " has no \"input\"");
  return ToolCall{id->get<std::string>(), name->get<std::string>(), input->dump(), *input};
}

Status ReadParts(Json& parts, std::size_t i, Message& message) {
  for (std::size_t k = 0; k < parts.size(); ++k) {
    Json& part = parts[k];
    const std::string path = PartPath(i, k);
    if (!part.is_object()) return BadSample(path + " must be an object, not " + Described(part));
    if (part.contains("type")) {
      const std::string* type = StringMember(part, "type");
      if (type == nullptr) return BadSample(NotAString(path, part, "type"));
      if (*type != "text") {
        message.parts.push_back(std::move(part));
        continue;
      }
      std::string* text = StringMember(part, "text");
      if (text == nullptr) return BadSample(NotAString(path, part, "text"));
      AppendMoved(message.content, *text);
      continue;
    }
    // No "type": a Converse ContentBlock, a union with exactly one member.
    if (part.size() != 1) {
      return BadSample(path + " has no \"type\" and is not a Converse content block (one member such as " +
                       "\"text\", \"image\" or \"toolUse\"), but an object of " + std::to_string(part.size()) +
                       " members");
    }
    const std::string key = part.begin().key();
    Json& block = part.begin().value();
    if (key == "text") {
      if (!block.is_string()) return BadSample(NotAString(path, part, "text"));
      AppendMoved(message.content, block.get_ref<std::string&>());
      continue;
    }
    if (key == "toolUse") {
      Result<ToolCall> call = ReadConverseToolUse(block, path + ".toolUse");
      if (!call) return call.error();
      message.tool_calls.push_back(std::move(call).value());
    }
    message.parts.push_back(Json{{"type", key}, {key, std::move(block)}});
  }
  return Status::Ok();
}

Status ReadToolCalls(Json& message_json, std::size_t i, std::size_t max_depth, Message& message) {
  const auto calls = message_json.find("tool_calls");
  if (calls == message_json.end() || calls->is_null()) return Status::Ok();
  if (!calls->is_array()) {
    return BadSample(MessagePath(i) + ".tool_calls must be an array, not " + Described(*calls));
  }
  message.tool_calls.reserve(calls->size());
  for (std::size_t k = 0; k < calls->size(); ++k) {
    Result<ToolCall> call = ReadOpenAiToolCall((*calls)[k], CallPath(i, k), max_depth);
    if (!call) return call.error();
    message.tool_calls.push_back(std::move(call).value());
  }
  return Status::Ok();
}

}  // namespace

Result<Message> ReadMessage(Json& value, std::size_t i, std::size_t max_depth) {
  if (!value.is_object()) return BadSample(MessagePath(i) + " must be an object, not " + Described(value));
  std::string* role = StringMember(value, "role");
  if (role == nullptr) return BadSample(NotAString(MessagePath(i), value, "role"));

  Message message;
  message.role = std::move(*role);
  if (Status calls = ReadToolCalls(value, i, max_depth, message); !calls) return calls.error();
  if (const auto id = value.find("tool_call_id"); id != value.end() && !id->is_null()) {
    if (!id->is_string()) return BadSample(NotAString(MessagePath(i), value, "tool_call_id"));
    message.tool_call_id = std::move(id->get_ref<std::string&>());
  }

  // OpenAI: an assistant turn's content is "required unless tool_calls is specified".
  const auto content = value.find("content");
  const bool calls_tools = !message.tool_calls.empty();
  if (content == value.end()) {
    if (calls_tools) return message;
    return BadSample(MessagePath(i) + " has no \"content\"");
  }
  if (content->is_string()) {
    message.content = std::move(content->get_ref<std::string&>());
  } else if (content->is_array()) {
    if (Status parts = ReadParts(*content, i, message); !parts) return parts.error();
  } else if (!(content->is_null() && calls_tools)) {
    return BadSample(MessagePath(i) + ".content must be a string or a list of content parts, not " +
                     Described(*content) + (content->is_null() ? " (only a turn with tool_calls may omit it)" : ""));
  }
  return message;
}

}  // namespace gavel::detail
