// TimedStore: a Store that forwards every call to another Store and records how long it
// took in the Metrics registry (credvault_store_operation_duration_seconds).
//
// main() wraps the engine once and hands the wrapper to every handler, so no handler and no
// engine needs a timing hook of its own. A Transact's time includes the work `fn` does inside
// the transaction (that is what holds the write lock). Errors: exactly those of the wrapped
// store. Thread-safe as the wrapped store and Metrics are. Holds references to both, which
// must outlive it.
#ifndef CREDVAULT_SERVER_OPS_TIMED_STORE_H_
#define CREDVAULT_SERVER_OPS_TIMED_STORE_H_

#include <functional>
#include <string_view>

#include "ops/metrics.h"
#include "store/store.h"

namespace credvault::server::ops {

class TimedStore : public Store {
 public:
  TimedStore(Store& inner, Metrics& metrics) : inner_(inner), metrics_(metrics) {}

  Status Transact(const std::function<Status(Tx&)>& fn) override;
  Status Read(const std::function<Status(ReadTx&)>& fn) override;
  Status Ping() override;
  std::string_view EngineName() const override { return inner_.EngineName(); }

 private:
  Status Timed(std::string_view operation, const std::function<Status()>& call);

  Store& inner_;
  Metrics& metrics_;
};

}  // namespace credvault::server::ops

#endif  // CREDVAULT_SERVER_OPS_TIMED_STORE_H_
