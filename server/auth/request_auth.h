// Request authentication and workspace authorisation: what every API handler calls first.
//
// Authenticate finds the session a request presents (Bearer token, or the cv_session cookie
// plus X-CSRF-Token on anything but GET/HEAD) and yields the acting account. A request that
// presents no live session is not an error of the store: it comes back as an Authentication
// without an actor and with the reason, which api::WithSession turns into a 401. A cookie
// request that changes something without the right CSRF token is kPermissionDenied (403).
//
// RequireWorkspaceAction then loads the caller's membership and asks the core's permission
// table (permissions.h, Allows) whether the role may take the action: kNotFound for a
// malformed workspace id, a missing workspace or a non-member (ids of other people's
// workspaces do not leak), kPermissionDenied for a member whose role may not.
// Pure over the store; thread-safe as the store is.
#ifndef CREDVAULT_SERVER_AUTH_REQUEST_AUTH_H_
#define CREDVAULT_SERVER_AUTH_REQUEST_AUTH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "credvault/permissions.h"
#include "credvault/secret.h"
#include "credvault/status.h"
#include "http_message.h"
#include "store/store.h"

namespace credvault::server::auth {

// Who is acting, as far as a handler needs to know.
struct RequestActor {
  std::string account_id;
  Bytes session_digest;  // the store key of this session (logout, password change)
  bool via_cookie = false;
  int64_t expires_at = 0;
};

struct Authentication {
  std::optional<RequestActor> actor;  // empty: no live session
  std::string refusal;                // why not, for the 401 message (never the token)
};

// Errors: kPermissionDenied (cookie without a valid CSRF token on a non-GET request), or the
// store's error.
Result<Authentication> Authenticate(const HttpRequest& request, Store& store, int64_t now);
// The same, reading the session in a snapshot the caller holds, so that the session check
// and what the handler then reads come from one transaction.
Result<Authentication> AuthenticateIn(ReadTx& tx, const HttpRequest& request, int64_t now);

// See the file comment. Works inside a transaction (Tx is a ReadTx) or a read snapshot, so
// the check and the write it guards see the same membership.
Result<Membership> RequireWorkspaceAction(ReadTx& tx, const RequestActor& actor,
                                          std::string_view workspace_id, Action action);

// Membership alone, for what every member may do (read the workspace, its members, their
// own key grants). kNotFound as above.
Result<Membership> RequireMembership(ReadTx& tx, const RequestActor& actor,
                                     std::string_view workspace_id);

}  // namespace credvault::server::auth

#endif  // CREDVAULT_SERVER_AUTH_REQUEST_AUTH_H_
