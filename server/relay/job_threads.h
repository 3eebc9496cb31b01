// JobThreads: a few threads that run blocking jobs (connectivity tests) off the io_context,
// so a test that waits seconds on a slow target never holds a thread that serves requests.
//
// At most `threads` jobs run at once and at most `max_queued` wait; Post refuses beyond
// that (the caller answers "busy" at once instead of queueing without bound). The destructor
// runs what is queued, then joins. Thread-safe.
#ifndef CREDVAULT_SERVER_RELAY_JOB_THREADS_H_
#define CREDVAULT_SERVER_RELAY_JOB_THREADS_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace credvault::server::relay {

class JobThreads {
 public:
  JobThreads(size_t threads, size_t max_queued);
  ~JobThreads();
  JobThreads(const JobThreads&) = delete;
  JobThreads& operator=(const JobThreads&) = delete;

  // False when the queue is full (the job is not run).
  bool Post(std::function<void()> job);

 private:
  void Work();

  const size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;  // guarded by mutex_
  bool stopping_ = false;                    // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace credvault::server::relay

#endif  // CREDVAULT_SERVER_RELAY_JOB_THREADS_H_
