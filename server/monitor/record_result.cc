#include "monitor/record_result.h"

#include <algorithm>
#include <utility>

#include "api/audit_log.h"
#include "auth/request_auth.h"
#include "runner/expiry.h"
#include "runner/runner.h"

namespace credvault::server {
namespace {

using nlohmann::json;

// Fields of the runner's signed payload: the runner names its own (runner/runner.h); these
// come from SignTestResult and ProbeResultToJson, whose names are private to the core.
constexpr const char* kPayloadJobId = "job_id";
constexpr const char* kPayloadOutcome = "outcome";
constexpr const char* kPayloadHttpStatus = "http_status";
using runner::kResultLatencyMs;
using runner::kResultRunnerId;
using runner::kResultTestedAt;

Status Malformed(std::string message) {
  return Status(ErrorCode::kMalformed, "result: " + std::move(message));
}

int64_t TimeField(const json& payload, const char* name) {
  const auto it = payload.find(name);
  if (it == payload.end() || !it->is_number_integer()) return 0;
  return std::max<int64_t>(0, it->get<int64_t>());
}

// Whether the request's actor may still have this result recorded.
Status Recheck(Tx& tx, const TestRecordRequest& request) {
  if (request.source == kSourceRelay) {
    auth::RequestActor actor;
    actor.account_id = request.account_id;
    return auth::RequireWorkspaceAction(tx, actor, request.workspace_id, Action::kRunTest).status();
  }
  // Monitoring: the runner is still admitted under the same key and still granted.
  CV_ASSIGN_OR_RETURN(RunnerRow runner, tx.GetRunner(request.workspace_id, request.runner.id));
  if (runner.sign_public_key != request.runner.sign_public_key) {
    return Status(ErrorCode::kPermissionDenied, "the runner was re-admitted with another key");
  }
  CV_ASSIGN_OR_RETURN(std::vector<KeyGrant> grants,
                      tx.ListKeyGrants(request.workspace_id, request.runner.id));
  if (grants.empty()) {
    return Status(ErrorCode::kPermissionDenied, "the runner's grant was revoked");
  }
  return Status::Ok();
}

}  // namespace

Result<RecordedTest> RecordTestResult(Store& store, int64_t now, const TestRecordRequest& request,
                                      const SignedTestResult& signed_result) {
  const json payload = json::parse(signed_result.payload, nullptr, false);
  if (!payload.is_object() || !payload.contains(kPayloadJobId) ||
      !payload[kPayloadJobId].is_string()) {
    return Malformed("the payload is not a signed test result");
  }
  const std::string job_id =
      request.job_id.empty() ? payload[kPayloadJobId].get<std::string>() : request.job_id;
  CV_RETURN_IF_ERROR(
      VerifyTestResult(request.runner.sign_public_key, signed_result, job_id, request.connection_id)
          .status());
  CV_ASSIGN_OR_RETURN(LastTest last_test, LastTestFromResult(payload, request.runner.id));

  RecordedTest recorded;
  recorded.entry.workspace_id = request.workspace_id;
  recorded.entry.connection_id = request.connection_id;
  recorded.entry.at = now;
  recorded.entry.outcome = last_test.outcome;
  recorded.entry.tested_at = last_test.tested_at;
  recorded.entry.latency_ms = last_test.latency_ms;
  recorded.entry.http_status = last_test.http_status;
  recorded.entry.runner_id = last_test.runner_id;
  recorded.entry.source = std::string(request.source);
  recorded.entry.client_cert_not_after = TimeField(payload, kClientCertNotAfterKey);
  recorded.entry.server_cert_not_after = TimeField(payload, kServerCertNotAfterKey);
  recorded.entry.token_expires_at = TimeField(payload, kTokenExpiresAtKey);

  const Status written = store.Transact([&](Tx& tx) -> Status {
    // Checked again: the caller may have lost the role (or the runner its grant) while the
    // test ran.
    CV_RETURN_IF_ERROR(Recheck(tx, request));
    Role role = kRunnerRole;
    if (request.source == kSourceRelay) {
      CV_ASSIGN_OR_RETURN(MemberRow member, tx.GetMember(request.workspace_id, request.account_id));
      role = member.role;
    }
    CV_ASSIGN_OR_RETURN(SealedConnection current,
                        tx.GetConnection(request.workspace_id, request.connection_id));
    CV_ASSIGN_OR_RETURN(ConnectionState next,
                        ApplyEvent(current.state, ConnectionEvent::Test(last_test.outcome), role));
    CV_RETURN_IF_ERROR(tx.SetConnectionState(request.workspace_id, current.id, current.version,
                                             current.state, next, last_test, now));
    recorded.entry.state_before = current.state;
    recorded.entry.state_after = next;
    recorded.state_changed = current.state != next;
    CV_RETURN_IF_ERROR(tx.AppendTestHistory(recorded.entry));
    if (request.source == kSourceRelay) {
      CV_RETURN_IF_ERROR(api::RecordAudit(tx, request.workspace_id, request.account_id,
                                          "connection.test", "connection", current.id, now));
    } else if (recorded.state_changed) {
      CV_RETURN_IF_ERROR(api::RecordAudit(tx, request.workspace_id, request.runner.id,
                                          "connection.monitor", "connection", current.id, now));
    }
    CV_ASSIGN_OR_RETURN(recorded.connection, tx.GetConnection(request.workspace_id, current.id));
    return Status::Ok();
  });
  if (!written.ok()) return written;
  return recorded;
}

Result<LastTest> LastTestFromResult(const json& payload, std::string_view runner_id) {
  LastTest last;
  const auto outcome = payload.find(kPayloadOutcome);
  if (outcome == payload.end() || !outcome->is_string()) return Malformed("no outcome");
  const std::optional<TestOutcome> parsed = ParseTestOutcome(outcome->get<std::string>());
  if (!parsed) return Malformed("unknown outcome");
  last.outcome = *parsed;
  const auto tested_at = payload.find(kResultTestedAt);
  if (tested_at == payload.end() || !tested_at->is_number_integer()) {
    return Malformed("no tested_at");
  }
  last.tested_at = tested_at->get<int64_t>();
  const auto runner = payload.find(kResultRunnerId);
  if (runner == payload.end() || !runner->is_string() || *runner != runner_id) {
    return Malformed("signed by the admitted runner's key but names another runner");
  }
  last.runner_id = std::string(runner_id);
  if (const auto latency = payload.find(kResultLatencyMs);
      latency != payload.end() && latency->is_number_integer() && latency->get<int64_t>() >= 0) {
    last.latency_ms = static_cast<uint32_t>(std::min<int64_t>(latency->get<int64_t>(), UINT32_MAX));
  }
  if (const auto status = payload.find(kPayloadHttpStatus);
      status != payload.end() && status->is_number_integer() && status->get<int64_t>() > 0 &&
      status->get<int64_t>() < 1000) {
    last.http_status = static_cast<uint16_t>(status->get<int64_t>());
  }
  return last;
}

}  // namespace credvault::server
