#include "handlers/runners.h"

#include <string>
#include <utility>

#include "api/json_body.h"
#include "api/query.h"
#include "api/responses.h"
#include "auth/request_auth.h"
#include "credvault/credential.h"
#include "credvault/identity.h"
#include "credvault/secret.h"
#include "handlers/credentials_support.h"
#include "handlers/runner_grants.h"
#include "relay/pg_relay.h"

namespace credvault::server {
namespace {

using nlohmann::json;

constexpr std::string_view kObjectType = "runner";
constexpr std::string_view kWorkspaceParam = "ws";
constexpr std::string_view kIdParam = "id";

// Field names of a runner's JSON.
constexpr const char* kId = "id";
constexpr const char* kWorkspaceId = "workspace_id";
constexpr const char* kName = "name";
constexpr const char* kBoxPublicKey = "box_public_key";
constexpr const char* kSignPublicKey = "sign_public_key";
constexpr const char* kCreatedAt = "created_at";

Status ReadPublicKey(const json& body, const char* name, size_t bytes, Bytes* out) {
  std::string text;
  CV_RETURN_IF_ERROR(api::ReadString(body, name, &text, 64));
  if (!Base64UrlDecode(text, out) || out->size() != bytes) {
    return Status(ErrorCode::kValidation, std::string(name) + ": must be " + std::to_string(bytes) +
                                              " bytes, base64url without padding");
  }
  return Status::Ok();
}

// Whether a test posted to this server reaches the runner now: this server holds its link,
// or (on PostgreSQL) another server sharing the database does. The hub's fallback for a
// runner it does not hold is then the relay's RemoteHubLink, which knows the others'
// presence (relay/pg_relay.h); RunnerLink has no such question, hence the cast.
bool Connected(const relay::RunnerHub* hub, const RunnerRow& row) {
  if (hub == nullptr) return false;
  if (hub->Find(row) != nullptr) return true;
  const std::shared_ptr<relay::RunnerLink> link = hub->Route(row);
  const auto* remote = dynamic_cast<const relay::RemoteHubLink*>(link.get());
  return remote != nullptr && remote->HeldElsewhere();
}

// Whether the runner is reachable now (not stored) and whether it holds the workspace keys
// for active monitoring (runner_grants.h).
Result<json> WithConnected(ReadTx& tx, const RunnerRow& row, const relay::RunnerHub* hub) {
  json j = RunnerToJson(row);
  j["connected"] = Connected(hub, row);
  CV_ASSIGN_OR_RETURN(std::vector<KeyGrant> grants, tx.ListKeyGrants(row.workspace_id, row.id));
  j["granted"] = !grants.empty();
  return j;
}

Result<HttpResponse> List(const api::SessionCall& call, const relay::RunnerHub* hub) {
  const std::string workspace_id(call.Param(kWorkspaceParam));
  return ReadResult<HttpResponse>(call.store, [&](ReadTx& tx) -> Result<HttpResponse> {
    CV_RETURN_IF_ERROR(
        auth::RequireWorkspaceAction(tx, call.actor, workspace_id, Action::kReadConnections)
            .status());
    CV_ASSIGN_OR_RETURN(api::QueryParams params, api::ParseQuery(call.http, {"cursor", "limit"}));
    CV_ASSIGN_OR_RETURN(PageRequest page, api::ReadPage(params));
    CV_ASSIGN_OR_RETURN(Page<RunnerRow> found, tx.ListRunners(workspace_id, page));
    json items = json::array();
    for (const RunnerRow& row : found.items) {
      CV_ASSIGN_OR_RETURN(json item, WithConnected(tx, row, hub));
      items.push_back(std::move(item));
    }
    return api::Ok(api::PageJson(std::move(items), found.next_cursor));
  });
}

Result<HttpResponse> Register(const api::SessionCall& call) {
  const std::string workspace_id(call.Param(kWorkspaceParam));
  const Result<RunnerRow> parsed = [&]() -> Result<RunnerRow> {
    CV_ASSIGN_OR_RETURN(json body, api::ParseJsonBody(call.http));
    return ParseRunnerBody(body);
  }();
  return TransactResult<HttpResponse>(call.store, [&](Tx& tx) -> Result<HttpResponse> {
    CV_RETURN_IF_ERROR(
        auth::RequireWorkspaceAction(tx, call.actor, workspace_id, Action::kManageRunners)
            .status());
    if (!parsed.ok()) return parsed.status();
    RunnerRow row = *parsed;
    row.workspace_id = workspace_id;
    row.created_at = call.now;
    CV_RETURN_IF_ERROR(tx.InsertRunner(row));
    CV_RETURN_IF_ERROR(AuditMutation(tx, call, workspace_id, kObjectType, "register", row.id));
    return api::Created(RunnerToJson(row));
  });
}

Result<RunnerRow> Load(ReadTx& tx, const api::SessionCall& call, Action action) {
  const std::string_view workspace_id = call.Param(kWorkspaceParam);
  CV_RETURN_IF_ERROR(auth::RequireWorkspaceAction(tx, call.actor, workspace_id, action).status());
  CV_RETURN_IF_ERROR(api::CheckPathId(call.Param(kIdParam), "runner"));
  return tx.GetRunner(workspace_id, call.Param(kIdParam));
}

Result<HttpResponse> Get(const api::SessionCall& call, const relay::RunnerHub* hub) {
  return ReadResult<HttpResponse>(call.store, [&](ReadTx& tx) -> Result<HttpResponse> {
    CV_ASSIGN_OR_RETURN(RunnerRow row, Load(tx, call, Action::kReadConnections));
    CV_ASSIGN_OR_RETURN(json item, WithConnected(tx, row, hub));
    return api::Ok(std::move(item));
  });
}

Result<HttpResponse> Builtin(const Identity* runner) {
  if (runner == nullptr) {
    return Status(ErrorCode::kNotFound, "this server runs without a built-in runner");
  }
  return api::Ok(json{{kId, runner->id()},
                      {kName, "built-in runner"},
                      {kBoxPublicKey, Base64UrlEncode(runner->box_public_key())},
                      {kSignPublicKey, Base64UrlEncode(runner->sign_public_key())},
                      {"fingerprint", KeyFingerprint(runner->sign_public_key())}});
}

}  // namespace

json RunnerToJson(const RunnerRow& row) {
  return {{kId, row.id},
          {kWorkspaceId, row.workspace_id},
          {kName, row.name},
          {kBoxPublicKey, Base64UrlEncode(row.box_public_key)},
          {kSignPublicKey, Base64UrlEncode(row.sign_public_key)},
          {kCreatedAt, row.created_at}};
}

Result<RunnerRow> ParseRunnerBody(const json& body) {
  CV_RETURN_IF_ERROR(api::CheckFields(body, {kId, kName, kBoxPublicKey, kSignPublicKey}));
  RunnerRow row;
  CV_RETURN_IF_ERROR(api::ReadObjectId(body, kId, &row.id));
  CV_RETURN_IF_ERROR(api::ReadString(body, kName, &row.name, 4 * kMaxNameChars));
  if (std::optional<FieldIssue> issue = CheckDisplayName(kName, row.name)) {
    return IssuesToStatus({*issue});
  }
  CV_RETURN_IF_ERROR(ReadPublicKey(body, kBoxPublicKey, kBoxPublicKeyBytes, &row.box_public_key));
  CV_RETURN_IF_ERROR(
      ReadPublicKey(body, kSignPublicKey, kSignPublicKeyBytes, &row.sign_public_key));
  return row;
}

Status RegisterRunnerRoutes(Router& router, const api::ApiContext& context,
                            const relay::RunnerHub* hub, const Identity* builtin_runner) {
  constexpr std::string_view kCollection = "/api/v1/workspaces/{ws}/runners";
  const std::string one = std::string(kCollection) + "/{id}";
  CV_RETURN_IF_ERROR(router.Add(
      "GET", "/api/v1/runners/builtin",
      api::WithSession(context, [builtin_runner](const api::SessionCall&) {
        return Builtin(builtin_runner);
      })));
  CV_RETURN_IF_ERROR(router.Add(
      "GET", kCollection,
      api::WithSession(context, [hub](const api::SessionCall& call) { return List(call, hub); })));
  CV_RETURN_IF_ERROR(router.Add("POST", kCollection, api::WithSession(context, Register)));
  CV_RETURN_IF_ERROR(router.Add(
      "GET", one,
      api::WithSession(context, [hub](const api::SessionCall& call) { return Get(call, hub); })));
  // A runner holding the workspace keys is removed with a key rotation (runner_grants.h).
  return router.Add("DELETE", one, api::WithSession(context, RemoveRunner));
}

}  // namespace credvault::server
