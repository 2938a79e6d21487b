// Filling in a grader's prompt templates (template.h) from Lua: the sample table's fields and
// metadata, the call's vars, and the values a method puts before vars for one call.
//
//   Overlay item;
//   item.values.emplace_back("item", "the first claim");
//   std::string text, error;
//   if (!Render(L, grader.prompt, /*s_idx=*/2, vars_idx, item, text, error)) { /* a rubric error */ }
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <lua.hpp>

#include "template.h"

namespace gavel::judge {

// Values that stand before vars for one call: item and index (ask_each), a and b (compare).
struct Overlay {
  std::vector<std::pair<std::string_view, std::string>> values;
  const std::string* Find(std::string_view key) const {
    for (const auto& [k, v] : values) {
      if (k == key) return &v;
    }
    return nullptr;
  }
};

// Appends the Lua value at idx: a string verbatim, anything else as JSON. False with `error`
// set when it cannot be written as JSON.
bool AppendValue(lua_State* L, int idx, std::string& out, std::string& error);

// Renders `t` for the sample table at s_idx and the vars table at vars_idx (0: none). On
// failure returns false with `error` set (the message, without the function name).
bool Render(lua_State* L, const Template& t, int s_idx, int vars_idx, const Overlay& overlay, std::string& out,
            std::string& error);

}  // namespace gavel::judge
