//===- Status.h - Error values shared by the runtime and the compiler -----===//
//
// Library code never aborts the host program: every fallible call returns a
// Status (or a Result<T>) whose message names the problem (file, JSON path,
// op, argument). This header has no dependencies so that the runtime, which
// must not depend on MLIR, and the compiler can share it.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_STATUS_H
#define SATTN_STATUS_H

#include <optional>
#include <string>
#include <utility>

namespace sattn {

/// Why an operation failed. Tools map these to exit codes: InvalidInput and
/// InvalidArgument are the caller's fault (exit 2), the rest are failures of
/// the compiler, the device or the environment (exit 1).
enum class ErrorKind {
  None,
  InvalidInput,    ///< Bad spec, bad .mlir, bad manifest or cubin file.
  InvalidArgument, ///< Bad launch arguments (shapes, null pointers, dtype).
  CompileFailed,   ///< The pass pipeline or ptxas failed.
  Unavailable,     ///< No CUDA driver or device, or a CUDA call failed.
  IOError,         ///< Reading or writing a file failed.
};

class [[nodiscard]] Status {
public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(ErrorKind kind, std::string message) {
    Status s;
    s.kind_ = kind;
    s.message_ = std::move(message);
    return s;
  }
  bool isOk() const { return kind_ == ErrorKind::None; }
  explicit operator bool() const { return isOk(); }
  ErrorKind kind() const { return kind_; }
  const std::string &message() const { return message_; }

private:
  ErrorKind kind_ = ErrorKind::None;
  std::string message_;
};

/// A value or the Status that explains why there is none.
template <typename T> class [[nodiscard]] Result {
public:
  Result(T value) : value_(std::move(value)) {}
  Result(Status status) : status_(std::move(status)) {}
  bool isOk() const { return value_.has_value(); }
  explicit operator bool() const { return isOk(); }
  const Status &status() const { return status_; }
  T &value() { return *value_; }
  const T &value() const { return *value_; }
  T *operator->() { return &*value_; }
  const T *operator->() const { return &*value_; }
  T &operator*() { return *value_; }
  T take() { return std::move(*value_); }

private:
  std::optional<T> value_;
  Status status_;
};

/// Exit code convention of the command-line tools.
inline int exitCodeFor(const Status &s) {
  switch (s.kind()) {
  case ErrorKind::None:
    return 0;
  case ErrorKind::InvalidInput:
  case ErrorKind::InvalidArgument:
    return 2;
  default:
    return 1;
  }
}

} // namespace sattn

#endif // SATTN_STATUS_H
