#include "handlers/credentials.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/json_body.h"
#include "api/query.h"
#include "api/responses.h"
#include "auth/request_auth.h"
#include "handlers/connections_rules.h"
#include "handlers/credentials_rules.h"
#include "handlers/credentials_support.h"
#include "store/store.h"

namespace credvault::server {
namespace {

using nlohmann::json;

constexpr std::string_view kObjectType = "credential";
constexpr std::string_view kWorkspaceParam = "ws";
constexpr std::string_view kIdParam = "id";
constexpr std::string_view kGrantParam = "grant_ws";
// The one flag of the body whose absence means "keep what is stored".
constexpr const char* kRotateFlag = "rotate_recommended";

struct Target {
  std::string workspace_id;
  std::string credential_id;
};

Target TargetOf(const api::SessionCall& call) {
  return {std::string(call.Param(kWorkspaceParam)), std::string(call.Param(kIdParam))};
}

// The credential as `workspace_id` sees it, after the membership check for `action`.
Result<SealedCredential> LoadVisible(ReadTx& tx, const api::SessionCall& call, const Target& target,
                                     Action action, Membership* member) {
  CV_ASSIGN_OR_RETURN(*member,
                      auth::RequireWorkspaceAction(tx, call.actor, target.workspace_id, action));
  CV_RETURN_IF_ERROR(api::CheckPathId(target.credential_id, "credential"));
  return tx.GetCredential(target.workspace_id, target.credential_id);
}

Result<SealedCredential> ParseBody(const HttpRequest& request) {
  CV_ASSIGN_OR_RETURN(json body, api::ParseJsonBody(request, kMaxCredentialBodyBytes));
  return ParseCredentialBody(body);
}

Result<HttpResponse> List(const api::SessionCall& call) {
  const std::string workspace_id(call.Param(kWorkspaceParam));
  return ReadResult<HttpResponse>(call.store, [&](ReadTx& tx) -> Result<HttpResponse> {
    CV_RETURN_IF_ERROR(
        auth::RequireWorkspaceAction(tx, call.actor, workspace_id, Action::kReadCredentials)
            .status());
    CV_ASSIGN_OR_RETURN(api::QueryParams params,
                        api::ParseQuery(call.http, {"cursor", "limit", "kind"}));
    CV_ASSIGN_OR_RETURN(PageRequest page, api::ReadPage(params));
    CredentialFilter filter;
    CV_ASSIGN_OR_RETURN(filter.kind, ParseKindFilter(QueryValue(params, "kind")));
    CV_ASSIGN_OR_RETURN(Page<SealedCredential> found,
                        tx.ListCredentials(workspace_id, filter, page));
    json items = json::array();
    for (const SealedCredential& credential : found.items) {
      items.push_back(CredentialJsonFor(credential, workspace_id));
    }
    return api::Ok(api::PageJson(std::move(items), found.next_cursor));
  });
}

Result<HttpResponse> Create(const api::SessionCall& call) {
  const std::string workspace_id(call.Param(kWorkspaceParam));
  const Result<SealedCredential> parsed = ParseBody(call.http);
  return TransactResult<HttpResponse>(call.store, [&](Tx& tx) -> Result<HttpResponse> {
    CV_ASSIGN_OR_RETURN(
        Membership member,
        auth::RequireWorkspaceAction(tx, call.actor, workspace_id, Action::kCreateCredential));
    if (!parsed.ok()) return parsed.status();
    CV_ASSIGN_OR_RETURN(SealedCredential row,
                        CheckNewCredential(*parsed, workspace_id, call.actor.account_id,
                                           member.workspace.key_generation, call.now));
    CV_RETURN_IF_ERROR(tx.InsertCredential(row));
    CV_RETURN_IF_ERROR(AuditMutation(tx, call, workspace_id, kObjectType, "create", row.id));
    return api::Created(CredentialJsonFor(row, workspace_id));
  });
}

Result<HttpResponse> Get(const api::SessionCall& call) {
  const Target target = TargetOf(call);
  return ReadResult<HttpResponse>(call.store, [&](ReadTx& tx) -> Result<HttpResponse> {
    Membership member;
    CV_ASSIGN_OR_RETURN(SealedCredential credential,
                        LoadVisible(tx, call, target, Action::kReadCredentials, &member));
    return api::Ok(CredentialJsonFor(credential, target.workspace_id));
  });
}

Result<HttpResponse> Update(const api::SessionCall& call) {
  const Target target = TargetOf(call);
  Result<json> body = api::ParseJsonBody(call.http, kMaxCredentialBodyBytes);
  const bool has_rotate_flag = body.ok() && body->contains(kRotateFlag);
  const Result<SealedCredential> parsed =
      body.ok() ? ParseCredentialBody(*body) : Result<SealedCredential>(body.status());
  return AnswerStaleVersion(
      TransactResult<HttpResponse>(call.store, [&](Tx& tx) -> Result<HttpResponse> {
        Membership member;
        CV_ASSIGN_OR_RETURN(SealedCredential current,
                            LoadVisible(tx, call, target, Action::kEditCredential, &member));
        CV_RETURN_IF_ERROR(CheckManagedHere(current, target.workspace_id));
        if (!parsed.ok()) return parsed.status();
        // The version first: a stale client learns the current version before anything else.
        if (parsed->version != current.version + 1) {
          return StaleVersion(kObjectType, current.version);
        }
        const GenerationOf generation_of =
            [&tx](std::string_view workspace_id) -> std::optional<uint32_t> {
          Result<WorkspaceRow> workspace = tx.GetWorkspace(workspace_id);
          if (!workspace.ok()) return std::nullopt;
          return workspace->key_generation;
        };
        CV_ASSIGN_OR_RETURN(
            SealedCredential row,
            CheckCredentialUpdate(*parsed, current, generation_of, has_rotate_flag, call.now));
        CV_RETURN_IF_ERROR(tx.UpdateCredential(row, current.version).status());
        CV_RETURN_IF_ERROR(
            AuditMutation(tx, call, target.workspace_id, kObjectType, "update", row.id));
        return api::Ok(CredentialJsonFor(row, target.workspace_id));
      }));
}

// Connections (not deleted) that name the credential, in `only_workspace` when given; the
// caller sees those of workspaces it belongs to.
Result<CredentialBlockers> Blockers(ReadTx& tx, const api::SessionCall& call,
                                    std::string_view credential_id,
                                    std::optional<std::string_view> only_workspace) {
  CV_ASSIGN_OR_RETURN(std::vector<SealedConnection> connections,
                      tx.ListConnectionsUsingCredential(credential_id));
  if (only_workspace) {
    std::erase_if(connections,
                  [&](const SealedConnection& c) { return c.workspace_id != *only_workspace; });
  }
  return FindBlockers(credential_id, connections, [&](std::string_view workspace_id) {
    return tx.GetMember(workspace_id, call.actor.account_id).ok();
  });
}

// Runs `fn` in a transaction; a refusal because of connections becomes the 409 that lists
// them.
Result<HttpResponse> TransactUnlessInUse(
    const api::SessionCall& call,
    const std::function<Result<HttpResponse>(Tx&, CredentialBlockers*)>& fn) {
  CredentialBlockers blockers;
  Result<HttpResponse> result = TransactResult<HttpResponse>(
      call.store, [&](Tx& tx) -> Result<HttpResponse> { return fn(tx, &blockers); });
  if (!result.ok() && !blockers.empty()) return InUseResponse(result.status(), blockers);
  return result;
}

Result<HttpResponse> Delete(const api::SessionCall& call) {
  const Target target = TargetOf(call);
  return TransactUnlessInUse(
      call, [&](Tx& tx, CredentialBlockers* blockers) -> Result<HttpResponse> {
        Membership member;
        CV_ASSIGN_OR_RETURN(SealedCredential current,
                            LoadVisible(tx, call, target, Action::kDeleteCredential, &member));
        CV_RETURN_IF_ERROR(CheckManagedHere(current, target.workspace_id));
        CV_ASSIGN_OR_RETURN(*blockers, Blockers(tx, call, current.id, std::nullopt));
        CV_RETURN_IF_ERROR(BlockersStatus(*blockers));
        CV_RETURN_IF_ERROR(tx.DeleteCredential(current.id));
        // Every workspace it was shared with loses it: each audit log says so.
        for (const CredentialGrant& grant : current.grants) {
          CV_RETURN_IF_ERROR(
              AuditMutation(tx, call, grant.workspace_id, kObjectType, "delete", current.id));
        }
        return api::NoContent();
      });
}

Result<HttpResponse> Share(const api::SessionCall& call) {
  const Target target = TargetOf(call);
  Result<CredentialGrant> parsed = [&]() -> Result<CredentialGrant> {
    CV_ASSIGN_OR_RETURN(json body, api::ParseJsonBody(call.http));
    return ParseGrantBody(body);
  }();
  return TransactResult<HttpResponse>(call.store, [&](Tx& tx) -> Result<HttpResponse> {
    Membership member;
    CV_ASSIGN_OR_RETURN(SealedCredential credential,
                        LoadVisible(tx, call, target, Action::kShareCredential, &member));
    CV_RETURN_IF_ERROR(CheckManagedHere(credential, target.workspace_id));
    if (!parsed.ok()) return parsed.status();
    // The caller must be able to create credentials where it shares one to.
    CV_ASSIGN_OR_RETURN(Membership there,
                        auth::RequireWorkspaceAction(tx, call.actor, parsed->workspace_id,
                                                     Action::kCreateCredential));
    CV_RETURN_IF_ERROR(CheckNewGrant(credential, *parsed, there.workspace.key_generation));
    CV_RETURN_IF_ERROR(tx.PutCredentialGrant(credential.id, *parsed));
    CV_RETURN_IF_ERROR(
        AuditMutation(tx, call, target.workspace_id, kObjectType, "share", credential.id));
    CV_RETURN_IF_ERROR(
        AuditMutation(tx, call, parsed->workspace_id, kObjectType, "share", credential.id));
    credential.grants.push_back(*parsed);
    return api::Created(CredentialJsonFor(credential, target.workspace_id));
  });
}

Result<HttpResponse> Revoke(const api::SessionCall& call) {
  const Target target = TargetOf(call);
  const std::string grant_workspace(call.Param(kGrantParam));
  return TransactUnlessInUse(
      call, [&](Tx& tx, CredentialBlockers* blockers) -> Result<HttpResponse> {
        Membership member;
        CV_ASSIGN_OR_RETURN(SealedCredential credential,
                            LoadVisible(tx, call, target, Action::kShareCredential, &member));
        CV_RETURN_IF_ERROR(api::CheckPathId(grant_workspace, "grant"));
        CV_RETURN_IF_ERROR(CheckRevokeGrant(credential, target.workspace_id, grant_workspace));
        CV_ASSIGN_OR_RETURN(*blockers, Blockers(tx, call, credential.id, grant_workspace));
        CV_RETURN_IF_ERROR(BlockersStatus(*blockers));
        CV_RETURN_IF_ERROR(tx.DeleteCredentialGrant(credential.id, grant_workspace));
        CV_RETURN_IF_ERROR(
            AuditMutation(tx, call, target.workspace_id, kObjectType, "revoke", credential.id));
        if (grant_workspace != target.workspace_id) {
          CV_RETURN_IF_ERROR(
              AuditMutation(tx, call, grant_workspace, kObjectType, "revoke", credential.id));
        }
        return api::NoContent();
      });
}

}  // namespace

Status RegisterCredentialRoutes(Router& router, const api::ApiContext& context) {
  constexpr std::string_view kCollection = "/api/v1/workspaces/{ws}/credentials";
  const std::string one = std::string(kCollection) + "/{id}";
  const std::string grants = one + "/grants";
  CV_RETURN_IF_ERROR(router.Add("GET", kCollection, api::WithSession(context, List)));
  CV_RETURN_IF_ERROR(router.Add("POST", kCollection, api::WithSession(context, Create)));
  CV_RETURN_IF_ERROR(router.Add("GET", one, api::WithSession(context, Get)));
  CV_RETURN_IF_ERROR(router.Add("PUT", one, api::WithSession(context, Update)));
  CV_RETURN_IF_ERROR(router.Add("DELETE", one, api::WithSession(context, Delete)));
  CV_RETURN_IF_ERROR(router.Add("POST", grants, api::WithSession(context, Share)));
  return router.Add("DELETE", grants + "/{grant_ws}", api::WithSession(context, Revoke));
}

}  // namespace credvault::server
