#include "ops/metrics.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "ops/build_info.h"
#include "ops_test_util.h"

namespace credvault::server::ops {
namespace {

using std::chrono::microseconds;
using testing::Exposition;
using testing::ParseExposition;
using testing::ValueOf;

constexpr char kRequests[] = "credvault_http_requests_total";
constexpr char kDuration[] = "credvault_http_request_duration_seconds";
constexpr char kStore[] = "credvault_store_operation_duration_seconds";

Metrics NewMetrics() { return Metrics(CurrentBuild("sqlite"), 1700000000.5); }

// Every sample belongs to a family declared by a TYPE line (histograms by their suffixes).
void ExpectWellFormed(const Exposition& exposition) {
  EXPECT_TRUE(exposition.errors.empty()) << exposition.errors.front();
  for (const testing::Sample& sample : exposition.samples) {
    std::string family = sample.name;
    for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
      const std::string base =
          family.substr(0, family.size() - std::min(family.size(), suffix.size()));
      if (family.ends_with(suffix) && exposition.types.count(base) != 0 &&
          exposition.types.at(base) == "histogram") {
        family = base;
      }
    }
    EXPECT_EQ(exposition.types.count(family), 1u) << sample.name;
    if (sample.name.ends_with("_bucket")) {
      EXPECT_EQ(sample.labels.count("le"), 1u);
    }
  }
}

TEST(OpsMetricsTest, EmptyRegistryHasStartTimeAndBuild) {
  const Metrics metrics = NewMetrics();
  const std::string text = metrics.Render();
  const Exposition out = ParseExposition(text);
  ExpectWellFormed(out);
  EXPECT_NE(text.find("\nprocess_start_time_seconds 1700000000.5\n"), std::string::npos);
  EXPECT_EQ(out.types.at("process_start_time_seconds"), "gauge");
  EXPECT_EQ(ValueOf(out, "process_start_time_seconds", {}), 1700000000.5);
  EXPECT_EQ(ValueOf(out, "credvault_build_info",
                    {{"version", std::string(kServerVersion)}, {"store", "sqlite"}}),
            1.0);
  EXPECT_EQ(out.types.at(kRequests), "counter");
  EXPECT_EQ(out.types.at(kDuration), "histogram");
  EXPECT_EQ(out.types.at(kStore), "histogram");
}

TEST(OpsMetricsTest, CountsRequestsByMethodRouteAndStatus) {
  Metrics metrics = NewMetrics();
  for (int i = 0; i < 3; ++i) metrics.ObserveRequest("GET", "/healthz", 200, microseconds(50));
  metrics.ObserveRequest("GET", "/api/v1/workspaces/{ws}", 404, microseconds(50));
  metrics.ObserveRequest("POST", "/api/v1/workspaces", 201, microseconds(50));
  const Exposition out = ParseExposition(metrics.Render());
  ExpectWellFormed(out);
  EXPECT_EQ(ValueOf(out, kRequests, {{"method", "GET"}, {"route", "/healthz"}, {"status", "200"}}),
            3.0);
  EXPECT_EQ(ValueOf(out, kRequests,
                    {{"method", "GET"}, {"route", "/api/v1/workspaces/{ws}"}, {"status", "404"}}),
            1.0);
  EXPECT_EQ(ValueOf(out, kRequests,
                    {{"method", "POST"}, {"route", "/api/v1/workspaces"}, {"status", "201"}}),
            1.0);
  EXPECT_EQ(ValueOf(out, std::string(kDuration) + "_count",
                    {{"method", "GET"}, {"route", "/healthz"}, {"status", "200"}}),
            3.0);
}

TEST(OpsMetricsTest, HistogramBucketsAreCumulativeAndPlaceEachObservation) {
  Metrics metrics = NewMetrics();
  metrics.ObserveRequest("GET", "/x", 200, microseconds(300));        // 0.0003 s
  metrics.ObserveRequest("GET", "/x", 200, microseconds(20000));      // 0.02 s
  metrics.ObserveRequest("GET", "/x", 200, std::chrono::seconds(9));  // beyond the last bound
  const Exposition out = ParseExposition(metrics.Render());
  ExpectWellFormed(out);
  const std::string bucket = std::string(kDuration) + "_bucket";
  auto le = [&](const std::string& bound) {
    return ValueOf(out, bucket, {{"route", "/x"}, {"le", bound}});
  };
  EXPECT_EQ(le("0.00025"), 0.0);
  EXPECT_EQ(le("0.0005"), 1.0);
  EXPECT_EQ(le("0.01"), 1.0);
  EXPECT_EQ(le("0.025"), 2.0);
  EXPECT_EQ(le("5"), 2.0);
  EXPECT_EQ(le("+Inf"), 3.0);
  const std::optional<double> sum =
      ValueOf(out, std::string(kDuration) + "_sum", {{"route", "/x"}});
  ASSERT_TRUE(sum.has_value());
  EXPECT_NEAR(*sum, 9.0203, 1e-9);
  // Cumulative: never decreasing in the order written.
  double previous = 0;
  for (const testing::Sample& sample : out.samples) {
    if (sample.name != bucket) continue;
    EXPECT_GE(sample.value, previous);
    previous = sample.value;
  }
}

TEST(OpsMetricsTest, BoundsLabelValues) {
  Metrics metrics = NewMetrics();
  metrics.ObserveRequest("BREW", "", 404, microseconds(1));
  metrics.ObserveRequest("", "", 413, microseconds(1));
  const Exposition out = ParseExposition(metrics.Render());
  ExpectWellFormed(out);
  EXPECT_EQ(ValueOf(out, kRequests, {{"method", "other"}, {"route", "none"}, {"status", "404"}}),
            1.0);
  EXPECT_EQ(ValueOf(out, kRequests, {{"method", "other"}, {"route", "none"}, {"status", "413"}}),
            1.0);
  for (const testing::Sample& sample : out.samples) {
    if (sample.labels.count("method") != 0) {
      EXPECT_NE(sample.labels.at("method"), "BREW");
    }
  }
}

TEST(OpsMetricsTest, EscapesLabelValues) {
  Metrics metrics = NewMetrics();
  const std::string odd = "/a\"b\\c\nd";
  metrics.ObserveRequest("GET", odd, 200, microseconds(1));
  const std::string text = metrics.Render();
  const Exposition out = ParseExposition(text);
  ExpectWellFormed(out);
  EXPECT_EQ(ValueOf(out, kRequests, {{"route", odd}}), 1.0);
  EXPECT_NE(text.find(R"(route="/a\"b\\c\nd")"), std::string::npos);
}

TEST(OpsMetricsTest, StoreOperationsByEngineOperationAndOutcome) {
  Metrics metrics = NewMetrics();
  metrics.ObserveStore("sqlite", "transact", Status::Ok(), microseconds(800));
  metrics.ObserveStore("sqlite", "transact", Status(ErrorCode::kConflict, "taken"),
                       microseconds(800));
  metrics.ObserveStore("sqlite", "read", Status::Ok(), microseconds(80));
  const Exposition out = ParseExposition(metrics.Render());
  ExpectWellFormed(out);
  const std::string count = std::string(kStore) + "_count";
  EXPECT_EQ(
      ValueOf(out, count, {{"engine", "sqlite"}, {"operation", "transact"}, {"outcome", "ok"}}),
      1.0);
  EXPECT_EQ(ValueOf(out, count,
                    {{"engine", "sqlite"}, {"operation", "transact"}, {"outcome", "conflict"}}),
            1.0);
  EXPECT_EQ(ValueOf(out, count, {{"operation", "read"}, {"outcome", "ok"}}), 1.0);
  // The error's message never becomes a label.
  EXPECT_EQ(metrics.Render().find("taken"), std::string::npos);
}

TEST(OpsMetricsTest, ObservationsFromManyThreadsAreAllCounted) {
  Metrics metrics = NewMetrics();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < 1000; ++i) {
        metrics.ObserveRequest("GET", "/healthz", 200, microseconds(i));
        metrics.ObserveStore("sqlite", "read", Status::Ok(), microseconds(i));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const Exposition out = ParseExposition(metrics.Render());
  EXPECT_EQ(ValueOf(out, kRequests, {{"route", "/healthz"}}), 4000.0);
  EXPECT_EQ(ValueOf(out, std::string(kStore) + "_count", {{"operation", "read"}}), 4000.0);
}

TEST(OpsMetricsTest, ParserRejectsMalformedLines) {
  // The parser the other tests rely on must be able to fail.
  const Exposition out = ParseExposition(
      "# TYPE a counter\na{x=\"1\"} 1\na{x=1} 1\na{x=\"1\" 1\n"
      "a 1 2 3\n9bad 1\n# TYPE b nonsense\na{x=\"1\",x=\"2\"} 1\n");
  EXPECT_EQ(out.samples.size(), 1u);
  EXPECT_EQ(out.errors.size(), 6u);
}

}  // namespace
}  // namespace credvault::server::ops
