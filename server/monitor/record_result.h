// Recording a signed test result (DESIGN §5): the one place a result becomes the
// connection's last test, its state transition (the core's ApplyEvent), an entry in the
// bounded history and an audit event. Used by the relay (a client's test) and by the
// monitoring scheduler (a granted runner's scheduled test), so both record exactly alike.
//
// The result is verified first, as a client would: the signature against the runner key
// the workspace pinned (RunnerRow), and its binding to the job id and connection. Then, in
// one transaction: the caller's right is checked again (relay: the account may still run
// tests; monitor: the runner is still admitted and still holds a grant), the state is moved
// with a compare-and-set (kConflict when the connection moved meanwhile), the history entry
// appended and the audit event written ("connection.test" for a relay; "connection.monitor"
// only when monitoring changed the state). Thread-safe as the store is.
#ifndef CREDVAULT_SERVER_MONITOR_RECORD_RESULT_H_
#define CREDVAULT_SERVER_MONITOR_RECORD_RESULT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "credvault/connection.h"
#include "credvault/permissions.h"
#include "credvault/status.h"
#include "credvault/test_job.h"
#include "handlers/members_grants.h"
#include "store/store.h"

namespace credvault::server {

// Sources of a recorded result (history entries and metrics labels).
inline constexpr std::string_view kSourceRelay = "relay";
inline constexpr std::string_view kSourceMonitor = "monitor";

struct TestRecordRequest {
  std::string workspace_id;
  std::string connection_id;
  RunnerRow runner;  // as pinned in the workspace
  // The job the result must answer. Empty for a relayed job: the server cannot open it to
  // learn its id (the result's own job_id is taken; the client checks it against its job).
  std::string job_id;
  std::string_view source;  // kSourceRelay or kSourceMonitor
  std::string account_id;   // relay: the caller, re-checked for Action::kRunTest
};

struct RecordedTest {
  SealedConnection connection;  // after the transition
  TestHistoryEntry entry;
  bool state_changed = false;
};

Result<RecordedTest> RecordTestResult(Store& store, int64_t now, const TestRecordRequest& request,
                                      const SignedTestResult& signed_result);

// The last test a verified result stands for. kMalformed when the payload lacks the fields
// a runner signs (outcome, tested_at, runner_id) or names another runner than `runner_id`.
Result<LastTest> LastTestFromResult(const nlohmann::json& payload, std::string_view runner_id);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_MONITOR_RECORD_RESULT_H_
