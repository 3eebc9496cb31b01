#include "handlers/workspaces.h"

#include <utility>

#include "api/audit_log.h"
#include "api/json_body.h"
#include "api/query.h"
#include "api/responses.h"
#include "credvault/crypto_json.h"
#include "credvault/workspace.h"
#include "handlers/members_grants.h"

namespace credvault::server {
namespace {

using nlohmann::json;

constexpr uint32_t kFirstGeneration = 1;

Status CheckName(const std::string& name) {
  Workspace workspace;
  workspace.name = name;
  return IssuesToStatus(CheckWorkspace(workspace));
}

Result<HttpResponse> ListWorkspaces(const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(const api::QueryParams params,
                      api::ParseQuery(call.http, {"cursor", "limit"}));
  CV_ASSIGN_OR_RETURN(const PageRequest page, api::ReadPage(params));
  CV_ASSIGN_OR_RETURN(const Page<Membership> found,
                      ReadResult<Page<Membership>>(call.store, [&](ReadTx& tx) {
                        return tx.ListWorkspacesOf(call.actor.account_id, page);
                      }));
  json items = json::array();
  for (const Membership& membership : found.items) items.push_back(WorkspaceJson(membership));
  return api::Ok(api::PageJson(std::move(items), found.next_cursor));
}

Result<HttpResponse> CreateWorkspace(const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http));
  CV_RETURN_IF_ERROR(api::CheckFields(body, {"id", "name", "grant"}));
  Membership created;
  WorkspaceRow& row = created.workspace;
  CV_RETURN_IF_ERROR(api::ReadObjectId(body, "id", &row.id));
  CV_RETURN_IF_ERROR(api::ReadString(body, "name", &row.name));
  CV_RETURN_IF_ERROR(CheckName(row.name));
  row.key_generation = kFirstGeneration;
  row.created_at = row.updated_at = call.now;
  row.created_by = call.actor.account_id;
  MemberRow& member = created.member;
  member.workspace_id = row.id;
  member.account_id = call.actor.account_id;
  member.role = Role::kOwner;
  member.added_at = call.now;

  const Status written = call.store.Transact([&](Tx& tx) -> Status {
    CV_ASSIGN_OR_RETURN(const AccountRow self, tx.GetAccount(call.actor.account_id));
    CV_ASSIGN_OR_RETURN(
        const KeyGrant grant,
        ReadGrant(body["grant"], "grant",
                  {row.id, call.actor.account_id, kFirstGeneration, Role::kOwner}, self.record));
    CV_RETURN_IF_ERROR(tx.InsertWorkspace(row));
    CV_RETURN_IF_ERROR(tx.InsertMember(member));
    CV_RETURN_IF_ERROR(tx.PutKeyGrant(grant));
    return api::RecordAudit(tx, row.id, call.actor.account_id, "workspace.create", "workspace",
                            row.id, call.now);
  });
  CV_RETURN_IF_ERROR(written);
  return api::Created({{"workspace", WorkspaceJson(created)}});
}

Result<HttpResponse> GetWorkspace(const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(const Membership membership,
                      ReadResult<Membership>(call.store, [&](ReadTx& tx) {
                        return auth::RequireMembership(tx, call.actor, call.Param("ws"));
                      }));
  return api::Ok({{"workspace", WorkspaceJson(membership)}});
}

Result<HttpResponse> PatchWorkspace(const api::SessionCall& call) {
  // Permission first: a non-member learns nothing from the body's errors.
  CV_RETURN_IF_ERROR(ReadResult<Membership>(call.store, [&](ReadTx& tx) {
                       return auth::RequireWorkspaceAction(tx, call.actor, call.Param("ws"),
                                                           Action::kEditWorkspace);
                     }).status());
  CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http));
  CV_RETURN_IF_ERROR(api::CheckFields(body, {"name", "version"}));
  std::string name;
  uint64_t version = 0;
  CV_RETURN_IF_ERROR(api::ReadString(body, "name", &name));
  CV_RETURN_IF_ERROR(CheckName(name));
  CV_RETURN_IF_ERROR(api::ReadUint(body, "version", &version));
  Membership updated;
  const Status written = call.store.Transact([&](Tx& tx) -> Status {
    CV_ASSIGN_OR_RETURN(updated, auth::RequireWorkspaceAction(tx, call.actor, call.Param("ws"),
                                                              Action::kEditWorkspace));
    updated.workspace.name = name;
    updated.workspace.updated_at = call.now;
    CV_ASSIGN_OR_RETURN(updated.workspace.version, tx.UpdateWorkspace(updated.workspace, version));
    return api::RecordAudit(tx, updated.workspace.id, call.actor.account_id, "workspace.update",
                            "workspace", updated.workspace.id, call.now);
  });
  if (!written.ok()) return api::FailureOf(written);
  return api::Ok({{"workspace", WorkspaceJson(updated)}});
}

Result<HttpResponse> DeleteWorkspace(const api::SessionCall& call) {
  if (!call.http.body.empty()) return Status(ErrorCode::kValidation, "no body expected");
  CV_RETURN_IF_ERROR(call.store.Transact([&](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(
        auth::RequireWorkspaceAction(tx, call.actor, call.Param("ws"), Action::kDeleteWorkspace)
            .status());
    // The workspace's audit trail goes with it; the request log keeps the deletion.
    return tx.DeleteWorkspace(call.Param("ws"));
  }));
  return api::NoContent();
}

Result<HttpResponse> ListMyKeys(const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(
      const std::vector<KeyGrant> grants,
      ReadResult<std::vector<KeyGrant>>(
          call.store, [&](ReadTx& tx) -> Result<std::vector<KeyGrant>> {
            CV_RETURN_IF_ERROR(auth::RequireMembership(tx, call.actor, call.Param("ws")).status());
            return tx.ListKeyGrants(call.Param("ws"), call.actor.account_id);
          }));
  json items = json::array();
  for (const KeyGrant& grant : grants) items.push_back(KeyGrantToJson(grant));
  return api::Ok({{"items", std::move(items)}});
}

}  // namespace

json WorkspaceJson(const Membership& membership) {
  const WorkspaceRow& w = membership.workspace;
  json permissions = json::array();
  for (const Action action : AllowedActions(membership.member.role)) {
    permissions.push_back(ActionName(action));
  }
  return {{"id", w.id},
          {"name", w.name},
          {"key_generation", w.key_generation},
          {"version", w.version},
          {"created_at", w.created_at},
          {"updated_at", w.updated_at},
          {"created_by", w.created_by},
          {"role", RoleName(membership.member.role)},
          {"permissions", std::move(permissions)}};
}

Status RegisterWorkspaceRoutes(Router& router, const api::ApiContext& context) {
  CV_RETURN_IF_ERROR(
      router.Add("GET", "/api/v1/workspaces", api::WithSession(context, ListWorkspaces)));
  CV_RETURN_IF_ERROR(
      router.Add("POST", "/api/v1/workspaces", api::WithSession(context, CreateWorkspace)));
  CV_RETURN_IF_ERROR(
      router.Add("GET", "/api/v1/workspaces/{ws}", api::WithSession(context, GetWorkspace)));
  CV_RETURN_IF_ERROR(
      router.Add("PATCH", "/api/v1/workspaces/{ws}", api::WithSession(context, PatchWorkspace)));
  CV_RETURN_IF_ERROR(
      router.Add("DELETE", "/api/v1/workspaces/{ws}", api::WithSession(context, DeleteWorkspace)));
  CV_RETURN_IF_ERROR(
      router.Add("GET", "/api/v1/workspaces/{ws}/keys", api::WithSession(context, ListMyKeys)));
  return Status::Ok();
}

}  // namespace credvault::server
