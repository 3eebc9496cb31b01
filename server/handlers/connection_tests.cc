#include "handlers/connection_tests.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "api/audit_log.h"
#include "api/json_body.h"
#include "api/responses.h"
#include "auth/request_auth.h"
#include "credvault/crypto_json.h"
#include "credvault/model_json.h"
#include "store/store.h"

namespace credvault::server {
namespace {

using nlohmann::json;

constexpr std::string_view kWorkspaceParam = "ws";
constexpr std::string_view kIdParam = "id";
constexpr const char* kRunnerIdField = "runner_id";
constexpr const char* kJobField = "job";
// Fields of the runner's signed payload (server/runner/runner.h and probe_json.h).
constexpr const char* kPayloadJobId = "job_id";
constexpr const char* kPayloadOutcome = "outcome";
constexpr const char* kPayloadTestedAt = "tested_at";
constexpr const char* kPayloadLatencyMs = "latency_ms";
constexpr const char* kPayloadHttpStatus = "http_status";
constexpr const char* kPayloadRunnerId = "runner_id";

// What the relay carries from the request to the moment the result is back.
struct PendingTest {
  std::string account_id;
  std::string workspace_id;
  std::string connection_id;
  RunnerRow runner;
};

Status Malformed(std::string message) {
  return Status(ErrorCode::kMalformed, "result: " + std::move(message));
}

Result<Bytes> ParseJob(const HttpRequest& request, std::string* runner_id) {
  // A job carries certificates and keys, sealed: allow for base64 of kMaxSealedJobBytes.
  CV_ASSIGN_OR_RETURN(json body, api::ParseJsonBody(request, kMaxSealedJobBytes * 2));
  CV_RETURN_IF_ERROR(api::CheckFields(body, {kRunnerIdField, kJobField}));
  CV_RETURN_IF_ERROR(api::ReadObjectId(body, kRunnerIdField, runner_id));
  std::string text;
  CV_RETURN_IF_ERROR(api::ReadString(body, kJobField, &text, kMaxSealedJobBytes * 2));
  Bytes job;
  if (!Base64UrlDecode(text, &job) || job.empty() || job.size() > kMaxSealedJobBytes) {
    return Status(ErrorCode::kValidation, "job: must be a sealed job, base64url");
  }
  return job;
}

// Checks the caller and what the job is for. Returns what Record needs afterwards.
// The body is judged only after the caller's rights, as every endpoint does (a viewer learns
// 403, not what is wrong with the body).
Result<PendingTest> Prepare(ReadTx& tx, const api::SessionCall& call, const Status& body,
                            const std::string& runner_id) {
  PendingTest pending;
  pending.account_id = call.actor.account_id;
  pending.workspace_id = std::string(call.Param(kWorkspaceParam));
  pending.connection_id = std::string(call.Param(kIdParam));
  CV_RETURN_IF_ERROR(
      auth::RequireWorkspaceAction(tx, call.actor, pending.workspace_id, Action::kRunTest)
          .status());
  CV_RETURN_IF_ERROR(api::CheckPathId(pending.connection_id, "connection"));
  CV_RETURN_IF_ERROR(tx.GetConnection(pending.workspace_id, pending.connection_id).status());
  CV_RETURN_IF_ERROR(body);
  Result<RunnerRow> runner = tx.GetRunner(pending.workspace_id, runner_id);
  if (runner.code() == ErrorCode::kNotFound) {
    return Status(ErrorCode::kValidation,
                  std::string(kRunnerIdField) + ": no runner with this id is admitted here");
  }
  CV_RETURN_IF_ERROR(runner.status());
  pending.runner = std::move(runner).value();
  return pending;
}

// Verifies the result as the client will, then records it with the state it leads to.
Result<HttpResponse> Record(Store& store, int64_t now, const PendingTest& pending,
                            const SignedTestResult& signed_result) {
  const json payload = json::parse(signed_result.payload, nullptr, false);
  if (!payload.is_object() || !payload.contains(kPayloadJobId) ||
      !payload[kPayloadJobId].is_string()) {
    return Malformed("the payload is not a signed test result");
  }
  CV_RETURN_IF_ERROR(VerifyTestResult(pending.runner.sign_public_key, signed_result,
                                      payload[kPayloadJobId].get<std::string>(),
                                      pending.connection_id)
                         .status());
  CV_ASSIGN_OR_RETURN(LastTest last_test, LastTestFromResult(payload, pending.runner.id));

  return TransactResult<HttpResponse>(store, [&](Tx& tx) -> Result<HttpResponse> {
    // Checked again: the caller may have lost the role while the test ran.
    auth::RequestActor actor;
    actor.account_id = pending.account_id;
    CV_ASSIGN_OR_RETURN(
        Membership member,
        auth::RequireWorkspaceAction(tx, actor, pending.workspace_id, Action::kRunTest));
    CV_ASSIGN_OR_RETURN(SealedConnection current,
                        tx.GetConnection(pending.workspace_id, pending.connection_id));
    CV_ASSIGN_OR_RETURN(ConnectionState next,
                        ApplyEvent(current.state, ConnectionEvent::Test(last_test.outcome),
                                   member.member.role));
    CV_RETURN_IF_ERROR(tx.SetConnectionState(pending.workspace_id, current.id, current.version,
                                             current.state, next, last_test, now));
    CV_RETURN_IF_ERROR(api::RecordAudit(tx, pending.workspace_id, pending.account_id,
                                        "connection.test", "connection", current.id, now));
    CV_ASSIGN_OR_RETURN(SealedConnection moved,
                        tx.GetConnection(pending.workspace_id, current.id));
    return api::Ok(json{{"result", SignedTestResultToJson(signed_result)},
                        {"connection", SealedConnectionToJson(moved)}});
  });
}

void Relay(const api::ApiContext& context, const relay::RunnerHub* hub, const HttpRequest& request,
           Respond respond) {
  const int64_t now = context.clock();
  Result<auth::Authentication> authentication = auth::Authenticate(request, *context.store, now);
  if (!authentication.ok()) return respond(authentication.status());
  if (!authentication->actor) return respond(api::Unauthenticated(authentication->refusal));
  const api::SessionCall call{request, *authentication->actor, *context.store, now};

  std::string runner_id;
  const Result<Bytes> job = ParseJob(request, &runner_id);
  Result<PendingTest> pending = ReadResult<PendingTest>(
      *context.store,
      [&](ReadTx& tx) -> Result<PendingTest> { return Prepare(tx, call, job.status(), runner_id); });
  if (!pending.ok()) return respond(pending.status());
  std::shared_ptr<relay::RunnerLink> link =
      hub == nullptr ? nullptr : hub->Find(pending->runner);
  if (link == nullptr) {
    return respond(Status(ErrorCode::kUnavailable,
                          "runner " + pending->runner.id + " is not connected to this server"));
  }
  link->Submit(*job, [store = context.store, clock = context.clock,
                      pending = std::move(pending).value(),
                      respond = std::move(respond)](Result<SignedTestResult> result) {
    if (!result.ok()) return respond(result.status());
    respond(Record(*store, clock(), pending, *result));
  });
}

}  // namespace

Result<LastTest> LastTestFromResult(const json& payload, std::string_view runner_id) {
  LastTest last;
  const auto outcome = payload.find(kPayloadOutcome);
  if (outcome == payload.end() || !outcome->is_string()) return Malformed("no outcome");
  const std::optional<TestOutcome> parsed = ParseTestOutcome(outcome->get<std::string>());
  if (!parsed) return Malformed("unknown outcome");
  last.outcome = *parsed;
  const auto tested_at = payload.find(kPayloadTestedAt);
  if (tested_at == payload.end() || !tested_at->is_number_integer()) {
    return Malformed("no tested_at");
  }
  last.tested_at = tested_at->get<int64_t>();
  const auto runner = payload.find(kPayloadRunnerId);
  if (runner == payload.end() || !runner->is_string() || *runner != runner_id) {
    return Malformed("signed by the admitted runner's key but names another runner");
  }
  last.runner_id = std::string(runner_id);
  if (const auto latency = payload.find(kPayloadLatencyMs);
      latency != payload.end() && latency->is_number_integer() && latency->get<int64_t>() >= 0) {
    last.latency_ms =
        static_cast<uint32_t>(std::min<int64_t>(latency->get<int64_t>(), UINT32_MAX));
  }
  if (const auto status = payload.find(kPayloadHttpStatus);
      status != payload.end() && status->is_number_integer() && status->get<int64_t>() > 0 &&
      status->get<int64_t>() < 1000) {
    last.http_status = static_cast<uint16_t>(status->get<int64_t>());
  }
  return last;
}

Status RegisterConnectionTestRoutes(Router& router, const api::ApiContext& context,
                                    relay::RunnerHub* hub) {
  return router.AddAsync("POST", "/api/v1/workspaces/{ws}/connections/{id}/tests",
                         [context, hub](const HttpRequest& request, Respond respond) {
                           Relay(context, hub, request, std::move(respond));
                         });
}

}  // namespace credvault::server
