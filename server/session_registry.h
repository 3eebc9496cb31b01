// SessionRegistry: the live connections, so that a graceful stop can ask each to close.
//
// A session registers itself when it starts and unregisters in its destructor; the registry
// holds only weak references and never keeps a connection alive. CloseAll asks every live
// session to finish the response it owes and close (Closable::Close must only post work to
// the session's own strand, never block). Thread-safe.
#ifndef CREDVAULT_SERVER_SESSION_REGISTRY_H_
#define CREDVAULT_SERVER_SESSION_REGISTRY_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace credvault::server {

class Closable {
 public:
  virtual ~Closable() = default;
  // Finish what is in flight, then close. Called from any thread.
  virtual void Close() = 0;
};

class SessionRegistry {
 public:
  SessionRegistry() = default;
  SessionRegistry(const SessionRegistry&) = delete;
  SessionRegistry& operator=(const SessionRegistry&) = delete;

  void Add(const std::shared_ptr<Closable>& session);
  void Remove(const Closable* session);
  void CloseAll();
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<const Closable*, std::weak_ptr<Closable>> sessions_;
};

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_SESSION_REGISTRY_H_
