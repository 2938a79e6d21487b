// Finds the JSON value in a model's answer: bare JSON, a ```json (or plain ```) fence, or JSON
// with prose around it. Linear in the answer's length; nesting is limited before parsing.
//
//   gavel::schema::Extracted e = gavel::schema::ExtractJson(sample.answer());
//   if (e.ok()) Use(e.value); else Report(ExtractStatusName(e.status), e.error);
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "gavel/sample.h"

namespace gavel::schema {

// Where the JSON text was found.
enum class JsonForm {
  kBare,        // the whole answer (ignoring surrounding whitespace) is the JSON text
  kFenced,      // inside a ```json fence, or a plain ``` fence whose content starts with { or [
  kAfterProse,  // an object or array with prose before and/or after it
};

enum class ExtractStatus {
  kOk,        // `value` holds the parsed JSON
  kNotFound,  // nothing in the answer looks like JSON
  kInvalid,   // a JSON candidate was found but does not parse (truncated, malformed, too deep)
};

// "bare", "fenced", "after_prose"
std::string_view JsonFormName(JsonForm form);
// "ok", "not_found", "invalid"
std::string_view ExtractStatusName(ExtractStatus status);

struct ExtractOptions {
  // Deeper nesting is `kInvalid` without being parsed: nlohmann recurses when it compares,
  // dumps or destroys values, so depth is what bounds stack use downstream.
  std::size_t max_depth = 128;
};

struct Extracted {
  ExtractStatus status = ExtractStatus::kNotFound;
  JsonForm form = JsonForm::kBare;  // where the value (or the broken candidate) is; kBare if not found
  Json value;                       // the parsed value when ok(), else null
  std::string error;                // why, when not ok(); printable ASCII/UTF-8, never raw bytes
  std::size_t offset = 0;           // byte range of the JSON text (or candidate) in the answer
  std::size_t length = 0;

  bool ok() const { return status == ExtractStatus::kOk; }
};

// Which candidate is taken, in order:
//  1. bare: the trimmed answer starts with a JSON value and is exactly one value;
//  2. the first ```json fence, else the first plain ``` fence whose content starts with { or [
//     (an unclosed fence runs to the end of the answer, so a truncated answer is kInvalid);
//  3. the largest object or array in the text whose first token looks like JSON ("{\"", "[1,",
//     "[{", ...), so that "[1]" citations and "{placeholder}" prose lose to the real payload.
//     A truncated or malformed candidate is still a candidate: the answer is then kInvalid.
Extracted ExtractJson(std::string_view answer, const ExtractOptions& options = {});

}  // namespace gavel::schema
