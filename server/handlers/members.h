// Members of a workspace under /api/v1/workspaces/{ws}:
//
//   GET    /members                      any member: role, version, public keys (for pinning)
//   POST   /members {account_id, role, grant}          manage_members → 201
//   PATCH  /members/{account_id} {role, version, grant?} manage_members; a grant is required
//                                        when the role gains or loses the secrets key
//   DELETE /members/{account_id} {rotation}          manage_members, or the member leaving;
//                                        applies the key rotation (members_rotation.h)
//
// Who may add, re-role and remove whom is the core's rule (workspace.h CheckAddMember,
// CheckRoleChange, CheckRemoveMember), run inside the writing transaction. Grants are
// checked by members_grants.h. Every mutation writes audit events. Thread-safe.
#ifndef CREDVAULT_SERVER_HANDLERS_MEMBERS_H_
#define CREDVAULT_SERVER_HANDLERS_MEMBERS_H_

#include "api/endpoint.h"
#include "credvault/status.h"
#include "router.h"

namespace credvault::server {

Status RegisterMemberRoutes(Router& router, const api::ApiContext& context);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_MEMBERS_H_
