#include "handlers/connections.h"

#include <string>
#include <utility>

#include "api/json_body.h"
#include "api/query.h"
#include "api/responses.h"
#include "auth/request_auth.h"
#include "credvault/model_json.h"
#include "handlers/connections_rules.h"
#include "handlers/credentials_support.h"
#include "store/store.h"

namespace credvault::server {
namespace {

using nlohmann::json;

constexpr std::string_view kObjectType = "connection";
constexpr std::string_view kWorkspaceParam = "ws";
constexpr std::string_view kIdParam = "id";
constexpr const char* kCredentialField = "credential_id";

struct Target {
  std::string workspace_id;
  std::string connection_id;
};

Target TargetOf(const api::SessionCall& call) {
  return {std::string(call.Param(kWorkspaceParam)), std::string(call.Param(kIdParam))};
}

Result<SealedConnection> Load(ReadTx& tx, const api::SessionCall& call, const Target& target,
                              Action action, Membership* member) {
  CV_ASSIGN_OR_RETURN(*member,
                      auth::RequireWorkspaceAction(tx, call.actor, target.workspace_id, action));
  CV_RETURN_IF_ERROR(api::CheckPathId(target.connection_id, "connection"));
  return tx.GetConnection(target.workspace_id, target.connection_id);
}

Result<SealedConnection> ParseBody(const HttpRequest& request) {
  CV_ASSIGN_OR_RETURN(json body, api::ParseJsonBody(request, kMaxConnectionBodyBytes));
  return ParseConnectionBody(body);
}

// What a connection refers to must be there: its credential, visible in the workspace and
// fit for its kind, and its environments.
Status CheckReferences(ReadTx& tx, const SealedConnection& connection) {
  if (!connection.credential_id.empty()) {
    Result<SealedCredential> credential =
        tx.GetCredential(connection.workspace_id, connection.credential_id);
    if (credential.code() == ErrorCode::kNotFound) {
      return Status(ErrorCode::kValidation,
                    std::string(kCredentialField) +
                        ": no credential with this id is shared with this workspace");
    }
    CV_RETURN_IF_ERROR(credential.status());
    CV_RETURN_IF_ERROR(CheckCredentialFits(connection.kind, credential->kind, credential->method));
  }
  for (size_t i = 0; i < connection.environment_ids.size(); ++i) {
    Result<EnvironmentRow> environment =
        tx.GetEnvironment(connection.workspace_id, connection.environment_ids[i]);
    if (environment.code() == ErrorCode::kNotFound) {
      return Status(ErrorCode::kValidation, "environment_ids[" + std::to_string(i) +
                                                "]: no such environment in this workspace");
    }
    CV_RETURN_IF_ERROR(environment.status());
  }
  return Status::Ok();
}

Result<HttpResponse> List(const api::SessionCall& call) {
  const std::string workspace_id(call.Param(kWorkspaceParam));
  return ReadResult<HttpResponse>(call.store, [&](ReadTx& tx) -> Result<HttpResponse> {
    CV_RETURN_IF_ERROR(
        auth::RequireWorkspaceAction(tx, call.actor, workspace_id, Action::kReadConnections)
            .status());
    CV_ASSIGN_OR_RETURN(
        api::QueryParams params,
        api::ParseQuery(call.http, {"cursor", "limit", "kind", "state", "environment"}));
    CV_ASSIGN_OR_RETURN(PageRequest page, api::ReadPage(params));
    ConnectionFilter filter;
    CV_ASSIGN_OR_RETURN(filter.kind, ParseKindFilter(QueryValue(params, "kind")));
    CV_ASSIGN_OR_RETURN(filter.state, ParseStateFilter(QueryValue(params, "state")));
    if (const std::string_view environment = QueryValue(params, "environment");
        !environment.empty()) {
      if (!IsObjectId(environment)) {
        return Status(ErrorCode::kValidation, "environment: not an object id");
      }
      filter.environment_id = std::string(environment);
    }
    CV_ASSIGN_OR_RETURN(ConnectionPage found, tx.ListConnections(workspace_id, filter, page));
    json items = json::array();
    for (const SealedConnection& connection : found.items) {
      items.push_back(SealedConnectionToJson(connection));
    }
    json body = api::PageJson(std::move(items), found.next_cursor);
    body["counts"] = CountsJson(found.counts);
    return api::Ok(body);
  });
}

Result<HttpResponse> Create(const api::SessionCall& call) {
  const std::string workspace_id(call.Param(kWorkspaceParam));
  const Result<SealedConnection> parsed = ParseBody(call.http);
  return TransactResult<HttpResponse>(call.store, [&](Tx& tx) -> Result<HttpResponse> {
    CV_ASSIGN_OR_RETURN(
        Membership member,
        auth::RequireWorkspaceAction(tx, call.actor, workspace_id, Action::kCreateConnection));
    if (!parsed.ok()) return parsed.status();
    CV_ASSIGN_OR_RETURN(SealedConnection row,
                        CheckNewConnection(*parsed, workspace_id, member.member.role, call.now));
    CV_RETURN_IF_ERROR(CheckReferences(tx, row));
    CV_RETURN_IF_ERROR(tx.InsertConnection(row));
    CV_RETURN_IF_ERROR(AuditMutation(tx, call, workspace_id, kObjectType, "create", row.id));
    return api::Created(SealedConnectionToJson(row));
  });
}

Result<HttpResponse> Get(const api::SessionCall& call) {
  const Target target = TargetOf(call);
  return ReadResult<HttpResponse>(call.store, [&](ReadTx& tx) -> Result<HttpResponse> {
    Membership member;
    CV_ASSIGN_OR_RETURN(SealedConnection connection,
                        Load(tx, call, target, Action::kReadConnections, &member));
    return api::Ok(SealedConnectionToJson(connection));
  });
}

Result<HttpResponse> Update(const api::SessionCall& call) {
  const Target target = TargetOf(call);
  const Result<SealedConnection> parsed = ParseBody(call.http);
  return AnswerStaleVersion(
      TransactResult<HttpResponse>(call.store, [&](Tx& tx) -> Result<HttpResponse> {
        Membership member;
        CV_ASSIGN_OR_RETURN(SealedConnection current,
                            Load(tx, call, target, Action::kEditConnection, &member));
        if (!parsed.ok()) return parsed.status();
        if (parsed->version != current.version + 1) {
          return StaleVersion(kObjectType, current.version);
        }
        CV_ASSIGN_OR_RETURN(SealedConnection row,
                            CheckConnectionUpdate(*parsed, current, call.now));
        CV_RETURN_IF_ERROR(CheckReferences(tx, row));
        CV_RETURN_IF_ERROR(tx.UpdateConnection(row, current.version).status());
        CV_RETURN_IF_ERROR(
            AuditMutation(tx, call, target.workspace_id, kObjectType, "update", row.id));
        return api::Ok(SealedConnectionToJson(row));
      }));
}

// Moves `current` as `request` asks, with the caller's role, and answers the stored result.
Result<HttpResponse> Move(Tx& tx, const api::SessionCall& call, const Target& target,
                          const SealedConnection& current, const TransitionRequest& request,
                          Role role) {
  CV_ASSIGN_OR_RETURN(TransitionOutcome outcome, DecideTransition(current, request, role));
  CV_RETURN_IF_ERROR(tx.SetConnectionState(target.workspace_id, current.id, current.version,
                                           current.state, outcome.state, outcome.last_test,
                                           call.now));
  const std::string verb = outcome.state == ConnectionState::kDeleted ? "delete"
                           : request.test                             ? "test"
                                                                      : "transition";
  CV_RETURN_IF_ERROR(AuditMutation(tx, call, target.workspace_id, kObjectType, verb, current.id));
  CV_ASSIGN_OR_RETURN(SealedConnection moved, tx.GetConnection(target.workspace_id, current.id));
  return api::Ok(SealedConnectionToJson(moved));
}

Result<HttpResponse> Transition(const api::SessionCall& call) {
  const Target target = TargetOf(call);
  const Result<TransitionRequest> parsed = [&]() -> Result<TransitionRequest> {
    CV_ASSIGN_OR_RETURN(json body, api::ParseJsonBody(call.http));
    return ParseTransitionBody(body);
  }();
  return AnswerStaleVersion(
      TransactResult<HttpResponse>(call.store, [&](Tx& tx) -> Result<HttpResponse> {
        // Reading is enough to ask; the state machine decides with the role (ApplyEvent).
        Membership member;
        CV_ASSIGN_OR_RETURN(SealedConnection current,
                            Load(tx, call, target, Action::kReadConnections, &member));
        if (!parsed.ok()) return parsed.status();
        return Move(tx, call, target, current, *parsed, member.member.role);
      }));
}

// DELETE is the user's pick of `deleted`; ?version= makes it conditional.
Result<HttpResponse> Delete(const api::SessionCall& call) {
  const Target target = TargetOf(call);
  return AnswerStaleVersion(
      TransactResult<HttpResponse>(call.store, [&](Tx& tx) -> Result<HttpResponse> {
        Membership member;
        CV_ASSIGN_OR_RETURN(SealedConnection current,
                            Load(tx, call, target, Action::kDeleteConnection, &member));
        CV_ASSIGN_OR_RETURN(api::QueryParams params, api::ParseQuery(call.http, {"version"}));
        TransitionRequest request;
        request.to = ConnectionState::kDeleted;
        request.version = current.version;
        if (const std::string_view version = QueryValue(params, "version"); !version.empty()) {
          json wrapped = json::parse(version, nullptr, false);
          if (wrapped.is_discarded() || !wrapped.is_number_unsigned()) {
            return Status(ErrorCode::kValidation, "version: must be a non-negative integer");
          }
          request.version = wrapped.get<uint64_t>();
        }
        CV_RETURN_IF_ERROR(Move(tx, call, target, current, request, member.member.role).status());
        return api::NoContent();
      }));
}

}  // namespace

Status RegisterConnectionRoutes(Router& router, const api::ApiContext& context) {
  constexpr std::string_view kCollection = "/api/v1/workspaces/{ws}/connections";
  const std::string one = std::string(kCollection) + "/{id}";
  CV_RETURN_IF_ERROR(router.Add("GET", kCollection, api::WithSession(context, List)));
  CV_RETURN_IF_ERROR(router.Add("POST", kCollection, api::WithSession(context, Create)));
  CV_RETURN_IF_ERROR(router.Add("GET", one, api::WithSession(context, Get)));
  CV_RETURN_IF_ERROR(router.Add("PUT", one, api::WithSession(context, Update)));
  CV_RETURN_IF_ERROR(router.Add("DELETE", one, api::WithSession(context, Delete)));
  return router.Add("POST", one + "/transitions", api::WithSession(context, Transition));
}

}  // namespace credvault::server
