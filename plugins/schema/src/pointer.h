// JSON pointers (RFC 6901) as the compiler and the validator spell them.
//
//   std::string p;  AppendToken(p, "a/b");      // p == "/a~1b"
//   std::vector<std::string> tokens;  SplitPointer("/a~1b", tokens);  // {"a/b"}
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gavel::schema::detail {

// A pointer token escaped: '~' as "~0", '/' as "~1".
std::string EscapeToken(std::string_view token);

// Appends "/<token>", escaped.
void AppendToken(std::string& pointer, std::string_view token);

// Splits an escaped JSON pointer ("" or "/a/b~1c") into unescaped tokens; false if malformed.
bool SplitPointer(std::string_view pointer, std::vector<std::string>& tokens);

// An array index token: digits without a leading zero.
bool ParseIndex(std::string_view token, std::size_t& index);

// "(root)" for the empty pointer, so that a message never starts with ": ".
std::string ShowPointer(std::string_view pointer);

}  // namespace gavel::schema::detail
