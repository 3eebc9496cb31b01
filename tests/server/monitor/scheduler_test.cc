// The scheduler against a real SQLite store and fake runner links in a real hub: only a
// workspace that admitted the runner under its key AND granted it is monitored; ignored
// connections are skipped; a due connection is handed once (not again while in flight, nor
// before its next interval); the job carries the sealed records, the grant and the granter's
// pinned key; a result the runner cannot produce records nothing.
#include "monitor/scheduler.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "monitor/schedule.h"
#include "scheduler_test_util.h"
#include "store/sqlite_store.h"

namespace credvault::server::monitor {
namespace {

using testing::B;
using testing::InsertAdmin;
using testing::RecordingLink;

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "credvault-monitor-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto store = SqliteStore::New(dir_ + "/" + SqliteStore::kFileName);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    runner_ = std::make_shared<RecordingLink>();
    hub_.Attach("runner-1", B("runner-sign-key"), runner_);
    ASSERT_TRUE(
        store_
            ->Transact([&](Tx& tx) -> Status {
              CV_RETURN_IF_ERROR(InsertAdmin(tx));
              for (const char* ws : {"ws-granted", "ws-admitted-only"}) {
                WorkspaceRow row;
                row.id = ws;
                row.name = ws;
                row.created_by = "admin";
                CV_RETURN_IF_ERROR(tx.InsertWorkspace(row));
                CV_RETURN_IF_ERROR(tx.InsertMember(MemberRow{ws, "admin", Role::kAdmin, 1, 0}));
                RunnerRow runner;
                runner.id = "runner-1";
                runner.workspace_id = ws;
                runner.name = "built-in";
                runner.box_public_key = B("runner-box-key");
                runner.sign_public_key = B("runner-sign-key");
                CV_RETURN_IF_ERROR(tx.InsertRunner(runner));
                CV_RETURN_IF_ERROR(tx.SetMonitorDefault(ws, 1));
                for (const char* suffix : {"-a", "-ignored"}) {
                  SealedConnection connection;
                  connection.id = std::string(ws) + suffix;
                  connection.workspace_id = ws;
                  connection.kind = ServiceKind::kPrometheus;
                  connection.state = std::string(suffix) == "-ignored"
                                         ? ConnectionState::kIgnored
                                         : ConnectionState::kRegistered;
                  connection.sealed_details = B("sealed");
                  CV_RETURN_IF_ERROR(tx.InsertConnection(connection));
                }
              }
              KeyGrant grant;
              grant.workspace_id = "ws-granted";
              grant.recipient_id = "runner-1";
              grant.granter_id = "admin";
              grant.generation = 1;
              grant.includes_secrets = true;
              grant.sealed = B("sealed-to-runner");
              grant.signature = B("signature");
              return tx.PutKeyGrant(grant);
            })
            .ok());
  }
  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::unique_ptr<MonitorScheduler> Make() {
    SchedulerOptions options;
    options.minute_seconds = 60;
    return std::make_unique<MonitorScheduler>(
        *store_, [this] { return now_; }, &hub_, nullptr, nullptr, options);
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  std::shared_ptr<RecordingLink> runner_;
  relay::RunnerHub hub_;
  int64_t now_ = 1'000'000;
};

TEST_F(SchedulerTest, HandsOnlyGrantedMonitoredConnectionsOnce) {
  auto scheduler = Make();
  EXPECT_EQ(scheduler->ScanOnce(), 1u);
  ASSERT_EQ(runner_->jobs.size(), 1u);
  const runner::MonitorJob& job = runner_->jobs[0];
  EXPECT_EQ(job.connection.id, "ws-granted-a");
  EXPECT_FALSE(job.credential.has_value());
  ASSERT_EQ(job.grants.size(), 1u);
  EXPECT_EQ(job.grants[0].recipient_id, "runner-1");
  EXPECT_EQ(job.granters.at("admin"), B("admin-sign"));
  EXPECT_FALSE(job.job_id.empty());
  // In flight: not handed again.
  EXPECT_EQ(scheduler->ScanOnce(), 0u);
  EXPECT_EQ(scheduler->InFlight(), 1u);

  // The runner cannot open it: nothing recorded, and not retried before the interval.
  runner_->dones[0](Status(ErrorCode::kNotFound, "no grant for generation 2"));
  EXPECT_EQ(scheduler->InFlight(), 0u);
  EXPECT_EQ(scheduler->ScanOnce(), 0u);
  auto history = ReadResult<std::vector<TestHistoryEntry>>(
      *store_, [](ReadTx& tx) { return tx.ListTestHistory("ws-granted", HistoryFilter{}); });
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());
  now_ += 59;
  EXPECT_EQ(scheduler->ScanOnce(), 0u);
  now_ += 1 + JitterSeconds("ws-granted-a", 60);
  EXPECT_EQ(scheduler->ScanOnce(), 1u);
}

TEST_F(SchedulerTest, AResultThatDoesNotVerifyRecordsNothing) {
  auto scheduler = Make();
  ASSERT_EQ(scheduler->ScanOnce(), 1u);
  SignedTestResult forged;
  forged.payload = R"({"job_id":"x","connection_id":"ws-granted-a","outcome":"ok"})";
  forged.signature = Bytes(64, 1);
  runner_->dones[0](forged);
  auto connection = ReadResult<SealedConnection>(
      *store_, [](ReadTx& tx) { return tx.GetConnection("ws-granted", "ws-granted-a"); });
  ASSERT_TRUE(connection.ok());
  EXPECT_EQ(connection->state, ConnectionState::kRegistered);
  EXPECT_FALSE(connection->last_test.has_value());
}

TEST_F(SchedulerTest, AGrantWhoseGranterLostTheRightIsNotUsed) {
  ASSERT_TRUE(store_
                  ->Transact([](Tx& tx) {
                    return tx
                        .UpdateMember(MemberRow{"ws-granted", "admin", Role::kOperator, 1, 0}, 1)
                        .status();
                  })
                  .ok());
  auto scheduler = Make();
  EXPECT_EQ(scheduler->ScanOnce(), 0u);
}

TEST_F(SchedulerTest, ARunnerAdmittedUnderAnotherKeyIsNotThisOne) {
  ASSERT_TRUE(store_
                  ->Transact([](Tx& tx) -> Status {
                    CV_RETURN_IF_ERROR(tx.DeleteRunner("ws-granted", "runner-1"));
                    RunnerRow other;
                    other.id = "runner-1";
                    other.workspace_id = "ws-granted";
                    other.name = "impostor";
                    other.box_public_key = B("other-box");
                    other.sign_public_key = B("other-sign");
                    CV_RETURN_IF_ERROR(tx.InsertRunner(other));
                    KeyGrant grant;
                    grant.workspace_id = "ws-granted";
                    grant.recipient_id = "runner-1";
                    grant.granter_id = "admin";
                    grant.generation = 1;
                    grant.includes_secrets = true;
                    grant.sealed = B("s");
                    grant.signature = B("g");
                    return tx.PutKeyGrant(grant);
                  })
                  .ok());
  auto scheduler = Make();
  EXPECT_EQ(scheduler->ScanOnce(), 0u);
}

TEST_F(SchedulerTest, WithoutAHubNothingIsScanned) {
  SchedulerOptions options;
  MonitorScheduler scheduler(
      *store_, [] { return int64_t{1}; }, nullptr, nullptr, nullptr, options);
  EXPECT_EQ(scheduler.ScanOnce(), 0u);
  scheduler.Start();  // no thread without a hub
  scheduler.Stop();
}

TEST_F(SchedulerTest, AGrantedRunnerThisServerDoesNotHoldIsSkipped) {
  hub_.Detach("runner-1", runner_.get());
  auto scheduler = Make();
  EXPECT_EQ(scheduler->ScanOnce(), 0u);
  // It connects here: the next scan hands it the job.
  hub_.Attach("runner-1", B("runner-sign-key"), runner_);
  EXPECT_EQ(scheduler->ScanOnce(), 1u);
  EXPECT_EQ(runner_->jobs.size(), 1u);
}

TEST_F(SchedulerTest, ALinkThatTakesNoMonitoringJobsRecordsNothing) {
  // The base RunnerLink (e.g. a link to another server) refuses at once.
  class RelayOnly : public relay::RunnerLink {
   public:
    void Submit(Bytes, relay::RelayDone) override {}
  };
  hub_.Detach("runner-1", runner_.get());
  hub_.Attach("runner-1", B("runner-sign-key"), std::make_shared<RelayOnly>());
  auto scheduler = Make();
  EXPECT_EQ(scheduler->ScanOnce(), 1u);
  EXPECT_EQ(scheduler->InFlight(), 0u);
  auto history = ReadResult<std::vector<TestHistoryEntry>>(
      *store_, [](ReadTx& tx) { return tx.ListTestHistory("ws-granted", HistoryFilter{}); });
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());
}

}  // namespace
}  // namespace credvault::server::monitor
