// When a monitored connection is due (active monitoring). Pure rules, unit-tested alone;
// the scheduler (scheduler.h) applies them to what the store lists.
//
// A connection with interval N minutes is due N minutes after its last test (or the
// scheduler's last attempt, whichever is later, so a run that recorded nothing is not
// retried on every tick), plus a jitter: deterministic per connection id, at most 10% of the
// interval, so a thousand connections that were tested together do not all fire together
// again. Connections in ignored, maintenance or deleted are never tested. Thread-safe
// (pure functions).
#ifndef CREDVAULT_SERVER_MONITOR_SCHEDULE_H_
#define CREDVAULT_SERVER_MONITOR_SCHEDULE_H_

#include <cstdint>
#include <string_view>

#include "credvault/connection_state.h"
#include "store/store.h"

namespace credvault::server::monitor {

// Seconds in a schedule's "minute": 60, except under the test-only --monitor-minute-seconds.
inline constexpr int64_t kSecondsPerMinute = 60;

// Whether a connection in `state` is ever tested by monitoring.
bool IsMonitoredState(ConnectionState state);

// The jitter of `connection_id` for an interval of `interval_seconds`: in
// [0, interval_seconds / 10], the same for the same inputs on every run and machine.
int64_t JitterSeconds(std::string_view connection_id, int64_t interval_seconds);

// When `target` is next due (unix seconds). `last_attempt`: when the scheduler last handed it
// to a runner (0 = never in this process).
int64_t DueAt(const MonitorTarget& target, int64_t minute_seconds, int64_t last_attempt);

}  // namespace credvault::server::monitor

#endif  // CREDVAULT_SERVER_MONITOR_SCHEDULE_H_
