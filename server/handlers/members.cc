#include "handlers/members.h"

#include <utility>

#include "api/audit_log.h"
#include "api/json_body.h"
#include "api/query.h"
#include "api/responses.h"
#include "credvault/workspace.h"
#include "handlers/members_grants.h"
#include "handlers/members_rotation.h"

namespace credvault::server {
namespace {

using nlohmann::json;

// A rotation carries one envelope per credential and connection of the workspace.
constexpr size_t kRotationBodyBytes = 1 << 20;

json MemberJson(const MemberRow& member) {
  return {{"account_id", member.account_id},
          {"role", RoleName(member.role)},
          {"version", member.version},
          {"added_at", member.added_at}};
}

json MemberDetailJson(const MemberDetail& detail) {
  json j = MemberJson(detail.member);
  j["email"] = detail.email;
  j["box_public_key"] = Base64UrlEncode(detail.box_public_key);
  j["sign_public_key"] = Base64UrlEncode(detail.sign_public_key);
  return j;
}

// The core's view of the workspace, for its member rules.
Result<Workspace> CoreWorkspace(ReadTx& tx, const WorkspaceRow& row) {
  CV_ASSIGN_OR_RETURN(const std::vector<MemberRow> members, tx.ListAllMembers(row.id));
  Workspace workspace;
  workspace.id = row.id;
  workspace.name = row.name;
  workspace.key_generation = row.key_generation;
  workspace.version = row.version;
  for (const MemberRow& member : members) {
    workspace.members.push_back({member.account_id, member.role, member.added_at});
  }
  return workspace;
}

Result<HttpResponse> ListMembers(const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(const api::QueryParams params,
                      api::ParseQuery(call.http, {"cursor", "limit"}));
  CV_ASSIGN_OR_RETURN(const PageRequest page, api::ReadPage(params));
  CV_ASSIGN_OR_RETURN(
      const Page<MemberDetail> found,
      ReadResult<Page<MemberDetail>>(call.store, [&](ReadTx& tx) -> Result<Page<MemberDetail>> {
        CV_RETURN_IF_ERROR(auth::RequireMembership(tx, call.actor, call.Param("ws")).status());
        return tx.ListMembers(call.Param("ws"), page);
      }));
  json items = json::array();
  for (const MemberDetail& detail : found.items) items.push_back(MemberDetailJson(detail));
  return api::Ok(api::PageJson(std::move(items), found.next_cursor));
}

Result<HttpResponse> AddMember(const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http));
  CV_RETURN_IF_ERROR(api::CheckFields(body, {"account_id", "role", "grant"}));
  MemberRow member;
  CV_RETURN_IF_ERROR(api::ReadObjectId(body, "account_id", &member.account_id));
  CV_RETURN_IF_ERROR(api::ReadRole(body, "role", &member.role));
  member.added_at = call.now;
  const Status written = call.store.Transact([&](Tx& tx) -> Status {
    CV_ASSIGN_OR_RETURN(
        const Membership actor,
        auth::RequireWorkspaceAction(tx, call.actor, call.Param("ws"), Action::kManageMembers));
    member.workspace_id = actor.workspace.id;
    CV_ASSIGN_OR_RETURN(const Workspace workspace, CoreWorkspace(tx, actor.workspace));
    CV_RETURN_IF_ERROR(
        CheckAddMember(workspace, call.actor.account_id, member.account_id, member.role));
    Result<AccountRow> invited = tx.GetAccount(member.account_id);
    if (!invited.ok()) {
      return invited.code() == ErrorCode::kNotFound
                 ? Status(ErrorCode::kNotFound, "no such account")
                 : invited.status();
    }
    CV_ASSIGN_OR_RETURN(const AccountRow granter, tx.GetAccount(call.actor.account_id));
    CV_ASSIGN_OR_RETURN(const KeyGrant grant, ReadGrant(body["grant"], "grant",
                                                        {workspace.id, member.account_id,
                                                         workspace.key_generation, member.role},
                                                        granter.record));
    CV_RETURN_IF_ERROR(tx.InsertMember(member));
    CV_RETURN_IF_ERROR(tx.PutKeyGrant(grant));
    return api::RecordAudit(tx, workspace.id, call.actor.account_id, "member.add", "member",
                            member.account_id, call.now);
  });
  CV_RETURN_IF_ERROR(written);
  return api::Created({{"member", MemberJson(member)}});
}

Result<HttpResponse> ChangeRole(const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http));
  CV_RETURN_IF_ERROR(api::CheckFields(body, {"role", "version"}, {"grant"}));
  Role role = Role::kViewer;
  uint64_t version = 0;
  CV_RETURN_IF_ERROR(api::ReadRole(body, "role", &role));
  CV_RETURN_IF_ERROR(api::ReadUint(body, "version", &version));
  const std::string target_id(call.Param("account_id"));
  MemberRow updated;
  const Status written = call.store.Transact([&](Tx& tx) -> Status {
    CV_ASSIGN_OR_RETURN(const Membership actor,
                        auth::RequireMembership(tx, call.actor, call.Param("ws")));
    CV_RETURN_IF_ERROR(api::CheckPathId(target_id, "member"));
    CV_ASSIGN_OR_RETURN(const Workspace workspace, CoreWorkspace(tx, actor.workspace));
    CV_RETURN_IF_ERROR(CheckRoleChange(workspace, call.actor.account_id, target_id, role));
    CV_ASSIGN_OR_RETURN(updated, tx.GetMember(workspace.id, target_id));
    const bool keys_change = ReceivesSecretsKey(updated.role) != ReceivesSecretsKey(role);
    if (keys_change && !body.contains("grant")) {
      return Status(ErrorCode::kValidation,
                    "grant: required, the new role receives different workspace keys");
    }
    if (body.contains("grant")) {
      CV_ASSIGN_OR_RETURN(const AccountRow granter, tx.GetAccount(call.actor.account_id));
      CV_ASSIGN_OR_RETURN(
          const KeyGrant grant,
          ReadGrant(body["grant"], "grant",
                    {workspace.id, target_id, workspace.key_generation, role}, granter.record));
      CV_RETURN_IF_ERROR(tx.PutKeyGrant(grant));
    }
    updated.role = role;
    CV_ASSIGN_OR_RETURN(updated.version, tx.UpdateMember(updated, version));
    return api::RecordAudit(tx, workspace.id, call.actor.account_id, "member.change_role", "member",
                            target_id, call.now);
  });
  if (!written.ok()) return api::FailureOf(written);
  return api::Ok({{"member", MemberJson(updated)}});
}

Result<HttpResponse> RemoveMember(const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http, kRotationBodyBytes));
  CV_ASSIGN_OR_RETURN(const RotationBody rotation, ReadRotationBody(body));
  const std::string target_id(call.Param("account_id"));
  RotationPlan plan;
  const Status written = call.store.Transact([&](Tx& tx) -> Status {
    CV_ASSIGN_OR_RETURN(const Membership actor,
                        auth::RequireMembership(tx, call.actor, call.Param("ws")));
    CV_RETURN_IF_ERROR(api::CheckPathId(target_id, "member"));
    CV_ASSIGN_OR_RETURN(const Workspace workspace, CoreWorkspace(tx, actor.workspace));
    CV_RETURN_IF_ERROR(CheckRemoveMember(workspace, call.actor.account_id, target_id));

    RotationState state;
    state.workspace = actor.workspace;
    CV_ASSIGN_OR_RETURN(std::vector<MemberRow> members, tx.ListAllMembers(workspace.id));
    for (MemberRow& member : members) {
      if (member.account_id == target_id) {
        state.removed = std::move(member);
      } else {
        state.remaining.push_back(std::move(member));
      }
    }
    CV_ASSIGN_OR_RETURN(state.granted_runners, GrantedRunners(tx, workspace.id));
    CV_ASSIGN_OR_RETURN(state.credential_grants, tx.ListCredentialGrantsIn(workspace.id));
    CV_ASSIGN_OR_RETURN(state.connections, tx.ListAllConnections(workspace.id));
    CV_ASSIGN_OR_RETURN(const AccountRow granter, tx.GetAccount(call.actor.account_id));
    CV_ASSIGN_OR_RETURN(plan, PlanRotation(rotation, state, granter.record, call.now));

    CV_RETURN_IF_ERROR(tx.DeleteMember(workspace.id, target_id));
    CV_RETURN_IF_ERROR(ApplyRotation(tx, state.workspace, plan, call.now));
    CV_RETURN_IF_ERROR(api::RecordAudit(tx, workspace.id, call.actor.account_id, "member.remove",
                                        "member", target_id, call.now));
    return api::RecordAudit(tx, workspace.id, call.actor.account_id, "workspace.rotate_keys",
                            "workspace", workspace.id, call.now);
  });
  if (!written.ok()) return api::FailureOf(written);
  return api::Ok({{"removed_account_id", target_id},
                  {"key_generation", plan.new_generation},
                  {"grants", plan.grants.size()},
                  {"credential_keys", plan.credential_grants.size()},
                  {"connections", plan.connections.size()},
                  {"rotate_recommended", plan.rotate_recommended}});
}

}  // namespace

Status RegisterMemberRoutes(Router& router, const api::ApiContext& context) {
  constexpr std::string_view kMembers = "/api/v1/workspaces/{ws}/members";
  constexpr std::string_view kMember = "/api/v1/workspaces/{ws}/members/{account_id}";
  CV_RETURN_IF_ERROR(router.Add("GET", kMembers, api::WithSession(context, ListMembers)));
  CV_RETURN_IF_ERROR(router.Add("POST", kMembers, api::WithSession(context, AddMember)));
  CV_RETURN_IF_ERROR(router.Add("PATCH", kMember, api::WithSession(context, ChangeRole)));
  CV_RETURN_IF_ERROR(router.Add("DELETE", kMember, api::WithSession(context, RemoveMember)));
  return Status::Ok();
}

}  // namespace credvault::server
