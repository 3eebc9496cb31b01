// TransactionScope: marks the thread that runs a store transaction's fn, for both engines. A
// Transact or Read started inside another (from its fn) would deadlock on the write lock or see
// a different snapshot, so the stores refuse it with NestedTransaction().
//
// Thread-safety: the mark is per thread; a scope lives on the stack of the thread it marks.
#ifndef CREDVAULT_SERVER_STORE_TRANSACTION_SCOPE_H_
#define CREDVAULT_SERVER_STORE_TRANSACTION_SCOPE_H_

#include "credvault/status.h"

namespace credvault::server {

class TransactionScope {
 public:
  TransactionScope() { Marked() = true; }
  ~TransactionScope() { Marked() = false; }
  TransactionScope(const TransactionScope&) = delete;
  TransactionScope& operator=(const TransactionScope&) = delete;

  // True while this thread runs a transaction's fn.
  static bool Active() { return Marked(); }

 private:
  static bool& Marked() {
    thread_local bool marked = false;
    return marked;
  }
};

inline Status NestedTransaction() {
  return Status(ErrorCode::kInternal, "a store transaction was started inside another");
}

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_STORE_TRANSACTION_SCOPE_H_
