// Monitoring's operational surface: the /metrics series an Alertmanager rule reads, and the
// test-only speed-up flag.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "config.h"
#include "ops/metrics.h"

namespace credvault::server {
namespace {

TEST(MonitorMetrics, TestOutcomesCountedBySource) {
  ops::Metrics metrics(ops::BuildInfo{"1", "gcc", "release", "sqlite"}, 1.0);
  metrics.ObserveConnectionTest("ok", "monitor");
  metrics.ObserveConnectionTest("ok", "monitor");
  metrics.ObserveConnectionTest("unauthorized", "relay");
  const std::string text = metrics.Render();
  EXPECT_NE(text.find("# TYPE credvault_connection_tests_total counter"), std::string::npos);
  EXPECT_NE(text.find("credvault_connection_tests_total{outcome=\"ok\",source=\"monitor\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("credvault_connection_tests_total{outcome=\"unauthorized\",source=\"relay\"} 1\n"),
      std::string::npos);
}

TEST(MonitorMetrics, ConnectionsPerWorkspaceAndState) {
  std::string out;
  ops::Metrics::AppendConnectionCounts(
      out, {{"ws-1", {{"connected", 3}, {"disconnected", 1}}}, {"ws-2", {{"ignored", 2}}}});
  EXPECT_EQ(out,
            "# HELP credvault_connections Connections by workspace and state.\n"
            "# TYPE credvault_connections gauge\n"
            "credvault_connections{workspace=\"ws-1\",state=\"connected\"} 3\n"
            "credvault_connections{workspace=\"ws-1\",state=\"disconnected\"} 1\n"
            "credvault_connections{workspace=\"ws-2\",state=\"ignored\"} 2\n");
}

std::optional<std::string> NoEnv(std::string_view) { return std::nullopt; }

TEST(MonitorConfig, MinuteSecondsIsATestOnlyFlagWithinOneToSixty) {
  ConfigDefaults defaults;
  defaults.source_root = "/src";
  auto config = ParseServerConfig({}, NoEnv, defaults);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->monitor_minute_seconds, 60);
  config = ParseServerConfig({"--monitor-minute-seconds", "2"}, NoEnv, defaults);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->monitor_minute_seconds, 2);
  for (const char* bad : {"0", "61", "-1", "x", "1.5"}) {
    EXPECT_EQ(ParseServerConfig({"--monitor-minute-seconds", bad}, NoEnv, defaults).code(),
              ErrorCode::kInvalidArgument)
        << bad;
  }
  EXPECT_NE(ServerUsage().find("monitor-minute-seconds"), std::string::npos);
}

}  // namespace
}  // namespace credvault::server
