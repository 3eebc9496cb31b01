#include "relay/pending_jobs.h"

#include <utility>

namespace credvault::server::relay {

uint64_t PendingJobs::Add(RelayDone done, TimePoint deadline) {
  const uint64_t id = next_id_++;
  jobs_.emplace(id, Job{std::move(done), deadline});
  return id;
}

RelayDone PendingJobs::Take(uint64_t request_id) {
  const auto it = jobs_.find(request_id);
  if (it == jobs_.end()) return nullptr;
  RelayDone done = std::move(it->second.done);
  jobs_.erase(it);
  return done;
}

std::vector<RelayDone> PendingJobs::TakeExpired(TimePoint now) {
  std::vector<RelayDone> out;
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    out.push_back(std::move(it->second.done));
    it = jobs_.erase(it);
  }
  return out;
}

std::vector<RelayDone> PendingJobs::TakeAll() {
  std::vector<RelayDone> out;
  out.reserve(jobs_.size());
  for (auto& [id, job] : jobs_) out.push_back(std::move(job.done));
  jobs_.clear();
  return out;
}

}  // namespace credvault::server::relay
