// RunnerHub: the runners this server can hand a sealed test job to right now (DESIGN §5).
//
// A runner is reachable through a RunnerLink: the built-in runner of a single-machine
// install (builtin_runner.h), or a standalone runner that dialled in and proved it holds its
// signing key. The hub finds a link by the runner a workspace admitted (RunnerRow: its id
// AND its pinned signing key), so a process that dials in with a known id but another key
// never receives that workspace's jobs. The hub only moves bytes: it cannot open a job, and
// the result it hands back is checked against the pinned key before anyone believes it.
// A link may also take monitoring jobs (runner/monitor_job.h: ciphertext, grants and public
// keys only) for the scheduler (monitor/scheduler.h), which looks links up with Find only:
// a monitoring job never goes through the fallback to another server.
//
// Thread-safe: links attach and detach from I/O threads while handlers look them up.
#ifndef CREDVAULT_SERVER_RELAY_RUNNER_HUB_H_
#define CREDVAULT_SERVER_RELAY_RUNNER_HUB_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "credvault/secret.h"
#include "credvault/status.h"
#include "credvault/test_job.h"
#include "runner/monitor_job.h"
#include "store/store.h"

namespace credvault::server::relay {

// Runs exactly once, on any thread, with the runner's signed result or why there is none:
// kUnavailable (busy, gone, no answer in time) or the runner's refusal of the job
// (kExpired, kReplayed, kDecryptFailed, kWrongRecipient, kMalformed, kParseError).
using RelayDone = std::function<void(Result<SignedTestResult>)>;

class RunnerLink {
 public:
  virtual ~RunnerLink() = default;
  virtual void Submit(Bytes sealed_job, RelayDone done) = 0;
  // A monitoring job; the signed result must be bound to job.job_id and the connection.
  // Default: kUnavailable at once (a link that only relays sealed bytes, e.g. to another
  // server).
  virtual void SubmitMonitor(runner::MonitorJob job, RelayDone done);
};

class RunnerHub {
 public:
  // Replaces a link attached under the same runner id AND signing key (a runner that
  // reconnects). Links under the same id with another key sit beside it: a process that
  // dials in with an admitted runner's id but its own key can neither receive that runner's
  // jobs (Find checks the pinned key) nor push the genuine runner out.
  void Attach(std::string runner_id, Bytes sign_public_key, std::shared_ptr<RunnerLink> link);
  // Detaches `link` if it is still the one attached under `runner_id`.
  void Detach(std::string_view runner_id, const RunnerLink* link);
  // The link of the admitted runner `pinned`, or null when it is not connected (or is
  // connected with another signing key).
  std::shared_ptr<RunnerLink> Find(const RunnerRow& pinned) const;

  // Where Route sends a job for a runner this process holds no link to: on PostgreSQL, a
  // RemoteHubLink (relay/pg_relay.h) that reaches the server holding it. Unset: nowhere.
  using Fallback = std::function<std::shared_ptr<RunnerLink>(const RunnerRow& pinned)>;
  void SetFallback(Fallback fallback);
  // Where a test job for `pinned` goes: its local link (Find), else the fallback's; null
  // when neither exists.
  std::shared_ptr<RunnerLink> Route(const RunnerRow& pinned) const;

 private:
  using Key = std::pair<std::string, Bytes>;  // runner id, signing public key
  mutable std::mutex mutex_;
  std::map<Key, std::shared_ptr<RunnerLink>> links_;  // guarded by mutex_
  Fallback fallback_;                                 // guarded by mutex_
};

}  // namespace credvault::server::relay

#endif  // CREDVAULT_SERVER_RELAY_RUNNER_HUB_H_
