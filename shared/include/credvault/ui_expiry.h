// Expiry ahead of failure: what a monitoring runner reported about to expire (the client
// certificate's and the server certificate's notAfter, a bearer JWT's exp) becomes one
// warning chip, N days before the connection would start failing.
//
// The rule lives here so that every client warns alike: the soonest expiry within the
// window wins; days are counted up (4 days and an hour left = "in 5 days"), so the label
// and the tone always agree; under kExpiryDangerDays, or expired, the chip is a danger.
//
// Pure functions: `now` is a parameter (unix seconds), no clock is read. Thread-safe.
// Errors: kInvalidArgument for a `now` or a timestamp that is not a plausible unix time
// (not after 1970, or past year 9999) and for a window outside 0..kMaxExpiryWarningDays.
#ifndef CREDVAULT_UI_EXPIRY_H_
#define CREDVAULT_UI_EXPIRY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "credvault/status.h"
#include "credvault/ui.h"

namespace credvault {

// Days ahead an expiry is shown, when the caller does not choose.
inline constexpr int64_t kDefaultExpiryWarningDays = 14;
// Fewer days left than this (or expired) is a danger rather than a warning.
inline constexpr int64_t kExpiryDangerDays = 3;
inline constexpr int64_t kMaxExpiryWarningDays = 3650;
// 9999-12-31T23:59:59Z: later is not a date a certificate or a token carries.
inline constexpr int64_t kMaxExpiryUnixTime = 253402300799;

// What can expire, in the order a tie is broken (the credential before the server).
enum class ExpiringItem { kClientCertificate, kBearerToken, kServerCertificate };
// "client_certificate", "bearer_token", "server_certificate".
std::string_view ExpiringItemName(ExpiringItem item);
// ExpiryReport's fields as JSON (unix seconds): in a runner's signed result, in a history
// entry, and where ExpiryChipJson reads them.
inline constexpr const char* kClientCertNotAfterKey = "client_cert_not_after";
inline constexpr const char* kServerCertNotAfterKey = "server_cert_not_after";
inline constexpr const char* kTokenExpiresAtKey = "token_expires_at";

// The expiry dates one test result reported; absent = not reported (anonymous, no TLS, a
// token that is not a JWT).
struct ExpiryReport {
  std::optional<int64_t> client_cert_not_after;
  std::optional<int64_t> server_cert_not_after;
  std::optional<int64_t> token_expires_at;
};

struct ExpiryWarning {
  ExpiringItem item = ExpiringItem::kClientCertificate;
  int64_t expires_at = 0;  // unix seconds
  int64_t days_left = 0;   // counted up; 0 when expired
  bool expired = false;    // expires_at <= now
  ChipTone tone = ChipTone::kWarning;
  std::string label;    // "client certificate expires in 5 days", "bearer token expired"
  std::string tooltip;  // "The client certificate is not valid after 2030-01-02 03:04 UTC."
};

// The soonest reported expiry that falls within `warning_days` of `now` (exactly
// `warning_days` left is within), or nullopt when none does.
Result<std::optional<ExpiryWarning>> SoonestExpiryWarning(
    const ExpiryReport& report, int64_t now, int64_t warning_days = kDefaultExpiryWarningDays);

}  // namespace credvault

#endif  // CREDVAULT_UI_EXPIRY_H_
