#include "auth/request_auth.h"

#include "api/json_body.h"
#include "auth/session_token.h"

namespace credvault::server::auth {

namespace {

// The session `digest` names, or nullopt when there is no live one (not an error).
Result<std::optional<SessionRow>> LookUpSession(ReadTx& tx, ByteView digest, int64_t now) {
  Result<SessionRow> row = tx.GetSession(digest, now);
  if (row.ok()) return std::optional<SessionRow>(std::move(row).value());
  if (row.code() == ErrorCode::kNotFound) return std::optional<SessionRow>();
  return row.status();
}

// Authenticate, with the session lookup left to `look_up` (its own snapshot, or the
// caller's): the rules live here once.
template <typename LookUp>
Result<Authentication> AuthenticateWith(const HttpRequest& request, const LookUp& look_up) {
  Authentication result;
  const std::optional<PresentedToken> presented = FindPresentedToken(request);
  if (!presented) {
    result.refusal = "sign in first: no session token was sent";
    return result;
  }
  Result<Bytes> digest = SessionTokenDigest(presented->token);
  if (!digest.ok()) {
    result.refusal = "the session token is not valid";
    return result;
  }
  CV_ASSIGN_OR_RETURN(std::optional<SessionRow> session, look_up(*digest));
  if (!session) {
    result.refusal = "the session has ended or expired; sign in again";
    return result;
  }
  if (presented->via_cookie && !IsSafeMethod(request.method) &&
      !CsrfMatches(session->csrf_digest, request.Header(kCsrfHeaderName))) {
    return Status(ErrorCode::kPermissionDenied,
                  "a browser request that changes something must carry X-CSRF-Token");
  }
  result.actor = RequestActor{std::move(session->account_id), std::move(digest).value(),
                              presented->via_cookie, session->expires_at};
  return result;
}

}  // namespace

Result<Authentication> Authenticate(const HttpRequest& request, Store& store, int64_t now) {
  return AuthenticateWith(request, [&](ByteView digest) -> Result<std::optional<SessionRow>> {
    std::optional<SessionRow> session;
    CV_RETURN_IF_ERROR(store.Read([&](ReadTx& tx) -> Status {
      CV_ASSIGN_OR_RETURN(session, LookUpSession(tx, digest, now));
      return Status::Ok();
    }));
    return session;
  });
}

Result<Authentication> AuthenticateIn(ReadTx& tx, const HttpRequest& request, int64_t now) {
  return AuthenticateWith(request, [&](ByteView digest) { return LookUpSession(tx, digest, now); });
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
