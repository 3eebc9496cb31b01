// Status and Result<T>: how every fallible operation in the core reports failure.
//
// No exception crosses a boundary of the core (embind, a Beast handler, the store): a
// function that can fail returns a Status or a Result<T>. An error carries a stable code
// (the string form of ErrorCode, used in JSON and JavaScript errors) and a human message
// that never contains secret material. A failed decrypt yields no bytes at all.
#ifndef CREDVAULT_STATUS_H_
#define CREDVAULT_STATUS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace credvault {

// Stable error codes. Their string forms (ErrorCodeName) are part of the public API:
// never rename one, only add.
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,      // a caller passed something malformed
  kInternal,             // a library call failed unexpectedly (e.g. out of memory)
  kMalformed,            // an envelope, grant or job is not well-formed
  kUnsupportedVersion,   // envelope format version not understood
  kUnsupportedAlgorithm, // envelope algorithm not understood
  kDecryptFailed,        // wrong key, wrong context, or tampered ciphertext
  kKdfTooWeak,           // KDF parameters below the client's minimums
  kBadSignature,         // a signature did not verify
  kUntrustedSigner,      // signed by a key that is not pinned
  kExpired,              // a test job past its expiry
  kReplayed,             // a test job seen before
  kWrongRecipient,       // a result or grant meant for another object
  kNotFound,             // a referenced thing does not exist
  kValidation,           // user input failed validation (field-level detail in message)
  kPermissionDenied,     // the role may not do this
  kConflict,             // a stale version or a rule that forbids the change
  kInvalidTransition,    // the connection state machine refuses the move
  kParseError,           // text input (JSON, YAML) could not be parsed
  kUnknownHandle,        // a WASM key handle that does not exist (or was dropped)
  kUnavailable,          // a peer the request needs (a runner) is absent, busy or too slow
};

// "ok", "invalid_argument", "decrypt_failed", ...
std::string_view ErrorCodeName(ErrorCode code);
// Inverse of ErrorCodeName; nullopt for an unknown name.
std::optional<ErrorCode> ErrorCodeFromName(std::string_view name);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  std::string_view code_name() const { return ErrorCodeName(code_); }
  const std::string& message() const { return message_; }
  // "decrypt_failed: message" — for logs and test failure output.
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : value_(std::move(status)) {}  // NOLINT: implicit by design
  Result(ErrorCode code, std::string message) : value_(Status(code, std::move(message))) {}

  bool ok() const { return std::holds_alternative<T>(value_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(value_); }
  ErrorCode code() const { return ok() ? ErrorCode::kOk : std::get<Status>(value_).code(); }

  // Precondition: ok().
  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> value_;
};

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
Status StatusOf(const Result<T>& r) { return r.status(); }

}  // namespace credvault

// Returns early with the status of an expression that yields a Status or Result.
#define CV_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    auto cv_status_ = (expr);                    \
    if (!cv_status_.ok()) return ::credvault::StatusOf(cv_status_); \
  } while (0)

#define CV_CONCAT_INNER_(a, b) a##b
#define CV_CONCAT_(a, b) CV_CONCAT_INNER_(a, b)
// Declares `lhs` from a Result's value, or returns its status.
#define CV_ASSIGN_OR_RETURN(lhs, expr) CV_ASSIGN_OR_RETURN_IMPL_(CV_CONCAT_(cv_result_, __LINE__), lhs, expr)
#define CV_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#endif  // CREDVAULT_STATUS_H_
