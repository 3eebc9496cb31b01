#include "ops/metrics.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "ops/build_info.h"

namespace credvault::server::ops {
namespace {

constexpr std::string_view kRequestsTotal = "credvault_http_requests_total";
constexpr std::string_view kRequestDuration = "credvault_http_request_duration_seconds";
constexpr std::string_view kStoreDuration = "credvault_store_operation_duration_seconds";
constexpr std::string_view kStartTime = "process_start_time_seconds";
constexpr std::string_view kBuildInfo = "credvault_build_info";
constexpr std::string_view kConnectionTests = "credvault_connection_tests_total";
constexpr std::string_view kConnections = "credvault_connections";

// Methods we label by name; any other (clients may send anything) is one "other" series.
constexpr std::array<std::string_view, 7> kKnownMethods = {"GET",   "HEAD",   "POST",   "PUT",
                                                           "PATCH", "DELETE", "OPTIONS"};
constexpr std::string_view kOtherMethod = "other";
constexpr std::string_view kNoRoute = "none";

std::string_view MethodLabel(std::string_view method) {
  const auto it = std::find(kKnownMethods.begin(), kKnownMethods.end(), method);
  return it == kKnownMethods.end() ? kOtherMethod : *it;
}

// Label values escape backslash, double quote and newline (exposition format 0.0.4).
void AppendLabelValue(std::string& out, std::string_view value) {
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void AppendNumber(std::string& out, double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, ec == std::errc() ? end : buffer);
}

void AppendNumber(std::string& out, uint64_t value) {
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, ec == std::errc() ? end : buffer);
}

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// `name{a="x",b="y"[,le="..."]} ` (`le` appended when not empty), or `name ` without labels.
void AppendSeries(std::string& out, std::string_view name, Labels labels,
                  std::string_view le = {}) {
  out += name;
  if (labels.size() == 0 && le.empty()) {
    out += ' ';
    return;
  }
  out += '{';
  bool first = true;
  for (const auto& [label, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += label;
    out += "=\"";
    AppendLabelValue(out, value);
    out += '"';
  }
  if (!le.empty()) {
    if (!first) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += "} ";
}

void AppendHeader(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

// Fixed notation ("0.0005", not "5e-04"): le values are compared as text by people and tools.
std::string BucketBound(double bound) {
  char buffer[32];
  const auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof(buffer), bound, std::chars_format::fixed);
  return std::string(buffer, ec == std::errc() ? end : buffer);
}

template <typename Histogram>
void AppendHistogram(std::string& out, std::string_view name, Labels labels,
                     const Histogram& histogram) {
  const std::string bucket = std::string(name) + "_bucket";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    cumulative += histogram.buckets[i];
    AppendSeries(out, bucket, labels, BucketBound(kLatencyBuckets[i]));
    AppendNumber(out, cumulative);
    out += '\n';
  }
  AppendSeries(out, bucket, labels, "+Inf");
  AppendNumber(out, histogram.count);
  out += '\n';
  AppendSeries(out, std::string(name) + "_sum", labels);
  AppendNumber(out, histogram.sum);
  out += '\n';
  AppendSeries(out, std::string(name) + "_count", labels);
  AppendNumber(out, histogram.count);
  out += '\n';
}

double Seconds(std::chrono::nanoseconds elapsed) {
  return std::chrono::duration<double>(elapsed).count();
}

std::string CompilerName() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown";
#endif
}

}  // namespace

BuildInfo CurrentBuild(std::string_view store_engine) {
  BuildInfo build;
  build.version = std::string(kServerVersion);
  build.compiler = CompilerName();
#ifdef NDEBUG
  build.build_type = "release";
#else
  build.build_type = "debug";
#endif
  build.store = std::string(store_engine);
  return build;
}

void Metrics::Histogram::Observe(double seconds) {
  const auto it = std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds);
  if (it != kLatencyBuckets.end()) ++buckets[it - kLatencyBuckets.begin()];
  ++count;
  sum += seconds;
}

Metrics::Metrics(BuildInfo build, double start_time_seconds)
    : build_(std::move(build)), start_time_seconds_(start_time_seconds) {}

void Metrics::ObserveRequest(std::string_view method, std::string_view route, int status,
                             std::chrono::nanoseconds elapsed) {
  const std::tuple<std::string_view, std::string_view, int> key{
      MethodLabel(method), route.empty() ? kNoRoute : route, status};
  const double seconds = Seconds(elapsed);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = requests_.find(key);
  if (it == requests_.end()) {
    it = requests_
             .emplace(
                 RequestKey{std::string(std::get<0>(key)), std::string(std::get<1>(key)), status},
                 Histogram{})
             .first;
  }
  it->second.Observe(seconds);
}

void Metrics::ObserveStore(std::string_view engine, std::string_view operation,
                           const Status& outcome, std::chrono::nanoseconds elapsed) {
  const std::tuple<std::string_view, std::string_view, std::string_view> key{
      engine, operation, outcome.ok() ? std::string_view("ok") : outcome.code_name()};
  const double seconds = Seconds(elapsed);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = store_.find(key);
  if (it == store_.end()) {
    it = store_
             .emplace(StoreKey{std::string(std::get<0>(key)), std::string(std::get<1>(key)),
                               std::string(std::get<2>(key))},
                      Histogram{})
             .first;
  }
  it->second.Observe(seconds);
}

void Metrics::ObserveConnectionTest(std::string_view outcome, std::string_view source) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++tests_[{std::string(outcome), std::string(source)}];
}

void Metrics::AppendConnectionCounts(
    std::string& out,
    const std::map<std::string, std::map<std::string, uint64_t>>& counts_by_workspace) {
  AppendHeader(out, kConnections, "gauge", "Connections by workspace and state.");
  for (const auto& [workspace, counts] : counts_by_workspace) {
    for (const auto& [state, count] : counts) {
      AppendSeries(out, kConnections, {{"workspace", workspace}, {"state", state}});
      AppendNumber(out, count);
      out += '\n';
    }
  }
}

std::string Metrics::Render() const {
  std::string out;
  out.reserve(4096);
  AppendHeader(out, kStartTime, "gauge", "Start time of the process since unix epoch in seconds.");
  AppendSeries(out, kStartTime, {});
  AppendNumber(out, start_time_seconds_);
  out += '\n';

  AppendHeader(out, kBuildInfo, "gauge", "The running build; always 1.");
  AppendSeries(out, kBuildInfo,
               {{"version", build_.version},
                {"compiler", build_.compiler},
                {"build_type", build_.build_type},
                {"store", build_.store}});
  out += "1\n";

  std::lock_guard<std::mutex> lock(mutex_);
  AppendHeader(out, kRequestsTotal, "counter",
               "HTTP requests answered, by method, route pattern and status.");
  for (const auto& [key, histogram] : requests_) {
    const std::string status = std::to_string(std::get<2>(key));
    AppendSeries(out, kRequestsTotal,
                 {{"method", std::get<0>(key)}, {"route", std::get<1>(key)}, {"status", status}});
    AppendNumber(out, histogram.count);
    out += '\n';
  }
  AppendHeader(out, kRequestDuration, "histogram",
               "Time from routing a request to its response being ready, in seconds.");
  for (const auto& [key, histogram] : requests_) {
    const std::string status = std::to_string(std::get<2>(key));
    AppendHistogram(out, kRequestDuration,
                    {{"method", std::get<0>(key)}, {"route", std::get<1>(key)}, {"status", status}},
                    histogram);
  }
  AppendHeader(out, kStoreDuration, "histogram",
               "Store calls (a transaction, a read snapshot, a ping) by engine, operation and "
               "outcome, in seconds.");
  for (const auto& [key, histogram] : store_) {
    AppendHistogram(out, kStoreDuration,
                    {{"engine", std::get<0>(key)},
                     {"operation", std::get<1>(key)},
                     {"outcome", std::get<2>(key)}},
                    histogram);
  }
  AppendHeader(out, kConnectionTests, "counter",
               "Connectivity test results recorded, by outcome and source (relay or monitor).");
  for (const auto& [key, count] : tests_) {
    AppendSeries(out, kConnectionTests, {{"outcome", key.first}, {"source", key.second}});
    AppendNumber(out, count);
    out += '\n';
  }
  return out;
}

}  // namespace credvault::server::ops
