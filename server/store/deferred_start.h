// DeferredStart: what a store engine's connection runs before the next statement, once: how a
// read that the ReadCache may answer wholly postpones opening its transaction (read_cache.h).
// The engine sets the start (its BEGIN, then the snapshot check); the connection calls
// RunIfPending() first thing in every statement it prepares or runs, so the start's own
// statements do not start it again.
//
// Not thread-safe: part of a connection, used by the one thread that holds it.
#ifndef CREDVAULT_SERVER_STORE_DEFERRED_START_H_
#define CREDVAULT_SERVER_STORE_DEFERRED_START_H_

#include <functional>
#include <utility>

#include "credvault/status.h"

namespace credvault::server {

class DeferredStart {
 public:
  void Set(std::function<Status()> start) {
    start_ = std::move(start);
    started_ = false;
  }
  // Runs the start if one waits; its error is the statement's.
  Status RunIfPending() {
    if (start_ == nullptr) return Status::Ok();
    const std::function<Status()> start = std::exchange(start_, nullptr);
    started_ = true;  // even if it fails midway: the caller ends what it began
    return start();
  }
  // Whether the start ran since Set.
  bool started() const { return started_; }
  void Clear() {
    start_ = nullptr;
    started_ = false;
  }

 private:
  std::function<Status()> start_;
  bool started_ = false;
};

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_STORE_DEFERRED_START_H_
