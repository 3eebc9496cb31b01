// Shared by the scheduler's tests: a runner link that records the monitoring jobs it is
// handed (and answers them when the test says), and the admin account whose grants the
// tests seed. Test-only; not thread-safe.
#ifndef CREDVAULT_TESTS_SERVER_MONITOR_SCHEDULER_TEST_UTIL_H_
#define CREDVAULT_TESTS_SERVER_MONITOR_SCHEDULER_TEST_UTIL_H_

#include <string_view>
#include <utility>
#include <vector>

#include "../store/store_test_fixture.h"
#include "relay/runner_hub.h"
#include "runner/monitor_job.h"
#include "store/store.h"

namespace credvault::server::monitor::testing {

using ::credvault::server::testing::B;

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
  AccountRow admin = ::credvault::server::testing::MakeAccount("admin", "admin@example.com");
  admin.record.sign_public_key = B("admin-sign");
  return tx.InsertAccount(admin);
}

}  // namespace credvault::server::monitor::testing

#endif  // CREDVAULT_TESTS_SERVER_MONITOR_SCHEDULER_TEST_UTIL_H_
