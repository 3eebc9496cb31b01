// Metrics: the server's Prometheus registry, rendered at GET /metrics in the text exposition
// format (version 0.0.4).
//
// What it counts: every HTTP request by method, route pattern (never the raw path, which
// holds ids) and status, as a counter and a latency histogram; every store operation
// (transact, read, ping) by engine, operation and outcome, as a latency histogram; the
// process start time and the build; recorded connectivity tests by outcome and source, and
// (AppendConnectionCounts) connections per workspace and state, so an existing
// Prometheus/Alertmanager alerts on a connection that monitoring found disconnected. The set of label values is bounded: methods outside
// the standard ones become "other", a request that matched no route has route "none", a
// store outcome is "ok" or the core's ErrorCode name.
//
// Thread-safety: Observe* and Render may be called from any number of threads; one mutex
// guards the series (an observation is a map lookup and a few additions). No errors: an
// observation cannot fail. Owned by main(), which outlives every thread that observes.
#ifndef CREDVAULT_SERVER_OPS_METRICS_H_
#define CREDVAULT_SERVER_OPS_METRICS_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

#include "credvault/status.h"

namespace credvault::server::ops {

// Upper bounds of the latency buckets, in seconds (the implicit +Inf bucket follows).
inline constexpr std::array<double, 14> kLatencyBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0};

// What /metrics says about the binary.
struct BuildInfo {
  std::string version;
  std::string compiler;
  std::string build_type;  // "release" or "debug"
  std::string store;       // the store engine ("sqlite")
};

// The build this translation unit was compiled as (version from ops/build_info.h).
BuildInfo CurrentBuild(std::string_view store_engine);

class Metrics {
 public:
  // `start_time_seconds`: when the process started, as unix seconds.
  Metrics(BuildInfo build, double start_time_seconds);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One answered request. `route` is the matched pattern, or empty when none matched.
  void ObserveRequest(std::string_view method, std::string_view route, int status,
                      std::chrono::nanoseconds elapsed);

  // One store call; `outcome` is ok or the error it returned.
  void ObserveStore(std::string_view engine, std::string_view operation, const Status& outcome,
                    std::chrono::nanoseconds elapsed);

  // One recorded connectivity test: `outcome` a TestOutcome name, `source` "relay" or
  // "monitor" (both bounded sets).
  void ObserveConnectionTest(std::string_view outcome, std::string_view source);

  // The whole registry in the text exposition format.
  std::string Render() const;

  // Connections per workspace and state as gauges (credvault_connections{workspace,state}),
  // read from the store at scrape time and appended to Render()'s output.
  static void AppendConnectionCounts(
      std::string& out,
      const std::map<std::string, std::map<std::string, uint64_t>>& counts_by_workspace);

  // The Content-Type of Render()'s output.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  struct Histogram {
    std::array<uint64_t, kLatencyBuckets.size()> buckets{};  // not cumulative
    uint64_t count = 0;
    double sum = 0;
    void Observe(double seconds);
  };
  using RequestKey = std::tuple<std::string, std::string, int>;        // method, route, status
  using StoreKey = std::tuple<std::string, std::string, std::string>;  // engine, op, outcome

  const BuildInfo build_;
  const double start_time_seconds_;
  mutable std::mutex mutex_;
  // Transparent comparison: an observation looks its series up by views and allocates
  // the key only when the series is new.
  std::map<RequestKey, Histogram, std::less<>> requests_;
  std::map<StoreKey, Histogram, std::less<>> store_;
  std::map<std::pair<std::string, std::string>, uint64_t> tests_;  // (outcome, source)
};

}  // namespace credvault::server::ops

#endif  // CREDVAULT_SERVER_OPS_METRICS_H_
