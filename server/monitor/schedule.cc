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

namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ull;

// FNV-1a: stable across runs, platforms and standard libraries (std::hash is not).
uint64_t Fnv1a(uint64_t hash, std::string_view text) {
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

int64_t JitterSeconds(std::string_view connection_id, int64_t interval_seconds) {
  const int64_t span = interval_seconds / 10;
  if (span <= 0) return 0;
  const uint64_t hash = Fnv1a(kFnvOffset, connection_id);
  return static_cast<int64_t>(hash % static_cast<uint64_t>(span + 1));
}

uint64_t RunnerScore(std::string_view connection_id, std::string_view runner_id) {
  // The separator keeps ("ab", "c") and ("a", "bc") apart.
  uint64_t hash = Fnv1a(kFnvOffset, connection_id);
  hash = Fnv1a(hash, std::string_view("\0", 1));
  hash = Fnv1a(hash, runner_id);
  // FNV's low bits mix poorly for short inputs: finish with a 64-bit avalanche (splitmix).
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ull;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebull;
  return hash ^ (hash >> 31);
}

size_t FailoverRank(const MonitorTarget& target, int64_t minute_seconds, int64_t now) {
  const int64_t interval = static_cast<int64_t>(target.interval_minutes) * minute_seconds;
  if (target.last_tested_at == 0 || interval <= 0) return 0;
  const int64_t due = DueAt(target, minute_seconds, 0);
  if (now < due + interval) return 0;
  return static_cast<size_t>((now - due) / interval);
}

int64_t DueAt(const MonitorTarget& target, int64_t minute_seconds, int64_t last_attempt) {
  const int64_t interval = static_cast<int64_t>(target.interval_minutes) * minute_seconds;
  const int64_t since = std::max(target.last_tested_at, last_attempt);
  // Never tested (and never tried): due now, spread by the jitter alone.
  if (since == 0) return JitterSeconds(target.connection_id, interval);
  return since + interval + JitterSeconds(target.connection_id, interval);
}

}  // namespace credvault::server::monitor
