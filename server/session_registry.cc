#include "session_registry.h"

#include <vector>

namespace credvault::server {

void SessionRegistry::Add(const std::shared_ptr<Closable>& session) {
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_[session.get()] = session;
}

void SessionRegistry::Remove(const Closable* session) {
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_.erase(session);
}

void SessionRegistry::CloseAll() {
  std::vector<std::shared_ptr<Closable>> live;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [key, weak] : sessions_) {
      if (std::shared_ptr<Closable> session = weak.lock()) live.push_back(std::move(session));
    }
  }
  // Outside the lock: a session may unregister (and so lock) while we call it.
  for (const std::shared_ptr<Closable>& session : live) session->Close();
}

size_t SessionRegistry::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sessions_.size();
}

}  // namespace credvault::server
