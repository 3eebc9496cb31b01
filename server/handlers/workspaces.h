// Workspaces under /api/v1 (the server may know ids, names and memberships, DESIGN §2):
//
//   GET    /workspaces                    the caller's workspaces, paginated, with their role
//   POST   /workspaces {id, name, grant}  → 201; the caller becomes owner, and `grant` (the
//                                         caller's own key grant, generation 1, signed by
//                                         the caller) is stored
//   GET    /workspaces/{ws}               any member
//   PATCH  /workspaces/{ws} {name, version}   edit_workspace; 409 with current_version
//   DELETE /workspaces/{ws}               delete_workspace → 204; everything in it goes
//   GET    /workspaces/{ws}/keys          the caller's key grants, every generation
//
// Non-members get 404 (auth/request_auth.h). Every mutation writes an audit event in its
// transaction. Thread-safe.
#ifndef CREDVAULT_SERVER_HANDLERS_WORKSPACES_H_
#define CREDVAULT_SERVER_HANDLERS_WORKSPACES_H_

#include <nlohmann/json.hpp>

#include "api/endpoint.h"
#include "credvault/status.h"
#include "router.h"
#include "store/store.h"

namespace credvault::server {

Status RegisterWorkspaceRoutes(Router& router, const api::ApiContext& context);

// The JSON of a workspace as the member `membership` sees it (with role and permissions).
nlohmann::json WorkspaceJson(const Membership& membership);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_WORKSPACES_H_
