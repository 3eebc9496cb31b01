// BuiltinRunner: the runner of a single-machine install, in the server's own process
// (DESIGN §5). Its key pair lives in a 0600 file in the data directory (runner/key_file.h);
// an admin admits it to a workspace by pinning its public keys like any other runner, and
// nothing is admitted by default. An admin may also grant it the workspace keys for active
// monitoring (monitor/scheduler.h); nothing is granted by default either.
//
// Jobs run on their own threads (JobThreads), never on the io_context: a test may wait
// seconds on a slow target. Beyond the runner's concurrency limit a job is refused at once
// with kUnavailable ("busy"), so the client may retry. Thread-safe.
#ifndef CREDVAULT_SERVER_RELAY_BUILTIN_RUNNER_H_
#define CREDVAULT_SERVER_RELAY_BUILTIN_RUNNER_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "credvault/identity.h"
#include "relay/job_threads.h"
#include "relay/runner_hub.h"
#include "runner/runner.h"

namespace credvault::server::relay {

class BuiltinRunner : public RunnerLink {
 public:
  using Clock = std::function<int64_t()>;  // unix seconds

  static Result<std::shared_ptr<BuiltinRunner>> New(runner::RunnerOptions options, Clock clock);

  const Identity& identity() const { return runner_->identity(); }
  void Submit(Bytes sealed_job, RelayDone done) override;

  // Monitoring jobs (monitor/scheduler.h) run on the same threads as relayed tests, under
  // the same limits.
  void SubmitMonitor(runner::MonitorJob job, RelayDone done) override;

  // Attaches this runner to `hub` under its own id and signing key.
  static void AttachTo(RunnerHub& hub, const std::shared_ptr<BuiltinRunner>& runner);

  BuiltinRunner(std::unique_ptr<runner::Runner> runner, size_t threads, Clock clock);

 private:
  std::unique_ptr<runner::Runner> runner_;
  Clock clock_;
  JobThreads threads_;  // last: joined before the runner it uses is destroyed
};

}  // namespace credvault::server::relay

#endif  // CREDVAULT_SERVER_RELAY_BUILTIN_RUNNER_H_
