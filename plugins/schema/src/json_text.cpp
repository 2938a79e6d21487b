#include "json_text.h"

#include <exception>

#include "gavel/json_scan.h"
#include "gavel/text_codec.h"
#include "gavel/utf8.h"

namespace gavel::schema::detail {
namespace {

void AppendByteEscape(std::string& out, unsigned char byte) {
  out += "\\x";
  AppendHexByte(out, byte);
}

}  // namespace

bool NestsDeeperThan(std::string_view text, std::size_t max_depth) {
  return JsonNestsDeeperThan(text, max_depth);
}

bool ParseJsonText(std::string_view text, Json& out, std::string& error) {
  try {
    out = Json::parse(text.begin(), text.end());
    return true;
  } catch (const Json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, ..." -> "parse error at line 1, ..."
    std::string_view what = e.what();
    if (!what.empty() && what.front() == '[') {
      const std::size_t close = what.find("] ");
      if (close != std::string_view::npos) what.remove_prefix(close + 2);
    }
    error = Printable(what);
    out = Json();
    return false;
  }
}

std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F) {
      if (byte == '\n') {
        out += "\\n";
      } else if (byte == '\t') {
        out += "\\t";
      } else {
        AppendByteEscape(out, byte);
      }
      ++i;
      continue;
    }
    const std::size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      AppendByteEscape(out, byte);
      ++i;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

std::string Quoted(std::string_view text, std::size_t max_chars) {
  std::string body;
  if (text.size() > max_chars) {
    // Cut on a code point boundary so that the cut itself does not look like bad input.
    std::size_t cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    body = Printable(text.substr(0, cut)) + "...";
  } else {
    body = Printable(text);
  }
  std::string out;
  out.reserve(body.size() + 2);
  out += '"';
  for (const char c : body) {
    if (c == '"') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::size_t CodePointCount(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

}  // namespace gavel::schema::detail
