// Errors as values at gavel's library boundaries.
//
//   gavel::Result<Sample> r = SampleFromJson(value);
//   if (!r) std::cerr << r.error().ToString();
//
// Every error carries a kind, so callers can classify failures (a bad sample is the sample's
// fault, a limit is the rubric's, a deadline is the clock's) without parsing messages.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace gavel {

enum class ErrorKind {
  kBadRubric,         // the rubric file is malformed or misbehaved
  kBadSample,         // the input sample is malformed
  kLimit,             // a sandbox limit (memory, instructions, time) was hit
  kDeadline,          // the caller's deadline passed before the sample finished
  kPlugin,            // a plugin step failed
  kJudgeUnavailable,  // the judge could not be reached or gave no usable verdict
  kIo,                // a file or stream could not be read or written
  kUsage,             // the caller used an API or command wrongly
  kInternal,          // a bug in gavel
};

// Short stable name of a kind, used in error metric names: "rubric", "sample", "limit", ...
constexpr std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kBadRubric: return "rubric";
    case ErrorKind::kBadSample: return "sample";
    case ErrorKind::kLimit: return "limit";
    case ErrorKind::kDeadline: return "deadline";
    case ErrorKind::kPlugin: return "plugin";
    case ErrorKind::kJudgeUnavailable: return "judge";
    case ErrorKind::kIo: return "io";
    case ErrorKind::kUsage: return "usage";
    case ErrorKind::kInternal: return "internal";
  }
  return "internal";
}

class Error {
 public:
  Error(ErrorKind kind, std::string message) : kind_(kind), message_(std::move(message)) {}

  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  // "<kind>: <message>"
  std::string ToString() const { return std::string(ErrorKindName(kind_)) + ": " + message_; }

 private:
  ErrorKind kind_;
  std::string message_;
};

// A value or an error; must be checked before the value is read.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}       // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// A result with no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design
  static Status Ok() { return Status(); }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_{ErrorKind::kInternal, ""};
  bool ok_ = true;
};

}  // namespace gavel
