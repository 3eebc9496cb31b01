// Shared by the scheduler's tests: a runner link that records the monitoring jobs it is
// handed (and answers them when the test says), and the admin account whose grants the
// tests seed. Test-only; not thread-safe.
#ifndef CREDVAULT_TESTS_SERVER_MONITOR_SCHEDULER_TEST_UTIL_H_
#define CREDVAULT_TESTS_SERVER_MONITOR_SCHEDULER_TEST_UTIL_H_

#include <string_view>
#include <utility>
#include <vector>

#include "relay/runner_hub.h"
#include "runner/monitor_job.h"
#include "store/store.h"

namespace credvault::server::monitor::testing {

inline Bytes B(std::string_view text) { return Bytes(text.begin(), text.end()); }

// Holds the jobs handed to it; a test job is refused (not used by these tests).
class RecordingLink : public relay::RunnerLink {
 public:
  void Submit(Bytes, relay::RelayDone done) override {
    done(Status(ErrorCode::kUnavailable, "not in these tests"));
  }
  void SubmitMonitor(runner::MonitorJob job, relay::RelayDone done) override {
    jobs.push_back(std::move(job));
    dones.push_back(std::move(done));
  }
  std::vector<runner::MonitorJob> jobs;
  std::vector<relay::RelayDone> dones;
};

// Inserts the account "admin" (signing key "admin-sign") that grants runners in the tests.
inline Status InsertAdmin(Tx& tx) {
  AccountRow admin;
  admin.record.account_id = "admin";
  admin.record.email = "admin@example.com";
  admin.record.kdf = {3, 64ull << 20};
  admin.record.salt = B("salt");
  admin.record.keys_version = 1;
  admin.record.box_public_key = B("admin-box");
  admin.record.sign_public_key = B("admin-sign");
  admin.record.wrapped_private_keys = B("w");
  admin.record.recovery_wrapped_private_keys = B("r");
  admin.auth_hash = "a";
  admin.recovery_auth_hash = "b";
  return tx.InsertAccount(admin);
}

}  // namespace credvault::server::monitor::testing

#endif  // CREDVAULT_TESTS_SERVER_MONITOR_SCHEDULER_TEST_UTIL_H_
