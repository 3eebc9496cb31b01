// MonitorScheduler: active monitoring (issue 8). A thread wakes every tick, lists the
// monitored connections (store.h ListMonitorTargets), and hands each due one (schedule.h) to
// a runner as a monitoring job (runner/monitor_job.h): the sealed connection, the sealed
// credential and the runner's own key grants with the granters' signing keys. A runner is a
// candidate for a workspace when the workspace admitted it AND a member who may still manage
// runners granted it the workspace keys; nothing is granted by default. Of the candidates,
// only those whose link this server holds (relay::RunnerHub::Find: the built-in runner, and
// the standalone runners connected to THIS server over the runner socket) are handed jobs,
// and schedule.h decides which one, so that servers sharing a database never both dispatch a
// connection. The runner opens, probes, wipes and signs; the result is verified against the
// pinned runner key, bound to the job id and the connection, and recorded exactly as a
// relayed test (monitor/record_result.h), with the audit event "connection.monitor" when the
// state moved. The server itself opens nothing: every envelope it hands over is sealed to
// keys it lacks.
//
// The store is listed every RelistSeconds (6 s in production) rather than every tick; each
// connection handed out is read fresh first (a connection moved to ignored or maintenance
// since is skipped), and a failover (schedule.h) is decided on the fresh last test only.
//
// A run that records nothing (the runner cannot open the records, refuses the job — an
// untrusted granter — or is busy, or the result does not verify) is logged
// ("monitor_not_recorded", with ids, the runner id and an error code only) and tried again
// one interval later, not on every tick.
//
// Thread-safety: Start/Stop from one thread; ScanOnce may be called from tests instead of
// Start. Results arrive on the runners' threads (a standalone runner's on an I/O thread) and
// are recorded on a recording thread of the scheduler, so no I/O thread waits on the store's
// fsync; what they touch is shared (State), so a result that lands after Stop is still safe
// (then recorded where it lands). Owned by main(), which stops it before the
// store and the hub go away.
#ifndef CREDVAULT_SERVER_MONITOR_SCHEDULER_H_
#define CREDVAULT_SERVER_MONITOR_SCHEDULER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "api/endpoint.h"
#include "credvault/secret.h"
#include "json_log.h"
#include "monitor/record_result.h"
#include "ops/metrics.h"
#include "relay/runner_hub.h"
#include "runner/monitor_job.h"
#include "store/store.h"

namespace credvault::server::monitor {

struct SchedulerOptions {
  // Seconds in a schedule's minute. 60 in production; the test-only flag
  // --monitor-minute-seconds shortens it so tests need not wait minutes.
  int64_t minute_seconds = 60;
  std::chrono::milliseconds tick{1000};
  size_t max_in_flight = 16;  // monitoring jobs handed to runners and not yet answered
  // True when no other server shares the store (SQLite): this server sees every connected
  // runner and takes the best-ranked one it holds. False on PostgreSQL (schedule.h).
  bool sole_server = true;
};

class MonitorScheduler {
 public:
  // `runners`: this server's links; must outlive Stop(). Null: nothing is ever scanned.
  MonitorScheduler(Store& store, api::Clock clock, const relay::RunnerHub* runners,
                   ops::Metrics* metrics, const JsonLog* log, SchedulerOptions options);
  ~MonitorScheduler();
  MonitorScheduler(const MonitorScheduler&) = delete;
  MonitorScheduler& operator=(const MonitorScheduler&) = delete;

  void Start();
  // Waits for the scanning thread and lets go of the hub (no scan after it); results in
  // flight still get recorded.
  void Stop();

  // One scan: hands every due connection to its runner, the longest overdue first, and
  // returns how many it handed. With max_in_flight jobs out it stops, or, given `until`,
  // waits for a slot until then (the scanning thread passes its next tick), so the runners'
  // throughput, not max_in_flight per tick, bounds how many tests a minute holds.
  size_t ScanOnce(std::optional<std::chrono::steady_clock::time_point> until = std::nullopt);
  // Jobs handed and not answered yet.
  size_t InFlight() const;

  // How often (unix seconds) the store is listed again: a tenth of a schedule's minute, at
  // least 1 s.
  static int64_t RelistSeconds(const SchedulerOptions& options);

 private:
  struct State;
  void Loop();
  // Lists the monitored connections again when the listing is RelistSeconds old. False when
  // the store could not be read (logged).
  bool Relist(int64_t now);
  // Verifies and records one runner answer (or logs why not), then frees its slot.
  static void RecordOne(State& state, const TestRecordRequest& request,
                        const Result<SignedTestResult>& result);

  std::shared_ptr<State> state_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
  std::thread recorder_;  // records results off the runners' threads (State::Record)
};

}  // namespace credvault::server::monitor

#endif  // CREDVAULT_SERVER_MONITOR_SCHEDULER_H_
