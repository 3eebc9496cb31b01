// The scheduler choosing among several granted runners, and the results of standalone
// runners: on one server each due connection goes to exactly one runner this server holds;
// on servers sharing a database each connection is dispatched by exactly one server (the one
// holding the runner schedule.h ranks first, or, once the record is an interval overdue, the
// next); a result bound to another connection, or a refusal (an untrusted granter), records
// nothing and is logged with its error code only.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "credvault/crypto.h"
#include "credvault/identity.h"
#include "monitor/schedule.h"
#include "monitor/scheduler.h"
#include "scheduler_test_util.h"
#include "store/sqlite_store.h"

namespace credvault::server::monitor {
namespace {

using testing::B;
using testing::InsertAdmin;
using testing::RecordingLink;

constexpr int kConnections = 20;

// Holds the jobs handed to it; answers them when the test says.

class SchedulerRunnersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    std::string pattern =
        (std::filesystem::temp_directory_path() / "credvault-monrun-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto store = SqliteStore::New(dir_ + "/" + SqliteStore::kFileName);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    for (int i = 0; i < 2; ++i) {
      identities_.push_back(Identity::Generate("runner-" + std::to_string(i + 1)));
      links_.push_back(std::make_shared<RecordingLink>());
    }
    ASSERT_TRUE(store_->Transact([&](Tx& tx) { return Seed(tx); }).ok());
  }
  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  Status Seed(Tx& tx) {
    CV_RETURN_IF_ERROR(InsertAdmin(tx));
    WorkspaceRow workspace;
    workspace.id = "ws";
    workspace.name = "ws";
    workspace.created_by = "admin";
    CV_RETURN_IF_ERROR(tx.InsertWorkspace(workspace));
    CV_RETURN_IF_ERROR(tx.InsertMember(MemberRow{"ws", "admin", Role::kAdmin, 1, 0}));
    CV_RETURN_IF_ERROR(tx.SetMonitorDefault("ws", 1));
    for (const auto& identity : identities_) {
      RunnerRow runner;
      runner.id = identity->id();
      runner.workspace_id = "ws";
      runner.name = identity->id();
      runner.box_public_key = identity->box_public_key();
      runner.sign_public_key = identity->sign_public_key();
      CV_RETURN_IF_ERROR(tx.InsertRunner(runner));
      KeyGrant grant;
      grant.workspace_id = "ws";
      grant.recipient_id = identity->id();
      grant.granter_id = "admin";
      grant.generation = 1;
      grant.includes_secrets = true;
      grant.sealed = B("sealed-to-runner");
      grant.signature = B("signature");
      CV_RETURN_IF_ERROR(tx.PutKeyGrant(grant));
    }
    for (int i = 0; i < kConnections; ++i) {
      SealedConnection connection;
      connection.id = "c-" + std::to_string(100 + i);
      connection.workspace_id = "ws";
      connection.kind = ServiceKind::kPrometheus;
      connection.state = ConnectionState::kRegistered;
      connection.sealed_details = B("sealed");
      CV_RETURN_IF_ERROR(tx.InsertConnection(connection));
    }
    return Status::Ok();
  }

  std::unique_ptr<MonitorScheduler> Make(const relay::RunnerHub& hub, bool sole_server,
                                         const JsonLog* log = nullptr) {
    SchedulerOptions options;
    options.minute_seconds = 60;
    options.max_in_flight = 1000;
    options.sole_server = sole_server;
    return std::make_unique<MonitorScheduler>(
        *store_, [this] { return now_; }, &hub, nullptr, log, options);
  }

  void Attach(relay::RunnerHub& hub, int runner) {
    hub.Attach(identities_[runner]->id(), identities_[runner]->sign_public_key(), links_[runner]);
  }

  // Answers every job `runner` holds with an "ok" result it signed for the job.
  void AnswerAll(int runner) {
    RecordingLink& link = *links_[runner];
    for (size_t i = 0; i < link.jobs.size(); ++i) {
      TestJobHeader header;
      header.job_id = link.jobs[i].job_id;
      header.workspace_id = "ws";
      header.connection_id = link.jobs[i].connection.id;
      header.runner_id = identities_[runner]->id();
      nlohmann::json payload = {
          {"outcome", "ok"}, {"tested_at", now_}, {"runner_id", identities_[runner]->id()}};
      link.dones[i](SignTestResult(*identities_[runner], header, std::move(payload)));
    }
    link.jobs.clear();
    link.dones.clear();
  }

  std::set<std::string> ConnectionsOf(int runner) const {
    std::set<std::string> out;
    for (const runner::MonitorJob& job : links_[runner]->jobs) out.insert(job.connection.id);
    return out;
  }

  size_t HistorySize() {
    auto history = ReadResult<std::vector<TestHistoryEntry>>(
        *store_, [](ReadTx& tx) { return tx.ListTestHistory("ws", HistoryFilter{}); });
    EXPECT_TRUE(history.ok());
    return history.ok() ? history->size() : 0;
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  std::vector<std::unique_ptr<Identity>> identities_;
  std::vector<std::shared_ptr<RecordingLink>> links_;
  int64_t now_ = 1'000'000;
};

TEST(RunnerRanking, IsStableAndSpreadsConnections) {
  EXPECT_EQ(RunnerScore("c-1", "runner-1"), RunnerScore("c-1", "runner-1"));
  EXPECT_NE(RunnerScore("c-1", "runner-1"), RunnerScore("c-1", "runner-2"));
  EXPECT_NE(RunnerScore("ab", "c"), RunnerScore("a", "bc"));
  int first = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = "connection-" + std::to_string(i);
    first += RunnerScore(id, "runner-1") > RunnerScore(id, "runner-2") ? 1 : 0;
  }
  EXPECT_GT(first, 400);
  EXPECT_LT(first, 600);
}

TEST(RunnerRanking, FailoverRankCountsWholeIntervalsOverdue) {
  MonitorTarget target;
  target.connection_id = "c";
  target.interval_minutes = 1;
  EXPECT_EQ(FailoverRank(target, 60, 1'000'000), 0u);  // never tested
  target.last_tested_at = 1000;
  const int64_t due = DueAt(target, 60, 0);
  EXPECT_EQ(FailoverRank(target, 60, due), 0u);
  EXPECT_EQ(FailoverRank(target, 60, due + 59), 0u);
  EXPECT_EQ(FailoverRank(target, 60, due + 60), 1u);
  EXPECT_EQ(FailoverRank(target, 60, due + 185), 3u);
}

TEST_F(SchedulerRunnersTest, OneServerHandsEachConnectionToOneRunnerItHolds) {
  relay::RunnerHub hub;
  Attach(hub, 0);
  Attach(hub, 1);
  auto scheduler = Make(hub, /*sole_server=*/true);
  EXPECT_EQ(scheduler->ScanOnce(), static_cast<size_t>(kConnections));
  const std::set<std::string> first = ConnectionsOf(0);
  const std::set<std::string> second = ConnectionsOf(1);
  EXPECT_FALSE(first.empty());
  EXPECT_FALSE(second.empty());
  EXPECT_EQ(first.size() + second.size(), static_cast<size_t>(kConnections));
  for (const std::string& id : first) EXPECT_EQ(second.count(id), 0u) << id;
  // Each job carries the grants of the runner it went to.
  for (const auto& job : links_[1]->jobs) EXPECT_EQ(job.grants[0].recipient_id, "runner-2");
  AnswerAll(0);
  AnswerAll(1);
  EXPECT_EQ(HistorySize(), static_cast<size_t>(kConnections));

  // Runner 1 goes away: one interval later runner 2 takes every connection.
  hub.Detach(identities_[0]->id(), links_[0].get());
  now_ += 60 + 6;
  EXPECT_EQ(scheduler->ScanOnce(), static_cast<size_t>(kConnections));
  EXPECT_TRUE(links_[0]->jobs.empty());
  EXPECT_EQ(links_[1]->jobs.size(), static_cast<size_t>(kConnections));
}

TEST_F(SchedulerRunnersTest, TwoServersNeverDispatchTheSameConnection) {
  relay::RunnerHub hub_a;  // holds runner 1
  relay::RunnerHub hub_b;  // holds runner 2
  Attach(hub_a, 0);
  Attach(hub_b, 1);
  auto server_a = Make(hub_a, /*sole_server=*/false);
  auto server_b = Make(hub_b, /*sole_server=*/false);
  const size_t handed = server_a->ScanOnce() + server_b->ScanOnce();
  EXPECT_EQ(handed, static_cast<size_t>(kConnections));
  const std::set<std::string> by_a = ConnectionsOf(0);
  const std::set<std::string> by_b = ConnectionsOf(1);
  EXPECT_FALSE(by_a.empty());
  EXPECT_FALSE(by_b.empty());
  for (const std::string& id : by_a) EXPECT_EQ(by_b.count(id), 0u) << id;
  AnswerAll(0);
  AnswerAll(1);
  // Runner 1 leaves server A and connects nowhere.
  hub_a.Detach(identities_[0]->id(), links_[0].get());

  // Due again, but not a whole interval overdue: server B takes only its own.
  now_ += 66;
  EXPECT_EQ(server_a->ScanOnce(), 0u);
  EXPECT_EQ(server_b->ScanOnce(), by_b.size());
  EXPECT_EQ(ConnectionsOf(1), by_b);
  AnswerAll(1);
  // An interval later runner 1's connections are overdue: the next-ranked runner (2) takes
  // them, on the one server that holds it.
  now_ += 60;
  EXPECT_EQ(server_a->ScanOnce(), 0u);
  server_b->ScanOnce();
  for (const std::string& id : by_a) EXPECT_EQ(ConnectionsOf(1).count(id), 1u) << id;
}

TEST_F(SchedulerRunnersTest, AResultBoundToAnotherConnectionRecordsNothing) {
  char path[] = "/tmp/credvault-monrun-log-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  JsonLog log(fd);
  relay::RunnerHub hub;
  Attach(hub, 0);
  auto scheduler = Make(hub, /*sole_server=*/true, &log);
  ASSERT_GT(scheduler->ScanOnce(), 1u);
  RecordingLink& link = *links_[0];
  // Signed by the pinned key, for this job id, but for another of the workspace's connections.
  TestJobHeader header;
  header.job_id = link.jobs[0].job_id;
  header.workspace_id = "ws";
  header.connection_id = link.jobs[1].connection.id;
  header.runner_id = identities_[0]->id();
  link.dones[0](
      SignTestResult(*identities_[0], header,
                     {{"outcome", "ok"}, {"tested_at", now_}, {"runner_id", "runner-1"}}));
  // Refused by the runner: a granter it does not trust.
  link.dones[1](Status(ErrorCode::kUntrustedSigner, "no grant of this job is by a pinned granter"));
  EXPECT_EQ(HistorySize(), 0u);
  auto connection = ReadResult<SealedConnection>(
      *store_, [&](ReadTx& tx) { return tx.GetConnection("ws", link.jobs[0].connection.id); });
  ASSERT_TRUE(connection.ok());
  EXPECT_FALSE(connection->last_test.has_value());

  close(fd);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  unlink(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(text, line);) {
    lines.push_back(nlohmann::json::parse(line, nullptr, false));
  }
  ASSERT_EQ(lines.size(), 2u) << text.str();
  EXPECT_EQ(lines[0]["event"], "monitor_not_recorded");
  EXPECT_EQ(lines[0]["error"], "wrong_recipient");
  EXPECT_EQ(lines[0]["runner_id"], "runner-1");
  EXPECT_EQ(lines[1]["error"], "untrusted_signer");
  // Ids and codes only: no message, nothing the runner wrote.
  EXPECT_EQ(text.str().find("pinned granter"), std::string::npos);
}

TEST_F(SchedulerRunnersTest, TheRunningSchedulerRecordsOnItsOwnThreadAndStopDrains) {
  // Answers from the test thread, as a runner socket answers from an I/O thread.
  class LockedLink : public relay::RunnerLink {
   public:
    void Submit(Bytes, relay::RelayDone done) override {
      done(Status(ErrorCode::kUnavailable, "not in these tests"));
    }
    void SubmitMonitor(runner::MonitorJob job, relay::RelayDone done) override {
      std::lock_guard<std::mutex> lock(mutex);
      jobs.emplace_back(std::move(job), std::move(done));
    }
    std::mutex mutex;
    std::vector<std::pair<runner::MonitorJob, relay::RelayDone>> jobs;
  };
  auto link = std::make_shared<LockedLink>();
  relay::RunnerHub hub;
  hub.Attach(identities_[0]->id(), identities_[0]->sign_public_key(), link);
  SchedulerOptions options;
  options.tick = std::chrono::milliseconds(10);
  options.max_in_flight = 1000;
  MonitorScheduler scheduler(
      *store_, [this] { return now_; }, &hub, nullptr, nullptr, options);
  scheduler.Start();
  std::vector<std::pair<runner::MonitorJob, relay::RelayDone>> jobs;
  for (int i = 0; i < 500 && jobs.size() < static_cast<size_t>(kConnections); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::lock_guard<std::mutex> lock(link->mutex);
    for (auto& taken : link->jobs) jobs.push_back(std::move(taken));
    link->jobs.clear();
  }
  ASSERT_EQ(jobs.size(), static_cast<size_t>(kConnections));
  for (auto& [job, done] : jobs) {
    TestJobHeader header;
    header.job_id = job.job_id;
    header.workspace_id = "ws";
    header.connection_id = job.connection.id;
    header.runner_id = identities_[0]->id();
    done(SignTestResult(*identities_[0], header,
                        {{"outcome", "ok"}, {"tested_at", now_}, {"runner_id", "runner-1"}}));
  }
  scheduler.Stop();  // whatever was still queued is recorded before Stop returns
  EXPECT_EQ(HistorySize(), static_cast<size_t>(kConnections));
  EXPECT_EQ(scheduler.InFlight(), 0u);
}

}  // namespace
}  // namespace credvault::server::monitor
