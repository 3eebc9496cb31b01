// RequestIds: short unique ids for requests, echoed as X-Request-Id and logged.
//
// A random per-process prefix (so ids from two runs of the server do not collide in one log)
// and a counter. Not secret and not unguessable: an id names a log line, it grants nothing.
// Thread-safe.
#ifndef CREDVAULT_SERVER_REQUEST_IDS_H_
#define CREDVAULT_SERVER_REQUEST_IDS_H_

#include <atomic>
#include <cstdint>
#include <string>

namespace credvault::server {

class RequestIds {
 public:
  RequestIds();
  explicit RequestIds(uint32_t prefix) : prefix_(prefix) {}
  RequestIds(const RequestIds&) = delete;
  RequestIds& operator=(const RequestIds&) = delete;

  // "5f3a9c01-000000000001"
  std::string Next();

 private:
  uint32_t prefix_;
  std::atomic<uint64_t> counter_{0};
};

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_REQUEST_IDS_H_
