// The runner without a target server: key file, job refusals, the concurrency limit, and the
// SSRF policy at the socket (refused before any connection).
#include "runner/runner.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "credvault/crypto.h"
#include "credvault/probe_json.h"
#include "credvault/probe_target_json.h"
#include "prometheus_fixture.h"
#include "runner/key_file.h"

namespace credvault::runner {
namespace {

using credvault::testing::TempDir;

constexpr int64_t kNow = 1'800'000'000;

ProbeObservation Ok200(std::string body) {
  ProbeObservation o;
  o.ran = true;
  o.response = ProbeResponse{200, {}, std::move(body)};
  return o;
}

class RunnerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitCrypto().ok()); }

  std::unique_ptr<Runner> MakeRunner(StepTransport transport, size_t max_jobs = 4) {
    RunnerOptions options;
    options.key_dir = dir_.path() / "keys";
    options.max_concurrent_jobs = max_jobs;
    options.transport = std::move(transport);
    Result<std::unique_ptr<Runner>> runner = Runner::New(std::move(options));
    EXPECT_TRUE(runner.ok()) << runner.status().ToString();
    return runner.ok() ? std::move(runner).value() : nullptr;
  }

  static TestJobHeader Header(const Runner& runner, std::string job_id) {
    TestJobHeader h;
    h.job_id = std::move(job_id);
    h.workspace_id = "ws";
    h.connection_id = "conn";
    h.runner_id = runner.identity().id();
    h.issued_at = kNow;
    h.expires_at = kNow + 30;
    return h;
  }

  static Bytes Seal(const Runner& runner, const TestJobHeader& h, std::string_view body) {
    Result<Bytes> sealed = SealTestJob(runner.identity().box_public_key(), h, body);
    EXPECT_TRUE(sealed.ok()) << sealed.status().ToString();
    return sealed.ok() ? *sealed : Bytes{};
  }

  static std::string PrometheusBody() {
    return R"({"kind":"prometheus","endpoint":"https://prom.example:9090",)"
           R"("auth":{"kind":"bearer","token":"tok-123"}})";
  }

  TempDir dir_;
};

TEST_F(RunnerTest, KeyFileIsCreated0600AndReloadedWithTheSameKeys) {
  Result<std::unique_ptr<Identity>> first = LoadOrCreateRunnerIdentity(dir_.path(), "runner-a");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat((dir_.path() / kRunnerKeyFileName).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<std::unique_ptr<Identity>> second = LoadOrCreateRunnerIdentity(dir_.path(), "");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ((*second)->id(), "runner-a");
  EXPECT_EQ((*second)->box_public_key(), (*first)->box_public_key());
  EXPECT_EQ((*second)->sign_public_key(), (*first)->sign_public_key());
}

TEST_F(RunnerTest, KeyFileReadableByOthersIsRefused) {
  ASSERT_TRUE(LoadOrCreateRunnerIdentity(dir_.path(), "").ok());
  ASSERT_EQ(::chmod((dir_.path() / kRunnerKeyFileName).c_str(), 0644), 0);
  Result<std::unique_ptr<Identity>> again = LoadOrCreateRunnerIdentity(dir_.path(), "");
  EXPECT_EQ(again.code(), ErrorCode::kPermissionDenied);
}

TEST_F(RunnerTest, KeyFileOfAnotherRunnerIdIsAConflict) {
  ASSERT_TRUE(LoadOrCreateRunnerIdentity(dir_.path(), "runner-a").ok());
  EXPECT_EQ(LoadOrCreateRunnerIdentity(dir_.path(), "runner-b").code(), ErrorCode::kConflict);
}

TEST_F(RunnerTest, GarbageKeyFileIsMalformed) {
  testing::WriteFileText(dir_.path() / kRunnerKeyFileName, "not a key\n");
  ASSERT_EQ(::chmod((dir_.path() / kRunnerKeyFileName).c_str(), 0600), 0);
  EXPECT_EQ(LoadOrCreateRunnerIdentity(dir_.path(), "").code(), ErrorCode::kMalformed);
}

TEST_F(RunnerTest, RunsTheJobSendsTheCredentialAndSignsTheResult) {
  std::vector<std::string> seen_auth;
  StepTransport fake;
  fake.exchange = [&](const Exchange& ex) {
    bool authorized = false;
    for (const auto& [name, value] : ex.headers) {
      if (name == "Authorization") {
        seen_auth.emplace_back(value);
        authorized = true;
      }
    }
    if (authorized) return Ok200(R"({"status":"success","data":{"version":"2.51.0"}})");
    ProbeObservation o;
    o.ran = true;
    o.response = ProbeResponse{401, {}, "Unauthorized"};
    return o;
  };
  std::unique_ptr<Runner> runner = MakeRunner(fake);
  ASSERT_NE(runner, nullptr);
  const TestJobHeader h = Header(*runner, "job-1");
  Result<SignedTestResult> signed_result = runner->RunJob(Seal(*runner, h, PrometheusBody()), kNow);
  ASSERT_TRUE(signed_result.ok()) << signed_result.status().ToString();
  ASSERT_EQ(seen_auth.size(), 1u);
  EXPECT_EQ(seen_auth[0], "Bearer tok-123");
  Result<nlohmann::json> verified =
      VerifyTestResult(runner->identity().sign_public_key(), *signed_result, "job-1", "conn");
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  Result<ProbeResult> result = ProbeResultFromJson(*verified);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->outcome, ProbeOutcome::kOk) << result->message;
  EXPECT_EQ(result->server_version, "2.51.0");
  EXPECT_EQ(signed_result->payload.find("tok-123"), std::string::npos);
  EXPECT_EQ(runner->jobs_in_flight(), 0u);
}

TEST_F(RunnerTest, ReplayedExpiredForeignAndTamperedJobsAreRefused) {
  StepTransport fake;
  fake.exchange = [](const Exchange&) { return Ok200("{}"); };
  std::unique_ptr<Runner> runner = MakeRunner(fake);
  ASSERT_NE(runner, nullptr);
  const Bytes sealed = Seal(*runner, Header(*runner, "job-r"), PrometheusBody());
  ASSERT_TRUE(runner->RunJob(sealed, kNow).ok());
  EXPECT_EQ(runner->RunJob(sealed, kNow).code(), ErrorCode::kReplayed);

  const Bytes late = Seal(*runner, Header(*runner, "job-late"), PrometheusBody());
  EXPECT_EQ(runner->RunJob(late, kNow + 31).code(), ErrorCode::kExpired);

  TestJobHeader foreign = Header(*runner, "job-f");
  foreign.runner_id = "another-runner";
  EXPECT_EQ(runner->RunJob(Seal(*runner, foreign, PrometheusBody()), kNow).code(),
            ErrorCode::kWrongRecipient);

  Bytes tampered = Seal(*runner, Header(*runner, "job-t"), PrometheusBody());
  tampered[tampered.size() / 2] ^= 1;
  EXPECT_EQ(runner->RunJob(tampered, kNow).code(), ErrorCode::kDecryptFailed);
}

TEST_F(RunnerTest, BadBodyIsMalformedAndUnplannableTargetIsASignedResult) {
  StepTransport fake;
  int calls = 0;
  fake.exchange = [&](const Exchange&) {
    ++calls;
    return Ok200("{}");
  };
  std::unique_ptr<Runner> runner = MakeRunner(fake);
  ASSERT_NE(runner, nullptr);
  EXPECT_EQ(runner->RunJob(Seal(*runner, Header(*runner, "j1"), R"({"kind":"ftp"})"), kNow).code(),
            ErrorCode::kMalformed);
  Result<SignedTestResult> r = runner->RunJob(
      Seal(*runner, Header(*runner, "j2"), R"({"kind":"prometheus","endpoint":"ftp://x"})"), kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Result<ProbeResult> result = ProbeResultFromJsonText(r->payload);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->outcome, ProbeOutcome::kUnexpected);
  EXPECT_NE(result->message.find("endpoint"), std::string::npos) << result->message;
  EXPECT_EQ(calls, 0);
}

TEST_F(RunnerTest, JobsBeyondTheLimitAreRefusedUntilASlotFrees) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> entered;
  StepTransport blocking;
  std::atomic<bool> first_call{true};
  blocking.exchange = [&](const Exchange&) {
    if (first_call.exchange(false)) entered.set_value();
    released.wait();
    return Ok200("{}");
  };
  std::unique_ptr<Runner> runner = MakeRunner(blocking, 1);
  ASSERT_NE(runner, nullptr);
  const Bytes first = Seal(*runner, Header(*runner, "slow"), PrometheusBody());
  std::thread worker([&] { EXPECT_TRUE(runner->RunJob(first, kNow).ok()); });
  entered.get_future().wait();
  const Bytes second = Seal(*runner, Header(*runner, "queued"), PrometheusBody());
  EXPECT_EQ(runner->RunJob(second, kNow).code(), ErrorCode::kConflict);
  release.set_value();
  worker.join();
  // Refused before it was opened: the same job runs once a slot is free.
  EXPECT_TRUE(runner->RunJob(second, kNow).ok());
}

TEST_F(RunnerTest, MetadataAddressIsBlockedBeforeAnyConnection) {
  std::unique_ptr<Runner> runner = MakeRunner(NetworkTransport());
  ASSERT_NE(runner, nullptr);
  const auto started = std::chrono::steady_clock::now();
  Result<SignedTestResult> r =
      runner->RunJob(Seal(*runner, Header(*runner, "ssrf"),
                          R"({"kind":"http","endpoint":"http://169.254.169.254/latest/meta-data/",)"
                          R"("auth":{"kind":"bearer","token":"t"}})"),
                     kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Result<ProbeResult> result = ProbeResultFromJsonText(r->payload);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->outcome, ProbeOutcome::kBlockedByPolicy) << result->message;
  EXPECT_EQ(result->transport_error, TransportError::kAddressRefusedBySsrfPolicy);
  // No connect was attempted: nothing waited for a timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

TEST(PerformExchangeSsrf, EveryMetadataFormIsRefusedAtTheSocket) {
  ASSERT_TRUE(InitCrypto().ok());
  for (const char* url :
       {"http://169.254.169.254/", "http://[fd00:ec2::254]/", "http://[::ffff:169.254.169.254]/",
        "https://169.254.169.254:443/x", "http://0.0.0.0:80/"}) {
    ProbeTls tls;
    Exchange ex;
    ex.method = "GET";
    ex.url = url;
    ex.tls = &tls;
    ProbeObservation o = PerformExchange(ex);
    EXPECT_EQ(o.transport_error, TransportError::kAddressRefusedBySsrfPolicy) << url;
    EXPECT_FALSE(o.response.has_value()) << url;
  }
}

TEST(PerformExchangeSsrf, AllowedWhenTheWorkspaceAllowsIt) {
  ProbeTls tls;
  Exchange ex;
  ex.method = "GET";
  ex.url = "http://0.0.0.0:1/";
  ex.tls = &tls;
  ex.ssrf.allow_private_and_link_local = true;
  ex.limits.connect_timeout = std::chrono::milliseconds(300);
  ProbeObservation o = PerformExchange(ex);
  EXPECT_NE(o.transport_error, TransportError::kAddressRefusedBySsrfPolicy);
  EXPECT_TRUE(o.transport_error.has_value());
}

}  // namespace
}  // namespace credvault::runner
