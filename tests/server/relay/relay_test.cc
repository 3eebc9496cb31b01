#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "handlers/connection_tests.h"
#include "relay/job_threads.h"
#include "relay/runner_hub.h"

namespace credvault::server {
namespace {

using nlohmann::json;

class CountingLink : public relay::RunnerLink {
 public:
  void Submit(Bytes, relay::RelayDone done) override {
    ++submitted;
    done(Status(ErrorCode::kUnavailable, "test link"));
  }
  int submitted = 0;
};

RunnerRow Pinned(std::string id, uint8_t key_byte) {
  RunnerRow row;
  row.id = std::move(id);
  row.sign_public_key = Bytes(32, key_byte);
  return row;
}

TEST(RunnerHub, FindsARunnerOnlyByItsIdAndPinnedKey) {
  relay::RunnerHub hub;
  auto link = std::make_shared<CountingLink>();
  hub.Attach("runner-a", Bytes(32, 1), link);
  EXPECT_EQ(hub.Find(Pinned("runner-a", 1)), link);
  // The same id dialling in with another key is not the runner the workspace admitted.
  EXPECT_EQ(hub.Find(Pinned("runner-a", 2)), nullptr);
  EXPECT_EQ(hub.Find(Pinned("runner-b", 1)), nullptr);
}

TEST(RunnerHub, AnImpostorWithTheSameIdCannotPushTheAdmittedRunnerOut) {
  relay::RunnerHub hub;
  auto genuine = std::make_shared<CountingLink>();
  auto impostor = std::make_shared<CountingLink>();
  hub.Attach("runner-a", Bytes(32, 1), genuine);
  hub.Attach("runner-a", Bytes(32, 9), impostor);
  EXPECT_EQ(hub.Find(Pinned("runner-a", 1)), genuine);
  hub.Detach("runner-a", impostor.get());
  EXPECT_EQ(hub.Find(Pinned("runner-a", 1)), genuine);
}

TEST(RunnerHub, ReconnectReplacesAndOnlyTheCurrentLinkDetaches) {
  relay::RunnerHub hub;
  auto old_link = std::make_shared<CountingLink>();
  auto new_link = std::make_shared<CountingLink>();
  hub.Attach("runner-a", Bytes(32, 1), old_link);
  hub.Attach("runner-a", Bytes(32, 1), new_link);
  hub.Detach("runner-a", old_link.get());  // the old socket closing late changes nothing
  EXPECT_EQ(hub.Find(Pinned("runner-a", 1)), new_link);
  hub.Detach("runner-a", new_link.get());
  EXPECT_EQ(hub.Find(Pinned("runner-a", 1)), nullptr);
}

TEST(RunnerHub, MonitoringUsesOnlyLocalLinksAndARelayOnlyLinkRefusesIt) {
  relay::RunnerHub hub;
  auto remote = std::make_shared<CountingLink>();
  hub.SetFallback([&](const RunnerRow&) { return remote; });
  // Route falls back (a test job may cross to another server); Find, which the scheduler
  // uses, never does.
  EXPECT_EQ(hub.Route(Pinned("r", 1)), remote);
  EXPECT_EQ(hub.Find(Pinned("r", 1)), nullptr);
  // A link that only relays sealed bytes answers a monitoring job kUnavailable at once.
  std::optional<Status> answer;
  remote->SubmitMonitor(runner::MonitorJob{},
                        [&](Result<SignedTestResult> result) { answer = result.status(); });
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->code(), ErrorCode::kUnavailable);
  EXPECT_EQ(remote->submitted, 0);
}

TEST(JobThreads, RunsJobsOffTheCallerAndRefusesBeyondTheQueue) {
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0};
  {
    relay::JobThreads threads(1, 2);
    // One job holds the only thread; two may wait; the next is refused.
    ASSERT_TRUE(threads.Post([&] {
      started.set_value();
      released.wait();
      ++ran;
    }));
    started.get_future().wait();
    EXPECT_TRUE(threads.Post([&] { ++ran; }));
    EXPECT_TRUE(threads.Post([&] { ++ran; }));
    EXPECT_FALSE(threads.Post([&] { ++ran; }));
    release.set_value();
  }  // the destructor runs what was queued, then joins
  EXPECT_EQ(ran.load(), 3);
}

json Payload() {
  return {{"job_id", "j"},           {"connection_id", "c"}, {"outcome", "unauthorized"},
          {"tested_at", 1700000000}, {"latency_ms", 12},     {"http_status", 401},
          {"runner_id", "runner-a"}};
}

TEST(LastTestFromResult, TakesTheSignedFields) {
  Result<LastTest> last = LastTestFromResult(Payload(), "runner-a");
  ASSERT_TRUE(last.ok()) << last.status().message();
  EXPECT_EQ(last->outcome, TestOutcome::kUnauthorized);
  EXPECT_EQ(last->tested_at, 1700000000);
  EXPECT_EQ(last->latency_ms, 12u);
  EXPECT_EQ(last->http_status, 401);
  EXPECT_EQ(last->runner_id, "runner-a");
  json no_status = Payload();
  no_status.erase("http_status");
  EXPECT_EQ(LastTestFromResult(no_status, "runner-a")->http_status, 0);
}

TEST(LastTestFromResult, RefusesWhatARunnerDoesNotSign) {
  for (const char* field : {"outcome", "tested_at", "runner_id"}) {
    json payload = Payload();
    payload.erase(field);
    EXPECT_EQ(LastTestFromResult(payload, "runner-a").code(), ErrorCode::kMalformed) << field;
  }
  json unknown = Payload();
  unknown["outcome"] = "splendid";
  EXPECT_EQ(LastTestFromResult(unknown, "runner-a").code(), ErrorCode::kMalformed);
  EXPECT_EQ(LastTestFromResult(Payload(), "runner-b").code(), ErrorCode::kMalformed);
}

}  // namespace
}  // namespace credvault::server
