#include "monitor/schedule.h"

#include <algorithm>

namespace credvault::server::monitor {

bool IsMonitoredState(ConnectionState state) {
  switch (state) {
    case ConnectionState::kIgnored:
    case ConnectionState::kMaintenance:
    case ConnectionState::kDeleted:
      return false;
    default:
      return true;
  }
}

int64_t JitterSeconds(std::string_view connection_id, int64_t interval_seconds) {
  const int64_t span = interval_seconds / 10;
  if (span <= 0) return 0;
  // FNV-1a: stable across runs, platforms and standard libraries (std::hash is not).
  uint64_t hash = 14695981039346656037ull;
  for (const char c : connection_id) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return static_cast<int64_t>(hash % static_cast<uint64_t>(span + 1));
}

int64_t DueAt(const MonitorTarget& target, int64_t minute_seconds, int64_t last_attempt) {
  const int64_t interval = static_cast<int64_t>(target.interval_minutes) * minute_seconds;
  const int64_t since = std::max(target.last_tested_at, last_attempt);
  // Never tested (and never tried): due now, spread by the jitter alone.
  if (since == 0) return JitterSeconds(target.connection_id, interval);
  return since + interval + JitterSeconds(target.connection_id, interval);
}

}  // namespace credvault::server::monitor
