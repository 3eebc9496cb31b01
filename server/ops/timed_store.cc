#include "ops/timed_store.h"

#include <chrono>

namespace credvault::server::ops {

Status TimedStore::Timed(std::string_view operation, const std::function<Status()>& call) {
  const auto started = std::chrono::steady_clock::now();
  Status status = call();
  metrics_.ObserveStore(inner_.EngineName(), operation, status,
                        std::chrono::steady_clock::now() - started);
  return status;
}

Status TimedStore::Transact(const std::function<Status(Tx&)>& fn) {
  return Timed("transact", [&] { return inner_.Transact(fn); });
}

Status TimedStore::Read(const std::function<Status(ReadTx&)>& fn) {
  return Timed("read", [&] { return inner_.Read(fn); });
}

Status TimedStore::Ping() {
  return Timed("ping", [&] { return inner_.Ping(); });
}

}  // namespace credvault::server::ops
