// MonitorScheduler: active monitoring (issue 8). A thread wakes every tick, lists the
// monitored connections (store.h ListMonitorTargets), and hands each due one (schedule.h) to
// the runner as a monitoring job (runner/monitor_job.h): the sealed connection, the sealed
// credential and the runner's own key grants with the granters' signing keys. Only a
// workspace that admitted the runner under its key AND granted it the workspace keys is
// monitored; nothing is granted by default. The runner opens, probes, wipes and signs; the
// result is verified against the pinned runner key and recorded exactly as a relayed test
// (monitor/record_result.h), with the audit event "connection.monitor" when the state moved.
// The server itself opens nothing: every envelope it hands over is sealed to keys it lacks.
//
// A run that records nothing (the runner cannot open the records — its grant does not reach
// the generation they are sealed at — or is busy) is logged ("monitor_not_recorded", with
// ids and an error code only) and tried again one interval later, not on every tick.
//
// Thread-safety: Start/Stop from one thread; ScanOnce may be called from tests instead of
// Start. Results arrive on the runner's threads; what they touch is shared (State), so a
// result that lands after Stop is still safe. Owned by main(), which stops it before the
// store goes away.
#ifndef CREDVAULT_SERVER_MONITOR_SCHEDULER_H_
#define CREDVAULT_SERVER_MONITOR_SCHEDULER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "api/endpoint.h"
#include "credvault/secret.h"
#include "json_log.h"
#include "ops/metrics.h"
#include "relay/runner_hub.h"
#include "runner/monitor_job.h"
#include "store/store.h"

namespace credvault::server::monitor {

// What runs monitoring jobs: the built-in runner (relay/builtin_runner.h).
class MonitorRunner {
 public:
  virtual ~MonitorRunner() = default;
  virtual std::string RunnerId() const = 0;
  virtual Bytes RunnerSignPublicKey() const = 0;
  // `done` runs exactly once, on any thread.
  virtual void SubmitMonitor(runner::MonitorJob job, relay::RelayDone done) = 0;
};

struct SchedulerOptions {
  // Seconds in a schedule's minute. 60 in production; the test-only flag
  // --monitor-minute-seconds shortens it so tests need not wait minutes.
  int64_t minute_seconds = 60;
  std::chrono::milliseconds tick{1000};
  size_t max_in_flight = 16;  // monitoring jobs handed to the runner and not yet answered
};

class MonitorScheduler {
 public:
  MonitorScheduler(Store& store, api::Clock clock, std::shared_ptr<MonitorRunner> runner,
                   ops::Metrics* metrics, const JsonLog* log, SchedulerOptions options);
  ~MonitorScheduler();
  MonitorScheduler(const MonitorScheduler&) = delete;
  MonitorScheduler& operator=(const MonitorScheduler&) = delete;

  void Start();
  // Waits for the scanning thread and lets go of the runner (no scan after it); results in
  // flight still get recorded.
  void Stop();

  // One scan: hands every due connection to the runner. Returns how many it handed.
  size_t ScanOnce();
  // Jobs handed and not answered yet.
  size_t InFlight() const;

 private:
  struct State;
  void Loop();

  std::shared_ptr<State> state_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace credvault::server::monitor

#endif  // CREDVAULT_SERVER_MONITOR_SCHEDULER_H_
