#include "handlers/environments.h"

#include <string>
#include <utility>

#include "api/json_body.h"
#include "api/query.h"
#include "api/responses.h"
#include "auth/request_auth.h"
#include "credvault/credential.h"
#include "handlers/credentials_support.h"

namespace credvault::server {
namespace {

using nlohmann::json;

constexpr std::string_view kObjectType = "environment";
constexpr std::string_view kWorkspaceParam = "ws";
constexpr std::string_view kIdParam = "id";

// Field names of an environment's JSON.
constexpr const char* kId = "id";
constexpr const char* kWorkspaceId = "workspace_id";
constexpr const char* kName = "name";
constexpr const char* kVersion = "version";
constexpr const char* kCreatedAt = "created_at";
constexpr const char* kUpdatedAt = "updated_at";

Status ReadName(const json& body, std::string* name) {
  CV_RETURN_IF_ERROR(api::ReadString(body, kName, name, 4 * kMaxNameChars));
  if (std::optional<FieldIssue> issue = CheckDisplayName(kName, *name)) {
    return IssuesToStatus({*issue});
  }
  return Status::Ok();
}

Result<EnvironmentRow> ParseNew(const HttpRequest& request) {
  CV_ASSIGN_OR_RETURN(json body, api::ParseJsonBody(request));
  CV_RETURN_IF_ERROR(api::CheckFields(body, {kId, kName}));
  EnvironmentRow row;
  CV_RETURN_IF_ERROR(api::ReadObjectId(body, kId, &row.id));
  CV_RETURN_IF_ERROR(ReadName(body, &row.name));
  return row;
}

struct Rename {
  std::string name;
  uint64_t version = 0;
};

Result<Rename> ParseRename(const HttpRequest& request) {
  CV_ASSIGN_OR_RETURN(json body, api::ParseJsonBody(request));
  CV_RETURN_IF_ERROR(api::CheckFields(body, {kName, kVersion}));
  Rename rename;
  CV_RETURN_IF_ERROR(ReadName(body, &rename.name));
  CV_RETURN_IF_ERROR(api::ReadUint(body, kVersion, &rename.version));
  return rename;
}

Result<HttpResponse> List(const api::SessionCall& call) {
  const std::string workspace_id(call.Param(kWorkspaceParam));
  return ReadResult<HttpResponse>(call.store, [&](ReadTx& tx) -> Result<HttpResponse> {
    CV_RETURN_IF_ERROR(
        auth::RequireWorkspaceAction(tx, call.actor, workspace_id, Action::kReadConnections)
            .status());
    CV_ASSIGN_OR_RETURN(api::QueryParams params, api::ParseQuery(call.http, {"cursor", "limit"}));
    CV_ASSIGN_OR_RETURN(PageRequest page, api::ReadPage(params));
    CV_ASSIGN_OR_RETURN(Page<EnvironmentRow> found, tx.ListEnvironments(workspace_id, page));
    json items = json::array();
    for (const EnvironmentRow& row : found.items) items.push_back(EnvironmentToJson(row));
    return api::Ok(api::PageJson(std::move(items), found.next_cursor));
  });
}

Result<HttpResponse> Create(const api::SessionCall& call) {
  const std::string workspace_id(call.Param(kWorkspaceParam));
  const Result<EnvironmentRow> parsed = ParseNew(call.http);
  return TransactResult<HttpResponse>(call.store, [&](Tx& tx) -> Result<HttpResponse> {
    CV_RETURN_IF_ERROR(
        auth::RequireWorkspaceAction(tx, call.actor, workspace_id, Action::kManageEnvironments)
            .status());
    if (!parsed.ok()) return parsed.status();
    EnvironmentRow row = *parsed;
    row.workspace_id = workspace_id;
    row.version = 1;
    row.created_at = call.now;
    row.updated_at = call.now;
    CV_RETURN_IF_ERROR(tx.InsertEnvironment(row));
    CV_RETURN_IF_ERROR(AuditMutation(tx, call, workspace_id, kObjectType, "create", row.id));
    return api::Created(EnvironmentToJson(row));
  });
}

Result<EnvironmentRow> Load(ReadTx& tx, const api::SessionCall& call, Action action) {
  const std::string_view workspace_id = call.Param(kWorkspaceParam);
  CV_RETURN_IF_ERROR(auth::RequireWorkspaceAction(tx, call.actor, workspace_id, action).status());
  CV_RETURN_IF_ERROR(api::CheckPathId(call.Param(kIdParam), "environment"));
  return tx.GetEnvironment(workspace_id, call.Param(kIdParam));
}

Result<HttpResponse> Get(const api::SessionCall& call) {
  return ReadResult<HttpResponse>(call.store, [&](ReadTx& tx) -> Result<HttpResponse> {
    CV_ASSIGN_OR_RETURN(EnvironmentRow row, Load(tx, call, Action::kReadConnections));
    return api::Ok(EnvironmentToJson(row));
  });
}

Result<HttpResponse> Update(const api::SessionCall& call) {
  const Result<Rename> parsed = ParseRename(call.http);
  return AnswerStaleVersion(
      TransactResult<HttpResponse>(call.store, [&](Tx& tx) -> Result<HttpResponse> {
        CV_ASSIGN_OR_RETURN(EnvironmentRow row, Load(tx, call, Action::kManageEnvironments));
        if (!parsed.ok()) return parsed.status();
        row.name = parsed->name;
        row.updated_at = call.now;
        CV_ASSIGN_OR_RETURN(row.version, tx.UpdateEnvironment(row, parsed->version));
        CV_RETURN_IF_ERROR(
            AuditMutation(tx, call, row.workspace_id, kObjectType, "update", row.id));
        return api::Ok(EnvironmentToJson(row));
      }));
}

Result<HttpResponse> Delete(const api::SessionCall& call) {
  return TransactResult<HttpResponse>(call.store, [&](Tx& tx) -> Result<HttpResponse> {
    CV_ASSIGN_OR_RETURN(EnvironmentRow row, Load(tx, call, Action::kManageEnvironments));
    CV_RETURN_IF_ERROR(tx.DeleteEnvironment(row.workspace_id, row.id));
    CV_RETURN_IF_ERROR(AuditMutation(tx, call, row.workspace_id, kObjectType, "delete", row.id));
    return api::NoContent();
  });
}

}  // namespace

json EnvironmentToJson(const EnvironmentRow& row) {
  return {{kId, row.id},           {kWorkspaceId, row.workspace_id}, {kName, row.name},
          {kVersion, row.version}, {kCreatedAt, row.created_at},     {kUpdatedAt, row.updated_at}};
}

Status RegisterEnvironmentRoutes(Router& router, const api::ApiContext& context) {
  constexpr std::string_view kCollection = "/api/v1/workspaces/{ws}/environments";
  const std::string one = std::string(kCollection) + "/{id}";
  CV_RETURN_IF_ERROR(router.Add("GET", kCollection, api::WithSession(context, List)));
  CV_RETURN_IF_ERROR(router.Add("POST", kCollection, api::WithSession(context, Create)));
  CV_RETURN_IF_ERROR(router.Add("GET", one, api::WithSession(context, Get)));
  CV_RETURN_IF_ERROR(router.Add("PATCH", one, api::WithSession(context, Update)));
  return router.Add("DELETE", one, api::WithSession(context, Delete));
}

}  // namespace credvault::server
