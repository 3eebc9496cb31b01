// PgRelay between two instances on one throw-away PostgreSQL database (pg_test_cluster.h),
// each with its own RunnerHub, as two servers would run them: a job posted on A reaches the
// link B holds and the answer comes back; nobody holding the runner is kUnavailable after the
// claim wait; results for jobs A never posted and malformed notifications are ignored; each
// relay learns which runners the other holds (presence), and forgets them when they go.
#include "relay/pg_relay.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../store/pg_test_cluster.h"
#include "store/pg_db.h"
#include "store/pg_store.h"

namespace credvault::server::testing {
namespace {

using namespace std::chrono_literals;

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

RunnerRow Pinned(std::string id, uint8_t key_byte) {
  RunnerRow row;
  row.id = std::move(id);
  row.sign_public_key = Bytes(32, key_byte);
  return row;
}

Bytes BytesOf(std::string_view text) { return Bytes(text.begin(), text.end()); }

// A runner's link on the claiming server: answers every job with a "signed" result that
// echoes the job bytes, or with `refusal` when set; records what it was given.
class EchoLink : public relay::RunnerLink {
 public:
  explicit EchoLink(Status refusal = Status::Ok()) : refusal_(std::move(refusal)) {}
  void Submit(Bytes sealed_job, relay::RelayDone done) override {
    {
      std::lock_guard lock(mutex_);
      jobs_.emplace_back(sealed_job.begin(), sealed_job.end());
    }
    if (!refusal_.ok()) return done(refusal_);
    SignedTestResult result;
    result.payload = R"({"echo":")" + std::string(sealed_job.begin(), sealed_job.end()) + R"("})";
    result.signature = Bytes(64, 0x5a);
    done(std::move(result));
  }
  std::vector<std::string> jobs() const {
    std::lock_guard lock(mutex_);
    return jobs_;
  }

 private:
  Status refusal_;
  mutable std::mutex mutex_;
  std::vector<std::string> jobs_;
};

class PgRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "credvault-pgrelay-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    Result<std::string> url = PostgresTestStoreUrl(dir_);
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    url_ = *url;
    // The store's migrations make relay_jobs, as a server starting on the database does.
    Result<std::unique_ptr<PostgresStore>> store = PostgresStore::New(url_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    log_file_ = std::tmpfile();
    ASSERT_NE(log_file_, nullptr);
    log_ = std::make_unique<JsonLog>(fileno(log_file_));
    Result<std::unique_ptr<pg::Connection>> db = pg::Connection::Open(url_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  void TearDown() override {
    for (auto& relay : relays_) relay->Stop();
    relays_.clear();
    if (log_file_ != nullptr) std::fclose(log_file_);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::shared_ptr<relay::PgRelay> StartRelay(relay::RunnerHub* hub, relay::PgRelayOptions options) {
    Result<std::shared_ptr<relay::PgRelay>> started =
        relay::PgRelay::Start(url_, hub, Now, log_.get(), options);
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    if (!started.ok()) return nullptr;
    relays_.push_back(*started);
    return *started;
  }

  static relay::PgRelayOptions Fast() {
    relay::PgRelayOptions options;
    options.claim_timeout = 600ms;
    options.answer_timeout = 10s;
    options.sweep_every = 100ms;
    return options;
  }

  // Posts through `relay` and waits for the one answer.
  static Result<SignedTestResult> PostAndWait(relay::PgRelay& relay, const RunnerRow& pinned,
                                              std::string_view job) {
    auto promise = std::make_shared<std::promise<Result<SignedTestResult>>>();
    std::future<Result<SignedTestResult>> answer = promise->get_future();
    relay.Post(pinned, BytesOf(job), [promise](Result<SignedTestResult> result) {
      promise->set_value(std::move(result));
    });
    if (answer.wait_for(20s) != std::future_status::ready) {
      return Status(ErrorCode::kInternal, "no answer within 20 s");
    }
    return answer.get();
  }

  int64_t Count(const char* sql) {
    Result<pg::Statement> select = db_->Prepare(sql, "test count");
    EXPECT_TRUE(select.ok()) << select.status().ToString();
    if (!select.ok()) return -1;
    Result<bool> row = select->Step();
    EXPECT_TRUE(row.ok() && *row);
    return row.ok() && *row ? select->Int(0) : -1;
  }

  void Notify(const std::string& channel, const std::string& payload) {
    Result<pg::Statement> notify = db_->Prepare("SELECT pg_notify($1, $2)", "test notify");
    ASSERT_TRUE(notify.ok()) << notify.status().ToString();
    ASSERT_TRUE(notify->BindText(1, channel).BindText(2, payload).Run().ok());
  }

  std::string LogText() {
    std::fflush(log_file_);
    std::string text;
    char buffer[4096];
    for (off_t offset = 0;;) {
      const ssize_t n = pread(fileno(log_file_), buffer, sizeof buffer, offset);
      if (n <= 0) break;
      text.append(buffer, static_cast<size_t>(n));
      offset += n;
    }
    return text;
  }

  std::string dir_;
  std::string url_;
  std::FILE* log_file_ = nullptr;
  std::unique_ptr<JsonLog> log_;
  std::unique_ptr<pg::Connection> db_;
  // The hubs of server A (holds no link unless a test attaches one) and server B. Members, so
  // they outlive the relays TearDown stops: a relay asks its hub until it stops.
  relay::RunnerHub hub_a_;
  relay::RunnerHub hub_b_;
  std::vector<std::shared_ptr<relay::PgRelay>> relays_;
};

TEST_F(PgRelayTest, AJobPostedOnOneRelayRunsOnTheLinkAnotherHoldsAndTheResultComesBack) {
  auto link = std::make_shared<EchoLink>();
  hub_b_.Attach("runner-1", Bytes(32, 7), link);
  auto a = StartRelay(&hub_a_, Fast());
  auto b = StartRelay(&hub_b_, Fast());
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);

  for (const char* job : {"sealed-job-one", "sealed-job-two"}) {
    const Result<SignedTestResult> result = PostAndWait(*a, Pinned("runner-1", 7), job);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->payload, std::string(R"({"echo":")") + job + R"("})");
    EXPECT_EQ(result->signature, Bytes(64, 0x5a));
  }
  EXPECT_EQ(link->jobs(), (std::vector<std::string>{"sealed-job-one", "sealed-job-two"}));
  // Through the hub's fallback, as RunnerHub::Route uses it, the same.
  const Result<SignedTestResult> via_link = [&] {
    auto promise = std::make_shared<std::promise<Result<SignedTestResult>>>();
    auto answer = promise->get_future();
    a->LinkFor(Pinned("runner-1", 7))
        ->Submit(BytesOf("sealed-job-three"),
                 [promise](Result<SignedTestResult> r) { promise->set_value(std::move(r)); });
    EXPECT_EQ(answer.wait_for(20s), std::future_status::ready);
    return answer.get();
  }();
  ASSERT_TRUE(via_link.ok()) << via_link.status().ToString();
  EXPECT_EQ(link->jobs().size(), 3u);
  // The poster deleted each row when it took the result.
  EXPECT_EQ(Count("SELECT count(*) FROM relay_jobs"), 0);
}

TEST_F(PgRelayTest, TheRunnersRefusalComesBackWithItsCode) {
  hub_b_.Attach("runner-1", Bytes(32, 7),
                std::make_shared<EchoLink>(Status(ErrorCode::kConflict, "job replayed")));
  auto a = StartRelay(&hub_a_, Fast());
  auto b = StartRelay(&hub_b_, Fast());
  ASSERT_NE(b, nullptr);
  const Result<SignedTestResult> result = PostAndWait(*a, Pinned("runner-1", 7), "job");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.code(), ErrorCode::kConflict);
  EXPECT_EQ(result.status().message(), "job replayed");
}

TEST_F(PgRelayTest, NoServerHoldingTheRunnerIsUnavailableAfterTheClaimWait) {
  // B holds runner-1, but under another signing key than the one pinned: not the runner.
  auto impostor = std::make_shared<EchoLink>();
  hub_b_.Attach("runner-1", Bytes(32, 9), impostor);
  auto a = StartRelay(&hub_a_, Fast());
  auto b = StartRelay(&hub_b_, Fast());
  ASSERT_NE(b, nullptr);
  const auto started = std::chrono::steady_clock::now();
  const Result<SignedTestResult> result = PostAndWait(*a, Pinned("runner-1", 7), "job");
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.code(), ErrorCode::kUnavailable);
  EXPECT_GE(waited, Fast().claim_timeout);
  EXPECT_LT(waited, 5s);
  EXPECT_TRUE(impostor->jobs().empty());
  EXPECT_EQ(Count("SELECT count(*) FROM relay_jobs"), 0) << "the job was withdrawn";
}

TEST_F(PgRelayTest, AResultForAJobThisRelayDidNotPostIsIgnored) {
  hub_b_.Attach("runner-1", Bytes(32, 7), std::make_shared<EchoLink>());
  auto a = StartRelay(&hub_a_, Fast());
  auto b = StartRelay(&hub_b_, Fast());
  ASSERT_NE(b, nullptr);
  // An answered row some other server posted: A has no waiter for it and must leave it.
  Result<pg::Statement> insert = db_->Prepare(
      "INSERT INTO relay_jobs (runner_id, sign_public_key, job, posted_by, claimed_by, done, "
      "result, expires_at) VALUES ('runner-1', $1, $2, 'elsewhere', 'elsewhere', TRUE, $3, $4) "
      "RETURNING id",
      "test insert");
  ASSERT_TRUE(insert.ok()) << insert.status().ToString();
  const Bytes key(32, 7);
  const Bytes job = BytesOf("job");
  const Bytes answer = BytesOf("{}");
  Result<bool> inserted =
      insert->BindBlob(1, key).BindBlob(2, job).BindBlob(3, answer).BindInt(4, Now() + 600).Step();
  ASSERT_TRUE(inserted.ok() && *inserted) << inserted.status().ToString();
  const int64_t foreign = insert->Int(0);
  Notify("credvault_relay_results", std::to_string(foreign));
  Notify("credvault_relay_results", std::to_string(foreign + 1000));  // no such row at all
  std::this_thread::sleep_for(400ms);  // several sweeps and the notifications
  const std::string count_foreign =
      "SELECT count(*) FROM relay_jobs WHERE done AND id = " + std::to_string(foreign);
  EXPECT_EQ(Count(count_foreign.c_str()), 1);
  // A's own jobs still complete.
  const Result<SignedTestResult> result = PostAndWait(*a, Pinned("runner-1", 7), "job");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Count(count_foreign.c_str()), 1);
}

TEST_F(PgRelayTest, MalformedNotificationsAreIgnoredWithNothingRecorded) {
  auto link = std::make_shared<EchoLink>();
  hub_b_.Attach("runner-1", Bytes(32, 7), link);
  auto a = StartRelay(&hub_a_, Fast());
  auto b = StartRelay(&hub_b_, Fast());
  ASSERT_NE(b, nullptr);
  std::this_thread::sleep_for(200ms);  // both listening
  const std::string before = LogText();
  for (const char* channel : {"credvault_relay_jobs", "credvault_relay_results"}) {
    for (const std::string& payload :
         {std::string(), std::string("abc"), std::string("-1"), std::string("0"),
          std::string("12abc"), std::string(" 12"), std::string("1e3"),
          std::string("99999999999999999999999"), std::string(4000, '7'), std::string("{\"id\":1}"),
          std::string("\xd9\xa1\xd9\xa2"), std::string("12,13")}) {
      Notify(channel, payload);
    }
  }
  std::this_thread::sleep_for(500ms);
  EXPECT_TRUE(link->jobs().empty());
  EXPECT_EQ(Count("SELECT count(*) FROM relay_jobs"), 0);
  EXPECT_EQ(LogText(), before) << "a malformed notification was logged";
  // The listeners survived them.
  const Result<SignedTestResult> result = PostAndWait(*a, Pinned("runner-1", 7), "after");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(link->jobs(), std::vector<std::string>{"after"});
}

TEST_F(PgRelayTest, PresenceSaysWhichRunnersAnotherServerHolds) {
  // Admitted runners: presence is only written for runners some workspace admitted.
  ASSERT_TRUE(db_->Exec("INSERT INTO workspaces (id, name, key_generation, version, created_at, "
                        "updated_at, created_by) VALUES ('ws1', 'w', 1, 1, 0, 0, 'a')",
                        "test workspace")
                  .ok());
  for (const char* id : {"runner-1", "runner-2"}) {
    Result<pg::Statement> insert = db_->Prepare(
        "INSERT INTO runners (id, workspace_id, name, box_public_key, "
        "sign_public_key, created_at) VALUES ($1, 'ws1', 'r', $2, $2, 0)",
        "test runner");
    ASSERT_TRUE(insert.ok()) << insert.status().ToString();
    ASSERT_TRUE(insert->BindText(1, id).BindBlob(2, Bytes(32, 7)).Run().ok());
  }
  auto link = std::make_shared<EchoLink>();
  hub_b_.Attach("runner-1", Bytes(32, 7), link);
  hub_b_.Attach("runner-2", Bytes(32, 8), std::make_shared<EchoLink>());  // not the pinned key
  relay::PgRelayOptions options = Fast();
  options.presence_every = 100ms;
  auto a = StartRelay(&hub_a_, options);
  auto b = StartRelay(&hub_b_, options);
  ASSERT_NE(b, nullptr);
  const auto wait_for = [](const std::function<bool()>& done) {
    for (int i = 0; i < 50 && !done(); ++i) std::this_thread::sleep_for(100ms);
    return done();
  };
  EXPECT_TRUE(wait_for([&] { return a->HeldElsewhere(Pinned("runner-1", 7)); }));
  EXPECT_FALSE(a->HeldElsewhere(Pinned("runner-1", 9)));
  EXPECT_FALSE(a->HeldElsewhere(Pinned("runner-2", 7)));
  EXPECT_FALSE(b->HeldElsewhere(Pinned("runner-1", 7))) << "B holds it itself";
  // The hub's fallback link answers the same question.
  relay::RemoteHubLink remote(a, Pinned("runner-1", 7));
  EXPECT_TRUE(remote.HeldElsewhere());
  EXPECT_EQ(Count("SELECT count(*) FROM runner_presence"), 1);

  // The link ends: B drops its row at its next heartbeat, A sees it gone at its next.
  hub_b_.Detach("runner-1", link.get());
  EXPECT_TRUE(wait_for([&] { return !a->HeldElsewhere(Pinned("runner-1", 7)); }));
  EXPECT_EQ(Count("SELECT count(*) FROM runner_presence"), 0);

  // A stopping server takes its rows with it.
  hub_b_.Attach("runner-1", Bytes(32, 7), link);
  EXPECT_TRUE(wait_for([&] { return a->HeldElsewhere(Pinned("runner-1", 7)); }));
  b->Stop();
  EXPECT_EQ(Count("SELECT count(*) FROM runner_presence"), 0);
  EXPECT_TRUE(wait_for([&] { return !a->HeldElsewhere(Pinned("runner-1", 7)); }));
}

TEST_F(PgRelayTest, PresenceOfAServerThatDiedLapses) {
  relay::PgRelayOptions options = Fast();
  options.presence_every = 100ms;
  auto a = StartRelay(&hub_a_, options);
  ASSERT_NE(a, nullptr);
  // A row a crashed server left, already past its expiry, and a live one.
  for (const auto& [holder, expires_at] :
       std::vector<std::pair<std::string, int64_t>>{{"dead", Now() - 1}, {"live", Now() + 60}}) {
    Result<pg::Statement> insert = db_->Prepare(
        "INSERT INTO runner_presence (runner_id, sign_public_key, held_by, "
        "expires_at) VALUES ($1, $2, $1, $3)",
        "test presence");
    ASSERT_TRUE(insert.ok()) << insert.status().ToString();
    ASSERT_TRUE(
        insert->BindText(1, holder).BindBlob(2, Bytes(32, 7)).BindInt(3, expires_at).Run().ok());
  }
  for (int i = 0; i < 50 && !a->HeldElsewhere(Pinned("live", 7)); ++i) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(a->HeldElsewhere(Pinned("live", 7)));
  EXPECT_FALSE(a->HeldElsewhere(Pinned("dead", 7)));
  EXPECT_EQ(Count("SELECT count(*) FROM runner_presence WHERE held_by = 'dead'"), 0);
}

TEST_F(PgRelayTest, StoppingEndsWaitingJobsOnce) {
  relay::PgRelayOptions slow = Fast();
  slow.claim_timeout = 30s;  // nobody holds the runner: it would wait this long
  auto a = StartRelay(&hub_a_, slow);
  ASSERT_NE(a, nullptr);
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto promise = std::make_shared<std::promise<Result<SignedTestResult>>>();
  auto answer = promise->get_future();
  a->Post(Pinned("runner-1", 7), BytesOf("job"), [calls, promise](Result<SignedTestResult> r) {
    if (calls->fetch_add(1) == 0) promise->set_value(std::move(r));
  });
  std::this_thread::sleep_for(300ms);  // posted and waiting for a claim
  a->Stop();
  ASSERT_EQ(answer.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(answer.get().code(), ErrorCode::kUnavailable);
  a->Stop();
  EXPECT_EQ(calls->load(), 1);
}

}  // namespace
}  // namespace credvault::server::testing
