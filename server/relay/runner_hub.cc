#include "relay/runner_hub.h"

#include <utility>

namespace credvault::server::relay {

void RunnerLink::SubmitMonitor(runner::MonitorJob, RelayDone done) {
  done(Status(ErrorCode::kUnavailable, "this runner link takes no monitoring jobs"));
}

void RunnerHub::Attach(std::string runner_id, Bytes sign_public_key,
                       std::shared_ptr<RunnerLink> link) {
  std::lock_guard lock(mutex_);
  links_[Key(std::move(runner_id), std::move(sign_public_key))] = std::move(link);
}

void RunnerHub::Detach(std::string_view runner_id, const RunnerLink* link) {
  std::lock_guard lock(mutex_);
  for (auto it = links_.begin(); it != links_.end(); ++it) {
    if (it->first.first == runner_id && it->second.get() == link) {
      links_.erase(it);
      return;
    }
  }
}

std::shared_ptr<RunnerLink> RunnerHub::Find(const RunnerRow& pinned) const {
  std::lock_guard lock(mutex_);
  // Public keys: comparing them leaks nothing secret.
  const auto it = links_.find(Key(pinned.id, pinned.sign_public_key));
  return it == links_.end() ? nullptr : it->second;
}

void RunnerHub::SetFallback(Fallback fallback) {
  std::lock_guard lock(mutex_);
  fallback_ = std::move(fallback);
}

std::shared_ptr<RunnerLink> RunnerHub::Route(const RunnerRow& pinned) const {
  Fallback fallback;
  {
    std::lock_guard lock(mutex_);
    const auto it = links_.find(Key(pinned.id, pinned.sign_public_key));
    if (it != links_.end()) return it->second;
    fallback = fallback_;
  }
  return fallback ? fallback(pinned) : nullptr;
}

}  // namespace credvault::server::relay
