#include "handlers/runner_grants.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/audit_log.h"
#include "api/json_body.h"
#include "api/responses.h"
#include "auth/request_auth.h"
#include "handlers/members_grants.h"
#include "handlers/members_rotation.h"

namespace credvault::server {
namespace {

using nlohmann::json;

constexpr std::string_view kWorkspaceParam = "ws";
constexpr std::string_view kIdParam = "id";
constexpr const char* kGrantField = "grant";
// A rotation carries one envelope per credential and connection of the workspace.
constexpr size_t kRotationBodyBytes = 1 << 20;

Result<HttpResponse> Grant(const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http));
  const std::string runner_id(call.Param(kIdParam));
  KeyGrant stored;
  const Status written = call.store.Transact([&](Tx& tx) -> Status {
    CV_ASSIGN_OR_RETURN(const Membership actor,
                        auth::RequireWorkspaceAction(tx, call.actor, call.Param(kWorkspaceParam),
                                                     Action::kManageRunners));
    CV_RETURN_IF_ERROR(api::CheckPathId(runner_id, "runner"));
    CV_RETURN_IF_ERROR(tx.GetRunner(actor.workspace.id, runner_id).status());
    CV_RETURN_IF_ERROR(api::CheckFields(body, {kGrantField}));
    CV_ASSIGN_OR_RETURN(const AccountRow granter, tx.GetAccount(call.actor.account_id));
    CV_ASSIGN_OR_RETURN(stored, ReadGrant(body[kGrantField], kGrantField,
                                          {actor.workspace.id, runner_id,
                                           actor.workspace.key_generation, kRunnerRole},
                                          granter.record));
    CV_RETURN_IF_ERROR(tx.PutKeyGrant(stored));
    return api::RecordAudit(tx, actor.workspace.id, call.actor.account_id, "runner.grant", "runner",
                            runner_id, call.now);
  });
  if (!written.ok()) return api::FailureOf(written);
  return api::Created({{"runner_id", runner_id}, {"generation", stored.generation}});
}

// Revokes the runner's grant with the rotation in `body`, and removes the runner too when
// `remove` is set. `audit_action` names what happened to the runner.
Result<HttpResponse> RevokeWithRotation(const api::SessionCall& call, const json& body,
                                        bool remove) {
  CV_ASSIGN_OR_RETURN(const RotationBody rotation, ReadRotationBody(body));
  const std::string runner_id(call.Param(kIdParam));
  RotationPlan plan;
  const Status written = call.store.Transact([&](Tx& tx) -> Status {
    CV_ASSIGN_OR_RETURN(const Membership actor,
                        auth::RequireWorkspaceAction(tx, call.actor, call.Param(kWorkspaceParam),
                                                     Action::kManageRunners));
    const std::string& workspace_id = actor.workspace.id;
    CV_RETURN_IF_ERROR(api::CheckPathId(runner_id, "runner"));
    CV_RETURN_IF_ERROR(tx.GetRunner(workspace_id, runner_id).status());
    CV_ASSIGN_OR_RETURN(const std::vector<KeyGrant> held,
                        tx.ListKeyGrants(workspace_id, runner_id));
    if (held.empty()) return Status(ErrorCode::kNotFound, "the runner holds no key grant");

    RotationState state;
    state.workspace = actor.workspace;
    state.removed = MemberRow{workspace_id, runner_id, kRunnerRole, 1, 0};
    CV_ASSIGN_OR_RETURN(state.remaining, tx.ListAllMembers(workspace_id));
    CV_ASSIGN_OR_RETURN(std::vector<std::string> runners, GrantedRunners(tx, workspace_id));
    for (std::string& id : runners) {
      if (id != runner_id) state.granted_runners.push_back(std::move(id));
    }
    CV_ASSIGN_OR_RETURN(state.credential_grants, tx.ListCredentialGrantsIn(workspace_id));
    CV_ASSIGN_OR_RETURN(state.connections, tx.ListAllConnections(workspace_id));
    CV_ASSIGN_OR_RETURN(const AccountRow granter, tx.GetAccount(call.actor.account_id));
    CV_ASSIGN_OR_RETURN(plan, PlanRotation(rotation, state, granter.record, call.now));

    CV_RETURN_IF_ERROR(tx.DeleteKeyGrants(workspace_id, runner_id).status());
    if (remove) CV_RETURN_IF_ERROR(tx.DeleteRunner(workspace_id, runner_id));
    CV_RETURN_IF_ERROR(ApplyRotation(tx, state.workspace, plan, call.now));
    CV_RETURN_IF_ERROR(api::RecordAudit(tx, workspace_id, call.actor.account_id,
                                        remove ? "runner.remove" : "runner.revoke", "runner",
                                        runner_id, call.now));
    return api::RecordAudit(tx, workspace_id, call.actor.account_id, "workspace.rotate_keys",
                            "workspace", workspace_id, call.now);
  });
  if (!written.ok()) return api::FailureOf(written);
  return api::Ok({{"runner_id", runner_id},
                  {"removed", remove},
                  {"key_generation", plan.new_generation},
                  {"grants", plan.grants.size()},
                  {"credential_keys", plan.credential_grants.size()},
                  {"connections", plan.connections.size()},
                  {"rotate_recommended", plan.rotate_recommended}});
}

Result<HttpResponse> Revoke(const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http, kRotationBodyBytes));
  return RevokeWithRotation(call, body, false);
}

}  // namespace

Result<HttpResponse> RemoveRunner(const api::SessionCall& call) {
  const std::string workspace_id(call.Param(kWorkspaceParam));
  const std::string runner_id(call.Param(kIdParam));
  // Whether the runner holds a grant decides whether a rotation is needed; the rights are
  // checked first (a viewer learns 403, not what the runner holds).
  Result<bool> granted = ReadResult<bool>(call.store, [&](ReadTx& tx) -> Result<bool> {
    CV_RETURN_IF_ERROR(
        auth::RequireWorkspaceAction(tx, call.actor, workspace_id, Action::kManageRunners)
            .status());
    CV_RETURN_IF_ERROR(api::CheckPathId(runner_id, "runner"));
    CV_RETURN_IF_ERROR(tx.GetRunner(workspace_id, runner_id).status());
    CV_ASSIGN_OR_RETURN(std::vector<KeyGrant> grants, tx.ListKeyGrants(workspace_id, runner_id));
    return !grants.empty();
  });
  CV_RETURN_IF_ERROR(granted.status());
  if (*granted) {
    if (call.http.body.empty()) {
      return Status(ErrorCode::kValidation,
                    "the runner holds the workspace keys: removing it needs the key rotation "
                    "body (new_generation, grants, credential_keys, connections)");
    }
    CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http, kRotationBodyBytes));
    return RevokeWithRotation(call, body, true);
  }
  const Status written = call.store.Transact([&](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(
        auth::RequireWorkspaceAction(tx, call.actor, workspace_id, Action::kManageRunners)
            .status());
    // A grant that arrived meanwhile is not removed without its rotation.
    CV_ASSIGN_OR_RETURN(std::vector<KeyGrant> grants, tx.ListKeyGrants(workspace_id, runner_id));
    if (!grants.empty()) {
      return Status(ErrorCode::kConflict, "the runner was granted the workspace keys meanwhile");
    }
    CV_RETURN_IF_ERROR(tx.DeleteRunner(workspace_id, runner_id));
    return api::RecordAudit(tx, workspace_id, call.actor.account_id, "runner.remove", "runner",
                            runner_id, call.now);
  });
  if (!written.ok()) return api::FailureOf(written);
  return api::NoContent();
}

Status RegisterRunnerGrantRoutes(Router& router, const api::ApiContext& context) {
  constexpr std::string_view kGrant = "/api/v1/workspaces/{ws}/runners/{id}/grant";
  CV_RETURN_IF_ERROR(router.Add("POST", kGrant, api::WithSession(context, Grant)));
  return router.Add("DELETE", kGrant, api::WithSession(context, Revoke));
}

}  // namespace credvault::server
