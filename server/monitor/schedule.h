// When a monitored connection is due (active monitoring). Pure rules, unit-tested alone;
// the scheduler (scheduler.h) applies them to what the store lists.
//
// A connection with interval N minutes is due N minutes after its last test (or the
// scheduler's last attempt, whichever is later, so a run that recorded nothing is not
// retried on every tick), plus a jitter: deterministic per connection id, at most 10% of the
// interval, so a thousand connections that were tested together do not all fire together
// again. Connections in ignored, maintenance or deleted are never tested.
//
// Which runner tests a connection when a workspace granted several: every server ranks the
// granted runners of a connection alike (rendezvous hashing of connection and runner ids),
// with no coordination between servers. One server alone (SQLite) sees every connected
// runner and takes the best-ranked one it holds. Servers sharing a database (PostgreSQL) each
// hold some runners' links and cannot see the others', so only the runner at rank
// FailoverRank may take the connection: the best-ranked while its tests keep being recorded,
// the next one once the record is a whole interval overdue (the first is connected nowhere or
// cannot test it), and so on round the ranking. Exactly one server holds that runner's link,
// so two servers never dispatch the same connection; the one overlap possible is at a
// hand-over, when a run already a whole interval late still lands after the next runner
// took over. Thread-safe (pure functions).
#ifndef CREDVAULT_SERVER_MONITOR_SCHEDULE_H_
#define CREDVAULT_SERVER_MONITOR_SCHEDULE_H_

#include <cstddef>
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

// The rendezvous score of `runner_id` for `connection_id`: higher ranks first. The same on
// every server, run and machine.
uint64_t RunnerScore(std::string_view connection_id, std::string_view runner_id);

// Where in the ranking the runner that may take `target` now stands (taken modulo the number
// of granted runners): 0 while the last recorded test is on time, k once it is k whole
// intervals overdue. A never-tested connection has no record to be late against: 0.
size_t FailoverRank(const MonitorTarget& target, int64_t minute_seconds, int64_t now);

}  // namespace credvault::server::monitor

#endif  // CREDVAULT_SERVER_MONITOR_SCHEDULE_H_
