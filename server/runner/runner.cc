#include "runner/runner.h"

#include <chrono>
#include <utility>

#include "credvault/probe.h"
#include "credvault/probe_json.h"
#include "credvault/probe_outcome.h"
#include "credvault/probe_target_json.h"
#include "runner/expiry.h"
#include "runner/key_file.h"

namespace credvault::runner {
namespace {

// Releases a concurrency slot however RunJob returns.
class Slot {
 public:
  explicit Slot(std::atomic<size_t>* counter) : counter_(counter) {}
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  ~Slot() { counter_->fetch_sub(1); }

 private:
  std::atomic<size_t>* counter_;
};

// A target the core refuses to plan is the client's mistake, reported as a signed result so
// the client shows it like any other outcome.
ProbeResult PlanRefused(const Status& status) {
  ProbeResult result;
  result.outcome = ProbeOutcome::kUnexpected;
  result.message = "the test job cannot be planned: " + status.message();
  result.remediations.push_back(MakeRemediation(RemediationAction::kCheckEndpoint));
  return result;
}

ProbeResult Probe(ProbeJobSpec spec, int64_t now, const RunnerOptions& options) {
  Result<ProbePlan> plan = PlanProbe(spec.target, now);
  if (!plan.ok()) return PlanRefused(plan.status());
  std::vector<ProbeObservation> observed =
      ExecutePlan(spec.target, *plan, spec.ssrf, options.limits, options.transport);
  return InterpretProbe(spec.target, *plan, observed);
}

}  // namespace

Result<std::unique_ptr<Runner>> Runner::New(RunnerOptions options) {
  if (options.max_concurrent_jobs == 0) {
    return Status(ErrorCode::kInvalidArgument, "max_concurrent_jobs must be at least 1");
  }
  CV_ASSIGN_OR_RETURN(std::unique_ptr<Identity> identity,
                      LoadOrCreateRunnerIdentity(options.key_dir, options.runner_id));
  return std::unique_ptr<Runner>(new Runner(std::move(options), std::move(identity)));
}

Runner::Runner(RunnerOptions options, std::unique_ptr<Identity> identity)
    : options_(std::move(options)), identity_(std::move(identity)) {}

Result<OpenedTestJob> Runner::Open(ByteView sealed_job, int64_t now) {
  std::lock_guard<std::mutex> lock(replay_mutex_);
  return OpenTestJob(*identity_, sealed_job, now, &replay_guard_);
}

Result<SignedTestResult> Runner::RunJob(ByteView sealed_job, int64_t now) {
  if (in_flight_.fetch_add(1) >= options_.max_concurrent_jobs) {
    in_flight_.fetch_sub(1);
    return Status(ErrorCode::kConflict,
                  "runner busy: " + std::to_string(options_.max_concurrent_jobs) +
                      " jobs already running; try again");
  }
  Slot slot(&in_flight_);
  const auto started = std::chrono::steady_clock::now();
  CV_ASSIGN_OR_RETURN(OpenedTestJob job, Open(sealed_job, now));
  Result<ProbeJobSpec> spec = ProbeJobSpecFromJsonText(job.body_json.chars());
  job.body_json = SecretBytes();  // the spec holds what is needed; drop (wipe) the text now
  if (!spec.ok()) return spec.status();
  return ProbeAndSign(std::move(spec).value(), job.header, now, started);
}

Result<SignedTestResult> Runner::RunMonitorJob(const MonitorJob& job, int64_t now) {
  if (in_flight_.fetch_add(1) >= options_.max_concurrent_jobs) {
    in_flight_.fetch_sub(1);
    return Status(ErrorCode::kConflict, "runner busy; the monitoring run waits for the next one");
  }
  Slot slot(&in_flight_);
  const auto started = std::chrono::steady_clock::now();
  CV_ASSIGN_OR_RETURN(ProbeJobSpec spec, OpenMonitorJob(*identity_, job));
  TestJobHeader header;
  header.job_id = job.job_id;
  header.workspace_id = job.connection.workspace_id;
  header.connection_id = job.connection.id;
  header.runner_id = identity_->id();
  header.issued_at = now;
  header.expires_at = now;
  return ProbeAndSign(std::move(spec), header, now, started);
}

SignedTestResult Runner::ProbeAndSign(ProbeJobSpec spec, const TestJobHeader& header, int64_t now,
                                      std::chrono::steady_clock::time_point started) {
  // Read before the probe drops the credential.
  nlohmann::json expiry = nlohmann::json::object();
  AddCredentialExpiry(spec.target, expiry);
  // The spec is moved in and dropped inside: the credential (SecretBytes) is wiped before
  // the result is signed.
  // The transport notes the server certificate's notAfter on the way.
  int64_t server_not_after = 0;
  RunnerOptions options = options_;
  options.transport.exchange = [inner = options_.transport.exchange,
                                &server_not_after](const Exchange& exchange) {
    Exchange noted = exchange;
    noted.server_cert_not_after = &server_not_after;
    return inner(noted);
  };
  ProbeResult result = Probe(std::move(spec), now, options);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  if (server_not_after > 0) expiry[kServerCertNotAfterKey] = server_not_after;

  nlohmann::json payload = ProbeResultToJson(result);
  for (const auto& item : expiry.items()) payload[item.key()] = item.value();
  payload[kResultLatencyMs] =
      std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  payload[kResultRunnerId] = identity_->id();
  payload[kResultTestedAt] = now;
  return SignTestResult(*identity_, header, std::move(payload));
}

}  // namespace credvault::runner
