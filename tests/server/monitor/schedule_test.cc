// When a monitored connection is due: states, deterministic jitter, intervals.
#include "monitor/schedule.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace credvault::server::monitor {
namespace {

MonitorTarget Target(std::string id, uint32_t minutes, int64_t last_tested_at) {
  MonitorTarget target;
  target.workspace_id = "ws";
  target.connection_id = std::move(id);
  target.interval_minutes = minutes;
  target.last_tested_at = last_tested_at;
  return target;
}

TEST(MonitorSchedule, IgnoredMaintenanceAndDeletedAreNeverTested) {
  EXPECT_FALSE(IsMonitoredState(ConnectionState::kIgnored));
  EXPECT_FALSE(IsMonitoredState(ConnectionState::kMaintenance));
  EXPECT_FALSE(IsMonitoredState(ConnectionState::kDeleted));
  for (ConnectionState state :
       {ConnectionState::kDiscovered, ConnectionState::kRegistered, ConnectionState::kConnected,
        ConnectionState::kDisconnected, ConnectionState::kNotFound}) {
    EXPECT_TRUE(IsMonitoredState(state)) << ConnectionStateName(state);
  }
}

TEST(MonitorSchedule, JitterIsDeterministicBoundedAndSpread) {
  const int64_t interval = 60 * 60;  // an hour: jitter up to 6 minutes
  std::set<int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = "connection-" + std::to_string(i);
    const int64_t jitter = JitterSeconds(id, interval);
    EXPECT_GE(jitter, 0);
    EXPECT_LE(jitter, interval / 10);
    EXPECT_EQ(jitter, JitterSeconds(id, interval));
    seen.insert(jitter);
  }
  // A thousand connections do not share a handful of firing times.
  EXPECT_GT(seen.size(), 250u);
  // Stable across runs and machines (FNV-1a), not std::hash.
  EXPECT_EQ(JitterSeconds("abc", 600), static_cast<int64_t>(0xe71fa2190541574bull % 61));
}

TEST(MonitorSchedule, ShortIntervalsHaveNoRoomForJitter) {
  EXPECT_EQ(JitterSeconds("x", 9), 0);
  EXPECT_EQ(JitterSeconds("x", 0), 0);
  EXPECT_EQ(JitterSeconds("x", -5), 0);
}

TEST(MonitorSchedule, DueOneIntervalAfterTheLastTestOrAttempt) {
  const MonitorTarget tested = Target("c1", 5, 1000);
  const int64_t jitter = JitterSeconds("c1", 300);
  EXPECT_EQ(DueAt(tested, 60, 0), 1000 + 300 + jitter);
  // A later attempt (that recorded nothing) pushes it back by one interval, not one tick.
  EXPECT_EQ(DueAt(tested, 60, 2000), 2000 + 300 + jitter);
  // An older attempt does not pull it forward.
  EXPECT_EQ(DueAt(tested, 60, 10), 1000 + 300 + jitter);
  // The test-only minute.
  EXPECT_EQ(DueAt(tested, 2, 0), 1000 + 10 + JitterSeconds("c1", 10));
}

TEST(MonitorSchedule, NeverTestedIsDueAtOnce) {
  const MonitorTarget fresh = Target("c2", 60, 0);
  EXPECT_LE(DueAt(fresh, 60, 0), 3600 / 10);  // any real clock is past it
}

}  // namespace
}  // namespace credvault::server::monitor
