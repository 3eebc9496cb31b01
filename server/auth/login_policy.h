// How long sessions last and how many failed proofs an account or an address may present,
// with the pure arithmetic of the rate-limit windows.
//
// Failed logins (and failed recovery proofs) are counted in the store per fixed window, so
// that every server process sharing one database enforces the same limit. A key whose
// count in the current window reached the limit is refused until the window ends. Plain
// values and pure functions; thread-safe.
#ifndef CREDVAULT_SERVER_AUTH_LOGIN_POLICY_H_
#define CREDVAULT_SERVER_AUTH_LOGIN_POLICY_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace credvault::server::auth {

struct RateLimit {
  uint64_t max_failures = 10;
  int64_t window_seconds = 300;
};

struct LoginPolicy {
  int64_t session_ttl_seconds = 12 * 3600;
  RateLimit per_account{10, 300};
  // Generous: many people may share one address (an office NAT).
  RateLimit per_address{100, 300};
};

// The start of the window `now` falls in.
int64_t WindowStart(const RateLimit& limit, int64_t now);
// Seconds until a key with `failures` in the current window may try again; 0 if it may now.
int64_t RetryAfterSeconds(const RateLimit& limit, uint64_t failures, int64_t now);

// Counter keys: one place for their shape. Emails are lower-cased by the caller.
std::string AccountLimitKey(std::string_view email);
std::string AddressLimitKey(std::string_view address);

}  // namespace credvault::server::auth

#endif  // CREDVAULT_SERVER_AUTH_LOGIN_POLICY_H_
