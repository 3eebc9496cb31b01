#include "relay/builtin_runner.h"

#include <utility>

namespace credvault::server::relay {
namespace {

// Jobs that may wait for a thread beside those running: a burst of clicks is absorbed, a
// flood is refused.
constexpr size_t kQueuedJobsPerThread = 4;

Status Busy() {
  return Status(ErrorCode::kUnavailable, "the runner is busy with other tests; try again");
}

}  // namespace

Result<std::shared_ptr<BuiltinRunner>> BuiltinRunner::New(runner::RunnerOptions options,
                                                          Clock clock) {
  const size_t threads = options.max_concurrent_jobs;
  CV_ASSIGN_OR_RETURN(std::unique_ptr<runner::Runner> runner,
                      runner::Runner::New(std::move(options)));
  return std::make_shared<BuiltinRunner>(std::move(runner), threads, std::move(clock));
}

BuiltinRunner::BuiltinRunner(std::unique_ptr<runner::Runner> runner, size_t threads, Clock clock)
    : runner_(std::move(runner)),
      clock_(std::move(clock)),
      threads_(threads, threads * kQueuedJobsPerThread) {}

void BuiltinRunner::Submit(Bytes sealed_job, RelayDone done) {
  auto shared_done = std::make_shared<RelayDone>(std::move(done));
  const bool queued = threads_.Post([this, job = std::move(sealed_job), shared_done] {
    Result<SignedTestResult> result = runner_->RunJob(job, clock_());
    // The runner says kConflict when all its slots are taken: for the caller that is
    // "come back later", the same as a full queue.
    if (result.code() == ErrorCode::kConflict) return (*shared_done)(Busy());
    (*shared_done)(std::move(result));
  });
  if (!queued) (*shared_done)(Busy());
}

void BuiltinRunner::SubmitMonitor(runner::MonitorJob job, RelayDone done) {
  auto shared_done = std::make_shared<RelayDone>(std::move(done));
  auto shared_job = std::make_shared<runner::MonitorJob>(std::move(job));
  const bool queued = threads_.Post([this, shared_job, shared_done] {
    Result<SignedTestResult> result = runner_->RunMonitorJob(*shared_job, clock_());
    if (result.code() == ErrorCode::kConflict) return (*shared_done)(Busy());
    (*shared_done)(std::move(result));
  });
  if (!queued) (*shared_done)(Busy());
}

void BuiltinRunner::AttachTo(RunnerHub& hub, const std::shared_ptr<BuiltinRunner>& runner) {
  hub.Attach(runner->identity().id(), runner->identity().sign_public_key(), runner);
}

}  // namespace credvault::server::relay
