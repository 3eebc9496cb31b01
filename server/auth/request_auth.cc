#include "auth/request_auth.h"

#include "api/json_body.h"
#include "auth/session_token.h"

namespace credvault::server::auth {

Result<Authentication> Authenticate(const HttpRequest& request, Store& store, int64_t now) {
  Authentication result;
  const std::optional<PresentedToken> presented = FindPresentedToken(request);
  if (!presented) {
    result.refusal = "sign in first: no session token was sent";
    return result;
  }
  const Result<Bytes> digest = SessionTokenDigest(presented->token);
  if (!digest.ok()) {
    result.refusal = "the session token is not valid";
    return result;
  }
  std::optional<SessionRow> session;
  const Status read = store.Read([&](ReadTx& tx) -> Status {
    Result<SessionRow> row = tx.GetSession(*digest, now);
    if (row.ok()) {
      session = std::move(row).value();
      return Status::Ok();
    }
    return row.code() == ErrorCode::kNotFound ? Status::Ok() : row.status();
  });
  CV_RETURN_IF_ERROR(read);
  if (!session) {
    result.refusal = "the session has ended or expired; sign in again";
    return result;
  }
  if (presented->via_cookie && !IsSafeMethod(request.method) &&
      !CsrfMatches(session->csrf_digest, request.Header(kCsrfHeaderName))) {
    return Status(ErrorCode::kPermissionDenied,
                  "a browser request that changes something must carry X-CSRF-Token");
  }
  result.actor =
      RequestActor{session->account_id, *digest, presented->via_cookie, session->expires_at};
  return result;
}

Result<Membership> RequireMembership(ReadTx& tx, const RequestActor& actor,
                                     std::string_view workspace_id) {
  CV_RETURN_IF_ERROR(api::CheckPathId(workspace_id, "workspace"));
  const Status not_found(ErrorCode::kNotFound, "no such workspace");
  Result<MemberRow> member = tx.GetMember(workspace_id, actor.account_id);
  if (!member.ok()) return member.code() == ErrorCode::kNotFound ? not_found : member.status();
  Result<WorkspaceRow> workspace = tx.GetWorkspace(workspace_id);
  if (!workspace.ok()) {
    return workspace.code() == ErrorCode::kNotFound ? not_found : workspace.status();
  }
  return Membership{std::move(workspace).value(), std::move(member).value()};
}

Result<Membership> RequireWorkspaceAction(ReadTx& tx, const RequestActor& actor,
                                          std::string_view workspace_id, Action action) {
  CV_ASSIGN_OR_RETURN(Membership membership, RequireMembership(tx, actor, workspace_id));
  if (!Allows(membership.member.role, action)) {
    return Status(ErrorCode::kPermissionDenied,
                  "a " + std::string(RoleName(membership.member.role)) + " may not " +
                      std::string(ActionName(action)) + " in this workspace");
  }
  return membership;
}

}  // namespace credvault::server::auth
