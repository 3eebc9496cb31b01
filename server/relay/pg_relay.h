// PgRelay: test jobs between servers sharing one PostgreSQL database (issue 7), so that a
// sealed job posted to server A reaches a runner whose WebSocket server B holds.
//
// A's RunnerHub holds no link to that runner, so it routes the job to a RemoteHubLink (its
// fallback, set by main on PostgreSQL). The link writes the sealed bytes to relay_jobs and
// NOTIFYs credvault_relay_jobs with the row id (a job is up to 256 KiB; a NOTIFY payload at
// most 8000 bytes). Every server LISTENs on a dedicated connection with its own thread; the
// one whose hub holds the runner's link (same id AND pinned signing key) claims the row
// atomically, hands the job to the link, writes the runner's signed result (or its refusal)
// back and NOTIFYs credvault_relay_results. A reads and deletes the row and finishes the
// job exactly as a local link does: the caller verifies the signature against the pinned
// key on A; nothing here can open a job or forge a result.
//
// Every job ends exactly once, on a worker thread: with the result; kUnavailable when no
// server claims it within claim_timeout (the runner is connected nowhere), when no answer
// comes within answer_timeout, or when the relay stops. A sweep every sweep_every re-checks
// what a lost notification would have told (claims, results), so a dropped LISTEN connection
// only delays jobs; it reconnects with backoff. Rows live seconds; expired ones are deleted.
//
// Presence: every presence_every each relay writes which admitted runners its hub holds to
// runner_presence (expiring after presence_ttl_seconds, so a dead server's rows lapse) and
// reads which ones other servers hold, so a runners list on any server can say "connected"
// (HeldElsewhere). A server learns of another's new link within about two intervals.
//
// Thread-safe. Owned by main through a shared_ptr; Stop() before the hub goes away.
#ifndef CREDVAULT_SERVER_RELAY_PG_RELAY_H_
#define CREDVAULT_SERVER_RELAY_PG_RELAY_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "credvault/secret.h"
#include "credvault/status.h"
#include "json_log.h"
#include "relay/job_threads.h"
#include "relay/runner_hub.h"
#include "store/pg_db.h"
#include "store/store.h"

namespace credvault::server::relay {

struct PgRelayOptions {
  // No server claimed the job within this: the runner is connected to none of them.
  std::chrono::milliseconds claim_timeout{3000};
  // The whole wait for an answer: the runner socket's job timeout plus the relay hop.
  std::chrono::milliseconds answer_timeout{50000};
  std::chrono::milliseconds sweep_every{500};
  std::chrono::milliseconds presence_every{1000};
  int64_t presence_ttl_seconds = 5;
};

class PgRelay : public std::enable_shared_from_this<PgRelay> {
 public:
  // Starts listening on `url` (a libpq URL). `hub`: this server's links, which jobs from other
  // servers are run on; must outlive Stop(). `clock`: unix seconds. `log` may be null.
  static Result<std::shared_ptr<PgRelay>> Start(std::string url, RunnerHub* hub,
                                                std::function<int64_t()> clock, const JsonLog* log,
                                                PgRelayOptions options = {});
  ~PgRelay();
  PgRelay(const PgRelay&) = delete;
  PgRelay& operator=(const PgRelay&) = delete;

  // Ends the jobs still waiting (kUnavailable), joins the threads. Idempotent.
  void Stop();
  // The link for a runner this server does not hold (the hub's fallback).
  std::shared_ptr<RunnerLink> LinkFor(const RunnerRow& pinned);
  // Posts `sealed_job` for `pinned` through the database; `done` runs once.
  void Post(const RunnerRow& pinned, Bytes sealed_job, RelayDone done);
  // Whether another server sharing the database held a link to `pinned` (id AND signing
  // key) at its last heartbeat, as this relay last read. No database call.
  bool HeldElsewhere(const RunnerRow& pinned) const;

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct Waiter {
    RelayDone done;
    SteadyTime claim_deadline;
    SteadyTime answer_deadline;
    bool claimed = false;
  };

  PgRelay(std::string url, RunnerHub* hub, std::function<int64_t()> clock, const JsonLog* log,
          PgRelayOptions options);
  void ListenLoop();
  // Runs `task` on a worker; false once stopping (the task is dropped).
  bool Run(std::function<void()> task);
  // Runs `fn` on the shared statement connection, reconnecting it when it was lost.
  Status WithDb(const std::function<Status(pg::Connection&)>& fn);
  // Another server posted job `id`: claim and run it if this server holds the runner.
  void TryClaim(int64_t id);
  // The runner answered job `id` that this server claimed.
  void Finish(int64_t id, const Result<SignedTestResult>& result);
  // A result for job `id` may be ready: complete its waiter when it is.
  void CollectResult(int64_t id);
  void Sweep();
  // Writes this server's presence rows and reads the others'.
  void Heartbeat();
  RelayDone TakeWaiter(int64_t id);
  void Log(std::string_view event, const Status& status) const;

  const std::string url_;
  RunnerHub* const hub_;
  const std::function<int64_t()> clock_;
  const JsonLog* const log_;
  const PgRelayOptions options_;
  const std::string instance_;  // this process, in posted_by / claimed_by

  std::mutex db_mutex_;
  std::unique_ptr<pg::Connection> db_;  // guarded by db_mutex_

  mutable std::mutex mutex_;
  std::map<int64_t, Waiter> waiters_;  // jobs this server posted; guarded by mutex_
  bool stopping_ = false;              // guarded by mutex_
  // (runner id, signing key) other servers hold; guarded by mutex_.
  std::set<std::pair<std::string, Bytes>> held_elsewhere_;
  std::unique_ptr<JobThreads> workers_;
  std::atomic<bool> stop_listening_{false};
  std::thread listener_;
};

// What the hub hands out for a runner another server holds.
class RemoteHubLink : public RunnerLink {
 public:
  RemoteHubLink(std::weak_ptr<PgRelay> relay, RunnerRow pinned)
      : relay_(std::move(relay)), pinned_(std::move(pinned)) {}
  void Submit(Bytes sealed_job, RelayDone done) override;
  // Another server holds the runner now (PgRelay::HeldElsewhere); false once stopping.
  bool HeldElsewhere() const;

 private:
  std::weak_ptr<PgRelay> relay_;
  RunnerRow pinned_;
};

}  // namespace credvault::server::relay

#endif  // CREDVAULT_SERVER_RELAY_PG_RELAY_H_
