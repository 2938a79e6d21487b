#include "template.h"

#include <algorithm>
#include <utility>

namespace gavel::judge {
namespace {

constexpr std::string_view kKnown =
    "{{prompt}}, {{answer}}, {{system}}, {{reference}}, {{id}}, {{metadata.KEY}}, {{vars.KEY}}, "
    "{{item}}, {{index}}, {{a}}, {{b}}";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A metadata or vars key: anything printable but braces and white space.
bool ValidKey(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7f && c != '{' && c != '}';
  });
}

// A short printable excerpt of what was written, for messages.
std::string Excerpt(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 40)) out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  if (text.size() > 40) out += "...";
  return out;
}

}  // namespace

Result<Template> Template::Parse(std::string_view text, std::string name) {
  Template t;
  t.name_ = std::move(name);
  std::size_t line = 1;
  std::size_t pos = 0;
  auto add_literal = [&](std::string_view literal) {
    if (literal.empty()) return;
    Segment s;
    s.text = std::string(literal);
    s.line = line;
    t.literal_size_ += literal.size();
    t.segments_.push_back(std::move(s));
  };
  auto error = [&](std::size_t at_line, const std::string& message) {
    std::string m = t.name_;
    m += ":";
    m += std::to_string(at_line);
    m += ": ";
    m += message;
    return Error(ErrorKind::kBadRubric, std::move(m));
  };
  while (pos < text.size()) {
    const std::size_t open = text.find("{{", pos);
    const std::string_view literal = text.substr(pos, open == std::string_view::npos ? std::string_view::npos : open - pos);
    add_literal(literal);
    line += static_cast<std::size_t>(std::count(literal.begin(), literal.end(), '\n'));
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return error(line, "'{{' is never closed with '}}' (placeholders: " + std::string(kKnown) + ")");
    }
    const std::string_view inner = text.substr(open + 2, close - open - 2);
    const std::string_view id = Trim(inner);
    Segment s;
    s.line = line;
    s.placeholder = "{{";
    s.placeholder += id;
    s.placeholder += "}}";
    if (id == "prompt") {
      s.field = Field::kPrompt;
    } else if (id == "answer") {
      s.field = Field::kAnswer;
    } else if (id == "system") {
      s.field = Field::kSystem;
    } else if (id == "reference") {
      s.field = Field::kReference;
    } else if (id == "id") {
      s.field = Field::kId;
    } else if (id == "item" || id == "index" || id == "a" || id == "b") {
      s.field = Field::kVars;
      s.text = std::string(id);
    } else if (id.starts_with("metadata.") && ValidKey(id.substr(9))) {
      s.field = Field::kMetadata;
      s.text = std::string(id.substr(9));
    } else if (id.starts_with("vars.") && ValidKey(id.substr(5))) {
      s.field = Field::kVars;
      s.text = std::string(id.substr(5));
    } else {
      return error(line, "unknown placeholder {{" + Excerpt(inner) + "}} (placeholders: " + std::string(kKnown) + ")");
    }
    t.segments_.push_back(std::move(s));
    line += static_cast<std::size_t>(std::count(inner.begin(), inner.end(), '\n'));
    pos = close + 2;
  }
  return t;
}

}  // namespace gavel::judge
