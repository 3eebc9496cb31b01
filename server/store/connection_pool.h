// ConnectionPool: the database connections of one store engine (SqliteStore, PostgresStore),
// at most `max` open at once, opened lazily by the engine's opener and lent to one thread at a
// time. Acquire waits while all are lent out. Release takes one back, or closes it when the
// engine says it cannot be reused (left inside a transaction, or broken), and can close every
// idle one with it (a PostgreSQL restart cuts them all). Connections close outside the lock.
//
// Thread-safety: every method from any thread. The pool must outlive every lent connection.
#ifndef CREDVAULT_SERVER_STORE_CONNECTION_POOL_H_
#define CREDVAULT_SERVER_STORE_CONNECTION_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "credvault/status.h"

namespace credvault::server {

template <typename Connection>
class ConnectionPool {
 public:
  using Opener = std::function<Result<std::unique_ptr<Connection>>()>;

  ConnectionPool(size_t max, Opener open) : max_(max), open_connection_(std::move(open)) {}
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A connection for this thread's exclusive use until Release; the opener's error when a new
  // one cannot be opened.
  Result<std::unique_ptr<Connection>> Acquire() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_;
    lock.unlock();
    Result<std::unique_ptr<Connection>> opened = open_connection_();
    if (!opened.ok()) {
      lock.lock();
      --open_;
      available_.notify_one();
    }
    return opened;
  }

  // Takes back a connection from Acquire: kept for reuse when `reusable`, else closed; with
  // `close_idle`, every idle connection is closed too.
  void Release(std::unique_ptr<Connection> connection, bool reusable, bool close_idle = false) {
    std::vector<std::unique_ptr<Connection>> closing;
    {
      std::lock_guard lock(mutex_);
      if (close_idle) closing.swap(idle_);
      if (reusable) {
        idle_.push_back(std::move(connection));
      } else {
        closing.push_back(std::move(connection));
      }
      open_ -= closing.size();
      available_.notify_all();
    }
    closing.clear();  // closes them, outside the lock
  }

 private:
  const size_t max_;
  const Opener open_connection_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_
  size_t open_ = 0;                                // lent + idle; guarded by mutex_
};

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_STORE_CONNECTION_POOL_H_
