#include "credvault/status.h"

#include <array>
#include <utility>

namespace credvault {
namespace {

constexpr std::array<std::pair<ErrorCode, std::string_view>, 21> kNames{{
    {ErrorCode::kOk, "ok"},
    {ErrorCode::kInvalidArgument, "invalid_argument"},
    {ErrorCode::kInternal, "internal"},
    {ErrorCode::kMalformed, "malformed"},
    {ErrorCode::kUnsupportedVersion, "unsupported_version"},
    {ErrorCode::kUnsupportedAlgorithm, "unsupported_algorithm"},
    {ErrorCode::kDecryptFailed, "decrypt_failed"},
    {ErrorCode::kKdfTooWeak, "kdf_too_weak"},
    {ErrorCode::kBadSignature, "bad_signature"},
    {ErrorCode::kUntrustedSigner, "untrusted_signer"},
    {ErrorCode::kExpired, "expired"},
    {ErrorCode::kReplayed, "replayed"},
    {ErrorCode::kWrongRecipient, "wrong_recipient"},
    {ErrorCode::kNotFound, "not_found"},
    {ErrorCode::kValidation, "validation"},
    {ErrorCode::kPermissionDenied, "permission_denied"},
    {ErrorCode::kConflict, "conflict"},
    {ErrorCode::kInvalidTransition, "invalid_transition"},
    {ErrorCode::kParseError, "parse_error"},
    {ErrorCode::kUnknownHandle, "unknown_handle"},
    {ErrorCode::kUnavailable, "unavailable"},
}};

}  // namespace

std::string_view ErrorCodeName(ErrorCode code) {
  for (const auto& [c, name] : kNames) {
    if (c == code) return name;
  }
  return "internal";
}

std::optional<ErrorCode> ErrorCodeFromName(std::string_view name) {
  for (const auto& [c, n] : kNames) {
    if (n == name) return c;
  }
  return std::nullopt;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(code_name()) + ": " + message_;
}

}  // namespace credvault
