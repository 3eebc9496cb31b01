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
#include "monitor/record_result.h"
#include "store/store.h"

namespace credvault::server {
namespace {

using nlohmann::json;

constexpr std::string_view kWorkspaceParam = "ws";
constexpr std::string_view kIdParam = "id";
constexpr const char* kRunnerIdField = "runner_id";
constexpr const char* kJobField = "job";

// What the relay carries from the request to the moment the result is back.
struct PendingTest {
  std::string account_id;
  std::string workspace_id;
  std::string connection_id;
  RunnerRow runner;
};

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
Result<HttpResponse> Record(Store& store, ops::Metrics* metrics, int64_t now,
                            const PendingTest& pending, const SignedTestResult& signed_result) {
  TestRecordRequest request;
  request.workspace_id = pending.workspace_id;
  request.connection_id = pending.connection_id;
  request.runner = pending.runner;
  request.source = kSourceRelay;
  request.account_id = pending.account_id;
  CV_ASSIGN_OR_RETURN(RecordedTest recorded,
                      RecordTestResult(store, now, request, signed_result));
  if (metrics != nullptr) {
    metrics->ObserveConnectionTest(TestOutcomeName(recorded.entry.outcome), kSourceRelay);
  }
  return api::Ok(json{{"result", SignedTestResultToJson(signed_result)},
                      {"connection", SealedConnectionToJson(recorded.connection)}});
}

void Relay(const api::ApiContext& context, const relay::RunnerHub* hub, ops::Metrics* metrics,
           const HttpRequest& request, Respond respond) {
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
      hub == nullptr ? nullptr : hub->Route(pending->runner);
  if (link == nullptr) {
    return respond(Status(ErrorCode::kUnavailable,
                          "runner " + pending->runner.id + " is not connected to this server"));
  }
  link->Submit(*job, [store = context.store, clock = context.clock, metrics,
                      pending = std::move(pending).value(),
                      respond = std::move(respond)](Result<SignedTestResult> result) {
    if (!result.ok()) return respond(result.status());
    respond(Record(*store, metrics, clock(), pending, *result));
  });
}

}  // namespace

Status RegisterConnectionTestRoutes(Router& router, const api::ApiContext& context,
                                    relay::RunnerHub* hub, ops::Metrics* metrics) {
  return router.AddAsync("POST", "/api/v1/workspaces/{ws}/connections/{id}/tests",
                         [context, hub, metrics](const HttpRequest& request, Respond respond) {
                           Relay(context, hub, metrics, request, std::move(respond));
                         });
}

}  // namespace credvault::server
