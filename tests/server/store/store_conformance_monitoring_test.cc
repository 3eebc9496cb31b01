// Store conformance suite, part 3: monitoring schedules, the bounded test history and the
// per-state counts. Instantiated for every engine in store_conformance_test.cc.
#include <string>
#include <vector>

#include "store_test_fixture.h"

namespace credvault::server::testing {
namespace {

TestHistoryEntry MakeEntry(const std::string& workspace_id, const std::string& connection_id,
                           int64_t at, ConnectionState before, ConnectionState after) {
  TestHistoryEntry entry;
  entry.workspace_id = workspace_id;
  entry.connection_id = connection_id;
  entry.at = at;
  entry.tested_at = at - 1;
  entry.outcome =
      after == ConnectionState::kConnected ? TestOutcome::kOk : TestOutcome::kUnauthorized;
  entry.latency_ms = 12;
  entry.http_status = 200;
  entry.runner_id = "runner-1";
  entry.source = "monitor";
  entry.state_before = before;
  entry.state_after = after;
  entry.client_cert_not_after = at + 5 * 86400;
  entry.server_cert_not_after = at + 90 * 86400;
  entry.token_expires_at = at + 3600;
  return entry;
}

Result<std::vector<TestHistoryEntry>> History(Store& store, const std::string& workspace_id,
                                              const HistoryFilter& filter) {
  return ReadResult<std::vector<TestHistoryEntry>>(
      store, [&](ReadTx& tx) { return tx.ListTestHistory(workspace_id, filter); });
}

TEST_P(StoreConformance, MonitorSettingsDefaultAndPerConnection) {
  SeedOwner("acct-1", "ws-1");
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertConnection(MakeConnection("conn-1", "ws-1")));
    CV_RETURN_IF_ERROR(tx.InsertConnection(MakeConnection("conn-2", "ws-1")));
    return tx.InsertConnection(MakeConnection("conn-3", "ws-1"));
  }));
  auto settings = ReadResult<MonitorSettings>(
      *store_, [](ReadTx& tx) { return tx.GetMonitorSettings("ws-1"); });
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_EQ(settings->default_interval_minutes, 0u);
  EXPECT_TRUE(settings->connection_intervals.empty());
  auto targets = ReadResult<std::vector<MonitorTarget>>(
      *store_, [](ReadTx& tx) { return tx.ListMonitorTargets(); });
  ASSERT_TRUE(targets.ok());
  EXPECT_TRUE(targets->empty());  // nothing is monitored by default

  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.SetMonitorDefault("ws-1", 5));
    CV_RETURN_IF_ERROR(tx.SetConnectionMonitor("ws-1", "conn-2", 1));
    return tx.SetConnectionMonitor("ws-1", "conn-3", 0);  // off despite the default
  }));
  settings = ReadResult<MonitorSettings>(*store_,
                                         [](ReadTx& tx) { return tx.GetMonitorSettings("ws-1"); });
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings->default_interval_minutes, 5u);
  EXPECT_EQ(settings->connection_intervals,
            (std::map<std::string, uint32_t>{{"conn-2", 1}, {"conn-3", 0}}));

  // A last test shows through as last_tested_at.
  LastTest last;
  last.tested_at = 7777;
  last.runner_id = "runner-1";
  CV_ASSERT_OK(Write([&](Tx& tx) {
    return tx.SetConnectionState("ws-1", "conn-1", 1, ConnectionState::kDiscovered,
                                 ConnectionState::kConnected, last, 7778);
  }));
  targets = ReadResult<std::vector<MonitorTarget>>(
      *store_, [](ReadTx& tx) { return tx.ListMonitorTargets(); });
  ASSERT_TRUE(targets.ok());
  ASSERT_EQ(targets->size(), 2u);
  EXPECT_EQ((*targets)[0].connection_id, "conn-1");
  EXPECT_EQ((*targets)[0].workspace_id, "ws-1");
  EXPECT_EQ((*targets)[0].interval_minutes, 5u);
  EXPECT_EQ((*targets)[0].last_tested_at, 7777);
  EXPECT_EQ((*targets)[0].state, ConnectionState::kConnected);
  EXPECT_EQ((*targets)[1].connection_id, "conn-2");
  EXPECT_EQ((*targets)[1].interval_minutes, 1u);
  EXPECT_EQ((*targets)[1].last_tested_at, 0);

  // Back to the default.
  CV_ASSERT_OK(
      Write([](Tx& tx) { return tx.SetConnectionMonitor("ws-1", "conn-3", std::nullopt); }));
  targets = ReadResult<std::vector<MonitorTarget>>(
      *store_, [](ReadTx& tx) { return tx.ListMonitorTargets(); });
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ(targets->size(), 3u);
  // Settings are not sealed: the connection's version stays.
  auto connection = ReadResult<SealedConnection>(
      *store_, [](ReadTx& tx) { return tx.GetConnection("ws-1", "conn-2"); });
  ASSERT_TRUE(connection.ok());
  EXPECT_EQ(connection->version, 1u);
}

TEST_P(StoreConformance, MonitorSettingsRefuseBadInput) {
  SeedOwner("acct-1", "ws-1");
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.InsertConnection(MakeConnection("conn-1", "ws-1")); }));
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.SetMonitorDefault("ws-missing", 5); }),
                 ErrorCode::kNotFound);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.SetMonitorDefault("", 5); }),
                 ErrorCode::kInvalidArgument);
  CV_EXPECT_CODE(
      Write([](Tx& tx) { return tx.SetMonitorDefault("ws-1", kMaxMonitorIntervalMinutes + 1); }),
      ErrorCode::kInvalidArgument);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.SetConnectionMonitor("ws-1", "conn-x", 5); }),
                 ErrorCode::kNotFound);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.SetConnectionMonitor("ws-2", "conn-1", 5); }),
                 ErrorCode::kNotFound);
  CV_EXPECT_CODE(Write([](Tx& tx) {
                   return tx.SetConnectionMonitor("ws-1", "conn-1", kMaxMonitorIntervalMinutes + 1);
                 }),
                 ErrorCode::kInvalidArgument);
  CV_EXPECT_CODE(ReadResult<MonitorSettings>(
                     *store_, [](ReadTx& tx) { return tx.GetMonitorSettings("ws-missing"); }),
                 ErrorCode::kNotFound);
}

TEST_P(StoreConformance, TestHistoryIsBoundedNewestFirstAndFiltered) {
  SeedOwner("acct-1", "ws-1");
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertConnection(MakeConnection("conn-1", "ws-1")));
    return tx.InsertConnection(MakeConnection("conn-2", "ws-1"));
  }));
  const size_t total = kMaxTestHistoryPerConnection + 5;
  CV_ASSERT_OK(Write([&](Tx& tx) -> Status {
    for (size_t i = 0; i < total; ++i) {
      // A state change every tenth entry.
      const ConnectionState before =
          i % 10 == 0 ? ConnectionState::kDisconnected : ConnectionState::kConnected;
      CV_RETURN_IF_ERROR(tx.AppendTestHistory(MakeEntry(
          "ws-1", "conn-1", 10000 + static_cast<int64_t>(i), before, ConnectionState::kConnected)));
    }
    return tx.AppendTestHistory(MakeEntry("ws-1", "conn-2", 50000, ConnectionState::kConnected,
                                          ConnectionState::kDisconnected));
  }));

  HistoryFilter one;
  one.connection_id = "conn-1";
  one.limit = kMaxPageLimit;
  auto entries = History(*store_, "ws-1", one);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), kMaxTestHistoryPerConnection);  // the oldest five were dropped
  EXPECT_EQ(entries->front().at, 10000 + static_cast<int64_t>(total) - 1);
  EXPECT_EQ(entries->back().at, 10005);
  const TestHistoryEntry& newest = entries->front();
  EXPECT_EQ(newest.outcome, TestOutcome::kOk);
  EXPECT_EQ(newest.tested_at, newest.at - 1);
  EXPECT_EQ(newest.latency_ms, 12u);
  EXPECT_EQ(newest.http_status, 200);
  EXPECT_EQ(newest.runner_id, "runner-1");
  EXPECT_EQ(newest.source, "monitor");
  EXPECT_EQ(newest.client_cert_not_after, newest.at + 5 * 86400);
  EXPECT_EQ(newest.server_cert_not_after, newest.at + 90 * 86400);
  EXPECT_EQ(newest.token_expires_at, newest.at + 3600);

  one.limit = 3;
  entries = History(*store_, "ws-1", one);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 3u);

  HistoryFilter feed;
  feed.state_changes_only = true;
  feed.limit = kMaxPageLimit;
  entries = History(*store_, "ws-1", feed);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 11u);  // conn-2's change and conn-1's kept i = 10, 20, ... 100
  EXPECT_EQ(entries->front().connection_id, "conn-2");
  for (const TestHistoryEntry& entry : *entries) EXPECT_NE(entry.state_before, entry.state_after);

  HistoryFilter latest;
  latest.latest_per_connection = true;
  entries = History(*store_, "ws-1", latest);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].connection_id, "conn-2");
  EXPECT_EQ((*entries)[1].at, 10000 + static_cast<int64_t>(total) - 1);

  // Another workspace sees none of it; deleting the connection deletes its history.
  SeedOwner("acct-1", "ws-2");
  entries = History(*store_, "ws-2", feed);
  ASSERT_TRUE(entries.ok());
  EXPECT_TRUE(entries->empty());
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.DeleteConnection("ws-1", "conn-1"); }));
  entries = History(*store_, "ws-1", latest);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ(entries->front().connection_id, "conn-2");
}

TEST_P(StoreConformance, TestHistoryRefusesBadInput) {
  SeedOwner("acct-1", "ws-1");
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.InsertConnection(MakeConnection("conn-1", "ws-1")); }));
  const auto entry =
      MakeEntry("ws-1", "conn-1", 1, ConnectionState::kConnected, ConnectionState::kConnected);
  CV_EXPECT_CODE(Write([&](Tx& tx) {
                   TestHistoryEntry e = entry;
                   e.connection_id = "conn-missing";
                   return tx.AppendTestHistory(e);
                 }),
                 ErrorCode::kNotFound);
  CV_EXPECT_CODE(Write([&](Tx& tx) {
                   TestHistoryEntry e = entry;
                   e.workspace_id = "ws-other";  // the connection is not in it
                   return tx.AppendTestHistory(e);
                 }),
                 ErrorCode::kNotFound);
  CV_EXPECT_CODE(Write([&](Tx& tx) {
                   TestHistoryEntry e = entry;
                   e.source = "";
                   return tx.AppendTestHistory(e);
                 }),
                 ErrorCode::kInvalidArgument);
  HistoryFilter filter;
  filter.limit = 0;
  CV_EXPECT_CODE(History(*store_, "ws-1", filter), ErrorCode::kInvalidArgument);
  filter.limit = kMaxPageLimit + 1;
  CV_EXPECT_CODE(History(*store_, "ws-1", filter), ErrorCode::kInvalidArgument);
  filter.limit = 1;
  filter.connection_id = "";
  CV_EXPECT_CODE(History(*store_, "ws-1", filter), ErrorCode::kInvalidArgument);
}

TEST_P(StoreConformance, ConnectionsCountedPerWorkspaceAndState) {
  SeedOwner("acct-1", "ws-1");
  SeedOwner("acct-1", "ws-2");
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertConnection(MakeConnection("c1", "ws-1")));
    CV_RETURN_IF_ERROR(tx.InsertConnection(MakeConnection("c2", "ws-1")));
    CV_RETURN_IF_ERROR(tx.InsertConnection(
        MakeConnection("c3", "ws-1", ServiceKind::kHttp, ConnectionState::kConnected)));
    return tx.InsertConnection(
        MakeConnection("c4", "ws-2", ServiceKind::kHttp, ConnectionState::kIgnored));
  }));
  using Counts = std::map<std::string, std::map<ConnectionState, uint64_t>>;
  auto counts =
      ReadResult<Counts>(*store_, [](ReadTx& tx) { return tx.CountConnectionsByState(); });
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(*counts,
            (Counts{{"ws-1", {{ConnectionState::kDiscovered, 2}, {ConnectionState::kConnected, 1}}},
                    {"ws-2", {{ConnectionState::kIgnored, 1}}}}));
}

}  // namespace
}  // namespace credvault::server::testing
