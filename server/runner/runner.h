// The connectivity-test runner (DESIGN §5): opens a sealed test job addressed to its own
// key, refuses expired and replayed ones, makes the requests the core plans, wipes the
// secrets, and returns the result signed with its Ed25519 key. The server relays bytes; it
// can neither read a job nor forge a result.
//
// Owns its Identity (loaded from or created in a 0600 key file, key_file.h). Thread-safe:
// RunJob may be called from many threads; at most `max_concurrent_jobs` run at once, and a
// job beyond that is refused before it is opened (so the client may send it again).
//
// RunJob errors (no signed result): kConflict (busy), OpenTestJob's kDecryptFailed,
// kMalformed, kWrongRecipient, kExpired, kReplayed; the body's kParseError / kMalformed
// (probe_target_json.h). A target the core cannot plan (kValidation) or any network
// failure is a signed result with its outcome, not an error: the client shows it.
#ifndef CREDVAULT_SERVER_RUNNER_RUNNER_H_
#define CREDVAULT_SERVER_RUNNER_RUNNER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "credvault/identity.h"
#include "credvault/status.h"
#include "credvault/test_job.h"
#include "runner/https_client.h"
#include "runner/monitor_job.h"
#include "runner/plan_executor.h"

namespace credvault::runner {

struct RunnerOptions {
  std::filesystem::path key_dir;  // holds runner.key
  std::string runner_id;          // empty: the key file's, or a new random one
  size_t max_concurrent_jobs = 8;
  ExchangeLimits limits;
  StepTransport transport = NetworkTransport();
};

class Runner {
 public:
  static Result<std::unique_ptr<Runner>> New(RunnerOptions options);

  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  const Identity& identity() const { return *identity_; }

  // `now`: unix seconds, for expiry and the plan (a GitHub App JWT's times).
  Result<SignedTestResult> RunJob(ByteView sealed_job, int64_t now);

  // A monitoring job (monitor_job.h): the runner opens its grant, the connection and the
  // credential itself, probes and signs a result bound to job.job_id and the connection.
  // Errors: kConflict (busy) and OpenMonitorJob's (nothing is probed or signed).
  Result<SignedTestResult> RunMonitorJob(const MonitorJob& job, int64_t now);

  size_t jobs_in_flight() const { return in_flight_.load(); }

 private:
  Runner(RunnerOptions options, std::unique_ptr<Identity> identity);
  Result<OpenedTestJob> Open(ByteView sealed_job, int64_t now);
  // Probes `spec` (dropping its secrets) and signs the result for `header`.
  SignedTestResult ProbeAndSign(ProbeJobSpec spec, const TestJobHeader& header, int64_t now,
                                std::chrono::steady_clock::time_point started);

  RunnerOptions options_;
  std::unique_ptr<Identity> identity_;
  std::mutex replay_mutex_;
  ReplayGuard replay_guard_;  // guarded by replay_mutex_
  std::atomic<size_t> in_flight_{0};
};

// Field names the runner adds to the signed result, beside ProbeResultToJson's.
inline constexpr const char* kResultLatencyMs = "latency_ms";
inline constexpr const char* kResultRunnerId = "runner_id";
inline constexpr const char* kResultTestedAt = "tested_at";

}  // namespace credvault::runner

#endif  // CREDVAULT_SERVER_RUNNER_RUNNER_H_
