// PendingJobs: the jobs a server sent down one runner socket and still waits for, each with
// the RelayDone of the HTTP request that asked for it and a deadline.
//
// Every job ends exactly once: its answer Takes it; a deadline sweep (TakeExpired) or the
// socket closing (TakeAll) hands it back so the caller can answer kUnavailable; an answer
// that arrives after that finds nothing and is dropped. Request ids are per socket,
// increasing from 1. Time is passed in (steady clock). Not thread-safe: the runner socket
// uses it on its own strand only.
#ifndef CREDVAULT_SERVER_RELAY_PENDING_JOBS_H_
#define CREDVAULT_SERVER_RELAY_PENDING_JOBS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "relay/runner_hub.h"

namespace credvault::server::relay {

class PendingJobs {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit PendingJobs(size_t max_pending) : max_pending_(max_pending) {}

  // Whether max_pending jobs already wait: the caller answers "busy" instead of adding.
  bool full() const { return jobs_.size() >= max_pending_; }
  // The new job's request id. Call only when !full().
  uint64_t Add(RelayDone done, TimePoint deadline);
  // The job's done, removed; empty when the id is unknown (answered, expired, never sent).
  RelayDone Take(uint64_t request_id);
  // Removes and returns the jobs whose deadline is at or before `now`.
  std::vector<RelayDone> TakeExpired(TimePoint now);
  std::vector<RelayDone> TakeAll();
  size_t size() const { return jobs_.size(); }

 private:
  struct Job {
    RelayDone done;
    TimePoint deadline;
  };
  size_t max_pending_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Job> jobs_;
};

}  // namespace credvault::server::relay

#endif  // CREDVAULT_SERVER_RELAY_PENDING_JOBS_H_
