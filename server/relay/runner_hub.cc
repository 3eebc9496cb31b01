#include "relay/runner_hub.h"

#include <utility>

namespace credvault::server::relay {

void RunnerHub::Attach(std::string runner_id, Bytes sign_public_key,
                       std::shared_ptr<RunnerLink> link) {
  std::lock_guard lock(mutex_);
  links_[std::move(runner_id)] = Entry{std::move(sign_public_key), std::move(link)};
}

void RunnerHub::Detach(std::string_view runner_id, const RunnerLink* link) {
  std::lock_guard lock(mutex_);
  const auto it = links_.find(runner_id);
  if (it != links_.end() && it->second.link.get() == link) links_.erase(it);
}

std::shared_ptr<RunnerLink> RunnerHub::Find(const RunnerRow& pinned) const {
  std::lock_guard lock(mutex_);
  const auto it = links_.find(pinned.id);
  if (it == links_.end()) return nullptr;
  // Public keys: a plain comparison leaks nothing secret.
  if (it->second.sign_public_key != pinned.sign_public_key) return nullptr;
  return it->second.link;
}

}  // namespace credvault::server::relay
