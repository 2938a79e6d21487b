// Internal: the prose of an answer that holds JSON. A structured answer's keys, identifiers and
// cited sources are English-looking whatever language the answer is written in; its language is
// the language of its string values. Detector::Detect calls this first; tests include it.
//
//   detail::JsonProse j = detail::FindJsonProse(answer, max_bytes);
//   std::string_view to_detect = j.form == detail::TextForm::kText ? answer : j.text;
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gavel::language::detail {

// Where the prose to detect comes from.
enum class TextForm {
  kText,        // no JSON in the text: the text as it is
  kJson,        // the whole text is one JSON value
  kFencedJson,  // JSON in a ```json fence (or a plain ``` fence holding an object or array)
  kJsonInText,  // a JSON object or array with prose around it
};

// "text", "json", "fenced_json", "json_in_text"
std::string_view TextFormName(TextForm form);

struct JsonProse {
  TextForm form = TextForm::kText;
  // When form is not kText: the text before the JSON (its fence included), the prose of the
  // JSON's string values one per line, then the text after it. Plain text around the JSON is
  // left for ExtractProse to clean like any other text.
  std::string text;
  // When the JSON found does not parse (truncated, malformed, too deep): why. Its range is then
  // left out of `text`, like a code block, because its keys cannot be told from its values.
  std::string error;
};

// Finds the JSON the way gavel.schema's extract does (bare, fenced, then the largest object or
// array in prose) and takes the prose of its string values, recursively:
//  - keys are not prose;
//  - a value without whitespace made only of ASCII is an identifier, enum member, id, number,
//    date, URL or address, not prose ("billing", "doc_12", "https://...", "2024-01-31");
//  - inside a value, code fences, inline code and URLs are removed as ExtractProse does, and
//    so are ASCII words that are e-mail addresses, paths or identifiers (snake_case, camelCase,
//    dotted.names, letters run into digits);
//  - an object below the top that holds a URL value is a reference to a source (a citation):
//    its title and snippet are in the source's language, not the answer's, so none of its
//    strings count.
// JSON without any text ("[1]", a bare number) is left to be read as text: kText. At most about
// `max_bytes` of values are collected. A text without '{', '[' or a leading '"'
// costs one scan and is kText.
JsonProse FindJsonProse(std::string_view text, std::size_t max_bytes);

}  // namespace gavel::language::detail
