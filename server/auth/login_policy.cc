#include "auth/login_policy.h"

namespace credvault::server::auth {

int64_t WindowStart(const RateLimit& limit, int64_t now) {
  const int64_t window = limit.window_seconds > 0 ? limit.window_seconds : 1;
  const int64_t offset = now % window;
  return now - (offset < 0 ? offset + window : offset);
}

int64_t RetryAfterSeconds(const RateLimit& limit, uint64_t failures, int64_t now) {
  if (failures < limit.max_failures) return 0;
  return WindowStart(limit, now) + limit.window_seconds - now;
}

std::string AccountLimitKey(std::string_view email) {
  return "login-failures:account:" + std::string(email);
}

std::string AddressLimitKey(std::string_view address) {
  return "login-failures:address:" + std::string(address.empty() ? "unknown" : address);
}

}  // namespace credvault::server::auth
